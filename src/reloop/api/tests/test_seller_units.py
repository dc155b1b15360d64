"""Unit passports through the Seller API and the unit CSV: exact outcomes, refusals with their codes, nothing
written on a refusal, idempotent retries, and one seller never seeing another's units."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reloop.api.tests.helpers import call
from reloop.devices.tests.factories import BAD_IMEI, imei
from reloop.passports.csv_io import import_units
from reloop.passports.models import OfferUnit
from reloop.passports.tests.factories import phone_offer
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

UNIT = {
    "unit": imei(1),
    "battery_health": 94,
    "battery_cycles": 212,
    "parts": [{"part": "screen", "provenance": "original"}],
    "tests": [{"test": "display", "passed": True}],
    "erasure_method": "blancco",
    "erasure_certificate": "BL-2026-000123",
    "carrier_unlocked": True,
    "activation_lock_off": True,
    "mdm_free": True,
}


@pytest.fixture
def w(client):
    seller = SellerFactory(name="Alpha")
    offer = phone_offer(seller=seller, stock=3)
    _, key = create_seller_token(seller=seller, name="sync")
    rival = SellerFactory(name="Rival", slug="rival")
    _, rival_key = create_seller_token(seller=rival, name="sync")
    return {"client": client, "seller": seller, "offer": offer, "key": key, "rival_key": rival_key}


class TestSellerApi:
    def test_units_are_listed_and_a_retry_with_the_same_key_is_answered_the_same(self, w):
        path = f"/offers/{w['offer'].pk}/units"
        first = call(w["client"], "post", path, w["key"], {"units": [UNIT]}, idem="units-1")
        assert first.status_code == 200
        body = first.json()
        assert (body["created"], body["updated"], body["unchanged"], body["moved"]) == (1, 0, 0, 0)
        unit = body["units"][0]
        assert (unit["unit"], unit["kind"], unit["status"], unit["battery_health"]) == (
            imei(1),
            "imei",
            "available",
            94,
        )
        assert unit["parts"] == [{"part": "screen", "provenance": "original"}]
        replay = call(w["client"], "post", path, w["key"], {"units": [UNIT]}, idem="units-1")
        assert replay.status_code == 200
        assert replay["Idempotent-Replayed"] == "true"
        assert replay.json() == body
        again = call(w["client"], "post", path, w["key"], {"units": [UNIT]})  # a new key: nothing changes
        assert again.json()["unchanged"] == 1
        assert OfferUnit.objects.count() == 1
        listed = call(w["client"], "get", path, w["key"])
        assert [u["unit"] for u in listed.json()] == [imei(1)]

    def test_a_post_without_an_idempotency_key_is_refused(self, w):
        response = call(w["client"], "post", f"/offers/{w['offer'].pk}/units", w["key"], {"units": [UNIT]}, idem=None)
        assert response.status_code == 400
        assert response.json()["code"] == "idempotency_key_required"
        assert OfferUnit.objects.count() == 0

    @pytest.mark.parametrize(
        ("change", "status", "code"),
        [
            ({"unit": BAD_IMEI}, 422, "invalid_imei"),
            ({"battery_health": 101}, 422, "invalid_battery_health"),
            ({"battery_cycles": -1}, 422, "invalid_battery_cycles"),
            ({"erasure_method": "magnet"}, 422, "unknown_erasure_method"),
            ({"parts": [{"part": "screen", "provenance": "aftermarket"}]}, 422, "invalid_input"),
            ({"owner_name": "Jane Doe"}, 422, "invalid_input"),  # no field for personal data: refused, not ignored
        ],
    )
    def test_bad_units_are_refused_with_their_code_and_nothing_is_written(self, w, change, status, code):
        good = {**UNIT, "unit": imei(2)}
        response = call(
            w["client"], "post", f"/offers/{w['offer'].pk}/units", w["key"], {"units": [good, {**UNIT, **change}]}
        )
        assert response.status_code == status
        assert response.json()["code"] == code
        assert OfferUnit.objects.count() == 0

    def test_another_seller_s_offer_and_units_are_not_found(self, w):
        path = f"/offers/{w['offer'].pk}/units"
        created = call(w["client"], "post", path, w["key"], {"units": [UNIT]}).json()["units"][0]
        assert call(w["client"], "get", path, w["rival_key"]).status_code == 404
        assert (
            call(w["client"], "post", path, w["rival_key"], {"units": [{**UNIT, "unit": imei(3)}]}).status_code == 404
        )
        withdraw = call(w["client"], "post", f"/units/{created['id']}/withdraw", w["rival_key"])
        assert withdraw.status_code == 404
        assert withdraw.json()["code"] == "unit_not_found"
        assert OfferUnit.objects.get().status == "available"
        assert call(w["client"], "get", path).status_code == 401  # anonymous

    def test_a_unit_cannot_be_live_on_a_second_offer(self, w):
        call(w["client"], "post", f"/offers/{w['offer'].pk}/units", w["key"], {"units": [UNIT]})
        other = phone_offer(seller=w["seller"])
        response = call(w["client"], "post", f"/offers/{other.pk}/units", w["key"], {"units": [UNIT]})
        assert response.status_code == 409
        assert response.json()["code"] == "unit_on_another_offer"
        assert OfferUnit.objects.count() == 1

    def test_withdrawing_a_unit(self, w):
        created = call(w["client"], "post", f"/offers/{w['offer'].pk}/units", w["key"], {"units": [UNIT]}).json()
        unit_id = created["units"][0]["id"]
        response = call(w["client"], "post", f"/units/{unit_id}/withdraw", w["key"])
        assert response.status_code == 200
        assert response.json()["status"] == "withdrawn"
        assert call(w["client"], "post", f"/units/{unit_id}/withdraw", w["key"]).json()["status"] == "withdrawn"

    def test_the_routes_are_documented_in_the_openapi(self, client):
        schema = client.get("/api/openapi.json").json()
        paths = schema["paths"]
        units = paths["/api/v1/seller/offers/{offer_id}/units"]
        assert {"get", "post"} <= set(units)
        assert "invalid_battery_health" in units["post"]["description"]
        assert "/api/v1/seller/units/{unit_id}/withdraw" in paths


CSV_HEADER = (
    "sku,unit,battery_health,battery_cycles,parts,tests_passed,tests_failed,erasure_method,erasure_certificate,"
    "carrier_unlocked,activation_lock_off,mdm_free\n"
)


class TestUnitCsv:
    def test_a_file_lists_the_units_and_importing_it_again_changes_nothing(self, w):
        sku = w["offer"].sku
        data = (
            CSV_HEADER
            + f"{sku},{imei(1)},91,340,screen:original; battery:certified,display;touch,,blancco,BL-1,yes,yes,yes\n"
            + f"{sku},{imei(2)},96,120,,display,nfc,crypto_erase,,yes,yes,\n"
        ).encode()
        result = import_units(seller=w["seller"], data=data)
        assert result.errors == []
        assert (result.lines, result.report.created, result.offers) == (2, 2, 1)
        first, second = OfferUnit.objects.order_by("pk")
        assert first.parts == [
            {"part": "screen", "provenance": "original"},
            {"part": "battery", "provenance": "certified"},
        ]
        assert (first.carrier_unlocked, first.erasure_certificate) == (True, "BL-1")
        assert second.tests == [{"test": "display", "passed": True}, {"test": "nfc", "passed": False}]
        assert second.mdm_free is None  # empty: not recorded
        again = import_units(seller=w["seller"], data=data)
        assert (again.report.created, again.report.unchanged) == (0, 2)

    def test_every_bad_line_is_reported_and_nothing_is_written(self, w):
        sku = w["offer"].sku
        data = (
            CSV_HEADER
            + f"{sku},{imei(1)},91,,,,,,,,,\n"
            + f"{sku},{BAD_IMEI},91,,,,,,,,,\n"
            + f"{sku},{imei(3)},140,,,,,,,,,\n"
            + f"NOPE,{imei(4)},90,,,,,,,,,\n"
        ).encode()
        result = import_units(seller=w["seller"], data=data)
        assert [(e.line, e.column, e.code) for e in result.errors] == [
            (3, "unit", "invalid_imei"),
            (4, "battery_health", "invalid_battery_health"),
            (5, "sku", "unknown_sku"),
        ]
        assert OfferUnit.objects.count() == 0

    def test_another_seller_s_sku_is_unknown(self, w):
        rival = SellerFactory(name="Other")
        data = (CSV_HEADER + f"{w['offer'].sku},{imei(1)},91,,,,,,,,,\n").encode()
        result = import_units(seller=rival, data=data)
        assert [e.code for e in result.errors] == ["unknown_sku"]
        assert OfferUnit.objects.count() == 0

    def test_the_command_imports_and_exits_non_zero_with_the_lines_to_fix(self, w, tmp_path):
        good = tmp_path / "units.csv"
        good.write_text(CSV_HEADER + f"{w['offer'].sku},{imei(1)},91,,,,,,,,,\n", encoding="utf-8")
        out = StringIO()
        call_command("import_units", str(good), "--seller", w["seller"].slug, stdout=out)
        assert "1 listed" in out.getvalue()
        bad = tmp_path / "bad.csv"
        bad.write_text("sku,unit,colour\nX,Y,red\n", encoding="utf-8")
        with pytest.raises(CommandError, match="unknown_column"):
            call_command("import_units", str(bad), "--seller", w["seller"].slug)
        bad.write_text(CSV_HEADER + f"{w['offer'].sku},{imei(2)},101,,,,,,,,,\n", encoding="utf-8")
        err = StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_units", str(bad), "--seller", w["seller"].slug, stderr=err)
        assert "line 2, battery_health" in err.getvalue()
        assert OfferUnit.objects.count() == 1
