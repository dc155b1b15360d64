"""Invoices of the markets whose law names the document and the seller's registration: Japan's qualified invoice
(registration number T + 13 digits, consumption tax once per rate) and Australia's tax invoice (ABN, GST)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fontTools.ttLib import TTFont

from reloop.core.money import Money
from reloop.invoicing.domain import per_rate_tax
from reloop.invoicing.fonts import cjk_font
from reloop.invoicing.models import InvoiceKind
from reloop.invoicing.services import issue_credit_notes, issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.invoicing.tests.test_documents import pdf_text
from reloop.orders.models import SellerOrder
from reloop.payments import services as ledger

pytestmark = pytest.mark.django_db

T_NUMBER = "T5835678256246"  # a corporate number with a valid check digit, prefixed with T
ABN = "51824753556"  # the Australian Taxation Office's example ABN


def test_a_registered_japanese_seller_issues_a_qualified_invoice_with_tax_per_rate() -> None:
    seller = trader(country="JP", name="Kaizen Mobile", jp_registration_number=T_NUMBER)
    offer_a, offer_b = offer_of(seller, scheme="standard"), offer_of(seller, scheme="standard")
    # Three items at ¥10,999, ¥10,999 and ¥1,001 (10 %): per line the tax would round to 1,000 + 1,000 + 91;
    # once on the rate's total of ¥22,999 it is ¥2,090 (22,999 × 10 / 110 = 2,090.8, rounded down).
    order = paid_order(market="ja-jp", items=[Item(offer_a, 10999, quantity=2), Item(offer_b, 1001)], shipping=0)
    [invoice] = issue_invoices(order_id=order.pk)
    content = invoice.content
    assert (content["title"], content["registration"]) == ("qualified_invoice", T_NUMBER)
    assert all(line["net"] is None and line["vat"] is None for line in content["lines"])  # no per-line tax
    assert [line["vat_rate"] for line in content["lines"]] == ["10", "10"]
    assert content["totals"]["vat_breakdown"] == [{"rate": "10", "net": 20909, "vat": 2090, "gross": 22999}]
    assert (invoice.vat_total, invoice.total) == (2090, 22999)
    assert content["mentions"] == []  # a qualified invoice: nothing to disclaim
    text = pdf_text(invoice).replace(" ", "")
    assert "適格請求書" in text
    assert f"登録番号{T_NUMBER}" in text
    assert "¥2,090" in text or "￥2,090" in text
    assert "¥22,999" in text or "￥22,999" in text


def test_per_rate_tax_is_rounded_down_once() -> None:
    assert per_rate_tax(22999, Decimal("10")) == (20909, 2090)
    assert per_rate_tax(1080, Decimal("8")) == (1000, 80)  # the reduced rate
    assert per_rate_tax(500, Decimal("0")) == (500, 0)


def test_a_japanese_invoice_without_a_registration_says_it_is_not_a_qualified_invoice() -> None:
    seller = trader(country="FR")
    [invoice] = issue_invoices(
        order_id=paid_order(market="ja-jp", items=[Item(offer_of(seller, scheme="standard"), 30000)]).pk
    )
    assert (invoice.content["title"], invoice.content["registration"]) == ("invoice", "")
    assert invoice.content["mentions"] == [
        "本書は適格請求書ではありません（売主は適格請求書発行事業者の登録番号を登録していません）。"
    ]
    text = pdf_text(invoice).replace(" ", "")
    assert "適格請求書ではありません" in text
    assert "登録番号T" not in text


def test_an_australian_seller_with_an_abn_issues_a_tax_invoice_showing_gst() -> None:
    seller = trader(country="AU", name="Southern Cross Refurb", au_abn=ABN)
    order = paid_order(market="en-au", items=[Item(offer_of(seller, scheme="standard"), 109900)], shipping=1100)
    [invoice] = issue_invoices(order_id=order.pk)
    content = invoice.content
    assert (content["title"], content["registration"], content["tax_name"]) == ("tax_invoice", ABN, "GST")
    line, shipping = content["lines"]
    assert (line["vat_rate"], line["net"], line["vat"]) == ("10", 99909, 9991)  # GST is 1/11 of the price
    assert (shipping["net"], shipping["vat"]) == (1000, 100)
    assert content["mentions"] == []
    text = pdf_text(invoice)
    assert text.startswith("Tax invoice RL")
    assert "ABN 51 824 753 556" in text
    assert "GST 10 % on" in text

    part = SellerOrder.objects.get(order=order)
    refund_line = part.lines.get()
    ledger.record_refund(
        key="au-refund", reference=f"order:{order.number}", seller_id=part.seller_id, line_id=refund_line.pk,
        gross=Money(109900, "AUD"), commission=Money(0, "AUD"),
    )  # fmt: skip
    [note] = issue_credit_notes(line_id=refund_line.pk)
    assert (note.kind, note.content["title"]) == (InvoiceKind.CREDIT_NOTE, "adjustment_note")
    assert pdf_text(note).startswith("Adjustment note RL")


def test_an_australian_invoice_without_an_abn_is_not_a_tax_invoice() -> None:
    seller = trader(country="FR")
    [invoice] = issue_invoices(
        order_id=paid_order(market="en-au", items=[Item(offer_of(seller, scheme="standard"), 20000)]).pk
    )
    assert invoice.content["title"] == "invoice"
    assert invoice.content["mentions"] == ["The seller has not given an ABN: this document is not a tax invoice."]
    assert "not a tax invoice" in pdf_text(invoice)


def test_japanese_text_is_drawn_with_the_japanese_cut_of_noto_sans_cjk() -> None:
    path = cjk_font()
    assert path is not None
    assert path.name == "NotoSansCJKjp-Regular.otf"
    with TTFont(str(path), lazy=True) as font:
        assert str(font["name"].getDebugName(1)) == "Noto Sans CJK JP"
