"""The JSON API (django-ninja); the OpenAPI document is served at /api/openapi.json and shown at /api/docs."""

from ninja import NinjaAPI

from reloop.api.catalog import router as catalog_router
from reloop.api.errors import install_error_handlers
from reloop.api.offers import router as offers_router
from reloop.api.seller import router as seller_router

api = NinjaAPI(
    title="Reloop API",
    version="1",
    description=(
        "Public catalogue of refurbishable devices, per market. Every error is a 4xx with a stable `code` "
        "and a human-readable `message`."
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/catalog/", offers_router)
api.add_router("/v1/seller/", seller_router)
