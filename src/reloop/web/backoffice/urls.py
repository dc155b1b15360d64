"""The seller back office, at ``/seller/`` (outside the market prefix: a seller sells in every market).

Each area declares its routes here and adds its menu entry to ``backoffice.shell.NAV`` in display order.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from reloop.web.backoffice import case_views as cases
from reloop.web.backoffice import (
    dashboard_views,
    insights_views,
    invoice_views,
    offer_views,
    order_views,
    quality_views,
    review_views,
)
from reloop.web.backoffice import import_views as imports
from reloop.web.backoffice import offer_photo_views as offer_photos
from reloop.web.backoffice import onboarding_views as onboarding
from reloop.web.backoffice import payout_views as payouts
from reloop.web.backoffice import team_views as team
from reloop.web.backoffice import tradein_views as tradeins
from reloop.web.backoffice import unit_views as units
from reloop.web.backoffice.shell import NAV, NavItem

app_name = "seller"

NAV.extend([NavItem("dashboard", _("Dashboard")), NavItem("insights", _("Insights"))])
NAV.extend([NavItem("offers", _("Offers")), NavItem("orders", _("Orders"))])
NAV.extend([NavItem("offers_import", _("Import / export"))])
NAV.extend([NavItem("returns", _("Returns & claims"))])
NAV.extend([NavItem("tradeins", _("Trade-ins"))])
NAV.extend([NavItem("reviews", _("Reviews")), NavItem("quality", _("Quality"))])
NAV.extend([NavItem("payouts", _("Payouts"), owner_only=True)])  # owners only: where the money goes
NAV.extend([NavItem("team", _("Team"), owner_only=True), NavItem("api_tokens", _("API keys"), owner_only=True)])

urlpatterns = [
    # Trade-in (backoffice/tradein_views.py): buy prices, the queue, one trade-in
    path("trade-in/", tradeins.tradein_list, name="tradeins"),
    path("trade-in/buy-prices/", tradeins.bids, name="tradein_bids"),
    path("trade-in/buy-prices/export.csv", tradeins.bids_export, name="tradein_bids_export"),
    path("trade-in/<str:number>/", tradeins.tradein_detail, name="tradein"),
    path("trade-in/<str:number>/photos/<int:photo_id>/", tradeins.photo, name="tradein_photo"),
    # Returns and warranty claims (backoffice/case_views.py)
    path("returns/", cases.case_list, name="returns"),
    path("returns/<int:case_id>/", cases.case_detail, name="case"),
    path("returns/<int:case_id>/photos/<int:photo_id>/", cases.case_photo, name="case_photo"),
    # Onboarding and the team (owners only), API keys (owners only)
    path("apply/", onboarding.apply, name="apply"),
    path("invitations/<str:token>/", onboarding.accept_invitation, name="invitation"),
    path("team/", team.team, name="team"),
    path("team/members/<int:member_id>/role/", team.member_role, name="member_role"),
    path("team/members/<int:member_id>/remove/", team.member_remove, name="member_remove"),
    path("team/invitations/<int:invitation_id>/revoke/", team.invitation_revoke, name="invitation_revoke"),
    path("api-tokens/", team.api_tokens, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", team.api_token_revoke, name="api_token_revoke"),
    path("", dashboard_views.dashboard, name="dashboard"),
    path("offers/", offer_views.offer_list, name="offers"),
    path("offers/new/", offer_views.offer_new, name="offer_new"),
    # Charts of sales, buy boxes and quality (web/insights_views.py)
    path("insights/", insights_views.insights, name="insights"),
    path("insights/<slug:name>.csv", insights_views.insights_csv, name="insights_csv"),
    # CSV export and import (backoffice/import_views.py, docs/offer-import.md)
    path("offers/export.csv", imports.offers_export, name="offers_export"),
    path("offers/import/", imports.offers_import, name="offers_import"),
    path("offers/import/<int:import_id>/", imports.offers_import_report, name="offers_import_report"),
    path("offers/import/<int:import_id>/status/", imports.offers_import_status, name="offers_import_status"),
    path("offers/import/<int:import_id>/apply/", imports.offers_import_apply, name="offers_import_apply"),
    path("offers/import/<int:import_id>/errors.csv", imports.offers_import_errors, name="offers_import_errors"),
    path("offers/<int:offer_id>/", offer_views.offer_detail, name="offer"),
    path("offers/<int:offer_id>/row/", offer_views.offer_row, name="offer_row"),
    path("offers/<int:offer_id>/active/", offer_views.offer_active, name="offer_active"),
    path("offers/<int:offer_id>/units/", units.offer_units, name="offer_units"),
    path("offers/<int:offer_id>/photos/", offer_photos.offer_photo_add, name="offer_photo_add"),
    path(
        "offers/<int:offer_id>/photos/<int:photo_id>/delete/",
        offer_photos.offer_photo_delete,
        name="offer_photo_delete",
    ),
    path("orders/", order_views.order_list, name="orders"),
    path("orders/<int:seller_order_id>/", order_views.order_detail, name="order"),
    path("orders/<int:seller_order_id>/accept/", order_views.order_accept, name="order_accept"),
    path("orders/<int:seller_order_id>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("orders/<int:seller_order_id>/ship/", order_views.order_ship, name="order_ship"),
    path("orders/<int:seller_order_id>/packing-slip/", order_views.packing_slip, name="packing_slip"),
    path(
        "orders/<int:seller_order_id>/invoices/<int:invoice_id>.pdf",
        invoice_views.seller_invoice_pdf,
        name="invoice_pdf",
    ),
    # Reviews and quality (backoffice/review_views.py, backoffice/quality_views.py)
    path("reviews/", review_views.seller_reviews, name="reviews"),
    path("reviews/<int:review_id>/reply/", review_views.seller_reply, name="review_reply"),
    path("quality/", quality_views.scorecard, name="quality"),
    # Payouts, owners only (backoffice/payout_views.py, docs/payouts.md)
    path("payouts/", payouts.payout_list, name="payouts"),
    path("payouts/<int:payout_id>/", payouts.payout_detail, name="payout"),
]
