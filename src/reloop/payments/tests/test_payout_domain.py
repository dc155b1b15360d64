"""Pure payout rules: the run schedule (month ends, catch-up), the hold, release amounts, IBAN masking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.payments import conf, domain
from reloop.payments.errors import UnknownPaymentProvider
from reloop.payments.providers.payouts import PayoutProvider, get_payout_provider

D = dt.date
DAYS = (6, 16, 26)


@pytest.mark.parametrize(
    ("today", "latest", "following"),
    [
        (D(2026, 12, 6), D(2026, 12, 6), D(2026, 12, 16)),  # a run day is its own latest run
        (D(2026, 12, 15), D(2026, 12, 6), D(2026, 12, 16)),
        (D(2026, 12, 31), D(2026, 12, 26), D(2027, 1, 6)),  # across the year end
        (D(2027, 1, 5), D(2026, 12, 26), D(2027, 1, 6)),  # before this month's first run: last month's last
    ],
)
def test_latest_and_next_run_dates(today, latest, following):
    assert domain.latest_run_date(today, DAYS) == latest
    assert domain.next_run_date(today, DAYS) == following


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2027, 2, [D(2027, 2, 15), D(2027, 2, 28)]),
        (2028, 2, [D(2028, 2, 15), D(2028, 2, 29)]),  # leap year
        (2027, 4, [D(2027, 4, 15), D(2027, 4, 30)]),
        (2027, 5, [D(2027, 5, 15), D(2027, 5, 31)]),
    ],
)
def test_a_day_past_the_month_end_runs_on_its_last_day(year, month, expected):
    assert domain.run_dates_in_month(year, month, (15, 31)) == expected


def test_days_30_and_31_merge_into_one_run_in_february():
    assert domain.run_dates_in_month(2027, 2, (30, 31)) == [D(2027, 2, 28)]
    assert domain.next_run_date(D(2027, 2, 28), (30, 31)) == D(2027, 3, 30)


@pytest.mark.parametrize("bad", ["", "0", "32", "6,x", "6;16"])
def test_payout_days_are_validated(bad):
    with pytest.raises(InvalidInput) as error:
        domain.parse_payout_days(bad)
    assert error.value.code == "invalid_payout_days"


def test_payout_days_are_sorted_and_deduplicated():
    assert domain.parse_payout_days(" 26, 6,16,6 ") == (6, 16, 26)


def test_settings_default_and_refuse_bad_values(settings):
    assert (conf.payout_hold_days(), conf.payout_days()) == (14, DAYS)
    settings.RELOOP_PAYOUT_DAYS = "40"
    with pytest.raises(ImproperlyConfigured):
        conf.payout_days()
    settings.RELOOP_PAYOUT_HOLD_DAYS = "two weeks"
    with pytest.raises(ImproperlyConfigured):
        conf.payout_hold_days()


def test_the_hold_ends_14_days_after_delivery():
    assert domain.payable_on(D(2026, 12, 1), 14) == D(2026, 12, 15)


def test_release_amounts():
    # A line releases its net minus what the hold refunded for it, never more than its seller order still holds;
    # the last line takes whatever the seller order still holds
    assert domain.release_amount(line_net=9000, line_refunded=1000, part_held=14000, last=False) == 8000
    assert domain.release_amount(line_net=9000, line_refunded=1000, part_held=14000, last=True) == 14000
    assert domain.release_amount(line_net=9000, line_refunded=9000, part_held=6000, last=False) == 0
    assert domain.release_amount(line_net=9000, line_refunded=0, part_held=50, last=False) == 50
    assert domain.release_amount(line_net=9000, line_refunded=0, part_held=-10, last=True) == 0


def test_account_codes_for_payouts():
    assert domain.account_spec("seller:7:available").seller_id == 7
    assert domain.account_spec("psp:payouts").kind == domain.ASSET
    assert domain.payout_reversal_postings(seller_id=7, amount=domain.Money(100, "EUR")) == [
        ("seller:7:available", domain.Money(-100, "EUR")),
        ("psp:payouts", domain.Money(100, "EUR")),
    ]


@pytest.mark.parametrize(
    ("iban", "masked"),
    [("FR14 2004 1010 0505 0001 3M02 606", "FR•• •••• 2606"), ("de89370400440532013000", "DE•• •••• 3000"), ("", "")],
)
def test_ibans_are_masked_to_country_and_last_four(iban, masked):
    assert domain.mask_iban(iban) == masked


def test_the_test_payout_provider_honours_the_protocol_and_answers_a_retry_the_same():
    provider = get_payout_provider()
    assert isinstance(provider, PayoutProvider)
    assert provider.name == "test"
    first = provider.send_payout(
        amount=Money(100, "EUR"), destination_iban="", reference="payout:1", idempotency_key="payout:1"
    )
    again = provider.send_payout(
        amount=Money(100, "EUR"), destination_iban="", reference="payout:1", idempotency_key="payout:1"
    )
    other = provider.send_payout(
        amount=Money(100, "EUR"), destination_iban="", reference="payout:2", idempotency_key="payout:2"
    )
    assert first == again
    assert first.ok
    assert other.reference != first.reference


def test_an_unknown_payout_provider_is_refused(settings):
    settings.RELOOP_PAYOUT_PROVIDER = "bank-of-nowhere"
    with pytest.raises(UnknownPaymentProvider):
        get_payout_provider()
