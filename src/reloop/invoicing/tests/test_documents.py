"""Golden tests of what invoices say (per VAT scheme and market) and of the PDF a person opens."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from fpdf import FPDF
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from reloop.invoicing import fonts
from reloop.invoicing.models import Invoice
from reloop.invoicing.pdf import render_content, render_pdf
from reloop.invoicing.services import issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader

pytestmark = pytest.mark.django_db


def pdf_text(invoice: Invoice) -> str:
    data = render_pdf(invoice)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    # pypdf puts a NUL before each glyph drawn with the CJK fallback font: drop them.
    return " ".join(" ".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)


def test_fr_margin_scheme_shows_no_vat_and_the_french_mention() -> None:
    seller = trader(country="FR")
    order = paid_order(market="fr-fr", items=[Item(offer_of(seller, scheme="margin"), 34900)], shipping=990)
    [invoice] = issue_invoices(order_id=order.pk)
    content = invoice.content
    assert content["seller"] == {
        "trading_name": "Second Wind Devices",
        "legal_name": "Second Wind Devices SAS",
        "address": ["3 quai du Commerce", "69009 Lyon", "France"],
        "registration_number": "552 100 554",
        "vat_number": "FR40303265045",
        "jp_registration_number": "",
        "abn": "",
        "email": "contact@secondwind.example",
    }
    assert (content["title"], content["registration"]) == ("invoice", "")
    assert content["buyer"]["name"] == "Camille Martin"
    [line, shipping] = content["lines"]
    assert (line["scheme"], line["vat_rate"], line["vat"], line["net"], line["total"]) == (
        "margin",
        None,
        None,
        None,
        34900,
    )
    assert (shipping["scheme"], shipping["vat"]) == ("margin", None)  # follows the goods
    assert content["totals"] == {
        "vat": 0, "sales_tax": 0, "margin": 35890, "before_tax": 0, "total": 35890, "vat_breakdown": [],
    }  # fmt: skip
    assert content["mentions"] == ["Régime particulier – Biens d'occasion (article 297 A du Code général des impôts)"]
    assert (invoice.total, invoice.vat_total, invoice.currency) == (35890, 0, "EUR")
    text = pdf_text(invoice)
    assert "Régime particulier – Biens d'occasion" in text
    assert "297 A" in text
    assert "FR40303265045" in text
    assert invoice.number in text
    assert "358,90 €" in text  # French number format


def test_de_standard_vat_per_line_with_rate_and_amounts() -> None:
    seller = trader(country="DE", name="Kreislauf Technik")
    order = paid_order(
        market="de-de",
        items=[Item(offer_of(seller, scheme="standard"), 59900), Item(offer_of(seller, scheme="standard"), 1999, 2)],
    )
    [invoice] = issue_invoices(order_id=order.pk)
    rows = [(r["scheme"], r["vat_rate"], r["net"], r["vat"], r["total"]) for r in invoice.content["lines"]]
    # 599.00 / 1.19 = 503.36 (half-up), VAT 95.64; 39.98 / 1.19 = 33.596… → 33.60, VAT 6.38
    assert rows == [("standard", "19", 50336, 9564, 59900), ("standard", "19", 3360, 638, 3998)]
    assert invoice.content["totals"]["vat_breakdown"] == [{"rate": "19", "net": 53696, "vat": 10202}]
    assert invoice.vat_total == 10202
    assert invoice.content["mentions"] == []
    text = pdf_text(invoice)
    assert "19 %" in text
    assert "102,02 €" in text


def test_de_margin_mention_cites_25a_ustg() -> None:
    seller = trader(country="DE", name="Kreislauf Technik")
    order = paid_order(market="de-de", items=[Item(offer_of(seller), 25000)])
    [invoice] = issue_invoices(order_id=order.pk)
    assert "Gebrauchtgegenstände/Sonderregelung – Differenzbesteuerung nach § 25a UStG" in pdf_text(invoice)


def test_gb_order_mixes_margin_and_standard_lines() -> None:
    seller = trader(country="GB", name="Circuit Renew")
    order = paid_order(
        market="en-gb",
        items=[Item(offer_of(seller, scheme="margin"), 30000), Item(offer_of(seller, scheme="standard"), 12000)],
        shipping=899,
    )
    [invoice] = issue_invoices(order_id=order.pk)
    rows = [(r["scheme"], r["vat_rate"], r["net"], r["vat"]) for r in invoice.content["lines"]]
    # 120.00 / 1.2 = 100.00 + 20.00 VAT; shipping 8.99 is standard-rated as a line is: 7.49 + 1.50
    assert rows == [("margin", None, None, None), ("standard", "20", 10000, 2000), ("standard", "20", 749, 150)]
    assert invoice.content["totals"]["total"] == 42899
    assert invoice.vat_total == 2150
    text = pdf_text(invoice)
    assert "Second-hand margin scheme" in text
    assert "£428.99" in text
    assert "VAT 20 % on £107.49" in text


def test_us_order_carries_sales_tax_lines_and_the_facilitator_mention() -> None:
    seller = trader(country="US", name="Phoenix Refurb")
    order = paid_order(
        market="en-us",
        items=[Item(offer_of(seller, scheme="standard"), 29999, tax_rate=Decimal("7.25"))],
        shipping=1299,
    )
    assert (order.tax_total, order.total) == (2175, 29999 + 1299 + 2175)
    [invoice] = issue_invoices(order_id=order.pk)
    line, shipping = invoice.content["lines"]
    assert (line["scheme"], line["sales_tax_rate"], line["sales_tax"], line["total"]) == (
        "sales_tax", "7.25", 2175, 32174,
    )  # fmt: skip
    assert (shipping["sales_tax"], shipping["total"]) == (0, 1299)
    assert invoice.content["totals"]["before_tax"] == 31298
    assert invoice.sales_tax_total == 2175
    assert invoice.total == order.total
    text = pdf_text(invoice)
    assert "Sales tax (US-CA)" in text
    assert "$21.75" in text
    assert "$334.73" in text
    assert "marketplace facilitator" in text


def test_greek_and_japanese_invoices_render_their_scripts() -> None:
    seller = trader()
    greek = issue_invoices(order_id=paid_order(market="el-gr", items=[Item(offer_of(seller), 20000)]).pk)[0]
    text = pdf_text(greek)
    assert "Καθεστώς περιθωρίου – Μεταχειρισμένα αγαθά" in text
    assert "Νίκος Παπαδόπουλος" in text
    japanese = issue_invoices(
        order_id=paid_order(market="ja-jp", items=[Item(offer_of(seller, scheme="standard"), 30000)]).pk
    )[0]
    text = pdf_text(japanese)
    assert "JCT" in text
    assert "山田" in text.replace(" ", "")
    assert "¥30,000" in text or "￥30,000" in text


def test_an_unpaid_order_gets_no_invoice() -> None:
    order = paid_order(market="fr-fr", items=[Item(offer_of(trader()), 100)], paid=False)
    assert issue_invoices(order_id=order.pk) == []
    assert not Invoice.objects.exists()


def test_seller_without_onboarding_data_prints_its_record() -> None:
    from reloop.sellers.models import Seller
    from reloop.sellers.tests.factories import SellerFactory

    seller = cast(Seller, SellerFactory(name="Old Seller", legal_name="Old Seller SARL", city="Nantes", country="FR"))
    [invoice] = issue_invoices(order_id=paid_order(market="fr-fr", items=[Item(offer_of(seller), 100)]).pk)
    assert invoice.content["seller"]["legal_name"] == "Old Seller SARL"
    assert invoice.content["seller"]["address"] == ["Nantes", "France"]


@pytest.mark.parametrize(
    ("market", "fonts_drawn_with"),
    [("fr-fr", "latin"), ("de-de", "latin"), ("en-us", "latin"), ("el-gr", "full"), ("ja-jp", "full")],
)
def test_fonts_parsed_once_per_process_give_the_same_pdf_byte_for_byte(
    market: str, fonts_drawn_with: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an invoice of a market (Latin scripts, US sales tax, Greek, Japanese with the CJK fallback font), when
    it is drawn as the site draws it — fonts parsed once per process, Noto Sans reduced to Latin where the document
    allows — and again as fpdf2 draws it alone, parsing the full font files, then the two PDFs are the same bytes;
    the reduced font is used for Latin documents only; and a later document parses no font file."""
    seller = trader(country="US" if market == "en-us" else "DE" if market == "de-de" else "FR")
    scheme = "standard" if market in {"en-us", "ja-jp", "de-de"} else "margin"
    order = paid_order(market=market, items=[Item(offer_of(seller, scheme=scheme), 30000)], shipping=990)
    [invoice] = issue_invoices(order_id=order.pk)
    used: list[str] = []
    add_font = fonts.add_font

    def spy(pdf: FPDF, family: str, style: str, path: Path) -> None:
        used.append(path.name)
        add_font(pdf, family, style, path)

    monkeypatch.setattr(fonts, "add_font", spy)
    as_the_site_draws_it = render_pdf(invoice)
    last = [name for name in used if name.startswith("notos")][-2:]  # the regular and bold of the PDF returned
    assert all(("-latin" in name) == (fonts_drawn_with == "latin") for name in last), used
    with monkeypatch.context() as patched:
        patched.setattr(fonts, "add_font", lambda pdf, family, style, path: pdf.add_font(family, style, str(path)))
        as_fpdf2_draws_it = render_content(invoice.content, latin_first=False)
    assert as_the_site_draws_it == as_fpdf2_draws_it

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a font file was parsed again")

    monkeypatch.setattr(FPDF, "add_font", parse)
    assert render_pdf(invoice) == as_fpdf2_draws_it


def test_each_document_gets_its_own_font_descriptor() -> None:
    """Fonts are parsed once per process and copied per document; fpdf2's ``output()`` writes the document's font
    name, object number and embedded font file onto the font's descriptor, so two documents rendered at once in
    threads (a threaded worker, the embedded server's after-response tasks) must not share one."""
    first, second = FPDF(), FPDF()
    for pdf in (first, second):
        fonts.add_font(pdf, "noto", "", fonts.noto_sans_latin())
    one, other = (cast(TTFFont, pdf.fonts["noto"]) for pdf in (first, second))
    assert one.desc is not other.desc
    assert one.cw is other.cw  # the metrics stay shared: read only
