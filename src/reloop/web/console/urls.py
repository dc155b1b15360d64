"""Operator pages (platform staff) at ``/operator/``: each area adds its routes here.

Every view is wrapped in ``access.operator_required(permission)``: anonymous → admin sign-in, signed in
without staff status or the permission → 403.
"""

from django.urls import path

from reloop.web.console import (
    case_views,
    email_views,
    legal_views,
    payout_views,
    review_views,
    seller_views,
    views,
)
from reloop.web.console import catalogue_views as catalogue
from reloop.web.console import tradein_views as tradeins

app_name = "operator"

urlpatterns: list = [
    # The console (web/storefront/views.py; roles in console/roles.py)
    path("", views.home, name="home"),
    path("charts/<slug:name>.csv", views.chart_csv, name="chart_csv"),
    path("markets.csv", views.markets_csv, name="markets_csv"),
    path("directory/", views.seller_directory, name="seller_directory"),
    path("directory/<slug:slug>/", views.seller_360, name="seller_360"),
    path("search/", views.search, name="search"),
    path("impact/export.csv", views.impact_export, name="impact_export"),
    # Seller vetting (sellers.change_sellerapplication)
    path("sellers/", seller_views.applications, name="seller_applications"),
    path("sellers/applications/<int:application_id>/", seller_views.application, name="seller_application"),
    path(
        "sellers/applications/<int:application_id>/approve/",
        seller_views.application_approve,
        name="seller_application_approve",
    ),
    path(
        "sellers/applications/<int:application_id>/reject/",
        seller_views.application_reject,
        name="seller_application_reject",
    ),
    path("sellers/<slug:slug>/", seller_views.seller, name="seller"),
    # After-sales cases (aftersales.view_case; deciding: aftersales.change_case)
    path("cases/", case_views.case_list, name="cases"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", case_views.case_photo, name="case_photo"),
    # Review moderation (reviews.moderate_review)
    path("reviews/", review_views.moderation, name="reviews"),
    path("reviews/hide/", review_views.hide, name="reviews_hide"),
    path("reviews/restore/", review_views.restore, name="reviews_restore"),
    # Trade-ins escalated to the operator (buyback.view_tradein; deciding: buyback.change_tradein)
    path("trade-ins/", tradeins.queue, name="tradeins"),
    path("trade-ins/<str:number>/", tradeins.detail, name="tradein"),
    path("trade-ins/<str:number>/photos/<int:photo_id>/", tradeins.photo, name="tradein_photo"),
    # Payout report and its CSV export (payments.view_payout)
    path("payouts/", payout_views.payout_report, name="payouts"),
    path("payouts/export.csv", payout_views.payout_export, name="payouts_export"),
    path("emails/", email_views.email_log, name="emails"),
    path("catalogue/pictures/", catalogue.pictures, name="pictures"),
    path("catalogue/pictures/<int:model_id>/upload/", catalogue.picture_upload, name="picture_upload"),
    path("catalogue/pictures/delete/<int:image_id>/", catalogue.picture_delete, name="picture_delete"),
    path("catalogue/synonyms/", catalogue.synonyms, name="synonyms"),
    path("catalogue/synonyms/<int:synonym_id>/delete/", catalogue.synonym_delete, name="synonym_delete"),
    path("emails/<int:message_id>/", email_views.email_detail, name="email"),
    path("emails/<int:message_id>/html/", email_views.email_html, name="email_html"),
    path("emails/preview/<path:template>/", email_views.email_preview, name="email_preview"),
    # Legal texts and DSA notices (legal.view_legalversion / change_legalversion; view_noticereport / decide_)
    path("legal/", legal_views.documents, name="legal"),
    path("legal/versions/<int:version_id>/", legal_views.version, name="legal_version"),
    path("legal/versions/<int:version_id>/publish/", legal_views.version_publish, name="legal_version_publish"),
    path("legal/<slug:market>/<slug:kind>/", legal_views.document, name="legal_document"),
    path("legal/<slug:market>/<slug:kind>/draft/", legal_views.draft_start, name="legal_draft_start"),
    path("notices/", legal_views.notices, name="notices"),
    path("notices/<int:notice_id>/", legal_views.notice, name="notice"),
]
