"""The emails of a trade-in: one plain-text message at each step, after commit, to the customer (in the quote's
market language) and, where it has something to do, the refurbisher's members or the operator
(``RELOOP_AFTERSALES_EMAIL``). A failing mail server is logged and never undoes the step."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reloop.core.money import Money
from reloop.markets.registry import get_market
from reloop.notifications.site import site_root

logger = logging.getLogger(__name__)

STEPS = (
    "accepted",
    "shipped",
    "received",
    "blocked",
    "counter_offered",
    "paid",
    "refused",
    "returned",
    "escalated",
    "decided",
)
SELLER_STEPS = frozenset({"accepted", "shipped", "refused", "decided"})
OPERATOR_STEPS = frozenset({"blocked", "escalated"})


def on_commit(tradein_id: int, step: str) -> None:
    if step not in STEPS:
        raise ValueError(f"unknown trade-in email {step!r}")
    transaction.on_commit(lambda: send(tradein_id, step), robust=True)


def _customer_text(step: str, number: str, amount: str, counter: str) -> tuple[str, str]:
    texts = {
        "accepted": (
            _("Your trade-in %(number)s: print your prepaid label"),
            _(
                "Thank you! Pack your device as the guide shows, stick the prepaid label on the parcel and drop it off "
                "within 21 days. We will pay you %(amount)s once the refurbisher has checked it."
            ),
        ),
        "shipped": (_("Your trade-in %(number)s is on its way"), _("We will tell you when the refurbisher has it.")),
        "received": (
            _("Your trade-in %(number)s has arrived"),
            _("The refurbisher checks it within 2 business days."),
        ),
        "blocked": (
            _("Your trade-in %(number)s is on hold"),
            _(
                "A device check did not pass (blocklist or lock). Our team looks into it and will write to you; "
                "nothing is paid until it is cleared."
            ),
        ),
        "counter_offered": (
            _("Your trade-in %(number)s: a new offer"),
            _(
                "The refurbisher found the device in another condition and offers %(counter)s. Accept it, or refuse "
                "and get your device back free of charge."
            ),
        ),
        "paid": (_("Your trade-in %(number)s is paid"), _("We have paid you %(amount)s.")),
        "refused": (
            _("Your trade-in %(number)s: your device comes back"),
            _("You refused the new offer: the refurbisher sends your device back free of charge."),
        ),
        "returned": (
            _("Your trade-in %(number)s: your device was sent back"),
            _("Follow the parcel from your trade-in page."),
        ),
        "escalated": (
            _("Your trade-in %(number)s: our team is looking into it"),
            _("A step took longer than it should; our team follows it up."),
        ),
        "decided": (
            _("Your trade-in %(number)s: our team has decided"),
            _("See the outcome on your trade-in page."),
        ),
    }
    subject, body = texts[step]
    values = {"number": number, "amount": amount, "counter": counter}
    return str(subject) % values, str(body) % values


def _link(name: str, number: str, language: str) -> str:
    with translation.override(language):
        try:
            path = reverse(name, kwargs={"number": number})
        except NoReverseMatch:
            return ""
    return site_root() + path


def send(tradein_id: int, step: str) -> int:
    from reloop.buyback.models import TradeIn
    from reloop.sellers.models import SellerMember

    tradein = TradeIn.objects.select_related("customer", "seller").get(pk=tradein_id)
    market = get_market(tradein.market)
    amount = Money(tradein.agreed_amount or tradein.quoted_amount, tradein.currency).format(market.locale)
    counter = Money(tradein.counter_amount, tradein.currency).format(market.locale) if tradein.counter_amount else ""
    sent = 0
    if tradein.customer.email:
        with translation.override(tradein.market):
            subject, body = _customer_text(step, tradein.number, amount, counter)
            link = _link("web:tradein", tradein.number, tradein.market)
        sent += send_mail(subject, f"{body}\n\n{link}\n", None, [tradein.customer.email], fail_silently=False)
    if step in SELLER_STEPS:
        emails = [
            email
            for email in SellerMember.objects.filter(seller=tradein.seller, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
            if email
        ]
        if emails:
            link = site_root() + reverse("seller:tradein", kwargs={"number": tradein.number})
            subject = f"Trade-in {tradein.number}: {step.replace('_', ' ')}"
            sent += send_mail(subject, f"{subject}\n\n{link}\n", None, emails, fail_silently=False)
    if step in OPERATOR_STEPS:
        operators = list(getattr(settings, "RELOOP_AFTERSALES_EMAIL", []) or [])
        if operators:
            subject = f"Trade-in {tradein.number} needs the operator ({tradein.escalation or step})"
            sent += send_mail(subject, subject, None, operators, fail_silently=False)
    return sent
