"""Test helpers: staff people holding one role, orders in any market paid on a chosen day, escalated cases."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth.models import Group

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services as aftersales
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import JPEG, delivered_line, photo
from reloop.console.services import sync_roles
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.orders.models import Order
from reloop.orders.services import LineSpec, SellerPart, mark_paid, open_order, record_initial_events

_keys = itertools.count(1)
ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """``core.clock`` and the database's own timestamps (``auto_now_add``, read through ``timezone.now``) at
    ``moment``."""
    with clock.frozen_at(moment), mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def staff_with(role: str | None, *, is_staff: bool = True) -> User:
    """A person with staff status (or not) and the given role's group (or none)."""
    person: User = UserFactory.create(is_staff=is_staff)
    if role is not None:
        sync_roles()  # a transactional test before this one may have flushed the groups the migrations made
        person.groups.add(Group.objects.get(name=role))
    return person


def order_paid(
    *,
    offer: Offer,
    market: str,
    currency: str,
    unit: int,
    quantity: int = 1,
    shipping: int = 0,
    commission: int = 0,
    paid_at: dt.datetime,
    buyer: User | None = None,
    avoided_kgco2e=None,
) -> Order:
    """A paid order of one line of ``offer`` recorded through the orders services at ``paid_at``."""
    with at(paid_at):
        order = open_order(
            buyer=buyer or UserFactory.create(),
            market=market,
            currency=currency,
            idempotency_key=f"console-test-{next(_keys)}",
            reserved_until=paid_at + dt.timedelta(minutes=15),
            shipping_address=ADDRESS,
            parts=[
                SellerPart(
                    seller=offer.seller,
                    shipping_method="standard",
                    shipping=Money(shipping, currency),
                    lines=[
                        LineSpec(
                            offer,
                            quantity,
                            Money(unit, currency),
                            avoided_kgco2e=avoided_kgco2e,
                            commission=Money(commission, currency),
                        )
                    ],
                )
            ],
        )
        mark_paid(order=order, payment_reference=f"ref-{order.number}")
        record_initial_events(order=order)
    return order


def escalated_case() -> tuple[object, Case]:
    """A delivered line whose return the seller left unanswered: escalated to the operator."""
    sale = delivered_line()
    case = aftersales.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="Dead.", photos=[photo(JPEG)]
    )
    aftersales.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1))
    return sale, Case.objects.get(pk=case.pk)
