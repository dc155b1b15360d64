"""Offer imports: the report announces exactly what applying does; a refused file writes nothing; an import is
applied once however often it is applied; buy boxes follow after commit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.bulk import Action, apply_changes, export_offers
from reloop.offers.csv_io import OfferChange, csv_lines
from reloop.offers.events import OffersChanged
from reloop.offers.imports import (
    ImportHasErrors,
    ImportNotFound,
    apply_offer_import,
    apply_waiting_imports,
    queue_offer_import,
    seller_import,
    validate_offer_import,
)
from reloop.offers.models import ImportStatus, Offer, OfferPrice
from reloop.offers.services import set_offer_prices
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

FULL = "sku,variant_id,grade,battery_tier,parts_provenance,replaced_parts,warranty_months,dispatch_days,vat_scheme,stock,active,price_en-gb,price_fr-fr\n"  # noqa: E501


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def variant():
    return VariantFactory()


def state(seller) -> list[tuple]:
    """Everything an import can change about a seller's offers."""
    offers = Offer.objects.filter(seller=seller).order_by("sku")
    return [
        (
            o.sku,
            o.variant_id,
            o.grade,
            o.battery_tier,
            o.parts_provenance,
            list(o.replaced_parts),
            o.warranty_months,
            o.dispatch_days,
            o.vat_scheme,
            o.stock,
            o.is_active,
            sorted((p.market, p.amount, p.currency) for p in o.prices.all()),
        )
        for o in offers
    ]


def validate(seller, text: str):
    return validate_offer_import(actor=None, seller=seller, filename="offers.csv", data=text.encode())


def apply(seller, offer_import, *, skip_invalid=False):
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=skip_invalid)
    return apply_offer_import(import_id=offer_import.pk)


@pytest.fixture
def published(monkeypatch):
    """The events the bulk path publishes (their delivery to pricing is tested with the API endpoint)."""
    events: list[object] = []
    monkeypatch.setattr("reloop.offers.bulk.publish", events.append)
    return events


def test_a_file_creates_and_updates_offers_as_its_report_announced(seller, variant, published):
    # given one existing offer and a file that updates it, creates one and repeats a third line unchanged
    existing = make_offer(seller=seller, variant=variant, price=30000, stock=5)
    kept = make_offer(seller=seller, variant=variant, grade=Grade.FAIR, price=20000, stock=2)
    text = (
        FULL
        + f"{existing.sku},,,,,,,,,7,,289.00,\n"
        + f"NEW-1,{variant.pk},excellent,high,all_original,,24,2,margin,3,yes,310,329.90\n"
        + f"{kept.sku},,,,,,,,,2,,200.00,\n"
    )
    # when it is validated
    offer_import = validate(seller, text)
    # then the report says what will happen, and nothing happened yet
    assert offer_import.summary == {"lines": 3, "created": 1, "updated": 1, "unchanged": 1, "errors": 0}
    assert Offer.objects.filter(seller=seller).count() == 2
    # when it is applied
    done = apply(seller, offer_import)
    # then exactly that happened, and one event asks for the buy boxes of the variant to be refreshed
    assert done.status == ImportStatus.APPLIED
    existing.refresh_from_db()
    new = Offer.objects.get(seller=seller, sku="NEW-1")
    assert (existing.stock, existing.prices.get().amount) == (7, 28900)
    assert (new.grade, new.battery_tier, new.warranty_months, new.dispatch_days, new.stock) == (
        "excellent",
        "high",
        24,
        2,
        3,
    )
    assert sorted(new.prices.values_list("market", "amount", "currency")) == [
        ("en-gb", 31000, "GBP"),
        ("fr-fr", 32990, "EUR"),
    ]
    # (only the grades that changed: the repriced good offer and the new excellent one, not the unchanged fair one)
    assert published == [
        OffersChanged(
            frozenset({variant.pk}),
            markets=frozenset({"en-gb", "fr-fr"}),
            variant_grades=frozenset({(variant.pk, Grade.GOOD), (variant.pk, Grade.EXCELLENT)}),
        )
    ]


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("NEW-1,999999,good,standard,all_original,,12,1,margin,1,yes,100,", "variant_id", "unknown_variant"),
        ("NEW-1,{v},shiny,standard,all_original,,12,1,margin,1,yes,100,", "grade", "invalid_grade"),
        ("NEW-1,{v},premium,high,compatible,screen,12,1,margin,1,yes,100,", "grade", "invalid_grade"),
        ("NEW-1,{v},good,standard,all_original,,12,1,margin,1,yes,,", "price_*", "missing_market_price"),
        ("NEW-1,{v},good,standard,all_original,,12,1,margin,-1,yes,100,", "stock", "invalid_stock"),
        ("NEW-1,{v},good,standard,all_original,,12,1,margin,1,yes,1O0,", "price_en-gb", "invalid_price_format"),
        ("NEW-1,{v},good,standard,all_original,,6,1,margin,1,yes,100,", "warranty_months", "invalid_warranty"),
        ("NEW-1,{v},good,,all_original,,12,1,margin,1,yes,100,", "battery_tier", "missing_value"),
        ("NEW-1,{v},good,standard,compatible,,12,1,margin,1,yes,100,", "replaced_parts", "invalid_replaced_parts"),
        ("NEW-1,{v},good,standard,all_original,,12,1,margin,1,yes,100 EUR,", "price_en-gb", "wrong_currency"),
    ],
)
def test_a_bad_line_is_reported_and_blocks_the_file_unless_skipped(seller, variant, line, column, code):
    # given a file with one good update and one bad line
    offer = make_offer(seller=seller, variant=variant, stock=5)
    before = state(seller)
    offer_import = validate(seller, FULL + f"{offer.sku},,,,,,,,,9,,,\n" + line.format(v=variant.pk) + "\n")
    # then the report names the line, the column and the problem
    assert offer_import.summary == {"lines": 2, "created": 0, "updated": 1, "unchanged": 0, "errors": 1}
    assert [(e[0], e[1], e[3]) for e in offer_import.errors] == [(3, column, code)]
    # and applying it as it is is refused: nothing written
    with pytest.raises(ImportHasErrors):
        queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    assert apply_offer_import(import_id=offer_import.pk).status == ImportStatus.VALIDATED
    assert state(seller) == before
    # when the seller chooses to skip the bad line, exactly the good line is applied
    assert apply(seller, offer_import, skip_invalid=True).status == ImportStatus.APPLIED
    offer.refresh_from_db()
    assert offer.stock == 9
    assert Offer.objects.filter(seller=seller).count() == 1


def test_a_sku_twice_in_a_file_is_reported_on_its_second_line(seller, variant):
    offer = make_offer(seller=seller, variant=variant)
    other = make_offer(seller=seller, variant=variant, grade=Grade.FAIR)
    offer_import = validate(seller, f"sku,stock\n{offer.sku},1\n{other.sku},3\n{offer.sku.lower()},2\n")
    assert [(e[0], e[3]) for e in offer_import.errors] == [(4, "duplicate_sku")]
    assert "already on line 2" in offer_import.errors[0][4]


def test_a_new_offer_in_a_condition_already_listed_is_refused(seller, variant):
    offer = make_offer(seller=seller, variant=variant, grade=Grade.GOOD)
    offer_import = validate(seller, FULL + f"OTHER,{variant.pk},good,standard,all_original,,12,1,margin,1,yes,100,\n")
    assert [(e[1], e[3]) for e in offer_import.errors] == [("grade", "duplicate_offer")]
    assert offer.sku in offer_import.errors[0][4]


def test_an_offers_variant_cannot_change(seller, variant):
    offer = make_offer(seller=seller, variant=variant)
    offer_import = validate(seller, f"sku,variant_id\n{offer.sku},{VariantFactory().pk}\n")
    assert [(e[1], e[3]) for e in offer_import.errors] == [("variant_id", "variant_immutable")]


def test_a_dash_stops_selling_in_a_market_and_terms_are_checked_merged(seller, variant):
    offer = make_offer(seller=seller, variant=variant, prices={"en-gb": Money(100, "GBP"), "fr-fr": Money(100, "EUR")})
    # premium needs a high battery: this offer has a standard one, and the line does not change it
    refused = validate(seller, f"sku,grade\n{offer.sku},premium\n")
    assert [e[3] for e in refused.errors] == ["invalid_grade"]
    ok = validate(seller, f"sku,grade,battery_tier,price_fr-fr\n{offer.sku},premium,high,-\n")
    assert ok.summary["updated"] == 1
    apply(seller, ok)
    offer.refresh_from_db()
    assert (offer.grade, offer.battery_tier) == ("premium", "high")
    assert list(offer.prices.values_list("market", flat=True)) == ["en-gb"]


def test_an_import_is_applied_once_however_often_it_is_applied(seller, variant, published):
    offer_import = validate(seller, FULL + f"NEW-1,{variant.pk},good,standard,all_original,,12,1,margin,2,yes,100,\n")
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    apply_offer_import(import_id=offer_import.pk)
    assert len(published) == 1
    again = apply_offer_import(import_id=offer_import.pk)
    assert apply_waiting_imports() == 0
    assert again.status == ImportStatus.APPLIED
    assert Offer.objects.filter(seller=seller).count() == 1
    assert len(published) == 1  # no second write, no second buy-box refresh


def test_a_report_made_stale_by_a_change_is_renewed_and_nothing_applied(seller, variant):
    offer = make_offer(seller=seller, variant=variant, price=30000)
    offer_import = validate(seller, f"sku,price_en-gb\n{offer.sku},250\n")
    assert offer_import.summary["updated"] == 1
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    # meanwhile the seller sets that very price on the offer page
    set_offer_prices(seller=seller, offer_id=offer.pk, prices={"en-gb": Money(25000, "GBP")})
    done = apply_offer_import(import_id=offer_import.pk)
    assert done.status == ImportStatus.VALIDATED
    assert done.summary == {"lines": 1, "created": 0, "updated": 0, "unchanged": 1, "errors": 0}
    assert "changed since this report" in done.message


def test_another_sellers_import_is_not_found(seller, variant):
    offer_import = validate(seller, "sku,stock\nX,1\n")
    other = SellerFactory()
    with pytest.raises(ImportNotFound):
        seller_import(seller=other, import_id=offer_import.pk)
    with pytest.raises(ImportNotFound):
        queue_offer_import(actor=None, seller=other, import_id=offer_import.pk, skip_invalid=True)
    assert seller_import(seller=seller, import_id=offer_import.pk).status == ImportStatus.VALIDATED


def test_the_api_path_updates_known_skus_and_reports_unknown_ones(seller, variant):
    offer = make_offer(seller=seller, variant=variant, stock=1)
    plan = apply_changes(
        seller=seller,
        changes=[
            OfferChange(line=1, sku=offer.sku, stock=4, prices={"fr-fr": Money(999, "EUR")}),
            OfferChange(line=2, sku="NOPE", stock=1),
        ],
        allow_create=False,
    )
    assert [(o.line, o.action) for o in plan.outcomes] == [(1, Action.UPDATED), (2, Action.ERROR)]
    assert [e.code for e in plan.errors] == ["offer_not_found"]
    offer.refresh_from_db()
    assert offer.stock == 4
    assert OfferPrice.objects.get(offer=offer, market="fr-fr").amount == 999


def _export_text(seller) -> str:
    return "".join(csv_lines(export_offers(seller=seller, markets=["fr-fr", "en-gb", "ja-jp"])))


offers_strategy = st.lists(
    st.tuples(
        st.sampled_from([Grade.EXCELLENT, Grade.GOOD, Grade.FAIR]),
        st.sampled_from(list(BatteryTier)),
        st.sampled_from(list(PartsProvenance)),
        st.integers(0, 100_000),
        st.booleans(),
        st.dictionaries(st.sampled_from(["fr-fr", "en-gb", "ja-jp"]), st.integers(1, 9_999_999), min_size=1),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda t: (t[0], t[1], t[2]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=offers_strategy)
def test_importing_an_export_changes_nothing(specs):
    # given any catalogue
    seller = SellerFactory()
    variant = VariantFactory()
    currencies = {"fr-fr": "EUR", "en-gb": "GBP", "ja-jp": "JPY"}
    for grade, battery, parts, stock, active, prices in specs:
        offer = make_offer(
            seller=seller,
            variant=variant,
            grade=grade,
            battery=battery,
            parts=parts,
            stock=stock,
            prices={m: Money(a, currencies[m]) for m, a in prices.items()},
        )
        if not active:
            Offer.objects.filter(pk=offer.pk).update(is_active=False)
    before = state(seller)
    # when its export is imported
    offer_import = validate(seller, _export_text(seller))
    # then every line is unchanged, and applying it changes nothing
    assert offer_import.summary == {
        "lines": len(specs),
        "created": 0,
        "updated": 0,
        "unchanged": len(specs),
        "errors": 0,
    }
    apply(seller, offer_import)
    assert state(seller) == before


def test_the_job_applies_what_no_thread_is_applying(seller, variant, settings):
    # given an approved import that nobody applied (RELOOP_IMPORT_APPLY=worker, or a web thread that died)
    settings.RELOOP_IMPORT_APPLY = "worker"
    offer = make_offer(seller=seller, variant=variant, stock=1)
    offer_import = validate(seller, f"sku,stock\n{offer.sku},6\n")
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    # when the scheduled job runs twice
    assert apply_waiting_imports() == 1
    assert apply_waiting_imports() == 0
    # then it was applied once
    offer.refresh_from_db()
    assert offer.stock == 6
    assert seller_import(seller=seller, import_id=offer_import.pk).status == ImportStatus.APPLIED


def test_in_thread_mode_the_job_waits_for_the_thread(seller, variant, settings):
    settings.RELOOP_IMPORT_APPLY = "thread"
    offer = make_offer(seller=seller, variant=variant, stock=1)
    offer_import = validate(seller, f"sku,stock\n{offer.sku},6\n")
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    assert apply_waiting_imports() == 0  # queued a moment ago: its thread is on it
    offer.refresh_from_db()
    assert offer.stock == 1
