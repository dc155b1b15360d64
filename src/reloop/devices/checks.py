"""Device checks before a trade-in is paid: the IMEI blocklist (lost, stolen, unpaid contract) and the activation
lock, behind one ``DeviceCheck`` protocol chosen by ``RELOOP_DEVICE_CHECK`` (docs/trade-in.md).

``offline`` (the default) asks no one: it reads the local blocklist (``BlockedDevice`` rows the operator edits in
the admin) and a few documented test IMEIs that always answer the same, so a demo and the tests can show every
outcome. A real adapter — GSMA Device Check, Recipero CheckMEND — implements the same protocol:

* ``GsmaDeviceCheck``: POST the IMEI to the GSMA Device Check API with the operator's sponsored credentials
  (``RELOOP_GSMA_API_KEY``); the answer's ``blocklistStatus`` (``Yes``/``No``) and reason code map to
  ``BLOCKLISTED`` with ``lost``/``stolen``; an unreachable service raises ``OSError`` (the trade-in waits).
* ``CheckMendCheck``: CheckMEND's ``/check`` with the IMEI and the dealer's account; its ``result`` colour (red:
  reported lost/stolen; amber: finance owed / blocked by a network) maps to ``BLOCKLISTED`` (``stolen``) and
  ``UNPAID``; Apple Find My / Google FRP status, where the service returns it, to ``LOCKED``.

Neither is included: both need a commercial contract. Adding one is a class here and one entry in ``CHECKERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Outcomes (stored on the trade-in; the operator sees the reason)
PASSED = "passed"
BLOCKLISTED = "blocklisted"  # reported lost or stolen
UNPAID = "unpaid"  # greylisted: an unpaid contract or finance
LOCKED = "locked"  # activation lock (Find My iPhone, Google FRP) or MDM still on
INVALID = "invalid"  # not a valid IMEI (check digit)

FAILURES = frozenset({BLOCKLISTED, UNPAID, LOCKED, INVALID})

#: IMEIs the offline check always refuses, for demos and tests (valid check digits, documented in docs/trade-in.md).
TEST_IMEIS: dict[str, tuple[str, str]] = {
    "356938035643817": (BLOCKLISTED, "Reported stolen (test IMEI)"),
    "356938035643825": (UNPAID, "Unpaid contract with the network (test IMEI)"),
    "356938035643833": (LOCKED, "Activation lock is on (test IMEI)"),
}


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    status: str  # PASSED or one of FAILURES
    reason: str = ""
    source: str = ""  # which checker answered

    @property
    def passed(self) -> bool:
        return self.status == PASSED


@runtime_checkable
class DeviceCheck(Protocol):
    name: str

    def check(self, *, kind: str, identifier: str) -> CheckOutcome:
        """The status of one unit (``kind`` "imei" or "serial", the normalized identifier). Never raises for a
        unit it does not know (``PASSED``); may raise ``OSError`` when the service cannot be reached."""
        ...


class OfflineDeviceCheck:
    """The local blocklist (``BlockedDevice``, edited by the operator) plus ``TEST_IMEIS``."""

    name = "offline"

    def check(self, *, kind: str, identifier: str) -> CheckOutcome:
        from reloop.devices.models import BlockedDevice

        if identifier in TEST_IMEIS:
            status, reason = TEST_IMEIS[identifier]
            return CheckOutcome(status, reason, self.name)
        entry = BlockedDevice.objects.filter(kind=kind, identifier=identifier, is_active=True).first()
        if entry is not None:
            return CheckOutcome(entry.status, entry.reason or entry.get_status_display(), self.name)
        return CheckOutcome(PASSED, "", self.name)


CHECKERS: dict[str, Callable[[], DeviceCheck]] = {"offline": OfflineDeviceCheck}


def get_device_check() -> DeviceCheck:
    name = str(getattr(settings, "RELOOP_DEVICE_CHECK", "offline"))
    if name not in CHECKERS:
        raise ImproperlyConfigured(f"RELOOP_DEVICE_CHECK must be one of {', '.join(CHECKERS)}, not {name!r}")
    return CHECKERS[name]()
