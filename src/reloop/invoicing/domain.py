"""What an invoice says, as pure rules: VAT per line and scheme, US sales tax lines, totals, legal mentions.

``build_document`` turns what was sold (already frozen on the order lines) into the content of one invoice or
credit note, a plain JSON-able dict stored on the ``Invoice`` row and rendered to PDF by ``invoicing.pdf``.
Amounts are integer minor units of the order's currency; rounding is half-up per line.

- **Standard VAT** (tax-inclusive markets): each line shows the rate (the market's standard rate), the amount
  excluding VAT and the VAT: ``net = round(gross × 100 / (100 + rate))``, ``vat = gross − net``.
- **Margin scheme** (second-hand goods bought without VAT): no VAT is shown or may be deducted; the document
  carries the mention the market's law requires (``MARGIN_MENTIONS``).
- **US sales tax**: prices are before tax; each line shows its sales tax rate and amount, collected and remitted
  by the platform as marketplace facilitator.
- Shipping follows the lines: standard VAT when any line is standard-rated, else the margin scheme (the delivery
  is ancillary to the goods). In the US its sales tax is the one checkout charged on it (where the state taxes
  shipping, ``markets.tax``).
- **Japan** (qualified invoice system, インボイス制度): the seller's registration number (T + 13 digits) is printed
  and the document is titled a qualified invoice; the consumption tax is computed once per rate on the rate's total
  (rounded down), not per line, as the system requires. Without a registration number the document says it is not
  a qualified invoice.
- **Australia**: with the seller's ABN the document is a "Tax invoice" (an "Adjustment note" for a credit) showing
  the GST; without one it says it is not a tax invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from reloop.markets.data import Market

STANDARD = "standard"
MARGIN = "margin"
SALES_TAX = "sales_tax"

#: The invoice mention for a margin-scheme sale, in the market's language, with the law it comes from.
#: Directive 2006/112/EC art. 226(14) requires "Margin scheme – Second-hand goods" (in each language version);
#: the national transpositions are cited where this table names them.
MARGIN_MENTIONS: dict[str, str] = {
    "FR": "Régime particulier – Biens d'occasion (article 297 A du Code général des impôts)",
    "BE": "Régime particulier – Biens d'occasion (articles 313 et suivants de la directive 2006/112/CE)",
    "DE": "Gebrauchtgegenstände/Sonderregelung – Differenzbesteuerung nach § 25a UStG",
    "AT": "Gebrauchtgegenstände/Sonderregelung – Differenzbesteuerung (Art. 313 ff. Richtlinie 2006/112/EG)",
    "ES": "Régimen especial de los bienes usados (artículos 135 a 139 de la Ley 37/1992 del IVA)",
    "IT": "Regime del margine – beni di occasione (art. 36 del D.L. 41/1995)",
    "NL": "Bijzondere regeling – gebruikte goederen (artikel 313 e.v. Richtlijn 2006/112/EG)",
    "PT": "Regime da margem de lucro – Bens em segunda mão (artigo 313.º e seguintes da Diretiva 2006/112/CE)",
    "IE": "Margin scheme – second-hand goods (Articles 313 et seq. of Directive 2006/112/EC)",
    "GR": "Καθεστώς περιθωρίου – Μεταχειρισμένα αγαθά (άρθρο 313 επ. της Οδηγίας 2006/112/ΕΚ)",
    "SK": "Úprava zdaňovania prirážky – Použitý tovar (článok 313 a nasl. smernice 2006/112/ES)",
    "SE": "Vinstmarginalbeskattning för begagnade varor (artikel 313 ff. i direktiv 2006/112/EG)",
    "GB": "Second-hand margin scheme: VAT is not shown separately and cannot be reclaimed (HMRC VAT Notice 718)",
}

#: What the consumption tax is called on the document.
TAX_NAMES = {"AU": "GST", "JP": "JCT", "US": "Sales tax"}


def tax_name(country: str) -> str:
    return TAX_NAMES.get(country, "VAT")


#: The registration a market's invoices must print, as the seller identity's key (``invoicing.services``).
MARKET_REGISTRATIONS = {"JP": "jp_registration_number", "AU": "abn"}

#: Printed when the seller has not given that registration, in the market's legal wording.
UNREGISTERED_MENTIONS = {
    "JP": "本書は適格請求書ではありません（売主は適格請求書発行事業者の登録番号を登録していません）。",
    "AU": "The seller has not given an ABN: this document is not a tax invoice.",
}


def market_registration(market: Market, seller: dict[str, Any]) -> str:
    """The seller's registration that ``market``'s invoices require ('' when none is required or given)."""
    field = MARKET_REGISTRATIONS.get(market.country)
    return str(seller.get(field) or "") if field else ""


def document_title(*, kind: str, market: Market, seller: dict[str, Any]) -> str:
    """What the document is, by the market's law: a (qualified / tax) invoice or credit note."""
    credit = kind == "credit_note"
    if market_registration(market, seller):
        if market.country == "JP":
            return "qualified_credit_note" if credit else "qualified_invoice"
        if market.country == "AU":
            return "adjustment_note" if credit else "tax_invoice"
    return "credit_note" if credit else "invoice"


def format_abn(abn: str) -> str:
    """An ABN as printed: ``51 824 753 556``."""
    return f"{abn[:2]} {abn[2:5]} {abn[5:8]} {abn[8:]}" if len(abn) == 11 else abn


@dataclass(frozen=True)
class SoldLine:
    """One line as charged: ``total`` incl. VAT in tax-inclusive markets, before sales tax in the US."""

    description: str
    sku: str
    quantity: int
    unit_price: int
    total: int
    vat_scheme: str  # the offer's: "standard" or "margin"
    sales_tax_rate: Decimal = Decimal(0)
    sales_tax: int = 0


def split_vat(gross: int, rate: Decimal) -> tuple[int, int]:
    """(net, vat) of a VAT-inclusive ``gross`` at ``rate`` percent, net rounded half-up."""
    if rate <= 0:
        return gross, 0
    net = int((Decimal(gross) * 100 / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return net, gross - net


def _rate_text(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text


def document_line(
    *, market: Market, description: str, sku: str, quantity: int, unit_price: int, total: int, scheme: str,
    sales_tax_rate: Decimal = Decimal(0), sales_tax: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """One line of the document under its scheme."""
    row: dict[str, Any] = {"description": description, "sku": sku, "quantity": quantity, "unit_price": unit_price}
    if not market.prices_include_tax:  # US: the price is before tax, sales tax on top
        row |= {
            "scheme": SALES_TAX,
            "net": total,
            "vat_rate": None,
            "vat": None,
            "sales_tax_rate": _rate_text(sales_tax_rate),
            "sales_tax": sales_tax,
            "total": total + sales_tax,
        }
    elif scheme == MARGIN and market.has_margin_scheme:
        row |= {"scheme": MARGIN, "net": None, "vat_rate": None, "vat": None, "sales_tax_rate": None,
                "sales_tax": 0, "total": total}  # fmt: skip
    else:
        net, vat = split_vat(total, market.vat_rate)
        row |= {"scheme": STANDARD, "net": net, "vat_rate": _rate_text(market.vat_rate), "vat": vat,
                "sales_tax_rate": None, "sales_tax": 0, "total": total}  # fmt: skip
    return row


def shipping_scheme(lines: Sequence[SoldLine]) -> str:
    return STANDARD if any(line.vat_scheme != MARGIN for line in lines) else MARGIN


def per_rate_tax(gross: int, rate: Decimal) -> tuple[int, int]:
    """(net, tax) of a rate's tax-inclusive total, the tax rounded down once for the rate (Japan)."""
    tax = int((Decimal(gross) * rate / (100 + rate)).quantize(Decimal(1), rounding=ROUND_DOWN)) if rate > 0 else 0
    return gross - tax, tax


def totals(rows: Sequence[dict[str, Any]], *, per_rate: bool = False) -> dict[str, Any]:
    """Sums of the document, with the VAT broken down per rate (standard lines) and the margin-scheme total.

    ``per_rate`` (Japan): the lines carry no tax of their own; each rate's tax is computed once on its total."""
    by_rate: dict[str, list[int]] = {}
    for row in rows:
        if row["scheme"] == STANDARD:
            acc = by_rate.setdefault(row["vat_rate"], [0, 0])
            if per_rate:
                acc[0] += row["total"]
            else:
                acc[0] += row["net"]
                acc[1] += row["vat"]
    if per_rate:
        by_rate = {rate: list(per_rate_tax(gross, Decimal(rate))) for rate, (gross, _tax) in by_rate.items()}
        return {
            "vat": sum(vat for _net, vat in by_rate.values()),
            "sales_tax": 0,
            "margin": sum(row["total"] for row in rows if row["scheme"] == MARGIN),
            "before_tax": sum(net for net, _vat in by_rate.values()),
            "total": sum(row["total"] for row in rows),
            "vat_breakdown": [
                {"rate": rate, "net": net, "vat": vat, "gross": net + vat}
                for rate, (net, vat) in sorted(by_rate.items())
            ],
        }
    return {
        "vat": sum(row["vat"] or 0 for row in rows),
        "sales_tax": sum(row["sales_tax"] for row in rows),
        "margin": sum(row["total"] for row in rows if row["scheme"] == MARGIN),
        "before_tax": sum(row["net"] for row in rows if row["net"] is not None),
        "total": sum(row["total"] for row in rows),
        "vat_breakdown": [{"rate": rate, "net": net, "vat": vat} for rate, (net, vat) in sorted(by_rate.items())],
    }


def mentions(
    *, market: Market, rows: Sequence[dict[str, Any]], tax_jurisdiction: str = "", seller: dict[str, Any] | None = None
) -> list[str]:
    """The legal mentions the document must carry, in the market's own legal wording (not translated)."""
    found: list[str] = []
    if any(row["scheme"] == MARGIN for row in rows):
        found.append(MARGIN_MENTIONS.get(market.country, MARGIN_MENTIONS["IE"]))
    if any(row["scheme"] == SALES_TAX for row in rows):
        where = f" ({tax_jurisdiction})" if tax_jurisdiction else ""
        found.append(
            f"Sales tax{where} is collected and remitted by Reloop as marketplace facilitator; "
            "the seller does not charge it separately."
        )
    if market.country in UNREGISTERED_MENTIONS and not market_registration(market, seller or {}):
        found.append(UNREGISTERED_MENTIONS[market.country])
    return found


def build_document(
    *,
    kind: str,
    number: str,
    issued_on: str,
    order_number: str,
    market: Market,
    seller: dict[str, Any],
    buyer: dict[str, Any],
    lines: Sequence[SoldLine],
    shipping: int = 0,
    shipping_label: str = "Shipping",
    shipping_sales_tax: int = 0,
    shipping_sales_tax_rate: Decimal = Decimal(0),
    tax_jurisdiction: str = "",
    tax_source: str = "",
    credits: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """The content of one invoice or credit note (amounts positive; a credit note's are given back)."""
    rows = [
        document_line(
            market=market, description=line.description, sku=line.sku, quantity=line.quantity,
            unit_price=line.unit_price, total=line.total, scheme=line.vat_scheme,
            sales_tax_rate=line.sales_tax_rate, sales_tax=line.sales_tax,
        )
        for line in lines
    ]  # fmt: skip
    if shipping:
        rows.append(
            document_line(
                market=market, description=shipping_label, sku="", quantity=1, unit_price=shipping, total=shipping,
                scheme=shipping_scheme(lines), sales_tax_rate=shipping_sales_tax_rate, sales_tax=shipping_sales_tax,
            )
        )  # fmt: skip
    per_rate = market.country == "JP"
    if per_rate:  # the qualified invoice's tax is per rate, not per line
        for row in rows:
            if row["scheme"] == STANDARD:
                row["net"] = row["vat"] = None
    return {
        "kind": kind,
        "number": number,
        "issued_on": issued_on,
        "order_number": order_number,
        "market": market.code,
        "country": market.country,
        "currency": market.currency,
        "prices_include_tax": market.prices_include_tax,
        "tax_name": tax_name(market.country),
        "title": document_title(kind=kind, market=market, seller=seller),
        "registration": market_registration(market, seller),
        "seller": seller,
        "buyer": buyer,
        "lines": rows,
        "totals": totals(rows, per_rate=per_rate),
        "mentions": mentions(market=market, rows=rows, tax_jurisdiction=tax_jurisdiction, seller=seller),
        "tax_jurisdiction": tax_jurisdiction,
        "tax_source": tax_source,
        "credits": credits,
        "reason": reason,
    }
