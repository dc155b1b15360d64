"""The seller back office, at ``/seller/`` (outside the market prefix: a seller sells in every market).

Each area declares its routes here and adds its menu entry to ``backoffice.NAV`` in display order.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from reloop.web import seller_offer_views, seller_views
from reloop.web.backoffice import NAV, NavItem

app_name = "seller"

NAV.extend([NavItem("dashboard", _("Dashboard"))])
NAV.extend([NavItem("offers", _("Offers"))])

urlpatterns = [
    path("", seller_views.dashboard, name="dashboard"),
    path("offers/", seller_offer_views.offer_list, name="offers"),
    path("offers/new/", seller_offer_views.offer_new, name="offer_new"),
    path("offers/<int:offer_id>/", seller_offer_views.offer_detail, name="offer"),
    path("offers/<int:offer_id>/row/", seller_offer_views.offer_row, name="offer_row"),
    path("offers/<int:offer_id>/active/", seller_offer_views.offer_active, name="offer_active"),
]
