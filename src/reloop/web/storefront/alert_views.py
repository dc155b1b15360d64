"""Price alerts and favourites pages (search.alerts does the work): set an alert from a product, confirm it
(double opt-in), stop it from the email without signing in, list and re-arm alerts, keep favourites."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.core.errors import InvalidInput, NotFound
from reloop.core.money import Money
from reloop.search import alerts
from reloop.search.models import PriceAlert


class AlertForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email"), required=False, max_length=254)
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade"), required=False, choices=[("", gettext_lazy("Any grade")), *Grade.choices]
    )
    target = forms.DecimalField(
        label=gettext_lazy("Email me when the price is at or below"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )


def _variant(request: HttpRequest) -> Variant:
    raw = request.GET.get("variant") or request.POST.get("variant") or ""
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12):
        raise Http404("No such product")
    variant = Variant.objects.select_related("product_model__brand").filter(pk=int(raw)).first()
    if variant is None:
        raise Http404("No such product")
    return variant


@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    """The alert form for one variant (``?variant=<id>&grade=<grade>``); POST saves it."""
    variant = _variant(request)
    market = request.market  # type: ignore[attr-defined]
    signed_in = request.user.is_authenticated
    form = AlertForm(request.POST or None, initial={"grade": request.GET.get("grade", "")})
    if request.method == "POST" and form.is_valid():
        if not signed_in and not form.cleaned_data["email"]:
            form.add_error("email", _("Enter your email address."))
        else:
            try:
                target = Money.from_major(form.cleaned_data["target"], market.currency).amount
                alert = alerts.create_price_alert(
                    actor=request.user if signed_in else None,  # type: ignore[arg-type]
                    email=form.cleaned_data["email"] or "",
                    variant_id=variant.pk,
                    grade=form.cleaned_data["grade"] or "",
                    market=market.code,
                    target_price=target,
                )
            except (InvalidInput, InvalidOperation) as exc:
                form.add_error(None, str(exc))
            else:
                if alert.confirmed_at is None:
                    messages.info(request, _("Check your inbox: confirm your address to start the alert."))
                else:
                    messages.success(request, _("Price alert saved. We will email you once when the price drops."))
                url = reverse("web:product", args=[variant.product_model.slug, variant.slug])
                return HttpResponseRedirect(url + (f"?grade={alert.grade}" if alert.grade else ""))
    return render(request, "web/storefront/alerts/new.html", {"form": form, "variant": variant, "signed_in": signed_in})


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: the emailed link shows a button; only the POST confirms (link scanners do not)."""
    if request.method == "POST":
        try:
            alerts.confirm_price_alert(token=token)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        return render(request, "web/storefront/alerts/done.html", {"message": _("Your price alert is on.")})
    if not PriceAlert.objects.filter(confirm_token=token).exists():
        raise Http404("Unknown link")
    return render(request, "web/storefront/alerts/confirm.html", {"action": _("Confirm my price alert")})


@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop an alert from its email, without signing in."""
    if request.method == "POST":
        try:
            alerts.unsubscribe_price_alert(token=token)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        return render(
            request, "web/storefront/alerts/done.html", {"message": _("This price alert is off. No more emails.")}
        )
    if not PriceAlert.objects.filter(unsubscribe_token=token).exists():
        raise Http404("Unknown link")
    return render(request, "web/storefront/alerts/confirm.html", {"action": _("Stop this price alert")})


@login_required
@require_http_methods(["GET"])
def my_alerts(request: HttpRequest) -> HttpResponse:
    market = request.market  # type: ignore[attr-defined]
    return render(
        request,
        "web/storefront/alerts/list.html",
        {
            "alerts": list(alerts.alerts_of(user=request.user)),  # type: ignore[arg-type]
            "favourites": alerts.favourites_of(user=request.user, market=market.code),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def alert_rearm(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alerts.rearm_price_alert(actor=request.user, alert_id=alert_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, _("The alert is on again."))
    return HttpResponseRedirect(reverse("web:my_alerts"))


@require_POST
def favourite_toggle(request: HttpRequest, model_id: int) -> HttpResponse:
    """Add or remove a favourite (signed in); a visitor is sent to sign in, then back to the product."""
    if not request.user.is_authenticated:
        back = request.POST.get("next", "")
        back = back if back.startswith("/") and not back.startswith("//") else reverse("web:home")
        return HttpResponseRedirect(f"{reverse('web:login')}?{urlencode({'next': back})}")
    try:
        now = alerts.toggle_favourite(actor=request.user, product_model_id=model_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, _("Added to your favourites.") if now else _("Removed from your favourites."))
    return HttpResponseRedirect(reverse("web:my_alerts"))
