"""The seller back office, at ``/seller/`` (outside the market prefix: a seller sells in every market).

Each area declares its routes here and adds its menu entry to ``backoffice.NAV`` in display order.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from reloop.web import seller_views
from reloop.web.backoffice import NAV, NavItem

app_name = "seller"

NAV.extend([NavItem("dashboard", _("Dashboard"))])

urlpatterns = [
    path("", seller_views.dashboard, name="dashboard"),
]
