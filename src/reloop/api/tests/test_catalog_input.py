"""Public catalogue API, defects found by an adversary (issue 10): a NUL character in a parameter was a 500 on
PostgreSQL; a status a route answers was missing from the OpenAPI document."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import make_models

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/catalog/models?q=a%00b",
        "/api/v1/catalog/models?brand=a%00b",
        "/api/v1/catalog/models?category=a%00b",
        "/api/v1/catalog/models/a%00b",
        "/api/v1/catalog/variants?model=a%00b",
        "/api/v1/catalog/variants?brand=a%00b",
        "/api/v1/catalog/variants?category=a%00b",
        "/api/v1/catalog/categories?market=en%00gb",
    ],
)
def test_a_nul_character_in_any_parameter_is_a_422_not_a_500(client, url):
    make_models(1)
    response = client.get(url)
    assert response.status_code == 422, response.content
    assert "NUL" in response.content.decode()


def test_every_status_a_catalogue_route_answers_is_documented(client):
    # Given an unknown market, every route answers 404 unknown_market...
    make_models(1)
    slug = client.get("/api/v1/catalog/models").json()["items"][0]["slug"]
    answers = {
        "/categories": client.get("/api/v1/catalog/categories?market=xx"),
        "/models": client.get("/api/v1/catalog/models?market=xx"),
        "/models/{slug}": client.get(f"/api/v1/catalog/models/{slug}?market=xx"),
        "/variants": client.get("/api/v1/catalog/variants?market=xx"),
    }
    assert {path: (r.status_code, r.json()["code"]) for path, r in answers.items()} == dict.fromkeys(
        answers, (404, "unknown_market")
    )
    # ...and the OpenAPI document lists 404 and 422 for each of them
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in answers:
        responses = paths[f"/api/v1/catalog{path}"]["get"]["responses"]
        assert {"200", "404", "422"} <= set(responses), (path, sorted(responses))
