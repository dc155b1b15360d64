"""Unit passport reads: an offer's passport line and choosable units for the product page, a seller's units,
and the passport of the unit an order line reserved or shipped. Device facts only, never who owned the unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from reloop.passports.domain import OfferPassport, PassportFacts, summarize, unit_phrases
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.sellers.models import Seller


def has_passport() -> Exists:
    """``Exists`` for an ``Offer`` queryset (``OuterRef("pk")``): the offer lists at least one available unit. The
    buy-box tie-break (``pricing.domain.Candidate.has_passport``; the SQL ranking says the same in SQL)."""
    return Exists(OfferUnit.objects.filter(offer_id=OuterRef("pk"), status=UnitStatus.AVAILABLE))


def has_passport_for_price() -> Exists:
    """The same for an ``OfferPrice`` queryset (``OuterRef("offer_id")``)."""
    return Exists(OfferUnit.objects.filter(offer_id=OuterRef("offer_id"), status=UnitStatus.AVAILABLE))


@dataclass(frozen=True)
class UnitView:
    """One unit as a buyer sees it: its id (to choose it) and its facts. Never the IMEI or serial: a buyer sees
    the identifier of their own unit on their order once it ships, not before."""

    id: int
    facts: PassportFacts

    @property
    def phrases(self) -> list[str]:
        return unit_phrases(self.facts)

    @property
    def line(self) -> str:
        return "; ".join(self.phrases)


@dataclass(frozen=True)
class OfferUnits:
    passport: OfferPassport
    units: list[UnitView]  # best battery first


def offer_passports(offer_ids: Iterable[int]) -> dict[int, OfferUnits]:
    """The available units of these offers, summarized per offer (one query whatever the number of offers)."""
    ids = sorted(set(offer_ids))
    grouped: dict[int, list[UnitView]] = defaultdict(list)
    if ids:
        for unit in OfferUnit.objects.filter(offer_id__in=ids, status=UnitStatus.AVAILABLE).order_by("pk"):
            grouped[unit.offer_id].append(UnitView(unit.pk, unit.facts))
    result: dict[int, OfferUnits] = {}
    for offer_id, units in grouped.items():
        passport = summarize(u.facts for u in units)
        if passport is None:
            continue
        units.sort(key=lambda u: (-(u.facts.battery_health or -1), u.facts.battery_cycles or 0, u.id))
        result[offer_id] = OfferUnits(passport, units)
    return result


def seller_units(*, seller: Seller, offer_id: int | None = None) -> QuerySet[OfferUnit]:
    """The seller's own units (of one offer when given), newest last. Never another seller's."""
    qs = OfferUnit.objects.filter(seller=seller).select_related("offer")
    if offer_id is not None:
        qs = qs.filter(offer_id=offer_id)
    return qs.order_by("pk")


def seller_unit(*, seller: Seller, unit_id: int) -> OfferUnit | None:
    return seller_units(seller=seller).filter(pk=unit_id).first()


@dataclass(frozen=True)
class LineUnit:
    """The unit of an order line: chosen by the buyer (reserved) or shipped (sold). The buyer sees the
    identifier once the unit is theirs."""

    id: int
    kind: str
    identifier: str
    status: str
    chosen_by_buyer: bool
    facts: PassportFacts

    @property
    def phrases(self) -> list[str]:
        return unit_phrases(self.facts)

    @property
    def line(self) -> str:
        return "; ".join(self.phrases)


def line_units(order_line_ids: Iterable[int]) -> dict[int, list[LineUnit]]:
    """The units reserved for or shipped on these order lines (one query)."""
    ids = sorted(set(order_line_ids))
    result: dict[int, list[LineUnit]] = defaultdict(list)
    if not ids:
        return result
    for unit in OfferUnit.objects.filter(
        order_line_ref__in=ids, status__in=(UnitStatus.RESERVED, UnitStatus.SOLD)
    ).order_by("pk"):
        assert unit.order_line_ref is not None  # noqa: S101  (the status says so: a database check)
        result[unit.order_line_ref].append(
            LineUnit(unit.pk, unit.kind, unit.identifier, unit.status, unit.chosen_by_buyer, unit.facts)
        )
    return result


def chosen_units(unit_ids: Iterable[int]) -> dict[int, UnitView]:
    """Units by id with their facts (the cart shows the unit each line holds): one query."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    return {u.pk: UnitView(u.pk, u.facts) for u in OfferUnit.objects.filter(pk__in=ids)}
