"""The JSON API (django-ninja); the OpenAPI document is served at /api/openapi.json and shown at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from reloop.api import (
    seller_offer_writes,  # noqa: F401  # registers the offer writes on the seller router
    seller_units,  # noqa: F401  # registers the unit passport routes on the seller router
)
from reloop.api.buyer import router as buyer_router
from reloop.api.catalog import router as catalog_router
from reloop.api.errors import install_error_handlers
from reloop.api.offers import router as offers_router
from reloop.api.operator import router as operator_router
from reloop.api.ratelimit import stamp_headers
from reloop.api.seller import router as seller_router
from reloop.api.seller_bulk import router as seller_bulk_router
from reloop.api.seller_invoices import router as seller_invoices_router
from reloop.api.seller_orders import router as seller_orders_router
from reloop.api.seller_tradeins import router as seller_tradeins_router


class ReloopAPI(NinjaAPI):
    """Every answer of a rate-limited route carries its ``X-RateLimit-*`` headers, errors included."""

    def create_response(self, request: HttpRequest, data: Any, **kwargs: Any) -> HttpResponse:
        return stamp_headers(request, super().create_response(request, data, **kwargs))


api = ReloopAPI(
    title="Reloop API",
    version="1",
    description=(
        "Public catalogue of refurbishable devices, per market, and the seller API (token auth, idempotency keys, "
        "rate limits: see docs/seller-api.md). Every error is a 4xx with a stable `code` and a human-readable "
        "`message`."
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/buyer/", buyer_router)
api.add_router("/v1/operator/", operator_router)
api.add_router("/v1/catalog/", offers_router)
# Before the seller router: its "/offers/{offer_id}" would otherwise also match "/offers/bulk".
api.add_router("/v1/seller/", seller_bulk_router)
api.add_router("/v1/seller/", seller_router)
api.add_router("/v1/seller/", seller_orders_router)
api.add_router("/v1/seller/", seller_invoices_router)
api.add_router("/v1/seller/", seller_tradeins_router)
