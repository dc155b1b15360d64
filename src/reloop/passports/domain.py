"""Unit passports: what a seller records about each unit behind an offer, and what a buyer is told. Pure rules.

A passport holds device facts only — battery state of health and cycle count, parts replaced and where the parts
came from, the tests run and their results, how the data was erased and the certificate's reference, and whether
the unit is free of carrier, activation and MDM locks. Every value comes from a closed vocabulary or a number, and
the certificate reference is a short code without spaces or ``@``: there is no free-text field, so a passport
cannot carry a previous owner's name, e-mail or account (docs/unit-passports.md, ADR 0041).

``check_passport`` turns what a seller sent (web form, CSV line, API body) into ``PassportFacts`` or raises
``InvalidPassport`` with a stable code and a message naming the field. ``summarize`` turns an offer's units into
the line a product page shows ("battery 91–96 %, 120–340 cycles; screen replaced with an original part; …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

MAX_CYCLES = 100_000
MAX_TESTS = 40

ORIGINAL = "original"
CERTIFIED = "certified"
THIRD_PARTY = "third_party"

#: Where a replacement part came from: the manufacturer's own part, a part certified by the manufacturer's
#: programme (Apple Self Service Repair, Samsung's authorised parts…), or a third-party part.
PROVENANCES: dict[str, Promise] = {
    ORIGINAL: gettext_lazy("an original part"),
    CERTIFIED: gettext_lazy("a certified part"),
    THIRD_PARTY: gettext_lazy("a third-party part"),
}

#: Parts a refurbisher replaces, as they are named to a buyer.
PARTS: dict[str, Promise] = {
    "screen": gettext_lazy("screen"),
    "battery": gettext_lazy("battery"),
    "back_glass": gettext_lazy("back glass"),
    "housing": gettext_lazy("housing"),
    "rear_camera": gettext_lazy("rear camera"),
    "front_camera": gettext_lazy("front camera"),
    "charging_port": gettext_lazy("charging port"),
    "speaker": gettext_lazy("speaker"),
    "microphone": gettext_lazy("microphone"),
    "buttons": gettext_lazy("buttons"),
    "biometric_sensor": gettext_lazy("fingerprint or face sensor"),
    "keyboard": gettext_lazy("keyboard"),
    "trackpad": gettext_lazy("trackpad"),
    "storage": gettext_lazy("storage"),
}

#: Functional tests a refurbisher runs on a unit.
TESTS: dict[str, Promise] = {
    "display": gettext_lazy("display"),
    "touch": gettext_lazy("touch screen"),
    "battery": gettext_lazy("battery"),
    "charging": gettext_lazy("charging"),
    "cameras": gettext_lazy("cameras"),
    "speakers": gettext_lazy("speakers"),
    "microphones": gettext_lazy("microphones"),
    "buttons": gettext_lazy("buttons"),
    "biometrics": gettext_lazy("fingerprint or face unlock"),
    "sensors": gettext_lazy("sensors"),
    "wifi": gettext_lazy("Wi-Fi"),
    "bluetooth": gettext_lazy("Bluetooth"),
    "cellular": gettext_lazy("calls and mobile data"),
    "gps": gettext_lazy("GPS"),
    "nfc": gettext_lazy("NFC"),
    "keyboard": gettext_lazy("keyboard"),
    "ports": gettext_lazy("ports"),
}

#: How the previous owner's data was erased.
ERASURE_METHODS: dict[str, Promise] = {
    "nist_800_88_purge": gettext_lazy("NIST SP 800-88 Purge"),
    "crypto_erase": gettext_lazy("cryptographic erase (factory reset of encrypted storage)"),
    "blancco": gettext_lazy("Blancco certified erasure"),
    "phonecheck": gettext_lazy("Phonecheck certified erasure"),
}

#: Lock facts a passport may record; None means "not recorded" (and nothing is claimed).
LOCKS = ("carrier_unlocked", "activation_lock_off", "mdm_free")

_CERTIFICATE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,59}$")


class InvalidPassport(ValueError):
    def __init__(self, code: str, message: str, *, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class PartReplaced:
    part: str
    provenance: str


@dataclass(frozen=True)
class CheckResult:
    test: str
    passed: bool


@dataclass(frozen=True)
class PassportFacts:
    """One unit's passport as stored (``passports.models.OfferUnit``)."""

    battery_health: int | None = None  # state of health, whole percent 0–100
    battery_cycles: int | None = None
    parts: tuple[PartReplaced, ...] = ()
    tests: tuple[CheckResult, ...] = ()
    erasure_method: str = ""
    erasure_certificate: str = ""
    carrier_unlocked: bool | None = None
    activation_lock_off: bool | None = None
    mdm_free: bool | None = None

    @property
    def unlocked(self) -> bool:
        """The record says no carrier lock, no activation lock and no MDM enrolment: only then is it "Unlocked"."""
        return self.carrier_unlocked is True and self.activation_lock_off is True and self.mdm_free is True

    @property
    def erased(self) -> bool:
        """The record names an erasure method: only then is it "Data erased"."""
        return bool(self.erasure_method)


def _whole(value: Any, *, field: str, low: int, high: int, message: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidPassport(f"invalid_{field}", message, field=field)
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidPassport(f"invalid_{field}", message, field=field)
    return value


def parse_flag(value: Any, *, field: str) -> bool | None:
    """True / False / None ("not recorded") from a bool, or yes/no/true/false/1/0 in a CSV cell or a form."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "1", "oui", "ja", "sí", "si"):
        return True
    if text in ("no", "n", "false", "0", "non", "nein"):
        return False
    raise InvalidPassport(
        f"invalid_{field}", _("%(field)s is yes, no or empty (not recorded)") % {"field": field}, field=field
    )


def _parts(raw: Any) -> tuple[PartReplaced, ...]:
    if raw in (None, "", []):
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) > len(PARTS):
        raise InvalidPassport("invalid_parts", _("parts is a list of replaced parts"), field="parts")
    seen: set[str] = set()
    parts = []
    for item in raw:
        part = str(item.get("part", "")) if isinstance(item, Mapping) else ""
        provenance = str(item.get("provenance", "")) if isinstance(item, Mapping) else ""
        if part not in PARTS:
            raise InvalidPassport(
                "unknown_part",
                _("Unknown part %(part)s: use one of %(parts)s") % {"part": part or "''", "parts": ", ".join(PARTS)},
                field="parts",
            )
        if provenance not in PROVENANCES:
            raise InvalidPassport(
                "unknown_provenance",
                _("The %(part)s's provenance is original, certified or third_party") % {"part": part},
                field="parts",
            )
        if part in seen:
            raise InvalidPassport("duplicate_part", _("%(part)s is listed twice") % {"part": part}, field="parts")
        seen.add(part)
        parts.append(PartReplaced(part, provenance))
    return tuple(sorted(parts, key=lambda p: list(PARTS).index(p.part)))


def _tests(raw: Any) -> tuple[CheckResult, ...]:
    if raw in (None, "", []):
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) > MAX_TESTS:
        raise InvalidPassport("invalid_tests", _("tests is a list of tests and their results"), field="tests")
    seen: set[str] = set()
    tests = []
    for item in raw:
        test = str(item.get("test", "")) if isinstance(item, Mapping) else ""
        passed = item.get("passed") if isinstance(item, Mapping) else None
        if test not in TESTS:
            raise InvalidPassport(
                "unknown_test",
                _("Unknown test %(test)s: use one of %(tests)s") % {"test": test or "''", "tests": ", ".join(TESTS)},
                field="tests",
            )
        if not isinstance(passed, bool):
            raise InvalidPassport(
                "invalid_tests",
                _("Say whether the %(test)s test passed (true or false)") % {"test": test},
                field="tests",
            )
        if test in seen:
            raise InvalidPassport("duplicate_test", _("%(test)s is listed twice") % {"test": test}, field="tests")
        seen.add(test)
        tests.append(CheckResult(test, passed))
    return tuple(sorted(tests, key=lambda t: list(TESTS).index(t.test)))


def check_passport(data: Mapping[str, Any]) -> PassportFacts:
    """Validate one unit's facts (keys as ``PassportFacts``; parts and tests as lists of mappings)."""
    health = _whole(
        data.get("battery_health"),
        field="battery_health",
        low=0,
        high=100,
        message=_("Battery health is a whole percentage from 0 to 100"),
    )
    cycles = _whole(
        data.get("battery_cycles"),
        field="battery_cycles",
        low=0,
        high=MAX_CYCLES,
        message=_("A battery cycle count is a whole number from 0 to %(max)s") % {"max": MAX_CYCLES},
    )
    method = str(data.get("erasure_method") or "").strip()
    if method and method not in ERASURE_METHODS:
        raise InvalidPassport(
            "unknown_erasure_method",
            _("Unknown erasure method %(method)s: use one of %(methods)s")
            % {"method": method, "methods": ", ".join(ERASURE_METHODS)},
            field="erasure_method",
        )
    certificate = str(data.get("erasure_certificate") or "").strip()
    if certificate and not _CERTIFICATE.match(certificate):
        raise InvalidPassport(
            "invalid_erasure_certificate",
            _("An erasure certificate reference is 3 to 60 letters, digits, dots, dashes or slashes"),
            field="erasure_certificate",
        )
    if certificate and not method:
        raise InvalidPassport(
            "erasure_method_required",
            _("Name the erasure method the certificate is from"),
            field="erasure_method",
        )
    return PassportFacts(
        battery_health=health,
        battery_cycles=cycles,
        parts=_parts(data.get("parts")),
        tests=_tests(data.get("tests")),
        erasure_method=method,
        erasure_certificate=certificate,
        carrier_unlocked=parse_flag(data.get("carrier_unlocked"), field="carrier_unlocked"),
        activation_lock_off=parse_flag(data.get("activation_lock_off"), field="activation_lock_off"),
        mdm_free=parse_flag(data.get("mdm_free"), field="mdm_free"),
    )


# --- What a buyer reads ---------------------------------------------------------------------------------


def _span(values: list[int], unit: str) -> str:
    low, high = min(values), max(values)
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def part_phrase(part: PartReplaced) -> str:
    return _("%(part)s replaced with %(provenance)s") % {
        "part": PARTS[part.part],
        "provenance": PROVENANCES[part.provenance],
    }


def unit_phrases(facts: PassportFacts) -> list[str]:
    """One unit's passport as short sentences, in the order a buyer weighs them."""
    phrases = []
    if facts.battery_health is not None:
        phrases.append(_("battery %(health)s %%") % {"health": facts.battery_health})
    if facts.battery_cycles is not None:
        phrases.append(
            ngettext("%(count)s cycle", "%(count)s cycles", facts.battery_cycles) % {"count": facts.battery_cycles}
        )
    phrases.extend(part_phrase(p) for p in facts.parts)
    if facts.tests:
        passed = sum(t.passed for t in facts.tests)
        phrases.append(
            _("%(passed)s of %(run)s tests passed") % {"passed": passed, "run": len(facts.tests)}
            if passed < len(facts.tests)
            else ngettext("%(run)s test passed", "all %(run)s tests passed", len(facts.tests))
            % {"run": len(facts.tests)}
        )
    if facts.erased:
        phrases.append(erasure_phrase(facts))
    if facts.unlocked:
        phrases.append(_("unlocked: no carrier, activation or MDM lock"))
    return phrases


def erasure_phrase(facts: PassportFacts) -> str:
    method = ERASURE_METHODS[facts.erasure_method]
    if facts.erasure_certificate:
        return _("erased with %(method)s, certificate on request") % {"method": method}
    return _("erased with %(method)s") % {"method": method}


@dataclass(frozen=True)
class OfferPassport:
    """What the units an offer lists have, for the product page (buy box and offer list)."""

    units: int
    battery_health: str  # "91–96 %" or "" when no unit records it
    battery_cycles: str  # "120–340"
    parts: tuple[str, ...]  # "screen replaced with an original part" (on some or all units)
    tests: str  # "all 12 tests passed" (the weakest unit) or ""
    erasure: str  # "erased with …" when every unit records an erasure, else ""
    all_erased: bool
    all_unlocked: bool

    @property
    def phrases(self) -> list[str]:
        out = []
        if self.battery_health:
            out.append(_("battery %(span)s") % {"span": self.battery_health})
        if self.battery_cycles:
            out.append(_("%(span)s cycles") % {"span": self.battery_cycles})
        out.extend(self.parts)
        if self.tests:
            out.append(self.tests)
        if self.erasure:
            out.append(self.erasure)
        if self.all_unlocked:
            out.append(_("unlocked: no carrier, activation or MDM lock"))
        return out

    @property
    def line(self) -> str:
        return "; ".join(self.phrases)


def summarize(units: Iterable[PassportFacts]) -> OfferPassport | None:
    """The passport line of an offer from its available units; None without units."""
    facts = list(units)
    if not facts:
        return None
    health = [f.battery_health for f in facts if f.battery_health is not None]
    cycles = [f.battery_cycles for f in facts if f.battery_cycles is not None]
    parts: dict[PartReplaced, int] = {}
    for f in facts:
        for p in f.parts:
            parts[p] = parts.get(p, 0) + 1
    part_lines = []
    for part, count in sorted(parts.items(), key=lambda kv: (list(PARTS).index(kv[0].part), kv[0].provenance)):
        phrase = part_phrase(part)
        if count < len(facts):
            phrase = ngettext("%(phrase)s (%(count)s unit)", "%(phrase)s (%(count)s units)", count) % {
                "phrase": phrase,
                "count": count,
            }
        part_lines.append(phrase)
    tested = [f for f in facts if f.tests]
    tests = ""
    if len(tested) == len(facts):
        worst = min(tested, key=lambda f: (sum(t.passed for t in f.tests) - len(f.tests), len(f.tests)))
        passed, run = sum(t.passed for t in worst.tests), len(worst.tests)
        tests = (
            ngettext("%(run)s test passed", "all %(run)s tests passed", run) % {"run": run}
            if passed == run
            else _("at least %(passed)s of %(run)s tests passed") % {"passed": passed, "run": run}
        )
    all_erased = all(f.erased for f in facts)
    erasure = ""
    if all_erased:
        methods = sorted({f.erasure_method for f in facts}, key=list(ERASURE_METHODS).index)
        names = ", ".join(str(ERASURE_METHODS[m]) for m in methods)
        erasure = (
            _("erased with %(method)s, certificate on request") % {"method": names}
            if all(f.erasure_certificate for f in facts)
            else _("erased with %(method)s") % {"method": names}
        )
    return OfferPassport(
        units=len(facts),
        battery_health=_span(health, " %") if len(health) == len(facts) else "",
        battery_cycles=_span(cycles, "") if len(cycles) == len(facts) else "",
        parts=tuple(part_lines),
        tests=tests,
        erasure=erasure,
        all_erased=all_erased,
        all_unlocked=all(f.unlocked for f in facts),
    )
