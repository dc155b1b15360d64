"""Price alerts and favourites: the buyer's writes, the job that sends the alerts, and their reads.

An alert fires once: the job disarms it with a conditional update (``armed=True`` → ``False``) before sending, so
two runs (or two workers) never send it twice; it stays quiet until the buyer re-arms it. Emails go out after
commit. Anonymous alerts wait for the address to be confirmed (double opt-in); every email carries an
unsubscribe link that works without signing in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reloop.accounts.models import User
from reloop.catalog.grading import Grade
from reloop.catalog.models import ProductModel, Variant
from reloop.core import clock
from reloop.core.errors import InvalidInput, NotFound
from reloop.core.money import Money
from reloop.markets.registry import UnknownMarket, get_market
from reloop.notifications.site import site_root
from reloop.pricing.models import BuyBoxSnapshot
from reloop.search.models import Favourite, PriceAlert


class InvalidAlert(InvalidInput):
    code = "invalid_price_alert"


def _token() -> str:
    return secrets.token_urlsafe(32)


def _site() -> str:
    return site_root()


@transaction.atomic
def create_price_alert(
    *, actor: User | None, email: str, variant_id: int, grade: str, market: str, target_price: int
) -> PriceAlert:
    """Save the wish (a second one for the same variant, grade and market replaces the target and re-arms).

    A signed-in buyer's alert is confirmed at once; an anonymous one is confirmed from the emailed link."""
    if actor is not None and actor.is_authenticated:
        email = actor.email or ""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidAlert("Enter a valid email address.") from None
    if grade and grade not in Grade.values:
        raise InvalidAlert("Unknown grade.")
    try:
        currency = get_market(market).currency
    except UnknownMarket:
        raise InvalidAlert("Unknown market.") from None
    if target_price <= 0:
        raise InvalidAlert("The target price must be above zero.")
    if not Variant.objects.filter(pk=variant_id).exists():
        raise NotFound("No such product.")
    signed_in = actor is not None and actor.is_authenticated
    alert, created = PriceAlert.objects.get_or_create(
        email=email,
        variant_id=variant_id,
        grade=grade,
        market=market,
        defaults={
            "user": actor if signed_in else None,
            "currency": currency,
            "target_price": target_price,
            "confirm_token": _token(),
            "unsubscribe_token": _token(),
            "confirmed_at": clock.now() if signed_in else None,
        },
    )
    if not created:
        alert.target_price = target_price
        alert.armed = True
        alert.unsubscribed_at = None
        if signed_in and alert.confirmed_at is None:
            alert.confirmed_at = clock.now()
        alert.save(update_fields=["target_price", "armed", "unsubscribed_at", "confirmed_at"])
    if alert.confirmed_at is None:
        alert_id, language = alert.pk, translation.get_language() or market
        transaction.on_commit(lambda: _send_confirmation(alert_id, language))
    return alert


def _send_confirmation(alert_id: int, language: str) -> None:
    alert = PriceAlert.objects.select_related("variant__product_model__brand").get(pk=alert_id)
    with translation.override(language):
        context = {
            "alert": alert,
            "product": f"{alert.variant.product_model.title} {alert.variant.label}",
            "target": Money(alert.target_price, alert.currency).format(get_market(alert.market).locale),
            "confirm_url": _site() + reverse("web:price_alert_confirm", args=[alert.confirm_token]),
            "unsubscribe_url": _site() + reverse("web:price_alert_unsubscribe", args=[alert.unsubscribe_token]),
        }
        subject = render_to_string("search/email/alert_confirm_subject.txt", context).strip()
        body = render_to_string("search/email/alert_confirm.txt", context)
    send_mail(subject, body, None, [alert.email])


@transaction.atomic
def confirm_price_alert(*, token: str) -> PriceAlert:
    """The address is confirmed (double opt-in): the alert starts watching. Clicking twice changes nothing."""
    alert = PriceAlert.objects.filter(confirm_token=token).first()
    if alert is None:
        raise NotFound("This confirmation link is not valid.")
    PriceAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(confirmed_at=clock.now())
    alert.refresh_from_db()
    return alert


@transaction.atomic
def unsubscribe_price_alert(*, token: str) -> PriceAlert:
    """Stop the alert from the email's link, without signing in. Idempotent."""
    alert = PriceAlert.objects.filter(unsubscribe_token=token).first()
    if alert is None:
        raise NotFound("This link is not valid.")
    PriceAlert.objects.filter(pk=alert.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=clock.now(), armed=False
    )
    alert.refresh_from_db()
    return alert


@transaction.atomic
def rearm_price_alert(*, actor: User, alert_id: int) -> PriceAlert:
    """The buyer asks to be told again (their own alert only)."""
    updated = PriceAlert.objects.filter(pk=alert_id, user=actor).update(armed=True, unsubscribed_at=None)
    if not updated:
        raise NotFound("No such alert.")
    return PriceAlert.objects.get(pk=alert_id)


def current_price(alert: PriceAlert) -> int | None:
    """The buy-box price the alert watches: its grade's, or the lowest of every grade."""
    qs = BuyBoxSnapshot.objects.filter(variant_id=alert.variant_id, market=alert.market)
    if alert.grade:
        qs = qs.filter(grade=alert.grade)
    return qs.aggregate(lowest=Min("price"))["lowest"]


def send_price_alerts() -> int:
    """The job: every confirmed, armed alert whose buy box is at or below its target gets one email.

    Idempotent and safe in two processes: each alert is disarmed by one conditional UPDATE before its email is
    sent after commit; a run that loses the race sends nothing."""
    sent = 0
    due = PriceAlert.objects.filter(armed=True, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
    for alert in due.select_related("variant__product_model__brand").order_by("pk").iterator():
        price = current_price(alert)
        if price is None or price > alert.target_price:
            continue
        with transaction.atomic():
            won = PriceAlert.objects.filter(pk=alert.pk, armed=True).update(
                armed=False, fired_at=clock.now(), fired_price=price
            )
            if won:
                transaction.on_commit(partial(_send_alert, alert.pk))
                sent += 1
    return sent


def _send_alert(alert_id: int) -> None:
    alert = PriceAlert.objects.select_related("variant__product_model__brand").get(pk=alert_id)
    market = get_market(alert.market)
    with translation.override(market.code):
        url = reverse("web:product", args=[alert.variant.product_model.slug, alert.variant.slug])
        context = {
            "product": f"{alert.variant.product_model.title} {alert.variant.label}",
            "price": Money(alert.fired_price or 0, alert.currency).format(market.locale),
            "target": Money(alert.target_price, alert.currency).format(market.locale),
            "url": _site() + url + (f"?grade={alert.grade}" if alert.grade else ""),
            "unsubscribe_url": _site() + reverse("web:price_alert_unsubscribe", args=[alert.unsubscribe_token]),
        }
        subject = render_to_string("search/email/alert_fired_subject.txt", context).strip()
        body = render_to_string("search/email/alert_fired.txt", context)
    send_mail(subject, body, None, [alert.email])


def alerts_of(*, user: User) -> QuerySet[PriceAlert]:
    """A buyer's own alerts with their product (one query)."""
    return PriceAlert.objects.filter(user=user).select_related("variant__product_model__brand")


# --- Favourites -----------------------------------------------------------------------------------------


@transaction.atomic
def toggle_favourite(*, actor: User, product_model_id: int) -> bool:
    """Add the model to the buyer's favourites, or remove it; returns whether it is now a favourite."""
    if not ProductModel.objects.filter(pk=product_model_id).exists():
        raise NotFound("No such product.")
    deleted, _ = Favourite.objects.filter(user=actor, product_model_id=product_model_id).delete()
    if deleted:
        return False
    Favourite.objects.get_or_create(user=actor, product_model_id=product_model_id)
    return True


@dataclass(frozen=True)
class FavouriteLine:
    favourite: Favourite
    lowest_price: int | None


def favourites_of(*, user: User, market: str) -> list[FavouriteLine]:
    """The buyer's favourites with the lowest buy-box price in ``market`` (two queries)."""
    favourites = list(Favourite.objects.filter(user=user).select_related("product_model__brand"))
    ids = [f.product_model_id for f in favourites]
    prices = dict(
        BuyBoxSnapshot.objects.filter(Q(variant__product_model_id__in=ids), market=market)
        .values("variant__product_model_id")
        .annotate(lowest=Min("price"))
        .order_by()
        .values_list("variant__product_model_id", "lowest")
    )
    return [FavouriteLine(f, prices.get(f.product_model_id)) for f in favourites]
