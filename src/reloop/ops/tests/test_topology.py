"""The production topology under fire (issue 12): PostgreSQL, Redis and RabbitMQ; two web processes, two workers
and the scheduler. Buyers race for a hot offer while its rival reprices through the seller API, a CSV import runs
on the workers, and one worker and one web process are SIGKILLed mid-way. Afterwards nothing is oversold, every
domain event has been delivered (the buy boxes equal a full rebuild), every buyer who paid got one confirmation
email, the import was applied once and the ledger checks pass.

The buyers' checkouts run in this process through the checkout service (its HTTP flow belongs to the checkout
pages); their events go through RabbitMQ to the workers like every other. All processes share the machine's real
clock (``real_now``)."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from kombu import pools as kombu_pools

from reloop.catalog.tests.factories import VariantFactory
from reloop.celery_app import app
from reloop.checkout.services import add_to_cart, ensure_cart
from reloop.checkout.tests.test_placement import buyer, checkout_for, ledger_ok, place_order
from reloop.core import outbox
from reloop.core.models import OutboxEvent
from reloop.notifications.models import Message
from reloop.offers.imports import queue_offer_import, start_offer_import, validate_offer_import
from reloop.offers.models import ImportStatus, Offer, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.ops.tests.processes import Topology, base_env, real_now, request
from reloop.ops.tests.services import amqp_url, redis_url
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEB_PORTS = (8146, 8147)
HOT_STOCK = 10
BUYERS = 24
IMPORTED = 20
SETTLE_SECONDS = 75


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


def test_two_web_two_workers_and_a_scheduler_lose_nothing_when_processes_are_killed(
    tmp_path, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(timezone, "now", real_now)
    redis = redis_url().rsplit("/", 1)[0] + "/13"
    amqp = amqp_url()
    queue = f"reloop-topology-{os.getpid()}"
    (tmp_path / "var").mkdir()

    # given a hot offer, its rival, a seller with offers to import, and buyers with the hot offer in their cart
    variant = VariantFactory()
    rival_seller, importer = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        hot = make_offer(seller=SellerFactory(), variant=variant, price=19900, stock=HOT_STOCK)
        rival = make_offer(seller=rival_seller, variant=variant, price=21000, stock=3)
        to_import = [make_offer(seller=importer, variant=VariantFactory(), stock=1) for _ in range(IMPORTED)]
    _, token = create_seller_token(seller=rival_seller, name="topology")
    carts = []
    for n in range(BUYERS):
        user = buyer(n)
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=hot.pk)
        carts.append((user, cart))
    csv = "sku,stock\n" + "".join(f"{o.sku},7\n" for o in to_import)
    offer_import = validate_offer_import(actor=None, seller=importer, filename="stock.csv", data=csv.encode())
    queue_offer_import(actor=None, seller=importer, import_id=offer_import.pk, skip_invalid=False)
    product_page = f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/"

    env = base_env(
        tmp_path,
        REDIS_URL=redis,
        CELERY_BROKER_URL=amqp,
        RELOOP_TASK_QUEUE=queue,
        RELOOP_OUTBOX_LEASE_SECONDS="15",
        RELOOP_CACHE_PREFIX=f"topology-{os.getpid()}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",  # written to RELOOP_HOME/var/mail
    )
    topology = Topology(tmp_path, env)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    try:
        web_a = topology.serve("web-a", WEB_PORTS[0])
        web_b = topology.serve("web-b", WEB_PORTS[1])
        worker_1 = topology.start("worker-1", "worker", "--concurrency=1", "--hostname=w1@topology")
        worker_2 = topology.start("worker-2", "worker", "--concurrency=1", "--hostname=w2@topology")
        scheduler = topology.start("scheduler", "scheduler", "--loglevel=WARNING")
        # this process sends its tasks (the import, its events) through RabbitMQ too
        use_celery_conf(broker_url=amqp, task_always_eager=False, task_default_queue=queue)
        wait_until_consuming(["w1@topology", "w2@topology"], topology)  # so the one killed has work in hand
        settings.CELERY_BROKER_URL = amqp
        settings.RELOOP_IMPORT_APPLY = "task"

        outcomes: list[str] = []
        statuses: list[int | str] = []
        lock = threading.Lock()
        start = threading.Barrier(BUYERS + 2)

        def checkout(user, cart) -> None:
            try:
                start.wait()
                place_order(checkout=checkout_for(user, cart, key=f"topology-{user.pk}"))
                result = "ok"
            except Exception as exc:  # sold out is expected; anything else fails below
                result = "sold_out" if type(exc).__name__ == "SoldOut" else f"error: {exc!r}"
            finally:
                connection.close()
            with lock:
                outcomes.append(result)

        def reprice_and_browse() -> None:
            start.wait()
            rng = random.Random(12)  # test data
            for n in range(30):
                port = WEB_PORTS[n % 2]
                try:
                    status, _ = request(
                        port,
                        "PUT",
                        f"/api/v1/seller/offers/{rival.pk}/prices/en-gb",
                        body={"amount": rng.randrange(18000, 22000)},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    page_status, _ = request(port, "GET", product_page)
                    with lock:
                        statuses.extend([status, page_status])
                except OSError as exc:  # the web process that was killed
                    with lock:
                        statuses.append(type(exc).__name__)

        def import_csv() -> None:
            start.wait()
            start_offer_import(import_id=offer_import.pk)  # sent to RabbitMQ; a worker applies it
            connection.close()

        threads = [threading.Thread(target=checkout, args=pair) for pair in carts]
        threads += [threading.Thread(target=reprice_and_browse), threading.Thread(target=import_csv)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        # when, mid-way, one worker and one web process die without a chance to clean up
        worker_1.kill()
        web_a.kill()
        for thread in threads:
            thread.join(timeout=90)

        # then, once the survivors and the scheduler's relay have caught up,
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            applied = OfferImport.objects.get(pk=offer_import.pk).status == ImportStatus.APPLIED
            if applied and outbox.undelivered_count() == 0:
                break
            time.sleep(1)
        logs = topology.logs()
        assert web_b.process.poll() is None, logs
        assert worker_2.process.poll() is None, logs
        assert scheduler.process.poll() is None, logs
        # nothing oversold: every unit is either in stock or on exactly one placed line
        assert sorted(set(outcomes)) == ["ok", "sold_out"], outcomes
        assert outcomes.count("ok") == HOT_STOCK
        hot.refresh_from_db()
        sold = sum(
            OrderLine.objects.filter(offer_id=hot.pk, seller_order__order__status=OrderStatus.PAID).values_list(
                "quantity", flat=True
            )
        )
        assert (hot.stock, sold) == (0, HOT_STOCK)
        assert 500 not in statuses, statuses
        # the import was applied once, by a worker
        assert OfferImport.objects.get(pk=offer_import.pk).status == ImportStatus.APPLIED, logs
        assert set(Offer.objects.filter(pk__in=[o.pk for o in to_import]).values_list("stock", flat=True)) == {7}
        # every domain event was delivered to every handler, and the buy boxes equal a full rebuild
        assert OutboxEvent.objects.exists()
        assert outbox.undelivered_count() == 0, (list(OutboxEvent.objects.filter(delivered_at=None).values()), logs)
        assert rebuild_all_buy_boxes().differences == 0
        assert "FAILED" not in ledger_ok()
        # every buyer who paid got one confirmation email, sent by a worker
        paid = list(Order.objects.filter(status=OrderStatus.PAID, buyer__email__startswith="buyer"))
        assert len(paid) == HOT_STOCK
        mail = "\n".join(p.read_text(errors="replace") for p in (tmp_path / "var" / "mail").glob("*"))
        for order in paid:
            assert Message.objects.filter(dedupe_key=f"order_confirmation:{order.number}", status="sent").count() == 1
            assert mail.count(f"To: {order.buyer.email}\n") == 1, order.buyer.email
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
        for key in shared.scan_iter(f"{env['RELOOP_CACHE_PREFIX']}:*"):  # cache, sessions, sent-mail markers
            shared.delete(key)
