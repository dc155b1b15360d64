"""The flash sale over HTTP (``reloop bench --flash-sale-http``): buyers signed in, buying through ``reloop serve``."""

from __future__ import annotations

import json
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from reloop.catalog.tests.factories import make_models
from reloop.core import clock
from reloop.core.models import OutboxEvent
from reloop.invoicing.models import Invoice
from reloop.notifications.models import Message, MessageStatus
from reloop.offers.models import Offer
from reloop.ops import bench, flash_sale_http
from reloop.orders.models import Order, OrderStatus


def test_percentile_is_the_nearest_rank():
    assert flash_sale_http.percentile([], 99) == 0.0
    assert flash_sale_http.percentile([5.0], 99) == 5.0
    values = [float(n) for n in range(1, 101)]
    assert flash_sale_http.percentile(values, 50) == 50.0
    assert flash_sale_http.percentile(values, 99) == 99.0
    assert flash_sale_http.percentile(list(reversed(values)), 100) == 100.0


def test_the_report_says_which_target_was_missed():
    result = flash_sale_http.FlashSaleHttpResult(
        hot_offers=3,
        units=30,
        buyers=60,
        concurrency=8,
        workers=3,
        server="reloop serve",
        seconds=2.0,
        orders=30,
        orders_per_s=15.0,
        sold_out=30,
        errors=0,
        server_errors=0,
        oversold=0,
        stock_left=0,
        paid_units=30,
        ledger_ok=True,
        requests=240,
        placement_p50_ms=40.0,
        placement_p99_ms=90.0,
        purchase_p99_ms=300.0,
        step_p50_ms={"add": 10.0, "placement": 40.0},
    )
    text = result.render()
    assert "| 30 | 15.0 | 40 | 90 | 300 | 30 | 0 | 0 | 0 | 0 | balanced |" in text
    assert "≥ 300 orders/s, 0 oversold, 0 5xx: missed" in text
    assert "add 10, placement 40" in text


@pytest.mark.django_db
def test_signed_in_buyers_have_a_session_the_site_accepts(client):
    make_models(1)
    (buyer,) = flash_sale_http.signed_in_buyers(count=1, run="t1")
    client.cookies["sessionid"] = buyer.session_key
    response = client.get("/en-gb/account/")
    assert response.status_code == 200  # signed in: not sent to the sign-in page
    assert response.wsgi_request.user.pk == buyer.user_id
    assert len(buyer.csrf) == 32


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db(transaction=True)  # the server is another process: it only sees committed rows
def test_buyers_buy_over_http_until_sold_out_and_nothing_is_oversold(tmp_path: Path):
    make_models(3)
    report = tmp_path / "flash.json"
    out = StringIO()

    call_command(
        "bench",
        "--flash-sale-http",
        "--skip-seed",
        *("--buyers", "5", "--units", "1", "--duration", "60", "--workers", "2", "--connections", "2"),
        *("--port", str(_free_port()), "--json", str(report)),
        stdout=out,
    )

    data = json.loads(report.read_text())
    assert data["scenario"] == "flash_sale_http"
    assert data["units"] == 3  # three hot offers of one unit each
    assert data["orders"] == 3  # every unit sold, each once
    assert data["sold_out"] == 2  # the two buyers left were told so, not failed
    assert data["errors"] == data["server_errors"] == data["oversold"] == 0
    assert data["stock_left"] == 0
    assert data["ledger_ok"] is True
    assert data["placement_p99_ms"] >= data["placement_p50_ms"] > 0
    assert data["requests"] >= 3 * 5  # five requests per paid buyer
    hot = Offer.objects.filter(sku__startswith="FLASH-")
    assert sorted(hot.values_list("stock", flat=True)) == [0, 0, 0]
    paid = Order.objects.filter(status=OrderStatus.PAID, seller_orders__lines__offer__in=hot).distinct()
    assert paid.count() == 3
    assert "reloop serve: gunicorn, 2 sync workers" in out.getvalue()
    assert bench.database_url(connection.settings_dict)  # the test database is what the server used
    # no broker: the work after payment ran in the web processes, once each response was sent, and was waited for
    assert "ADR 0043" in data["topology"]
    assert data["after_payment_s"] is not None
    assert data["after_payment_pending"] == 0
    confirmations = Message.objects.filter(object_type="order", object_id__in=[o.number for o in paid])
    assert confirmations.count() == 3
    for message in confirmations:
        invoice = Invoice.objects.get(order__number=message.object_id)
        assert (message.status, message.attachments) == (MessageStatus.SENT, [invoice.filename])


@pytest.mark.django_db
def test_the_wait_for_the_work_after_payment_ends_when_nothing_is_pending_or_at_its_timeout():
    since = clock.now()
    assert flash_sale_http.wait_for_work_after_payment(since=since, timeout=5) == (pytest.approx(0, abs=1), 0)
    OutboxEvent.objects.create(topic="orders.events.OrderPaid", payload={"order_id": 1}, created_at=clock.now())
    Message.objects.create(to="b@example.com", template="t", language="en-gb", subject="s", body_text="b")

    waited, pending = flash_sale_http.wait_for_work_after_payment(since=since, timeout=0)

    assert (waited, pending) == (None, 2)
    OutboxEvent.objects.update(delivered_at=clock.now())
    Message.objects.update(status=MessageStatus.FAILED)  # failed counts as done: nothing more will happen
    assert flash_sale_http.wait_for_work_after_payment(since=since, timeout=0)[1] == 0


@pytest.mark.django_db(transaction=True)  # the work after payment leaves when each payment commits
def test_cpu_per_purchase_times_the_five_requests_of_purchases_that_all_end_paid():
    make_models(3)
    out = StringIO()

    call_command("bench", "--flash-sale-cpu", "2", "--skip-seed", stdout=out)

    text = out.getvalue()
    assert "CPU per purchase in this process (2 purchases" in text
    assert "| add | checkout page | placement | card | return | total |" in text
    hot = Offer.objects.filter(sku__startswith="FLASH-")
    paid = Order.objects.filter(status=OrderStatus.PAID, seller_orders__lines__offer__in=hot).distinct()
    assert paid.count() == 4  # the two measured and the two of the warm-up
    confirmations = Message.objects.filter(object_type="order", object_id__in=[o.number for o in paid])
    assert sorted(confirmations.values_list("status", flat=True)) == [MessageStatus.SENT] * 4
