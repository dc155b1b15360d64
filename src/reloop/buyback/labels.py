"""Prepaid labels for sending a trade-in to its refurbisher, behind a ``LabelProvider`` protocol chosen by
``RELOOP_TRADEIN_LABELS``.

``simulated`` (the default, offline) issues a label on the market's usual carrier (``RELOOP_TRADEIN_CARRIER`` to
force one) with a tracking number derived from the trade-in number, so a retry gets the same label; the parcel's
progress then comes from ``fulfillment.tracking.get_carrier()`` (the simulated carrier in the demo). A real
adapter calls the carrier's label API (Colissimo, DHL Parcel, Royal Mail Click & Drop…) with the refurbisher's
return address and account, and is one more entry in ``LABEL_PROVIDERS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reloop.buyback import conf


@dataclass(frozen=True, slots=True)
class Label:
    carrier: str  # a code of fulfillment.carriers.CARRIERS
    tracking_number: str


@runtime_checkable
class LabelProvider(Protocol):
    name: str

    def create_label(self, *, reference: str, market: str, seller_name: str) -> Label:
        """A prepaid label for the parcel ``reference`` (the same reference again: the same label). May raise
        ``OSError`` when the carrier cannot be reached."""
        ...


class SimulatedLabels:
    name = "simulated"

    def create_label(self, *, reference: str, market: str, seller_name: str) -> Label:
        digits = int(hashlib.sha256(reference.encode()).hexdigest()[:12], 16) % 10**11
        return Label(carrier=conf.label_carrier(market), tracking_number=f"TI{digits:011d}")


LABEL_PROVIDERS: dict[str, Callable[[], LabelProvider]] = {"simulated": SimulatedLabels}


def get_label_provider() -> LabelProvider:
    name = str(getattr(settings, "RELOOP_TRADEIN_LABELS", "simulated"))
    if name not in LABEL_PROVIDERS:
        raise ImproperlyConfigured(f"RELOOP_TRADEIN_LABELS must be one of {', '.join(LABEL_PROVIDERS)}, not {name!r}")
    return LABEL_PROVIDERS[name]()
