"""``reloop bench --ingest`` at toy size: every step runs for real, reports rows/s, and leaves no bench data."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.csv_io import parse_offer_csv
from reloop.offers.models import Offer, OfferImport
from reloop.ops.ingest_bench import generate_csv
from reloop.pricing.models import StaleBuyBox
from reloop.sellers.models import Seller, SellerToken

pytestmark = pytest.mark.django_db


def test_the_generated_file_is_valid_semicolon_csv_with_decimal_commas():
    parsed = parse_offer_csv(generate_csv(variant_ids=[1, 2], lines=40), max_lines=100)
    assert (parsed.delimiter, parsed.lines, parsed.errors) == (";", 40, [])
    assert len({(c.variant_id, c.grade, c.battery_tier, c.parts_provenance) for c in parsed.changes}) == 40


def test_the_ingest_scenario_runs_every_step_and_cleans_up(tmp_path, settings):
    settings.RELOOP_STRICT_EVENTS = True
    for _ in range(3):
        VariantFactory()
    report = tmp_path / "ingest.json"
    out = StringIO()
    call_command(
        "bench",
        "--ingest",
        "--skip-seed",
        "--csv-lines",
        "30",
        "--bulk-rows",
        "40",
        "--http-rows",
        "12",
        "--json",
        str(report),
        stdout=out,
    )
    data = json.loads(report.read_text())
    steps = {t["name"]: t for t in data["timings"]}
    assert steps["CSV create: apply"]["rows"] == 30
    assert steps["CSV update: apply"]["note"] == "0 created, 30 updated"
    assert steps["bulk update"]["rows"] == 40
    assert steps["HTTP bulk update"]["rows"] == 12
    assert all(t["rows_per_s"] > 0 for t in data["timings"])
    assert "| bulk update | 40 |" in out.getvalue()
    # nothing of the run is left behind
    assert not Seller.objects.exists()
    assert not Offer.objects.exists()
    assert not OfferImport.objects.exists()
    assert not SellerToken.objects.exists()
    assert not StaleBuyBox.objects.exists()  # the API calls' buy boxes were ranked inside the timing
