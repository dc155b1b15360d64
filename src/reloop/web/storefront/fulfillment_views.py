"""The buyer's side of a parcel: its tracking page and "I received it". Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reloop.core.errors import DomainError
from reloop.devices.selectors import passports
from reloop.fulfillment import services as fulfillment
from reloop.fulfillment.conf import carrier_tracking
from reloop.orders import selectors as orders
from reloop.orders.errors import OrderNotFound


@login_required
@require_safe
def tracking(request: HttpRequest, number: str, seller_order_id: int) -> HttpResponse:
    try:
        order = orders.buyer_order(buyer=request.user, number=number, with_units=True)  # type: ignore[arg-type]
    except OrderNotFound as exc:
        raise Http404(str(exc)) from exc
    part = next((p for p in order.seller_orders.all() if p.pk == seller_order_id), None)
    if part is None:
        raise Http404("No such parcel in this order")
    device_ids = [unit.device_id for shipment in part.shipments.all() for unit in shipment.unit_rows.all()]
    return render(
        request,
        "web/storefront/order/tracking.html",
        {
            "order": order,
            "part": part,
            "simulated_tracking": carrier_tracking() == "simulated",
            "passports": passports(device_ids),  # the device passport of each unit (one query)
        },
    )


@login_required
@require_POST
def confirm_received(request: HttpRequest, number: str, seller_order_id: int) -> HttpResponse:
    try:
        fulfillment.confirm_delivery(actor=request.user, order_number=number, seller_order_id=seller_order_id)  # type: ignore[arg-type]
    except OrderNotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: we told the seller that your parcel arrived."))
    return HttpResponseRedirect(reverse("web:order", args=[number]) + f"#part-{seller_order_id}")
