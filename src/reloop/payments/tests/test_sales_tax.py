"""US sales tax in the ledger: collected into ``platform:sales_tax_payable`` (the platform remits it as marketplace
facilitator), given back with a refund; every transaction balanced, retries idempotent."""

from __future__ import annotations

import pytest

from reloop.core.money import Money
from reloop.payments.domain import PLATFORM_CLEARING, PLATFORM_SALES_TAX, PSP_RECEIVABLE, SellerShare
from reloop.payments.errors import InvalidTransaction
from reloop.payments.selectors import balance
from reloop.payments.services import record_capture, record_sales_tax, record_sales_tax_refund, record_split
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
USD = "USD"


def test_a_taxed_order_leaves_clearing_at_zero_and_the_tax_owed_to_the_state() -> None:
    seller = SellerFactory.create()
    # 299.99 goods + 12.99 shipping to the seller, 21.75 sales tax: 334.73 captured.
    record_capture(key="o:capture", reference="order:o", amount=Money(33473, USD))
    record_split(
        key="o:split", reference="order:o",
        shares=[SellerShare(seller_id=seller.pk, gross=Money(31298, USD), commission=Money(3130, USD))],
    )  # fmt: skip
    record_sales_tax(key="o:tax", reference="order:o", amount=Money(2175, USD))
    record_sales_tax(key="o:tax", reference="order:o", amount=Money(2175, USD))  # a retry writes nothing
    assert balance(PLATFORM_CLEARING, USD) == Money(0, USD)
    assert balance(PLATFORM_SALES_TAX, USD) == Money(-2175, USD)
    record_sales_tax_refund(key="o:line:1:tax-refund", reference="order:o", amount=Money(2175, USD))
    assert balance(PLATFORM_SALES_TAX, USD) == Money(0, USD)
    assert balance(PSP_RECEIVABLE, USD) == Money(33473 - 2175, USD)


def test_zero_or_negative_tax_is_refused() -> None:
    with pytest.raises(InvalidTransaction):
        record_sales_tax(key="x", reference="order:x", amount=Money(0, USD))
    with pytest.raises(InvalidTransaction):
        record_sales_tax_refund(key="y", reference="order:y", amount=Money(-5, USD))
