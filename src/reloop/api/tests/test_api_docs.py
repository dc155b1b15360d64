"""The API docs page works offline: Swagger UI comes from the package's static files, never a CDN; and the
OpenAPI document lists the buyer and operator APIs with their examples."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()
    response = client.get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200
    response.close()  # a streamed file


def test_the_openapi_document_has_the_buyer_and_operator_apis_with_examples():
    from reloop.api.urls import api

    schema = api.get_openapi_schema()
    paths = schema["paths"]
    assert "/api/v1/buyer/checkout" in paths
    assert "/api/v1/operator/cases/{case_id}/decision" in paths
    checkout = paths["/api/v1/buyer/checkout"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in checkout["parameters"])
    token = schema["components"]["schemas"]["TokenIn"]["properties"]["email"]
    assert token["examples"] == ["ada@example.com"]
