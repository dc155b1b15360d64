"""Invoices and credit notes issued in each seller's name (the seller is the seller of record), docs/invoicing.md.

An ``Invoice`` row is the document as issued: its number, date, amounts and the full content (seller's trader data,
buyer, lines, VAT or sales tax, legal mentions) frozen in ``content``. It is never changed or deleted: the
application refuses (``save`` of an existing row, ``delete``, queryset ``update``/``delete``) and the database
refuses too (a trigger on UPDATE on SQLite and PostgreSQL, and on DELETE on PostgreSQL; migration 0002). A
mistake is corrected by a credit note, itself an ``Invoice`` of kind ``credit_note`` that references the invoice.

Numbers: one unbroken sequence per seller, shared by invoices and credit notes, taken from ``InvoiceCounter`` with
a conditional ``UPDATE … SET last = last + 1`` in the issuing transaction (the row lock serializes two issuers on
PostgreSQL; SQLite serializes writers), so a rolled-back issue gives its number back and no number is used twice
(``UniqueConstraint`` on seller × sequence behind it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.core.errors import DomainError
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.sellers.models import Seller


class InvoiceImmutable(DomainError):
    code = "invoice_immutable"
    http_status = 409


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceCounter(models.Model):
    """The last number used by one seller. Changed only by ``services._next_sequence``."""

    seller = models.OneToOneField(Seller, on_delete=models.PROTECT, related_name="invoice_counter")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.last}"


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def update(self, **kwargs: Any) -> int:
        raise InvoiceImmutable("An issued invoice cannot change; issue a credit note")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise InvoiceImmutable("An issued invoice cannot be deleted; issue a credit note")


class Invoice(models.Model):
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices)
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="invoices")
    line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text=_("Credit notes")
    )
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        help_text=_("The invoice a credit note corrects"),
    )  # fmt: skip
    source_key = models.CharField(
        max_length=120, unique=True, help_text=_("What it was issued for, once: seller_order:12, refund:345")
    )
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40)
    issued_at = models.DateTimeField()
    market = models.CharField(max_length=5)
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField(help_text=_("What the buyer paid (invoice) or gets back (credit note), incl. tax"))
    vat_total = models.BigIntegerField(default=0)
    sales_tax_total = models.BigIntegerField(default=0)
    content = models.JSONField(help_text=_("The document as issued (invoicing.domain.build_document)"))

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["seller", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sequence"], name="invoice_sequence_unique_per_seller"),
            models.UniqueConstraint(fields=["seller", "number"], name="invoice_number_unique_per_seller"),
            models.UniqueConstraint(
                fields=["seller_order"], condition=Q(kind="invoice"), name="invoice_one_per_seller_order"
            ),
            models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="invoice_sequence_positive"),
            models.CheckConstraint(
                condition=Q(kind="invoice", credits__isnull=True) | Q(kind="credit_note", credits__isnull=False),
                name="invoice_credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, vat_total__gte=0, sales_tax_total__gte=0), name="invoice_amounts_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise InvoiceImmutable("An issued invoice cannot change; issue a credit note")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise InvoiceImmutable("An issued invoice cannot be deleted; issue a credit note")

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"
