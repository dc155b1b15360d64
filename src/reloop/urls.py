"""Top-level routes: the storefront under a market prefix (``/fr-fr/…``), the API and the admin outside it."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from reloop.api.urls import api
from reloop.ops import runtime_views
from reloop.payments import views as payment_views
from reloop.web import views as web_views
from reloop.web.console import ledger_views
from reloop.web.storefront import media_views, seo_views

handler500 = "reloop.web.error_views.server_error"  # the 500 page in the market's language

urlpatterns = [
    path("", web_views.choose_market, name="root"),
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", runtime_views.readyz, name="readyz"),
    path("metrics", runtime_views.metrics, name="metrics"),
    path("robots.txt", seo_views.robots, name="robots"),
    path("media/<path:name>", media_views.catalogue_image, name="catalogue_image"),
    path("sitemap.xml", seo_views.sitemap_index, name="sitemap_index"),
    path("sitemaps/<slug:market>/<slug:slug>.xml", seo_views.sitemap_section, name="sitemap_section"),
    path("market/<slug:code>/", web_views.switch_market, name="switch_market"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("payments/webhooks/<slug:provider>", payment_views.webhook, name="payment_webhook"),
    path("_provider/", include("reloop.payments.provider_urls")),  # the payment providers' pages
    path("operator/ledger/", ledger_views.ledger, name="operator_ledger"),
    path("operator/", include("reloop.web.console.urls")),
    path("seller/", include("reloop.web.backoffice.urls")),
]
urlpatterns += i18n_patterns(path("", include("reloop.web.storefront.urls")), prefix_default_language=True)
