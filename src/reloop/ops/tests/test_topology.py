"""The production topology under fire (issue 12): PostgreSQL, Redis and RabbitMQ; two web processes, two workers
and the scheduler. Buyers race for a hot offer through the shop's own pages while its rival reprices through the
seller API and another seller imports a CSV file through the back office; one worker and one web process are
SIGKILLed mid-way. Afterwards nothing is oversold, every domain event has been delivered (the buy boxes equal a
full rebuild), every buyer who paid got one confirmation email, the import was applied once and the ledger checks
pass.

Everything a person does goes over HTTP to the two web processes, as a browser behind the load balancer would:
add to cart, the checkout form (with its idempotency key), the test payment provider's hosted card page (its
webhook and the return to the shop), the seller API, the back office's CSV upload. A request that finds its web
process killed is sent again to the survivor with the same form. Only the sign-in is not: each person gets a
session in the shared Redis store the way Django's test client signs in (``force_login``), because a real sign-in
costs a production-strength password hash (seconds of CPU each on a shared 2-core machine); sign-in has its own
tests. All processes share the machine's real clock (``real_now``)."""

from __future__ import annotations

import os
import random
import re
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from kombu import pools as kombu_pools

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.celery_app import app
from reloop.checkout.tests.test_placement import ledger_ok
from reloop.core import outbox
from reloop.core.mail import KEY_HEADER
from reloop.core.models import EmailDelivery, EmailDeliveryStatus, OutboxEvent
from reloop.notifications.models import Message
from reloop.offers.models import ImportStatus, Offer, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.ops.tests.processes import Browser, Topology, base_env, field_value, real_now
from reloop.ops.tests.services import amqp_url, redis_url
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.payments.providers.testing import CARD_SUCCEEDS
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOT_STOCK = 10
BUYERS = 24
IMPORTED = 20
SETTLE_SECONDS = 75
ADDRESS = {
    "accept_terms": "on",
    "country": "GB",
    "form_country": "GB",
    "full_name": "Topology Buyer",
    "line1": "1 Road",
    "postal_code": "SW1A 1AA",
    "city": "London",
}
SOLD_OUT = re.compile(r"Sold out: |is no longer available")


def use_celery_conf(**conf: object) -> None:
    """Point this process's Celery app at another broker: the connection pool and the producers it made for the
    in-memory transport of the eager default are dropped, or messages would go on being sent there."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    # kombu also keeps producer pools per connection in a global registry: without a reset, the closed pool of the
    # eager default's in-memory transport would be handed out again to every later test that sends a task.
    kombu_pools.reset()
    app.__dict__.pop("amqp", None)  # rebuilt from the new configuration: producer pool, default queue, router
    app.conf.update(conf)


def wait_until_consuming(names: list[str], topology: Topology, timeout: float = 120) -> None:
    """Until every named worker answers a ping through the broker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=names, timeout=1.0) or []
        if {name for reply in replies for name in reply} >= set(names):
            return
    raise RuntimeError(f"workers {names} did not answer:\n{topology.logs()}")


def sign_in(browser: Browser, user: object) -> None:
    """A session for ``user`` in the topology's shared session store, its cookie in ``browser``."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    browser.cookies[django_settings.SESSION_COOKIE_NAME] = client.cookies[django_settings.SESSION_COOKIE_NAME].value


def checkout_total(page: bytes) -> str:
    found = re.search(rb'data-total="(\d+)"', page)
    assert found is not None, page[:3000]
    return found.group(1).decode()


def test_two_web_two_workers_and_a_scheduler_lose_nothing_when_processes_are_killed(
    tmp_path, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(timezone, "now", real_now)
    redis = redis_url().rsplit("/", 1)[0] + "/13"
    amqp = amqp_url()
    queue = f"reloop-topology-{os.getpid()}"
    prefix = f"topology-{os.getpid()}"
    (tmp_path / "var").mkdir()
    env = base_env(
        tmp_path,
        REDIS_URL=redis,
        CELERY_BROKER_URL=amqp,
        RELOOP_TASK_QUEUE=queue,
        RELOOP_OUTBOX_LEASE_SECONDS="15",
        RELOOP_EMAIL_LEASE_SECONDS="15",
        RELOOP_CACHE_PREFIX=prefix,
        SECURE_COOKIES="false",  # plain HTTP between this test and the processes (the proxy ends TLS)
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",  # written to RELOOP_HOME/var/mail
    )
    # this process shares the topology's cache, sessions and secret key (its sessions are theirs)
    settings.SECRET_KEY = env["SECRET_KEY"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis, "KEY_PREFIX": prefix}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"

    # given a hot offer, its rival, a seller with offers to import, and buyers
    variant = VariantFactory()
    rival_seller, importer = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        hot = make_offer(seller=SellerFactory(), variant=variant, price=19900, stock=HOT_STOCK)
        rival = make_offer(seller=rival_seller, variant=variant, price=21000, stock=3)
        to_import = [make_offer(seller=importer, variant=VariantFactory(), stock=1) for _ in range(IMPORTED)]
    _, token = create_seller_token(seller=rival_seller, name="topology")
    importer_member = SellerMemberFactory(seller=importer)
    users = [
        User.objects.create_user(username=f"topology-{n}@example.com", email=f"topology-{n}@example.com")
        for n in range(BUYERS)
    ]
    csv = ("sku,stock\n" + "".join(f"{o.sku},7\n" for o in to_import)).encode()
    product_page = f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/"

    topology = Topology(tmp_path, env)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    try:
        # all five start at once (each boots Django: in parallel, the machine's cores are used)
        web_a = topology.serve("web-a", wait=False)
        web_b = topology.serve("web-b", wait=False)
        worker_1 = topology.start("worker-1", "worker", "--concurrency=1", "--hostname=w1@topology")
        worker_2 = topology.start("worker-2", "worker", "--concurrency=1", "--hostname=w2@topology")
        scheduler = topology.start("scheduler", "scheduler", "--loglevel=WARNING")
        web_a, web_b = topology.listening(web_a), topology.listening(web_b)
        ports = [web_a.port, web_b.port]
        dead: set[int] = set()  # web processes found dead: the proxy sends no more requests there
        use_celery_conf(broker_url=amqp, task_always_eager=False, task_default_queue=queue)  # for ping
        wait_until_consuming(["w1@topology", "w2@topology"], topology)  # so the one killed has work in hand

        browsers = []
        for n, user in enumerate(users):
            browsers.append(Browser(ports, first=n % 2, dead=dead))
            sign_in(browsers[-1], user)
        seller_browser = Browser(ports, first=1, dead=dead)
        sign_in(seller_browser, importer_member.user)
        api = Browser(ports, dead=dead)

        outcomes: list[str] = []
        statuses: list[int | str] = []
        lock = threading.Lock()
        start = threading.Barrier(BUYERS + 3)
        import_id: list[int] = []

        def checkout(browser: Browser) -> str:
            # the buyer puts the hot offer in the cart and opens the checkout page
            status, headers, _ = browser.post("/en-gb/cart/add/", {"offer": hot.pk, "quantity": 1})
            assert status == 302, status
            status, _, page = browser.get("/en-gb/checkout/")
            assert status == 200, page[:2000]
            form = {
                **ADDRESS,
                "idempotency_key": field_value(page, "idempotency_key"),
                "expected_total": checkout_total(page),
            }
            start.wait(timeout=180)
            # everybody presses "Pay" at once: reserved and sent to the provider's page, or back to the cart
            status, headers, page = browser.post("/en-gb/checkout/", form)
            if status != 302:
                return f"error: checkout answered {status}: {page[:300]!r}"
            if "/cart/" in browser.path_of(headers["location"]):
                _, _, cart = browser.get("/en-gb/cart/")
                return "sold_out" if SOLD_OUT.search(cart.decode()) else f"error: back to the cart: {cart[:500]!r}"
            # the provider's hosted card page: the card, its webhook to the shop, the way back
            provider_page = headers["location"]
            status, _, page = browser.get(provider_page)
            assert status in (200, 302), page[:500]
            status, headers, page = browser.post(provider_page, {"card": CARD_SUCCEEDS})
            if status != 302:
                return f"error: the provider's page answered {status}: {page[:300]!r}"
            status, headers, page = browser.get(headers["location"])
            if status == 302 and "/orders/" in headers["location"]:
                status, _, page = browser.get(headers["location"])
                return "ok" if status == 200 else f"error: the order page answered {status}"
            return f"error: the return answered {status} {headers.get('location')}: {page[:300]!r}"

        def buy(browser: Browser) -> None:
            try:
                result = checkout(browser)
            except Exception as exc:  # reported below with every other outcome; nobody waits for this buyer
                result = f"error: {exc!r}"
                start.abort()
            with lock:
                outcomes.append(result)

        def reprice_and_browse() -> None:
            start.wait(timeout=180)
            rng = random.Random(12)  # test data
            for _ in range(30):
                try:
                    status, _, _ = api.request(
                        "PUT",
                        f"/api/v1/seller/offers/{rival.pk}/prices/en-gb",
                        body=f'{{"amount": {rng.randrange(18000, 22000)}}}'.encode(),
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    )
                    page_status, _, _ = api.get(product_page)
                    with lock:
                        statuses.extend([status, page_status])
                except OSError as exc:
                    with lock:
                        statuses.append(repr(exc))

        def import_csv() -> None:
            try:
                upload_and_apply()
            except Exception as exc:
                start.abort()
                with lock:
                    statuses.append(repr(exc))

        def upload_and_apply() -> None:
            # the seller uploads the file (checked at once), then applies it with the storm: a worker applies it
            status, headers, page = seller_browser.upload(
                "/seller/offers/import/", field="file", filename="stock.csv", content=csv
            )
            assert status == 302, page[:2000]
            found = re.search(r"/seller/offers/import/(\d+)/", headers["location"])
            assert found, headers["location"]
            import_id.append(int(found.group(1)))
            start.wait(timeout=180)
            status, headers, page = seller_browser.post(f"/seller/offers/import/{import_id[0]}/apply/", {})
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=buy, args=(b,)) for b in browsers]
        threads += [threading.Thread(target=reprice_and_browse), threading.Thread(target=import_csv)]
        for thread in threads:
            thread.start()
        start.wait(timeout=120)
        # when, mid-way, a web process dies with checkouts in flight, and a worker once orders are being paid
        time.sleep(0.5)
        web_a.kill()
        deadline = time.monotonic() + 30
        while Order.objects.filter(status=OrderStatus.PAID).count() < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        worker_1.kill()
        for thread in threads:
            thread.join(timeout=120)

        # then, once the survivors and the scheduler's relay have caught up,
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            applied = OfferImport.objects.filter(pk__in=import_id, status=ImportStatus.APPLIED).exists()
            sending = EmailDelivery.objects.exclude(status=EmailDeliveryStatus.SENT).exists()
            confirmed = Message.objects.filter(template__endswith="order_confirmation", status="sent").count()
            if applied and outbox.undelivered_count() == 0 and not sending and confirmed >= HOT_STOCK:
                break
            time.sleep(1)
        logs = topology.logs()
        assert web_b.process.poll() is None, logs
        assert worker_2.process.poll() is None, logs
        assert scheduler.process.poll() is None, logs
        # every buyer went through the shop's pages to an order or to "sold out", and nothing was oversold
        assert sorted(set(outcomes)) == ["ok", "sold_out"], (outcomes, logs)
        assert outcomes.count("ok") == HOT_STOCK
        assert web_a.port in dead  # buyers found the killed process gone and went on through the survivor
        hot.refresh_from_db()
        sold = sum(
            OrderLine.objects.filter(offer_id=hot.pk, seller_order__order__status=OrderStatus.PAID).values_list(
                "quantity", flat=True
            )
        )
        assert (hot.stock, sold) == (0, HOT_STOCK)
        paid = list(Order.objects.filter(status=OrderStatus.PAID, buyer__email__startswith="topology-"))
        assert len({order.buyer_id for order in paid}) == len(paid) == HOT_STOCK  # a re-sent form paid once
        assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
        # the import was applied once, by a worker
        assert OfferImport.objects.get(pk=import_id[0]).status == ImportStatus.APPLIED, logs
        assert set(Offer.objects.filter(pk__in=[o.pk for o in to_import]).values_list("stock", flat=True)) == {7}
        # every domain event was delivered to every handler, and the buy boxes equal a full rebuild
        assert OutboxEvent.objects.exists()
        assert outbox.undelivered_count() == 0, (list(OutboxEvent.objects.filter(delivered_at=None).values()), logs)
        assert rebuild_all_buy_boxes().differences == 0
        assert "FAILED" not in ledger_ok()
        # every buyer who paid got one confirmation email, sent by a worker with its stable Message-ID
        mail = [p.read_text(errors="replace") for p in (tmp_path / "var" / "mail").glob("*")]
        for order in paid:
            message = Message.objects.get(dedupe_key=f"order_confirmation:{order.number}")
            assert message.status == "sent", (message.status, message.error, logs)
            key = f"message:{message.pk}"
            assert EmailDelivery.objects.get(key=key).status == EmailDeliveryStatus.SENT
            to_buyer = [m for m in mail if f"To: {order.buyer.email}\n" in m]
            assert len(to_buyer) == 1, (order.buyer.email, len(to_buyer))
            assert f"{KEY_HEADER}: {key}\n" in to_buyer[0]
        assert worker_1.process.poll() is not None  # the killed ones stayed dead: the survivors did the work
        assert web_a.process.poll() is not None
    finally:
        use_celery_conf(**saved)
        topology.stop_all()
        try:
            with app.connection_for_write(amqp) as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:  # noqa: S110  # best effort: a queue left behind is harmless
            pass
        import redis as redis_client

        shared = redis_client.Redis.from_url(redis)
        for key in shared.scan_iter(f"{prefix}:*"):  # cache, sessions
            shared.delete(key)
