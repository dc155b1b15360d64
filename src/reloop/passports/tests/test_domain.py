"""Passport rules without a database: what a seller may record, and what a buyer reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.passports.domain import (
    ERASURE_METHODS,
    PARTS,
    CheckResult,
    InvalidPassport,
    PartReplaced,
    PassportFacts,
    check_passport,
    summarize,
    unit_phrases,
)
from reloop.passports.tests.factories import FULL


def test_a_full_passport_is_accepted_and_normalized():
    facts = check_passport({**FULL, "battery_health": "91 %", "carrier_unlocked": "yes", "mdm_free": "1"})
    assert facts.battery_health == 91
    assert facts.battery_cycles == 210
    assert facts.parts == (PartReplaced("screen", "original"),)
    assert facts.tests == (CheckResult("display", True), CheckResult("touch", True))
    assert (facts.erasure_method, facts.erasure_certificate) == ("blancco", "BL-2026-000123")
    assert facts.unlocked
    assert facts.erased


def test_nothing_recorded_claims_nothing():
    facts = check_passport({})
    assert facts == PassportFacts()
    assert not facts.unlocked
    assert not facts.erased
    assert unit_phrases(facts) == []


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"battery_health": 101}, "invalid_battery_health", "battery_health"),
        ({"battery_health": -1}, "invalid_battery_health", "battery_health"),
        ({"battery_health": "ninety"}, "invalid_battery_health", "battery_health"),
        ({"battery_health": True}, "invalid_battery_health", "battery_health"),
        ({"battery_cycles": -1}, "invalid_battery_cycles", "battery_cycles"),
        ({"battery_cycles": "12.5"}, "invalid_battery_cycles", "battery_cycles"),
        ({"parts": [{"part": "screen", "provenance": "aftermarket"}]}, "unknown_provenance", "parts"),
        ({"parts": [{"part": "flux capacitor", "provenance": "original"}]}, "unknown_part", "parts"),
        ({"parts": [{"part": "screen", "provenance": "original"}] * 2}, "duplicate_part", "parts"),
        ({"tests": [{"test": "display"}]}, "invalid_tests", "tests"),
        ({"tests": [{"test": "vibes", "passed": True}]}, "unknown_test", "tests"),
        ({"erasure_method": "hammer"}, "unknown_erasure_method", "erasure_method"),
        (
            {"erasure_method": "blancco", "erasure_certificate": "jane.doe@example.com"},
            "invalid_erasure_certificate",
            "erasure_certificate",
        ),
        (
            {"erasure_method": "blancco", "erasure_certificate": "Jane Doe"},
            "invalid_erasure_certificate",
            "erasure_certificate",
        ),
        ({"erasure_certificate": "BL-1"}, "erasure_method_required", "erasure_method"),
        ({"carrier_unlocked": "maybe"}, "invalid_carrier_unlocked", "carrier_unlocked"),
    ],
)
def test_bad_facts_are_refused_with_a_code_and_the_field(data, code, field):
    with pytest.raises(InvalidPassport) as info:
        check_passport(data)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.message


def test_unlocked_needs_all_three_locks_recorded_off():
    assert not check_passport({"carrier_unlocked": True, "activation_lock_off": True}).unlocked
    assert not check_passport({"carrier_unlocked": True, "activation_lock_off": True, "mdm_free": False}).unlocked
    assert check_passport({"carrier_unlocked": True, "activation_lock_off": True, "mdm_free": True}).unlocked


def test_an_offer_summary_gives_ranges_and_claims_only_what_every_unit_records():
    a = check_passport({**FULL, "battery_health": 91, "battery_cycles": 340})
    b = check_passport({**FULL, "battery_health": 96, "battery_cycles": 120, "parts": []})
    summary = summarize([a, b])
    assert summary is not None
    assert summary.battery_health == "91–96 %"
    assert summary.battery_cycles == "120–340"
    assert summary.parts == ("screen replaced with an original part (1 unit)",)
    assert summary.line == (
        "battery 91–96 %; 120–340 cycles; screen replaced with an original part (1 unit); all 2 tests passed; "
        "erased with Blancco certified erasure, certificate on request; unlocked: no carrier, activation or MDM lock"
    )
    # one unit without an erasure record or lock record: neither claim is made for the offer
    c = check_passport({"battery_health": 90})
    summary = summarize([a, c])
    assert summary is not None
    assert not summary.all_erased
    assert not summary.all_unlocked
    assert summary.battery_health == "90–91 %"
    assert "erased" not in summary.line
    assert "unlocked" not in summary.line
    assert summary.tests == ""  # one unit records no tests: no "all tests passed"
    assert summarize([]) is None


def test_a_failed_test_is_said():
    facts = check_passport({"tests": [{"test": "display", "passed": True}, {"test": "nfc", "passed": False}]})
    assert "1 of 2 tests passed" in unit_phrases(facts)
    summary = summarize([facts, check_passport(FULL)])
    assert summary is not None
    assert summary.tests == "at least 1 of 2 tests passed"


_fact = st.fixed_dictionaries(
    {
        "battery_health": st.one_of(st.none(), st.integers(0, 100)),
        "battery_cycles": st.one_of(st.none(), st.integers(0, 5000)),
        "parts": st.lists(
            st.fixed_dictionaries(
                {"part": st.sampled_from(list(PARTS)), "provenance": st.sampled_from(["original", "certified"])}
            ),
            max_size=3,
            unique_by=lambda p: p["part"],
        ),
        "erasure_method": st.sampled_from(["", *ERASURE_METHODS]),
    }
)


@given(st.lists(_fact, min_size=1, max_size=8))
def test_the_battery_range_spans_exactly_the_units_healths(units):
    facts = [check_passport(u) for u in units]
    summary = summarize(facts)
    assert summary is not None
    assert summary.units == len(facts)
    healths = [f.battery_health for f in facts]
    if None in healths:
        assert summary.battery_health == ""
    else:
        low, high = min(healths), max(healths)
        assert summary.battery_health == (f"{low} %" if low == high else f"{low}–{high} %")
    assert summary.all_erased == all(u["erasure_method"] for u in units)
