"""Checkouts through several live web processes (``reloop serve``, gunicorn) on PostgreSQL while one of them is
killed with SIGKILL at each step of placement: after the reservation, after the buyer's authorization (before the
capture), after the capture (before placement). The killing process is a real server started with
``RELOOP_TEST_CRASH_AT=<step>`` (``reloop.checkout.crash``): the worker handling the request dies there, gunicorn starts
a new one, and the buyer's HTTP request gets no answer. Two healthy processes serve the other buyers meanwhile.

After the jobs (reconciliation within the hold, then expiry and reconciliation after it), every charge at the
provider has exactly one paid order (captured once, in the ledger once) or kept nothing (never captured, voided,
or refunded in full), stock is exact, and ``check_ledger`` passes (issue 10).

The child processes read the machine's clock, so this test runs the jobs at moments taken from it
(``real_now``), whatever ``RELOOP_TEST_NOW`` says.
"""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from reloop.accounts.tests.factories import UserFactory
from reloop.api.buyer_auth import issue_token
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.crash import STEPS
from reloop.checkout.models import CheckoutPayment
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.settlement import expire_reservations
from reloop.checkout.tests.factories import cart_with
from reloop.core import clock
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.ops.tests.processes import Topology, base_env, real_now
from reloop.ops.tests.services import any_free_port, wait_for_port
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.payments.models import LedgerTransaction, TestCharge
from reloop.payments.providers.testing import CARD_SUCCEEDS, TestProvider
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
STOCK = 12
HEALTHY_BUYERS = 4


def api(port: int, method: str, path: str, token: str, *, key: str, body: object = None) -> tuple[int, dict]:
    """A buyer API call; ``(0, {})`` when the process died under it (no answer at all)."""
    headers = {
        "Host": "127.0.0.1",
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": key,
        "Content-Type": "application/json",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)  # a loaded CI machine boots workers slowly
    try:
        conn.request(method, f"/api/v1/buyer{path}", body=json.dumps(body or {}).encode(), headers=headers)
        response = conn.getresponse()
        status, raw = response.status, response.read()
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead):
        return 0, {}
    finally:
        conn.close()
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {"body": raw[:300].decode(errors="replace")}


def check_out(port: int, token: str, key: str) -> tuple[int, dict]:
    body = {"market": "en-gb", "shipping_address": {**ADDRESS, "country": "GB"}}
    return api(port, "POST", "/checkout", token, key=key, body=body)


def ledger_passes() -> bool:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return "FAILED" not in out.getvalue()


def test_web_processes_killed_at_each_step_of_placement_leave_every_charge_paid_once_or_returned(tmp_path, monkeypatch):
    monkeypatch.setattr(timezone, "now", real_now)  # the servers' clock (see the module docstring)
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=25000, stock=STOCK)
    buyers = {}
    for name in ["healthy-1", "healthy-2", "healthy-3", "healthy-4", *STEPS, "after_capture-late"]:
        user = UserFactory()
        cart_with(buyer=user, items=[(offer, 1)])
        buyers[name] = (user, issue_token(user)[0])

    healthy_ports = [any_free_port(), any_free_port()]
    crash_ports = {step: any_free_port() for step in STEPS}
    env = base_env(tmp_path, SECRET_KEY=settings.SECRET_KEY)  # the buyers' tokens are signed here
    healthy = Topology(tmp_path, env)
    crashing = {step: Topology(tmp_path, {**env, "RELOOP_TEST_CRASH_AT": step}) for step in STEPS}
    topologies = [healthy, *crashing.values()]

    def logs() -> str:
        return "\n".join(t.logs() for t in topologies)

    try:
        for n, port in enumerate(healthy_ports):
            healthy.start(f"web-{n}", "serve", f"--bind=127.0.0.1:{port}", "--workers=1", "--timeout=30")
        for step, port in crash_ports.items():  # one process per step: the variable names one step
            workers = "--workers=2" if step == "after_capture" else "--workers=1"  # two victims at once
            crashing[step].start(f"crash-{step}", "serve", f"--bind=127.0.0.1:{port}", workers, "--timeout=30")
        for port in [*healthy_ports, *crash_ports.values()]:
            assert wait_for_port(port, timeout=90), logs()

        provider = TestProvider()

        def pay_and_settle(name: str, *, checkout_port: int, settle_port: int) -> tuple[str, int]:
            """Checkout through one process, pay on the provider's page, come back through another."""
            _user, token = buyers[name]
            try:
                status, started = check_out(checkout_port, token, f"{name}-checkout")
                if status != 201:
                    return name, status
                provider.confirm_with_card(reference=started["payment"]["reference"], card=CARD_SUCCEEDS)
                number = started["order"]["number"]
                status, _ = api(settle_port, "POST", f"/orders/{number}/payment", token, key=f"{name}-settle")
                return name, status
            finally:
                connection.close()  # this thread's own connection (the provider's page acts on the database)

        a, b = healthy_ports
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(
                    lambda job: pay_and_settle(job[0], checkout_port=job[1], settle_port=job[2]),
                    [
                        ("healthy-1", a, b),
                        ("healthy-2", b, a),
                        ("healthy-3", a, a),
                        ("healthy-4", b, b),
                        ("after_reserve", crash_ports["after_reserve"], a),  # dies before the payment exists
                        ("after_authorize", a, crash_ports["after_authorize"]),  # dies before capturing
                        ("after_capture", b, crash_ports["after_capture"]),  # dies before placing
                        ("after_capture-late", a, crash_ports["after_capture"]),  # its second worker too
                    ],
                )
            )
        assert sorted(answers) == sorted(
            [(f"healthy-{n}", 200) for n in range(1, 5)]
            + [("after_reserve", 0), ("after_authorize", 0), ("after_capture", 0), ("after_capture-late", 0)]
        ), logs()
        servers = [proc for t in topologies for proc in t.procs]
        assert all(proc.process.poll() is None for proc in servers), logs()  # gunicorn replaced the dead workers
    finally:
        for t in topologies:
            t.stop_all()
    killed = {t.procs[0].name: t.procs[0].log.read_text(errors="replace").count("SIGKILL") for t in crashing.values()}
    # each victim's worker died of SIGKILL (gunicorn logs it), two of them in the after-capture process
    assert killed == {"crash-after_reserve": 1, "crash-after_authorize": 1, "crash-after_capture": 2}, logs()

    orders = {name: Order.objects.get(buyer=user) for name, (user, _) in buyers.items()}
    assert {orders[name].status for name in ("after_reserve", "after_authorize", "after_capture")} == {
        OrderStatus.PENDING_PAYMENT  # left half-done by the dead processes
    }
    # One buyer's hold ran out before any job looked at their captured payment (say the jobs were down too):
    # the expiry job closes it and gives its unit back first, so its money must go back.
    Order.objects.filter(pk=orders["after_capture-late"].pk).update(reserved_until=real_now() - timedelta(minutes=1))

    with clock.frozen_at(real_now() + timedelta(minutes=5)):  # the jobs, within the other holds
        expire_reservations()
        reconcile_payments()
    with clock.frozen_at(real_now() + timedelta(minutes=20)):  # and after them
        expire_reservations()
        reconcile_payments()

    final = {name: Order.objects.get(pk=order.pk) for name, order in orders.items()}
    expected = dict.fromkeys(buyers, OrderStatus.PAID) | {
        "after_reserve": OrderStatus.EXPIRED,  # never charged: the hold expired and the unit came back
        "after_capture-late": OrderStatus.EXPIRED,  # captured after its hold: refunded in full
    }
    assert {name: order.status for name, order in final.items()} == expected
    for name, order in final.items():
        charges = TestCharge.objects.filter(order_reference=order.number)
        kept = sum(c.captured_amount - c.refunded_amount for c in charges)
        captures = LedgerTransaction.objects.filter(idempotency_key=f"order:{order.number}:capture").count()
        if order.status == OrderStatus.PAID:  # one paid order per charge, captured once, in the ledger once
            assert (len(charges), kept, captures) == (1, order.total, 1), name
        else:  # nothing kept: never captured, or refunded in full
            assert (kept, captures) == (0, 0), name
    late = TestCharge.objects.get(order_reference=final["after_capture-late"].number)
    assert late.captured_amount == late.refunded_amount == 25000
    assert CheckoutPayment.objects.get(order=final["after_authorize"]).settled_by == "job"
    sold = OrderLine.objects.filter(seller_order__order__status=OrderStatus.PAID).aggregate(n=Sum("quantity"))["n"]
    assert Offer.objects.get(pk=offer.pk).stock == STOCK - sold == STOCK - 6
    assert ledger_passes()
