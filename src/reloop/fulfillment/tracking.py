"""Where parcel news comes from: a ``Carrier`` protocol, chosen by ``RELOOP_CARRIER_TRACKING``.

``simulated`` (the default) is offline and deterministic: from the moment a parcel ships it is picked up, in
transit, out for delivery and delivered at fixed fractions of ``RELOOP_SIMULATED_CARRIER_HOURS``, so a demo shows
parcels moving and a test knows exactly what it will see at any time. ``none`` asks no one: parcels are delivered
by the buyer's "I received it" or automatically after ``RELOOP_AUTO_DELIVERY_DAYS``. A real carrier adapter
implements the same protocol and is added to ``TRACKERS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured

from reloop.fulfillment import conf


@dataclass(frozen=True)
class CarrierEvent:
    status: str  # a ShipmentStatus value
    occurred_at: dt.datetime
    description: str = ""
    location: str = ""


@runtime_checkable
class Carrier(Protocol):
    name: str

    def track(
        self, *, carrier: str, tracking_number: str, shipped_at: dt.datetime, now: dt.datetime
    ) -> Sequence[CarrierEvent]:
        """Everything the carrier reports for the parcel up to ``now``, oldest first. Never raises for a parcel
        it does not know (an empty list); may raise ``OSError`` when the carrier cannot be reached."""
        ...


class SimulatedCarrier:
    """Moves every parcel along the same schedule: a fraction of ``hours`` after shipping for each step."""

    name = "simulated"
    SCHEDULE = (
        ("picked_up", 0.1, "Parcel picked up from the seller"),
        ("in_transit", 0.3, "At the carrier's sorting centre"),
        ("out_for_delivery", 0.85, "Out for delivery"),
        ("delivered", 1.0, "Delivered"),
    )

    def __init__(self, hours: int) -> None:
        self.hours = hours

    def track(
        self, *, carrier: str, tracking_number: str, shipped_at: dt.datetime, now: dt.datetime
    ) -> Sequence[CarrierEvent]:
        events = []
        for status, fraction, description in self.SCHEDULE:
            moment = shipped_at + dt.timedelta(hours=self.hours * fraction)
            if moment > now:
                break
            events.append(CarrierEvent(status, moment, description))
        return events


class NoTracking:
    """Asks no carrier: nothing is ever reported."""

    name = "none"

    def track(
        self, *, carrier: str, tracking_number: str, shipped_at: dt.datetime, now: dt.datetime
    ) -> Sequence[CarrierEvent]:
        return []


TRACKERS: dict[str, Callable[[], Carrier]] = {
    "simulated": lambda: SimulatedCarrier(conf.simulated_carrier_hours()),
    "none": NoTracking,
}


def get_carrier() -> Carrier:
    name = conf.carrier_tracking()
    if name not in TRACKERS:
        raise ImproperlyConfigured(f"RELOOP_CARRIER_TRACKING must be one of {', '.join(TRACKERS)}, not {name!r}")
    return TRACKERS[name]()
