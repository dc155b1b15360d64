"""Issuing invoices and credit notes. Every write here inserts; nothing issued is ever updated.

- ``issue_invoices(order_id=…)``: one invoice per seller order of a paid order, in the seller's name, at payment
  (docs/adr/0021-invoices.md). Idempotent: a seller order that has its invoice is skipped.
- ``issue_credit_notes(line_id=…)``: one credit note per refund or cancellation of a line, as recorded by the
  ledger (``payments.LineRefund``: one row per refund transaction), referencing the seller order's invoice.
  Idempotent: keyed on the refund row. A cancellation's note is emailed to the buyer (after commit).

Locks: ``_next_sequence`` updates the seller's counter row, which PostgreSQL locks until the issuing transaction
commits; a second issuer for the same seller waits, then takes the next number. Nothing slow happens under it (the
PDF is rendered when it is downloaded or emailed, from the frozen content).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from reloop.accounts.domain import ADDRESS_FIELDS, COUNTRY_NAMES, address_lines
from reloop.catalog.grading import Grade
from reloop.core import clock
from reloop.invoicing.domain import SoldLine, build_document
from reloop.invoicing.emails import send_cancellation
from reloop.invoicing.models import Invoice, InvoiceCounter, InvoiceKind
from reloop.markets.data import MARKETS, Market
from reloop.orders.models import Order, OrderLine, OrderStatus, SellerOrder
from reloop.payments.domain import PLATFORM_SALES_TAX
from reloop.payments.models import LineRefund, Posting
from reloop.sellers.models import ApplicationStatus, Seller, SellerApplication

_MARKETS = {m.code: m for m in MARKETS}  # closed markets too: an old order's invoice still renders


def _next_sequence(seller_id: int) -> int:
    """The seller's next invoice number, inside the caller's transaction (given back if it rolls back)."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(seller_id=seller_id, last=0)], ignore_conflicts=True)
    InvoiceCounter.objects.filter(seller_id=seller_id).update(last=F("last") + 1)
    return InvoiceCounter.objects.filter(seller_id=seller_id).values_list("last", flat=True).get()


def invoice_number(seller_id: int, sequence: int) -> str:
    return f"RL{seller_id:04d}-{sequence:06d}"


def seller_identity(seller: Seller) -> dict[str, Any]:
    """The seller's trader data as printed on its invoices: from its approved onboarding application (DSA art.
    30 data: legal name, address, registration and VAT numbers), else what the seller record holds."""
    application = (
        SellerApplication.objects.filter(seller=seller, status=ApplicationStatus.APPROVED).order_by("-pk").first()
    )
    if application is not None:
        address = SimpleNamespace(
            full_name="", line1=application.address_line1, line2=application.address_line2,
            postal_code=application.postcode, city=application.city, region="", phone="",
            country=application.address_country,
        )  # fmt: skip
        return {
            "trading_name": seller.name,
            "legal_name": application.legal_name,
            "address": _lines(address),
            "registration_number": application.registration_number,
            "vat_number": application.vat_number,
            "jp_registration_number": application.jp_registration_number,
            "abn": application.au_abn,
            "email": application.email,
        }
    return {
        "trading_name": seller.name,
        "legal_name": seller.legal_name,
        "address": [line for line in (seller.city, str(COUNTRY_NAMES.get(seller.country, seller.country))) if line],
        "registration_number": "",
        "vat_number": "",
        "jp_registration_number": "",
        "abn": "",
        "email": "",
    }


def _lines(address: Any) -> list[str]:
    try:
        return address_lines(address)
    except Exception:  # an address of a country with no format any more: print what was stored
        return [str(getattr(address, name, "")) for name in ADDRESS_FIELDS if getattr(address, name, "")]


def buyer_identity(order: Order) -> dict[str, Any]:
    stored = order.shipping_address or {}
    fields = {name: stored.get(name, "") for name in ADDRESS_FIELDS} | {"full_name": ""}  # the name is printed above
    address = SimpleNamespace(**fields, country=stored.get("country", ""))
    return {
        "name": stored.get("full_name", "") or order.buyer.get_full_name() or order.buyer.email,
        "address": _lines(address) if address.country else [],
        "email": order.buyer.email,
    }


def _description(line: OrderLine) -> str:
    grade = dict(Grade.choices).get(line.grade, line.grade)
    return f"{line.product_title} {line.variant_label} — {grade}"


def _market(code: str) -> Market:
    return _MARKETS[code]


def _sold(line: OrderLine) -> SoldLine:
    return SoldLine(
        description=_description(line),
        sku=line.sku,
        quantity=line.quantity,
        unit_price=line.unit_price,
        total=line.line_total,
        vat_scheme=line.vat_scheme,
        sales_tax_rate=Decimal(line.tax_rate),
        sales_tax=line.tax_amount,
    )


def _insert(**fields: Any) -> Invoice | None:
    """Take the seller's next number and insert the document, or return ``None`` when ``source_key`` was issued
    meanwhile (the number is then given back with the rolled-back transaction)."""
    try:
        with transaction.atomic():
            sequence = _next_sequence(fields["seller"].pk)
            number = invoice_number(fields["seller"].pk, sequence)
            content = fields.pop("build")(number)
            return Invoice.objects.create(
                sequence=sequence,
                number=number,
                content=content,
                total=content["totals"]["total"],
                vat_total=content["totals"]["vat"],
                sales_tax_total=content["totals"]["sales_tax"],
                **fields,
            )
    except IntegrityError:
        if Invoice.objects.filter(source_key=fields["source_key"]).exists():
            return None
        raise


def _issue_invoice(order: Order, part: SellerOrder) -> Invoice:
    key = f"seller_order:{part.pk}"
    existing = Invoice.objects.filter(source_key=key).first()
    if existing is not None:
        return existing
    market = _market(order.market)
    now = clock.now()
    with translation.override(order.market):
        seller, buyer = seller_identity(part.seller), buyer_identity(order)
        lines = [_sold(line) for line in part.lines.all()]
        shipping_label = _("Shipping")

        def build(number: str) -> dict[str, Any]:
            return build_document(
                kind=InvoiceKind.INVOICE, number=number, issued_on=now.date().isoformat(), order_number=order.number,
                market=market, seller=seller, buyer=buyer, lines=lines, shipping=part.shipping_amount,
                shipping_label=shipping_label, shipping_sales_tax=part.shipping_tax_amount,
                shipping_sales_tax_rate=_shipping_tax_rate(part, lines), tax_jurisdiction=order.tax_jurisdiction,
                tax_source=order.tax_source,
            )  # fmt: skip

        invoice = _insert(
            kind=InvoiceKind.INVOICE, seller=part.seller, order=order, seller_order=part, source_key=key,
            issued_at=now, market=order.market, currency=order.currency, build=build,
        )  # fmt: skip
    return invoice or Invoice.objects.get(source_key=key)


def _shipping_tax_rate(part: SellerOrder, lines: list[SoldLine]) -> Decimal:
    """The sales tax rate charged on the part's shipping: its lines' state rate, where the state taxes shipping."""
    if not part.shipping_tax_amount:
        return Decimal(0)
    return max((line.sales_tax_rate for line in lines), default=Decimal(0))


def issue_invoices(*, order_id: int) -> list[Invoice]:
    """The invoice of each seller order of a paid order (issued now if missing), in seller-order order."""
    order = Order.objects.select_related("buyer").filter(pk=order_id).first()
    if order is None or order.status != OrderStatus.PAID:
        return []
    parts = SellerOrder.objects.filter(order=order).select_related("seller").prefetch_related("lines").order_by("pk")
    with transaction.atomic():
        return [_issue_invoice(order, part) for part in parts]


def issue_credit_notes(*, line_id: int) -> list[Invoice]:
    """A credit note for each refund or cancellation of ``line_id`` recorded in the ledger that has none yet."""
    issued = []
    for refund in (
        LineRefund.objects.filter(line_id=line_id).select_related("line", "seller_order", "transaction").order_by("pk")
    ):
        note = _issue_credit_note(refund)
        if note is not None:
            issued.append(note)
            if refund.line.state == "cancelled":  # after-sales refunds have their own email (aftersales)
                send_cancellation(note=note)
    return issued


def _sales_tax_refunded(refund: LineRefund) -> int:
    """The sales tax the ledger gave back with ``refund`` (its key + ``:sales-tax``), in minor units."""
    total = Posting.objects.filter(
        transaction__idempotency_key=f"{refund.transaction.idempotency_key}:sales-tax",
        account__code=PLATFORM_SALES_TAX,
        amount__gt=0,
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def _issue_credit_note(refund: LineRefund) -> Invoice | None:
    key = f"refund:{refund.pk}"
    if Invoice.objects.filter(source_key=key).exists():
        return None
    part = SellerOrder.objects.select_related("order__buyer", "seller").get(pk=refund.seller_order_id)
    order = part.order
    with transaction.atomic():
        invoice = _issue_invoice(order, SellerOrder.objects.prefetch_related("lines").get(pk=part.pk))
        line = refund.line
        goods = min(refund.gross, line.line_total)  # the rest of a cancellation's refund is the shipping
        shipping = refund.gross - goods
        # US sales tax given back with it (docs/adr/0022-sales-tax.md): a cancellation gives back the line's whole
        # tax; an after-sales refund its pro rata share, recorded in the same transaction as the refund's row.
        tax = (
            int((Decimal(line.tax_amount) * goods / line.line_total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            if line.line_total and line.state == "cancelled"
            else _sales_tax_refunded(refund)
        )
        # A cancellation that took the part's shipping gives back the shipping's sales tax with it (cancel_line).
        shipping_tax = part.shipping_tax_amount if shipping and line.state == "cancelled" else 0
        market = _market(order.market)
        now = clock.now()
        with translation.override(order.market):
            full = goods == line.line_total
            sold = SoldLine(
                description=_description(line)
                if full
                else _("Partial refund: %(item)s") % {"item": _description(line)},
                sku=line.sku,
                quantity=line.quantity if full else 1,
                unit_price=line.unit_price if full else goods,
                total=goods,
                vat_scheme=line.vat_scheme,
                sales_tax_rate=Decimal(line.tax_rate),
                sales_tax=tax,
            )
            seller, buyer = seller_identity(part.seller), buyer_identity(order)
            shipping_label = _("Shipping")
            reason = _("Cancelled before shipping") if line.state == "cancelled" else _("Refund")

            def build(number: str) -> dict[str, Any]:
                return build_document(
                    kind=InvoiceKind.CREDIT_NOTE, number=number, issued_on=now.date().isoformat(),
                    order_number=order.number, market=market, seller=seller, buyer=buyer, lines=[sold],
                    shipping=shipping, shipping_label=shipping_label, shipping_sales_tax=shipping_tax,
                    shipping_sales_tax_rate=_shipping_tax_rate(part, [sold]), tax_jurisdiction=order.tax_jurisdiction,
                    tax_source=order.tax_source, credits=invoice.number, reason=reason,
                )  # fmt: skip

            return _insert(
                kind=InvoiceKind.CREDIT_NOTE, seller=part.seller, order=order, seller_order=part, line=line,
                credits=invoice, source_key=key, issued_at=now, market=order.market, currency=order.currency,
                build=build,
            )  # fmt: skip
