"""The battery-floor warranty claim (issue 16, item 4): it opens only within the warranty and when the buyer's
reading is below the floor of the line's battery tier, and then follows the usual after-sales flow."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.aftersales import services
from reloop.aftersales.domain import Reason, battery_claim_refusal, battery_floor, reasons_for
from reloop.aftersales.errors import InvalidCaseInput, NotEligible
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.catalog.models import Category
from reloop.core import clock
from reloop.orders.models import OrderLine

WHY = "Settings shows 76% maximum capacity after eight months."


# --- Rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "category_minimum", "floor"),
    [
        ("standard", 80, 80),  # phones
        ("standard", 85, 85),  # other devices with a battery
        ("high", 80, 90),
        ("high", 85, 90),
        ("new", 80, 90),
        ("standard", None, None),  # no battery: no guarantee
        ("high", None, None),
    ],
)
def test_the_floor_of_each_tier(tier, category_minimum, floor):
    assert battery_floor(battery_tier=tier, category_minimum=category_minimum) == floor


@given(reading=st.integers(min_value=0, max_value=100), floor=st.integers(min_value=50, max_value=100))
def test_a_claim_opens_exactly_below_the_floor(reading, floor):
    refusal = battery_claim_refusal(reading=reading, floor=floor)
    assert (refusal is None) == (reading < floor)
    if refusal is not None:
        assert refusal == "battery_above_floor"


def test_a_missing_or_impossible_reading_is_refused():
    assert battery_claim_refusal(reading=None, floor=80) == "battery_reading_required"
    assert battery_claim_refusal(reading=101, floor=80) == "battery_reading_invalid"
    assert battery_claim_refusal(reading=-1, floor=80) == "battery_reading_invalid"


def test_the_reason_is_a_warranty_reason_only():
    assert Reason.BATTERY_BELOW_FLOOR in reasons_for("warranty")
    assert Reason.BATTERY_BELOW_FLOOR not in reasons_for("return")


# --- Service --------------------------------------------------------------------------------------------


def set_tier(sale, tier: str) -> None:
    OrderLine.objects.filter(pk=sale.line.pk).update(battery_tier=tier)


def claim(sale, reading):
    return services.open_battery_claim(actor=sale.buyer, line_id=sale.line.pk, battery_reading=reading, description=WHY)


@pytest.mark.django_db
class TestOpening:
    def test_below_the_floor_within_the_warranty_it_opens_with_the_reading_and_the_floor(self):
        sale = delivered_line()  # a standard battery in a category with an 80% minimum
        case = claim(sale, 79)
        case.refresh_from_db()
        assert (case.kind, case.reason, case.state) == ("warranty", "battery_below_floor", "opened")
        assert (case.battery_reading, case.battery_floor) == (79, 80)
        assert case.seller_id == sale.line.seller_order.seller_id

    def test_at_or_above_the_floor_it_is_refused_and_nothing_is_saved(self):
        sale = delivered_line()
        set_tier(sale, "high")
        with pytest.raises(NotEligible) as refused:
            claim(sale, 90)
        assert refused.value.code == "battery_above_floor"
        assert "90%" in str(refused.value)
        assert not Case.objects.exists()
        assert claim(sale, 89).battery_floor == 90  # the high tier's floor, not the category's 80%

    def test_after_the_warranty_it_is_refused_even_below_the_floor(self):
        delivered = dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
        with clock.frozen_at(delivered):
            sale = delivered_line(warranty_months=12)
            OrderLine.objects.filter(pk=sale.line.pk).update(delivered_at=delivered)
        with clock.frozen_at(dt.datetime(2026, 1, 10, 23, tzinfo=dt.UTC)):  # the warranty's last day
            case = claim(sale, 70)
        assert case.battery_floor == 80
        Case.objects.all().delete()
        with clock.frozen_at(dt.datetime(2026, 1, 11, 0, 1, tzinfo=dt.UTC)), pytest.raises(NotEligible) as refused:
            claim(sale, 70)
        assert refused.value.code == "window_closed"
        assert not Case.objects.exists()

    def test_without_a_reading_or_with_an_impossible_one_it_asks_for_a_percentage(self):
        sale = delivered_line()
        for reading, code in ((None, "battery_reading_required"), (140, "battery_reading_invalid")):
            with pytest.raises(InvalidCaseInput) as refused:
                claim(sale, reading)
            assert refused.value.code == code
        with pytest.raises(InvalidCaseInput):  # the generic claim with this reason has no reading either
            services.open_warranty_claim(
                actor=sale.buyer, line_id=sale.line.pk, reason="battery_below_floor", description=WHY
            )
        assert not Case.objects.exists()

    def test_a_device_without_a_battery_guarantee_cannot_claim_it(self):
        sale = delivered_line()
        Category.objects.filter(pk=sale.line.variant.product_model.category_id).update(battery_min_health=None)
        with pytest.raises(NotEligible) as refused:
            claim(sale, 10)
        assert refused.value.code == "no_battery_guarantee"

    def test_another_buyer_cannot_claim_on_the_line(self):
        sale = delivered_line()
        other = delivered_line()
        with pytest.raises(Exception, match="No such order line"):
            services.open_battery_claim(actor=other.buyer, line_id=sale.line.pk, battery_reading=50, description=WHY)

    def test_the_seller_remedies_it_through_the_usual_flow(self):
        sale = delivered_line()
        case = claim(sale, 75)
        answered = services.answer_case(
            actor=sale.seller_user, case_id=case.pk, answer="offer_repair", note="We fit a new battery, send it in."
        )
        assert (answered.state, answered.remedy) == ("awaiting_return", "repair")
