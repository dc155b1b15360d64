"""Unit passport writes: a seller lists the units behind an offer; checkout reserves the one a buyer chose;
shipping checks the unit shipped against the listed ones and marks it sold (docs/unit-passports.md, ADR 0041).

Every status move is a conditional UPDATE (``available → reserved`` only if still available…), so two buyers
choosing the same unit cannot both get it: the second finds no row to update and its checkout is refused, rolled
back whole. A unit is live (available or reserved) on one offer at most: the ``offer_unit_live_once`` constraint
settles two concurrent listings. Changes publish ``OffersChanged`` on commit (offers with passports rank higher
among otherwise equal offers, and product pages are cached under the variant's version).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reloop.core.events import publish
from reloop.devices.domain import IDENTIFIED_BY_NOTHING, UnitId
from reloop.devices.errors import InvalidUnit
from reloop.devices.services import check_unit_id, identification_for, imei_required_for
from reloop.offers.errors import OfferNotFound
from reloop.offers.events import OffersChanged
from reloop.offers.models import Offer
from reloop.passports.domain import InvalidPassport, PassportFacts, check_passport
from reloop.passports.errors import (
    InvalidUnitPassport,
    UnitListedElsewhere,
    UnitNotFound,
    UnitNotShippable,
    UnitUnavailable,
)
from reloop.passports.models import LIVE, OfferUnit, UnitStatus
from reloop.sellers.models import Seller

MAX_UNITS_PER_CALL = 500


@dataclass(frozen=True)
class UnitInput:
    """One unit as a seller sends it: the IMEI or serial as typed, and the passport facts (``check_passport``)."""

    identifier: str
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class AttachReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0  # taken off one of the seller's offers that is off sale
    units: list[OfferUnit] = field(default_factory=list)


def _fields(facts: PassportFacts) -> dict[str, Any]:
    return {
        "battery_health": facts.battery_health,
        "battery_cycles": facts.battery_cycles,
        "parts": [{"part": p.part, "provenance": p.provenance} for p in facts.parts],
        "tests": [{"test": t.test, "passed": t.passed} for t in facts.tests],
        "erasure_method": facts.erasure_method,
        "erasure_certificate": facts.erasure_certificate,
        "carrier_unlocked": facts.carrier_unlocked,
        "activation_lock_off": facts.activation_lock_off,
        "mdm_free": facts.mdm_free,
    }


def check_units(*, offer: Offer, units: Sequence[UnitInput]) -> list[tuple[UnitId, PassportFacts]]:
    """Validate every unit first (nothing written on error): the identifier (an IMEI with a valid Luhn check digit
    where the category needs one), the facts, no unit twice. The error names the unit's position (``index``)."""
    if not units:
        raise InvalidUnitPassport(_("Give at least one unit"), code="no_units")
    if len(units) > MAX_UNITS_PER_CALL:
        raise InvalidUnitPassport(
            _("At most %(max)s units at a time") % {"max": MAX_UNITS_PER_CALL}, code="too_many_units"
        )
    if identification_for(offer.variant) == IDENTIFIED_BY_NOTHING:  # games: the platform numbers units at shipping
        raise InvalidUnitPassport(
            _("This product has no IMEI or serial: its units cannot be listed one by one"), code="no_unit_identifier"
        )
    imei_required = imei_required_for(offer.variant)
    checked: list[tuple[UnitId, PassportFacts]] = []
    seen: set[tuple[str, str]] = set()
    for index, unit in enumerate(units):
        try:
            unit_id = check_unit_id(raw=unit.identifier, imei_required=imei_required)
        except InvalidUnit as exc:
            raise InvalidUnitPassport(exc.message, code=exc.code, field="identifier", index=index) from None
        try:
            facts = check_passport(unit.facts)
        except InvalidPassport as exc:
            raise InvalidUnitPassport(
                f"{unit_id.value}: {exc.message}", code=exc.code, field=exc.field, index=index
            ) from None
        if (unit_id.kind, unit_id.value) in seen:
            raise InvalidUnitPassport(
                _("%(unit)s is given twice") % {"unit": unit_id.value}, code="duplicate_unit", index=index
            )
        seen.add((unit_id.kind, unit_id.value))
        checked.append((unit_id, facts))
    return checked


def _changed(*variant_ids: int) -> None:
    publish(OffersChanged(frozenset(variant_ids)))


def attach_units(*, seller: Seller, offer_id: int, units: Sequence[UnitInput]) -> AttachReport:
    """List units behind one of ``seller``'s offers, or update the passports of units it already lists there.

    Idempotent: sending the same units again changes nothing (``unchanged``). A unit available on another of the
    seller's offers that is off sale moves here; on one of its live offers, or listed by another seller, it is
    refused (409 ``unit_on_another_offer``). A unit reserved for a buyer or sold keeps its passport (409
    ``unit_unavailable`` when it would change). Nothing is written unless every unit is accepted. Locks: the offer
    row, then the units' rows through conditional updates; the live-once constraint settles concurrent listings.
    """
    offer = Offer.objects.filter(seller=seller, pk=offer_id).select_related("variant__product_model__category").first()
    if offer is None:
        raise OfferNotFound(_("No offer %(id)s") % {"id": offer_id})
    checked = check_units(offer=offer, units=units)
    try:
        with transaction.atomic():
            report = _attach(seller, offer, checked)
    except IntegrityError:  # listed concurrently elsewhere between our read and our write
        raise UnitListedElsewhere(_("One of these units was just listed on another offer; try again")) from None
    return report


def _attach(seller: Seller, offer: Offer, checked: list[tuple[UnitId, PassportFacts]]) -> AttachReport:
    Offer.objects.select_for_update().filter(pk=offer.pk).first()
    keys = Q()
    for unit_id, _facts in checked:
        keys |= Q(kind=unit_id.kind, identifier=unit_id.value)
    live = {(u.kind, u.identifier): u for u in OfferUnit.objects.filter(keys, status__in=LIVE).select_related("offer")}
    report = AttachReport()
    touched = {offer.variant_id}
    for index, (unit_id, facts) in enumerate(checked):
        values = _fields(facts)
        existing = live.get((unit_id.kind, unit_id.value))
        if existing is not None and existing.offer_id == offer.pk:
            if all(getattr(existing, name) == value for name, value in values.items()):
                report.unchanged += 1
                report.units.append(existing)
                continue
            updated = OfferUnit.objects.filter(pk=existing.pk, status=UnitStatus.AVAILABLE).update(**values)
            if not updated:
                raise UnitUnavailable(
                    _("%(unit)s is reserved for a buyer or sold: its passport can no longer change")
                    % {"unit": unit_id.value}
                )
            existing.refresh_from_db()
            report.updated += 1
            report.units.append(existing)
            continue
        if existing is not None:
            movable = (
                existing.seller_id == seller.pk
                and existing.status == UnitStatus.AVAILABLE
                and not existing.offer.is_active
            )
            if not movable:
                error = UnitListedElsewhere(
                    _("%(unit)s is already listed on your offer %(sku)s: withdraw it there first")
                    % {"unit": unit_id.value, "sku": existing.offer.sku}
                    if existing.seller_id == seller.pk
                    else _("%(unit)s is already listed on Reloop by another seller") % {"unit": unit_id.value}
                )
                error.index = index  # type: ignore[attr-defined]
                raise error
            if not OfferUnit.objects.filter(pk=existing.pk, status=UnitStatus.AVAILABLE).update(
                status=UnitStatus.WITHDRAWN
            ):
                raise UnitUnavailable(_("%(unit)s was just reserved for a buyer") % {"unit": unit_id.value})
            touched.add(existing.offer.variant_id)
            report.moved += 1
        unit = OfferUnit.objects.create(
            seller=seller, offer=offer, kind=unit_id.kind, identifier=unit_id.value, **values
        )
        report.created += 1
        report.units.append(unit)
    if report.created or report.updated or report.moved:
        _changed(*touched)
    return report


@transaction.atomic
def withdraw_unit(*, seller: Seller, unit_id: int) -> OfferUnit:
    """Take an available unit off its offer (it was sold elsewhere, or failed a check). Withdrawing it again is a
    no-op; a unit reserved for a buyer or sold cannot be withdrawn (409 ``unit_unavailable``)."""
    unit = OfferUnit.objects.filter(seller=seller, pk=unit_id).select_related("offer").first()
    if unit is None:
        raise UnitNotFound(_("No unit %(id)s") % {"id": unit_id})
    if unit.status == UnitStatus.WITHDRAWN:
        return unit
    if not OfferUnit.objects.filter(pk=unit.pk, status=UnitStatus.AVAILABLE).update(status=UnitStatus.WITHDRAWN):
        raise UnitUnavailable(_("This unit is reserved for a buyer or sold: it can no longer be withdrawn"))
    unit.status = UnitStatus.WITHDRAWN
    _changed(unit.offer.variant_id)
    return unit


# --- Checkout: the unit a buyer chose ---------------------------------------------------------------------


def check_choosable(*, offer_id: int, unit_id: int) -> OfferUnit:
    """The unit a buyer picks on a product page: available, and listed on that offer."""
    unit = OfferUnit.objects.filter(pk=unit_id, offer_id=offer_id).first()
    if unit is None:
        raise UnitNotFound(_("This unit is not listed on this offer"))
    if unit.status != UnitStatus.AVAILABLE:
        raise UnitUnavailable(_("This unit was just taken by another buyer: choose another one"))
    return unit


def reserve_units(*, choices: Mapping[int, tuple[int, int]], variant_ids: Iterable[int] = ()) -> None:
    """``choices``: order line id → (the unit the buyer chose for it, the line's offer). Each unit moves
    ``available → reserved`` for its line in one conditional update (still available, still on that offer), in
    unit-id order (no deadlock between two checkouts). Raises ``UnitUnavailable`` when one was taken meanwhile:
    the caller's transaction rolls back whole, stock included. Runs inside the caller's transaction."""
    for line_id, (unit_id, offer_id) in sorted(choices.items(), key=lambda kv: kv[1]):
        if not OfferUnit.objects.filter(pk=unit_id, offer_id=offer_id, status=UnitStatus.AVAILABLE).update(
            status=UnitStatus.RESERVED, order_line_ref=line_id, chosen_by_buyer=True
        ):
            raise UnitUnavailable(_("The unit you chose was just taken by another buyer: choose another one"))
    if choices:
        _changed(*variant_ids)


def release_units(*, order_line_ids: Iterable[int]) -> int:
    """Units reserved for these lines go back on sale (the order was cancelled or its payment failed). Units
    already shipped stay sold. Runs inside the caller's transaction; returns how many were released."""
    ids = sorted(set(order_line_ids))
    if not ids:
        return 0
    variant_ids = set(
        OfferUnit.objects.filter(order_line_ref__in=ids, status=UnitStatus.RESERVED).values_list(
            "offer__variant_id", flat=True
        )
    )
    released = OfferUnit.objects.filter(order_line_ref__in=ids, status=UnitStatus.RESERVED).update(
        status=UnitStatus.AVAILABLE, order_line_ref=None, chosen_by_buyer=False
    )
    if released:
        _changed(*variant_ids)
    return released


# --- Shipping: the unit shipped is one of the listed units ------------------------------------------------


@dataclass(frozen=True)
class ShippedLine:
    line_id: int
    offer_id: int
    sku: str
    units: Sequence[UnitId]


def ship_listed_units(*, lines: Sequence[ShippedLine]) -> int:
    """Check and record the units shipped on these lines, inside the shipping transaction.

    For a line whose offer lists units (any unit available, reserved or sold on it), every unit shipped must be one
    of them: the unit the buyer chose (reserved for the line) — which must then be shipped — or an available one.
    Refused with ``unit_not_listed`` / ``unit_not_chosen`` / ``unit_unavailable``; the caller's transaction then
    rolls back. Lines of offers that list no units are not checked. Returns the number of units marked sold."""
    offer_ids = sorted({line.offer_id for line in lines})
    listed: dict[int, dict[tuple[str, str], OfferUnit]] = {offer_id: {} for offer_id in offer_ids}
    for unit in OfferUnit.objects.filter(offer_id__in=offer_ids, status__in=(*LIVE, UnitStatus.SOLD)).order_by("pk"):
        listed[unit.offer_id][(unit.kind, unit.identifier)] = unit
    sold = 0
    for line in lines:
        units = listed[line.offer_id]
        if not units:
            continue
        chosen = {
            key for key, u in units.items() if u.status == UnitStatus.RESERVED and u.order_line_ref == line.line_id
        }
        given = {(u.kind, u.value) for u in line.units}
        missing = chosen - given
        if missing:
            raise UnitNotShippable(
                _("The buyer chose %(unit)s on %(sku)s: ship that unit")
                % {"unit": ", ".join(sorted(v for _k, v in missing)), "sku": line.sku},
                code="unit_not_chosen",
            )
        for unit_id in line.units:
            key = (unit_id.kind, unit_id.value)
            listed_unit = units.get(key)
            if listed_unit is None:
                raise UnitNotShippable(
                    _("%(unit)s is not one of the units listed on %(sku)s: ship a listed unit, or list this one first")
                    % {"unit": unit_id.value, "sku": line.sku}
                )
            if key in chosen:
                updated = OfferUnit.objects.filter(
                    pk=listed_unit.pk, status=UnitStatus.RESERVED, order_line_ref=line.line_id
                ).update(status=UnitStatus.SOLD)
            elif listed_unit.status == UnitStatus.AVAILABLE:
                updated = OfferUnit.objects.filter(pk=listed_unit.pk, status=UnitStatus.AVAILABLE).update(
                    status=UnitStatus.SOLD, order_line_ref=line.line_id
                )
            else:
                updated = 0
            if not updated:
                raise UnitUnavailable(
                    _("%(unit)s is reserved for another buyer or already sold: ship another listed unit")
                    % {"unit": unit_id.value}
                )
            sold += 1
    if sold:
        _changed(*_variants_of(offer_ids))
    return sold


def _variants_of(offer_ids: Sequence[int]) -> list[int]:
    return list(Offer.objects.filter(pk__in=offer_ids).values_list("variant_id", flat=True).distinct())
