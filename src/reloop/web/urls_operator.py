"""Operator pages (platform staff) at ``/operator/``: each area adds its routes here.

Every view is wrapped in ``operator.operator_required(permission)``: anonymous → admin sign-in, signed in
without staff status or the permission → 403.
"""

from django.urls import path

from reloop.web import (
    operator_case_views,
    operator_console,
    operator_emails,
    operator_legal_views,
    operator_payouts,
    operator_sellers,
    review_views,
)
from reloop.web import operator_tradein_views as tradeins

app_name = "operator"

urlpatterns: list = [
    # The console (web/operator_console.py; roles in console/roles.py)
    path("", operator_console.home, name="home"),
    path("charts/<slug:name>.csv", operator_console.chart_csv, name="chart_csv"),
    path("markets.csv", operator_console.markets_csv, name="markets_csv"),
    path("directory/", operator_console.seller_directory, name="seller_directory"),
    path("directory/<slug:slug>/", operator_console.seller_360, name="seller_360"),
    path("search/", operator_console.search, name="search"),
    path("impact/export.csv", operator_console.impact_export, name="impact_export"),
    # Seller vetting (sellers.change_sellerapplication)
    path("sellers/", operator_sellers.applications, name="seller_applications"),
    path("sellers/applications/<int:application_id>/", operator_sellers.application, name="seller_application"),
    path(
        "sellers/applications/<int:application_id>/approve/",
        operator_sellers.application_approve,
        name="seller_application_approve",
    ),
    path(
        "sellers/applications/<int:application_id>/reject/",
        operator_sellers.application_reject,
        name="seller_application_reject",
    ),
    path("sellers/<slug:slug>/", operator_sellers.seller, name="seller"),
    # After-sales cases (aftersales.view_case; deciding: aftersales.change_case)
    path("cases/", operator_case_views.case_list, name="cases"),
    path("cases/<int:case_id>/", operator_case_views.case_detail, name="case"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", operator_case_views.case_photo, name="case_photo"),
    # Review moderation (reviews.moderate_review)
    path("reviews/", review_views.moderation, name="reviews"),
    path("reviews/hide/", review_views.hide, name="reviews_hide"),
    path("reviews/restore/", review_views.restore, name="reviews_restore"),
    # Trade-ins escalated to the operator (buyback.view_tradein; deciding: buyback.change_tradein)
    path("trade-ins/", tradeins.queue, name="tradeins"),
    path("trade-ins/<str:number>/", tradeins.detail, name="tradein"),
    path("trade-ins/<str:number>/photos/<int:photo_id>/", tradeins.photo, name="tradein_photo"),
    # Payout report and its CSV export (payments.view_payout)
    path("payouts/", operator_payouts.payout_report, name="payouts"),
    path("payouts/export.csv", operator_payouts.payout_export, name="payouts_export"),
    path("emails/", operator_emails.email_log, name="emails"),
    path("emails/<int:message_id>/", operator_emails.email_detail, name="email"),
    path("emails/<int:message_id>/html/", operator_emails.email_html, name="email_html"),
    path("emails/preview/<path:template>/", operator_emails.email_preview, name="email_preview"),
    # Legal texts and DSA notices (legal.view_legalversion / change_legalversion; view_noticereport / decide_)
    path("legal/", operator_legal_views.documents, name="legal"),
    path("legal/versions/<int:version_id>/", operator_legal_views.version, name="legal_version"),
    path(
        "legal/versions/<int:version_id>/publish/", operator_legal_views.version_publish, name="legal_version_publish"
    ),
    path("legal/<slug:market>/<slug:kind>/", operator_legal_views.document, name="legal_document"),
    path("legal/<slug:market>/<slug:kind>/draft/", operator_legal_views.draft_start, name="legal_draft_start"),
    path("notices/", operator_legal_views.notices, name="notices"),
    path("notices/<int:notice_id>/", operator_legal_views.notice, name="notice"),
]
