"""Operator pages (platform staff) at ``/operator/``: each area adds its routes here.

Every view is wrapped in ``operator.operator_required(permission)``: anonymous → admin sign-in, signed in
without staff status or the permission → 403.
"""

from django.urls import path  # noqa: F401  # used as areas add their routes

app_name = "operator"

urlpatterns: list = []
