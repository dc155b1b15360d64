"""The storefront's routes, under the market prefix (``/fr-fr/…``); the URL namespace stays ``web``."""

from django.urls import include, path
from django.utils.translation import pgettext_lazy

from reloop.web.storefront import (
    account_views,
    alert_views,
    allin_views,
    checkout_views,
    fulfillment_views,
    impact_views,
    invoice_views,
    legal_views,
    quality_views,
    review_views,
    search_views,
    security_views,
    shop_views,
    views,
)
from reloop.web.storefront import aftersales_views as aftersales
from reloop.web.storefront import tradein_views as tradein

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(pgettext_lazy("url", "search/"), views.search, name="search"),
    path("alerts/", alert_views.my_alerts, name="my_alerts"),
    path("alerts/new/", alert_views.alert_new, name="price_alert_new"),
    path("alerts/confirm/<str:token>/", alert_views.alert_confirm, name="price_alert_confirm"),
    path("alerts/stop/<str:token>/", alert_views.alert_unsubscribe, name="price_alert_unsubscribe"),
    path("alerts/<int:alert_id>/rearm/", alert_views.alert_rearm, name="price_alert_rearm"),
    path("favourites/<int:model_id>/", alert_views.favourite_toggle, name="favourite_toggle"),
    path("search-suggest/", search_views.suggest, name="search_suggest"),
    path(pgettext_lazy("url", "impact/methodology/"), views.methodology, name="methodology"),
    path(pgettext_lazy("url", "impact/"), impact_views.platform_impact, name="impact"),
    path("delivery-state/", allin_views.choose_state, name="choose_state"),
    path(pgettext_lazy("url", "impact/data.csv"), impact_views.platform_impact_csv, name="impact_csv"),
    path(pgettext_lazy("url", "my-impact/"), impact_views.my_impact, name="my_impact"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:model_slug>/", views.product, name="product_default"),
    path("p/<slug:model_slug>/<slug:variant_slug>/", views.product, name="product"),
    path(pgettext_lazy("url", "cart/"), shop_views.cart, name="cart"),
    path(pgettext_lazy("url", "cart/add/"), shop_views.cart_add, name="cart_add"),
    path(pgettext_lazy("url", "cart/lines/<int:line_id>/"), shop_views.cart_update, name="cart_update"),
    path(pgettext_lazy("url", "checkout/"), checkout_views.checkout_page, name="checkout"),
    path(pgettext_lazy("url", "checkout/summary/"), checkout_views.checkout_summary_partial, name="checkout_summary"),
    path(pgettext_lazy("url", "checkout/return/"), checkout_views.checkout_return, name="checkout_return"),
    path(pgettext_lazy("url", "orders/"), shop_views.order_list, name="orders"),
    path(pgettext_lazy("url", "orders/<str:number>/"), shop_views.order_detail, name="order"),
    path("orders/<str:number>/invoices/<int:invoice_id>.pdf", invoice_views.buyer_invoice_pdf, name="invoice_pdf"),
    # After-sales (storefront/aftersales_views.py): returns and warranty claims
    path(
        pgettext_lazy("url", "orders/<str:number>/lines/<int:line_id>/return/"),
        aftersales.case_open,
        name="case_open",
    ),
    path(pgettext_lazy("url", "returns/"), aftersales.case_list, name="cases"),
    path(pgettext_lazy("url", "returns/<int:case_id>/"), aftersales.case_detail, name="case"),
    path(
        pgettext_lazy("url", "returns/<int:case_id>/photos/<int:photo_id>/"),
        aftersales.case_photo,
        name="case_photo",
    ),
    path(
        pgettext_lazy("url", "orders/<str:number>/tracking/<int:seller_order_id>/"),
        fulfillment_views.tracking,
        name="order_tracking",
    ),
    path(
        pgettext_lazy("url", "orders/<str:number>/received/<int:seller_order_id>/"),
        fulfillment_views.confirm_received,
        name="order_received",
    ),
    path(
        pgettext_lazy("url", "orders/<str:number>/lines/<int:line_id>/review/"),
        review_views.write_review,
        name="review_line",
    ),
    path(pgettext_lazy("url", "sellers/<slug:slug>/"), quality_views.seller_page, name="seller"),
    # Trade-in (storefront/tradein_views.py): quote, accept, follow the trade-in
    path(pgettext_lazy("url", "trade-in/"), tradein.start, name="tradein_start"),
    path(pgettext_lazy("url", "trade-in/conditions/"), tradein.conditions, name="tradein_conditions"),
    path(pgettext_lazy("url", "trade-in/offer/<str:quote_id>/"), tradein.quote, name="tradein_quote"),
    path(pgettext_lazy("url", "trade-in/<slug:model_slug>/"), tradein.describe, name="tradein_model"),
    path(pgettext_lazy("url", "trade-ins/"), tradein.tradein_list, name="tradeins"),
    path(pgettext_lazy("url", "trade-ins/<str:number>/"), tradein.tradein_detail, name="tradein"),
    path(pgettext_lazy("url", "trade-ins/<str:number>/label/"), tradein.label, name="tradein_label"),
    path(pgettext_lazy("url", "trade-ins/<str:number>/photos/<int:photo_id>/"), tradein.photo, name="tradein_photo"),
    # Accounts (storefront/account_views.py): /<market>/account/…
    path(
        pgettext_lazy("url", "account/"),
        include(
            [
                path("", account_views.account, name="account"),
                path("sign-in/", account_views.login_view, name="login"),
                path("sign-out/", account_views.logout_view, name="logout"),
                path("sign-up/", account_views.signup, name="signup"),
                path("password-reset/", account_views.password_reset, name="password_reset"),
                path("password-reset/sent/", account_views.password_reset_done, name="password_reset_done"),
                path("password-reset/done/", account_views.password_reset_complete, name="password_reset_complete"),
                path(
                    "password-reset/<uidb64>/<token>/",
                    account_views.password_reset_confirm,
                    name="password_reset_confirm",
                ),
                path("addresses/new/", account_views.address_add, name="address_add"),
                path("addresses/<int:address_id>/", account_views.address_edit, name="address_edit"),
                path("addresses/<int:address_id>/delete/", account_views.address_delete, name="address_delete"),
                path(
                    "addresses/<int:address_id>/default/",
                    account_views.address_make_default,
                    name="address_make_default",
                ),
                # Two-factor authentication (storefront/security_views.py)
                path("security/", security_views.security, name="account_security"),
                path("security/two-factor/", security_views.enrol, name="two_factor_enrol"),
                path("security/two-factor/code/", security_views.verify, name="two_factor_verify"),
                path("security/two-factor/required/", security_views.required, name="two_factor_required"),
                path("security/two-factor/backup-codes/", security_views.backup_codes, name="two_factor_backup_codes"),
                path("security/two-factor/off/", security_views.disable, name="two_factor_disable"),
            ]
        ),
    ),
    # Legal pages and the DSA notice form (storefront/legal_views.py)
    path(pgettext_lazy("url", "legal/<slug:kind>/"), legal_views.legal_page, name="legal"),
    path(pgettext_lazy("url", "report-illegal-content/"), legal_views.notice_form, name="notice"),
    path(pgettext_lazy("url", "report-illegal-content/sent/"), legal_views.notice_sent, name="notice_sent"),
]
