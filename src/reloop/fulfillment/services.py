"""Fulfillment writes: shipping a seller order, and its delivery (carrier news, the buyer's word, or time).

Shipping is final: carrier, tracking number and the IMEI or serial of every unit (or, for things without one such as
a game, the platform's own unit record: ``devices.domain.platform_unit_id``) are written once, with the lines'
move to ``shipped``, in one transaction; only an exact replay of the same data is answered with the same shipment
(docs/adr/0011-shipping-and-delivery.md). Delivery moves every shipped line of the parcel to ``delivered``
through ``orders.services.transition_line`` and stamps when it happened. Buyer emails go out on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.core import clock
from reloop.devices.domain import IDENTIFIED_BY_IMEI, IDENTIFIED_BY_NOTHING, UnitId, platform_unit_id
from reloop.devices.errors import InvalidUnit
from reloop.devices.services import check_unit_id, identification_for, record_sale
from reloop.fulfillment import conf, notifications
from reloop.fulfillment.carriers import CARRIERS
from reloop.fulfillment.domain import auto_delivery_cutoff, expected_delivery, normalize_tracking_number
from reloop.fulfillment.errors import AlreadyShipped, InvalidShipment, NotDeliverable, NotShippable
from reloop.fulfillment.models import (
    STATUS_ORDER,
    DeliverySource,
    Shipment,
    ShipmentStatus,
    ShipmentUnit,
    TrackingEvent,
)
from reloop.fulfillment.tracking import CarrierEvent, get_carrier
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import ActorKind, OrderLine, SellerOrder
from reloop.orders.selectors import buyer_order, seller_order_for
from reloop.orders.services import accept_lines, transition_line
from reloop.passports.services import ShippedLine, ship_listed_units
from reloop.sellers.models import Seller

logger = logging.getLogger(__name__)

BATCH = 500
LIVE_BEFORE_SHIPPING = (LineState.PAID, LineState.ACCEPTED)


# --- Shipping ---------------------------------------------------------------------------------------------


def ship_seller_order(
    *,
    actor: User | None,
    seller: Seller,
    seller_order_id: int,
    carrier: str,
    tracking_number: str,
    units: Mapping[int, Sequence[str]],
) -> Shipment:
    """Ship every live line of one of ``seller``'s orders in one parcel.

    ``units`` maps each line id to one IMEI or serial per unit. A line whose category identifies units by nothing
    (``none``: video games) needs none: omit it or give an empty list, and the platform numbers its units
    (``<order>-L<line>-<n>``). A paid line is accepted and shipped in one go. Each unit becomes a device with a
    ``sold`` event (its passport). Refused, with nothing written, for an
    unknown carrier, a bad tracking number, a missing line or unit count, a bad IMEI (``invalid_imei``) or serial,
    the same unit twice, another seller's order (``OrderNotFound``) and a second, different call
    (``already_shipped``); an exact replay returns the first shipment. Locks: the seller order's lines, through
    conditional updates; the unique shipment per seller order settles two concurrent calls.
    """
    code = (carrier or "").strip().lower()
    if code not in CARRIERS:
        raise InvalidShipment(_("Unknown carrier %(carrier)s") % {"carrier": carrier}, code="unknown_carrier")
    number = normalize_tracking_number(tracking_number)
    if number is None:
        raise InvalidShipment(_("A tracking number has 4 to 40 letters and digits"), code="invalid_tracking_number")
    part = seller_order_for(seller=seller, seller_order_id=seller_order_id)
    lines = list(
        OrderLine.objects.filter(seller_order=part)
        .select_related("variant__product_model__category__parent__parent")
        .order_by("pk")
    )
    existing = part.shipments.all()
    if existing:
        return _replay_or_refuse(existing[0], code, number, units, lines)
    checked = _check_units(units, lines, part.order.number)
    try:
        with transaction.atomic(durable=True):
            shipment = _ship(part, actor, code, number, checked, lines)
    except IntegrityError:
        # Shipped concurrently: ours rolled back whole. Same data → the same answer; otherwise refused.
        first = Shipment.objects.filter(seller_order=part).first()
        if first is None:
            raise
        return _replay_or_refuse(first, code, number, units, lines)
    return shipment


def _check_units(
    units: Mapping[int, Sequence[str]], lines: list[OrderLine], order_number: str
) -> dict[int, list[UnitId]]:
    live = {line.pk: line for line in lines if line.state in LIVE_BEFORE_SHIPPING}
    if not live:
        raise NotShippable(_("Nothing left to ship in this order"))
    given: dict[int, Sequence[str]] = {}
    for key, values in units.items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            line_id = -1
        if line_id not in live:
            raise InvalidShipment(
                _("Line %(line)s is not a line of this order that can ship") % {"line": key}, code="unknown_line"
            )
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise InvalidShipment(
                _("Give a list of IMEIs or serials for line %(line)s") % {"line": key}, code="wrong_unit_count"
            )
        given[line_id] = values
    checked: dict[int, list[UnitId]] = {}
    seen: set[tuple[str, str]] = set()
    for line_id, line in live.items():
        identification = identification_for(line.variant)
        if identification == IDENTIFIED_BY_NOTHING:
            if any(v.strip() for v in given.get(line_id, ())):
                raise InvalidShipment(
                    _("%(product)s has no IMEI or serial: leave its units empty, Reloop numbers them")
                    % {"product": line.product_title},
                    code="no_identifier_expected",
                )
            checked[line_id] = _platform_units(order_number, line)
            continue
        if line_id not in given:
            raise InvalidShipment(
                _("Every line must ship: give the IMEI or serial of %(product)s") % {"product": line.product_title},
                code="missing_units",
            )
        values = given[line_id]
        if len(values) != line.quantity:
            raise InvalidShipment(
                _("%(product)s: %(quantity)s unit(s) ordered, %(given)s IMEI or serial given")
                % {"product": line.product_title, "quantity": line.quantity, "given": len(values)},
                code="wrong_unit_count",
            )
        imei_required = identification == IDENTIFIED_BY_IMEI
        checked[line_id] = []
        for raw in values:
            try:
                unit = check_unit_id(raw=raw, imei_required=imei_required)
            except InvalidUnit as exc:
                raise InvalidShipment(f"{line.product_title}: {exc.message}", code=exc.code) from None
            if (unit.kind, unit.value) in seen:
                raise InvalidShipment(
                    _("%(unit)s is given twice: each unit has its own IMEI or serial") % {"unit": unit.value},
                    code="duplicate_unit",
                )
            seen.add((unit.kind, unit.value))
            checked[line_id].append(unit)
    return checked


def _platform_units(order_number: str, line: OrderLine) -> list[UnitId]:
    return [platform_unit_id(order_number=order_number, line_id=line.pk, n=n) for n in range(1, line.quantity + 1)]


def _ship(
    part: SellerOrder,
    actor: User | None,
    carrier: str,
    number: str,
    checked: dict[int, list[UnitId]],
    lines: list[OrderLine],
) -> Shipment:
    # The unit shipped is one the offer lists, and the one the buyer chose if they did (docs/unit-passports.md)
    ship_listed_units(
        lines=[ShippedLine(li.pk, li.offer_id, li.sku, checked[li.pk]) for li in lines if li.pk in checked]
    )
    now = clock.now()
    shipment = Shipment.objects.create(
        seller_order=part,
        carrier=carrier,
        tracking_number=number,
        units={str(line_id): [u.value for u in values] for line_id, values in checked.items()},
        shipped_by=actor,
        shipped_at=now,
        expected_delivery=expected_delivery(now, part.shipping_method),
    )
    TrackingEvent.objects.create(shipment=shipment, status=ShipmentStatus.SHIPPED, occurred_at=now)
    shipping = [line for line in lines if line.pk in checked]
    accept_lines(lines=shipping, actor=actor, actor_kind=ActorKind.SELLER)
    reference = f"order:{part.order.number}"
    for line in shipping:
        transition_line(
            line_id=line.pk,
            to_state=LineState.SHIPPED,
            actor=actor,
            actor_kind=ActorKind.SELLER,
            reason=f"{CARRIERS[carrier].name} {number}",
        )
        for unit in checked[line.pk]:
            device = record_sale(
                seller=part.seller,
                variant=line.variant,
                unit=unit,
                reference=f"{reference}:line:{line.pk}",
                occurred_at=now,
                details={"market": part.order.market, "grade": line.grade, "warranty_months": line.warranty_months},
            )
            ShipmentUnit.objects.create(shipment=shipment, line=line, device=device)
    transaction.on_commit(lambda: notifications.send_shipped(shipment_id=shipment.pk))
    return shipment


def _replay_or_refuse(
    shipment: Shipment, carrier: str, number: str, units: Mapping[int, Sequence[str]], lines: list[OrderLine]
) -> Shipment:
    """The same carrier, tracking number and units (in any order and spelling) → the shipment as it is."""
    recorded = {key: sorted(values) for key, values in shipment.units.items()}
    given = _as_recorded(units, lines)
    if given is not None:  # the platform numbered the units of lines without identifiers: nothing to compare
        for line in lines:
            key = str(line.pk)
            if key in recorded and identification_for(line.variant) == IDENTIFIED_BY_NOTHING:
                given[key] = recorded[key]
    if (shipment.carrier, shipment.tracking_number) == (carrier, number) and given == recorded:
        return shipment
    raise AlreadyShipped(_("This order has shipped: its carrier, tracking number and units cannot change"))


def _as_recorded(units: Mapping[int, Sequence[str]], lines: list[OrderLine]) -> dict[str, list[str]] | None:
    """``units`` normalized the way a shipment records them, or None when they could not have been shipped. Lines
    without identifiers count as recorded whether they are given empty or left out."""
    by_id = {line.pk: line for line in lines}
    result: dict[str, list[str]] = {}
    try:
        for key, values in units.items():
            line = by_id[int(key)]
            if isinstance(values, str):
                return None
            identification = identification_for(line.variant)
            if identification == IDENTIFIED_BY_NOTHING:
                if any(v.strip() for v in values):
                    return None
                continue
            imei_required = identification == IDENTIFIED_BY_IMEI
            result[str(line.pk)] = sorted(check_unit_id(raw=v, imei_required=imei_required).value for v in values)
    except (KeyError, TypeError, ValueError, InvalidUnit):
        return None
    return result


# --- Delivery ---------------------------------------------------------------------------------------------


def _deliver(
    shipment: Shipment, *, at: dt.datetime, source: str, actor: User | None, actor_kind: str, reason: str
) -> bool:
    """Mark the parcel delivered and every shipped line of it ``delivered`` at ``at``; False when it already was.
    Runs in its own transaction; the conditional update on the shipment makes it happen once."""
    with transaction.atomic():
        if not Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=True).update(
            status=ShipmentStatus.DELIVERED, delivered_at=at, delivery_source=source
        ):
            return False
        TrackingEvent.objects.bulk_create(
            [TrackingEvent(shipment=shipment, status=ShipmentStatus.DELIVERED, occurred_at=at, description=reason)],
            ignore_conflicts=True,
        )
        line_ids = list(
            OrderLine.objects.filter(seller_order_id=shipment.seller_order_id, state=LineState.SHIPPED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for line_id in line_ids:
            transition_line(
                line_id=line_id, to_state=LineState.DELIVERED, actor=actor, actor_kind=actor_kind, reason=reason
            )
        # When it happened, not when we heard of it: the return window and payouts count from here.
        OrderLine.objects.filter(pk__in=line_ids).update(delivered_at=at)
        transaction.on_commit(lambda: notifications.send_delivered(shipment_id=shipment.pk))
    shipment.status, shipment.delivered_at, shipment.delivery_source = ShipmentStatus.DELIVERED, at, source
    return True


def confirm_delivery(*, actor: User, order_number: str, seller_order_id: int) -> Shipment:
    """The buyer says "I received it": the parcel of that seller part is delivered now. Only the order's buyer
    (another buyer's order is not found); refused with ``not_deliverable`` before it shipped; a second click
    changes nothing."""
    order = buyer_order(buyer=actor, number=order_number)
    part = next((p for p in order.seller_orders.all() if p.pk == seller_order_id), None)
    if part is None:
        raise OrderNotFound(f"No seller order {seller_order_id} in {order_number}")
    shipment = Shipment.objects.filter(seller_order=part).first()
    if shipment is None:
        raise NotDeliverable(_("This parcel has not shipped yet"))
    if shipment.delivered_at is None:
        _deliver(
            shipment,
            at=clock.now(),
            source=DeliverySource.BUYER,
            actor=actor,
            actor_kind=ActorKind.BUYER,
            reason="confirmed by the buyer",
        )
    return shipment


# --- Jobs -------------------------------------------------------------------------------------------------


def poll_shipments() -> int:
    """Ask the carrier about every parcel on its way; record new tracking events, move the status forward, and
    deliver the parcels it reports delivered. Returns how many parcels changed. Safe to run twice: events are
    unique per status and delivery happens once."""
    carrier = get_carrier()
    now = clock.now()
    changed = 0
    # Least recently asked first, so that with more than a batch on the way every parcel gets its turn.
    pending = Shipment.objects.filter(delivered_at__isnull=True).order_by(
        F("last_checked_at").asc(nulls_first=True), "pk"
    )[:BATCH]
    for shipment in pending:
        try:
            events = carrier.track(
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                shipped_at=shipment.shipped_at,
                now=now,
            )
        except OSError:
            logger.warning("Carrier %s unreachable for shipment %s", carrier.name, shipment.pk, exc_info=True)
            continue
        changed += _record_events(shipment, events, now)
    return changed


def _record_events(shipment: Shipment, events: Sequence[CarrierEvent], now: dt.datetime) -> int:
    """1 when the carrier had news for this parcel, else 0."""
    known = set(TrackingEvent.objects.filter(shipment=shipment).values_list("status", flat=True))
    news = [e for e in events if e.status in STATUS_ORDER and e.status not in known]
    on_the_way = [e for e in news if e.status != ShipmentStatus.DELIVERED]
    with transaction.atomic():
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    shipment=shipment,
                    status=e.status,
                    occurred_at=e.occurred_at,
                    description=e.description[:200],
                    location=e.location[:100],
                )
                for e in on_the_way
            ],
            ignore_conflicts=True,  # another poll recorded it meanwhile
        )
        furthest = max((STATUS_ORDER.index(e.status) for e in on_the_way), default=-1)
        if furthest > STATUS_ORDER.index(shipment.status):  # forward only, whatever the order of the news
            Shipment.objects.filter(pk=shipment.pk, status__in=STATUS_ORDER[:furthest]).update(
                status=STATUS_ORDER[furthest]
            )
        Shipment.objects.filter(pk=shipment.pk).update(last_checked_at=now)
    delivered = next((e for e in news if e.status == ShipmentStatus.DELIVERED), None)
    if delivered is not None:
        _deliver(
            shipment,
            at=min(delivered.occurred_at, now),
            source=DeliverySource.CARRIER,
            actor=None,
            actor_kind=ActorKind.SYSTEM,
            reason="delivered, reported by the carrier",
        )
    return int(bool(news))


def deliver_overdue_shipments() -> int:
    """Parcels with no delivery news ``RELOOP_AUTO_DELIVERY_DAYS`` after shipping count as delivered now.
    Returns how many; safe to run twice."""
    days = conf.auto_delivery_days()
    now = clock.now()
    delivered = 0
    overdue = Shipment.objects.filter(delivered_at__isnull=True, shipped_at__lte=auto_delivery_cutoff(now, days=days))
    for shipment in overdue.order_by("pk")[:BATCH]:
        if _deliver(
            shipment,
            at=now,
            source=DeliverySource.AUTOMATIC,
            actor=None,
            actor_kind=ActorKind.SYSTEM,
            reason=f"auto_delivery:no news {days} days after shipping",
        ):
            delivered += 1
    return delivered
