"""Seller back office: the dashboard. Views parse, authorize (``seller_required``), call selectors and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.web.backoffice import seller_of, seller_required


@require_safe
@seller_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/seller/dashboard.html", {"seller": seller_of(request)})
