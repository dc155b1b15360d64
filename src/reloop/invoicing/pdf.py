"""An invoice or credit note as a PDF, drawn with fpdf2 from the content frozen at issue (``Invoice.content``).

The same content always gives the same document; labels are in the invoice's market language (gettext), legal
mentions in the wording stored at issue, amounts in the market's currency and CLDR format.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from reloop.core.money import Money
from reloop.invoicing import fonts
from reloop.invoicing.domain import format_abn
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.markets.data import MARKETS

# fontTools reports every OpenType table it does not subset (harmless): keep it out of the logs.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

_LOCALES = {m.code: m.locale for m in MARKETS}
GREEN = (31, 122, 77)
GREY = (74, 90, 80)


def _title(title: str, *, credit: bool) -> str:
    """The document's name: the market's legal one where the seller is registered (Japan: in its legal wording)."""
    names = {
        "tax_invoice": _("Tax invoice"),
        "adjustment_note": _("Adjustment note"),
        "qualified_invoice": "適格請求書",
        "qualified_credit_note": "適格返還請求書",
    }
    return names.get(title) or (_("Credit note") if credit else _("Invoice"))


def render_pdf(invoice: Invoice) -> bytes:
    return render_content(invoice.content)


def _texts(content: dict[str, Any]) -> list[str]:
    seller, buyer = content["seller"], content["buyer"]
    return [
        *(str(v) for v in seller.values() if isinstance(v, str)),
        *seller.get("address", []),
        buyer.get("name", ""),
        *buyer.get("address", []),
        *(line["description"] for line in content["lines"]),
        *content["mentions"],
        content.get("reason", ""),
        _title(content.get("title", ""), credit=content["kind"] == InvoiceKind.CREDIT_NOTE),
        "登録番号" if content.get("registration") and content["country"] == "JP" else "",
    ]


def render_content(content: dict[str, Any], *, latin_first: bool = True) -> bytes:
    """The PDF of ``content``. Drawn first with Noto Sans reduced to Latin (``fonts.noto_sans_latin``: the same
    glyphs, cheaper to embed) unless it needs the CJK fallback; drawn again with the full font when a character
    was missing from the reduced one (a Greek or Cyrillic name). ``latin_first=False`` always uses the full font
    (the bench compares both ways)."""
    fallback = fonts.cjk_font() if fonts.needs_fallback(_texts(content)) else None
    if latin_first and fallback is None:
        pdf = _draw(content, regular=fonts.noto_sans_latin(""), bold=fonts.noto_sans_latin("B"), fallback=None)
        if not fonts.missing_glyphs(pdf):
            return bytes(pdf.output())
    return bytes(_draw(content, regular=fonts.noto_sans(""), bold=fonts.noto_sans("B"), fallback=fallback).output())


def _draw(content: dict[str, Any], *, regular: Path, bold: Path, fallback: Path | None) -> FPDF:
    market = content["market"]
    locale = _LOCALES.get(market, "en_GB")
    currency = content["currency"]

    def money(amount: int | None) -> str:
        return "—" if amount is None else Money(int(amount), currency).format(locale)

    with translation.override(market):
        pdf = FPDF(format="A4")
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(auto=True, margin=18)
        fonts.add_font(pdf, "Noto", "", regular)
        fonts.add_font(pdf, "Noto", "B", bold)
        if fallback is not None:
            fonts.add_font(pdf, "CJK", "", fallback)
            pdf.set_fallback_fonts(["CJK"], exact_match=False)
        credit = content["kind"] == InvoiceKind.CREDIT_NOTE
        title = _title(content.get("title", ""), credit=credit)
        pdf.set_title(f"{title} {content['number']}")
        pdf.set_author(content["seller"]["legal_name"])
        pdf.set_creator("Reloop")
        # The issue date, not "now": the same content always gives the same file.
        pdf.set_creation_date(dt.datetime.fromisoformat(content["issued_on"]).replace(tzinfo=dt.UTC))
        pdf.add_page()

        # Title and references
        pdf.set_text_color(*GREEN)
        pdf.set_font("Noto", "B", 20)
        pdf.cell(0, 10, f"{title} {content['number']}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Noto", "", 10)
        pdf.cell(0, 5.5, _("Date of issue: %(date)s") % {"date": content["issued_on"]}, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 5.5, _("Order: %(number)s") % {"number": content["order_number"]}, new_x="LMARGIN", new_y="NEXT")
        if credit:
            pdf.set_font("Noto", "B", 10)
            pdf.cell(
                0, 5.5, _("Credits invoice %(number)s") % {"number": content["credits"]}, new_x="LMARGIN", new_y="NEXT"
            )
            pdf.set_font("Noto", "", 10)
            if content.get("reason"):
                pdf.cell(0, 5.5, _("Reason: %(reason)s") % {"reason": content["reason"]}, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

        # Seller (of record) and buyer, side by side
        seller, buyer = content["seller"], content["buyer"]
        seller_lines = [seller["legal_name"]]
        if seller.get("trading_name") and seller["trading_name"] != seller["legal_name"]:
            seller_lines.append(_("Trading as %(name)s") % {"name": seller["trading_name"]})
        seller_lines += seller.get("address", [])
        if seller.get("registration_number"):
            seller_lines.append(_("Registration no. %(number)s") % {"number": seller["registration_number"]})
        registration = content.get("registration", "")
        if seller.get("vat_number") and seller["vat_number"] != registration:
            seller_lines.append(_("VAT no. %(number)s") % {"number": seller["vat_number"]})
        if registration and content["country"] == "JP":  # the qualified invoice issuer's number, its legal name
            seller_lines.append(f"登録番号 {registration}")
        elif registration and content["country"] == "AU":
            seller_lines.append(f"ABN {format_abn(registration)}")
        buyer_lines = [buyer.get("name", ""), *buyer.get("address", [])]
        top = pdf.get_y()
        half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
        for x, heading, lines in (
            (pdf.l_margin, _("Seller (seller of record)"), seller_lines),
            (pdf.l_margin + half + 4, _("Bill to"), buyer_lines),
        ):
            pdf.set_xy(x, top)
            pdf.set_font("Noto", "B", 9)
            pdf.set_text_color(*GREY)
            pdf.cell(half - 4, 5, heading.upper(), new_x="LEFT", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.set_font("Noto", "", 10)
            pdf.multi_cell(half - 4, 5, "\n".join(line for line in lines if line), new_x="LEFT", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), top + 40))
        pdf.ln(4)

        # Lines
        us = not content["prices_include_tax"]
        tax = _("VAT") if content["tax_name"] == "VAT" else content["tax_name"]  # TVA, MwSt., IVA; GST and JCT as is
        heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=GREEN)
        pdf.set_font("Noto", "", 9)
        headings: tuple[str, ...]
        widths: tuple[int, ...]
        cells: tuple[str, ...]
        if us:
            headings = (_("Description"), _("Qty"), _("Unit price"), _("Sales tax rate"), _("Sales tax"), _("Total"))
            widths = (70, 12, 26, 22, 22, 26)
        else:
            headings = (
                _("Description"),
                _("Qty"),
                _("Unit price incl. %(tax)s") % {"tax": tax},
                _("%(tax)s rate") % {"tax": tax},
                _("Excl. %(tax)s") % {"tax": tax},
                tax,
                _("Total"),
            )
            widths = (60, 10, 24, 16, 22, 20, 22)
        margin_marker = False
        with pdf.table(
            col_widths=widths,
            text_align=("LEFT", *(["RIGHT"] * (len(widths) - 1))),
            headings_style=heading_style,
            line_height=5,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            table.row(headings)
            for line in content["lines"]:
                description = line["description"]
                if line["scheme"] == "margin":
                    description += " *"
                    margin_marker = True
                if line["sku"]:
                    description += f"\n{line['sku']}"
                if us:
                    cells = (
                        description,
                        str(line["quantity"]),
                        money(line["unit_price"]),
                        f"{line['sales_tax_rate']} %",
                        money(line["sales_tax"]),
                        money(line["total"]),
                    )
                else:
                    rate = f"{line['vat_rate']} %" if line["vat_rate"] is not None else "—"
                    cells = (
                        description,
                        str(line["quantity"]),
                        money(line["unit_price"]),
                        rate,
                        money(line["net"]),
                        money(line["vat"]),
                        money(line["total"]),
                    )
                table.row(cells)
        pdf.ln(3)

        # Totals
        totals = content["totals"]
        rows: list[tuple[str, str, bool]] = []
        if us:
            rows.append((_("Subtotal before sales tax"), money(totals["before_tax"]), False))
            where = f" ({content['tax_jurisdiction']})" if content.get("tax_jurisdiction") else ""
            rows.append((_("Sales tax") + where, money(totals["sales_tax"]), False))
        else:
            rows.extend(
                (
                    _("%(tax)s %(rate)s %% on %(net)s")
                    % {"tax": tax, "rate": entry["rate"], "net": money(entry["net"])},
                    money(entry["vat"]),
                    False,
                )
                for entry in totals["vat_breakdown"]
                if "gross" not in entry
            )
            rows.extend(  # Japan: per rate, the rate's total and the consumption tax computed once on it
                (
                    _("%(rate)s %% items %(gross)s, of which %(tax)s")
                    % {"rate": entry["rate"], "gross": money(entry["gross"]), "tax": tax},
                    money(entry["vat"]),
                    False,
                )
                for entry in totals["vat_breakdown"]
                if "gross" in entry
            )
            if totals["margin"]:
                rows.append((_("Margin scheme goods (no VAT shown) *"), money(totals["margin"]), False))
        rows.append((_("Total refunded") if credit else _("Total paid"), money(totals["total"]), True))
        for label, value, strong in rows:
            pdf.set_font("Noto", "B" if strong else "", 11 if strong else 10)
            pdf.set_x(pdf.w - pdf.r_margin - 120)
            pdf.cell(90, 6.5, label, align="R")
            pdf.cell(30, 6.5, value, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

        # Legal mentions
        pdf.set_font("Noto", "", 9)
        notes: list[str] = []
        if margin_marker:
            notes.append(
                "* " + _("Second-hand goods sold under the margin scheme: no VAT is shown and none can be deducted.")
            )
        notes += [f"{m}" for m in content["mentions"]]
        if us and content.get("tax_source"):
            notes.append(
                _("Sales tax computed from the delivery address: %(source)s.") % {"source": content["tax_source"]}
            )
        notes.append(
            _(
                "Sold through the Reloop marketplace. The seller named above is the seller of record and issues this "
                "document; Reloop collected the payment on its behalf. Amounts in %(currency)s."
            )
            % {"currency": currency}
        )
        for note in notes:
            pdf.multi_cell(0, 4.8, note, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return pdf
