"""Events the payments app publishes on commit, for the layers above (order glue) to subscribe to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PaymentWebhookReceived:
    """A verified provider event was received for the first time (never for a redelivery)."""

    provider: str
    event_id: str
    type: str
    outcome: str
    data: Mapping[str, Any] = field(default_factory=dict)
