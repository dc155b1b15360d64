"""The flash sale over HTTP: many signed-in buyers buying a few hot offers from ``reloop serve`` at once.

The in-process scenario (``flash_sale``) calls the placement service from threads; this one goes through
everything a buyer's browser goes through, against the production server (``reloop serve``: gunicorn with several
sync worker processes) on 127.0.0.1:

1. ``POST /<market>/cart/add/`` the hot offer (CSRF-checked form, as the product page's button sends it);
2. ``GET /<market>/checkout/`` (the page with the total and the pay button);
3. ``POST /<market>/checkout/`` with the delivery address, the accepted terms and a fresh idempotency key:
   the units are reserved and the payment created at the test provider (this request is **placement**);
4. ``POST /_provider/test/pay/<reference>/`` with the test card, on the provider's own page, which sends the
   signed webhook that settles the order, then redirects the buyer back;
5. ``GET /<market>/checkout/return/?payment=<reference>``, which finds the order paid and sends the buyer to it.

The buyers are created signed in (a session row each, no password sign-in: that is not what a flash sale
measures), the hot offers hold fewer units than there are buyers so the sale sells out, and the run is bounded by
a number of buyers and a time limit. Afterwards the database is checked: the paid units of the hot offers, the
stock left (oversold must be 0), and the ledger (``check_ledger``). Nothing here prints.

**Two topologies.** Without a broker (the embedded default) the work after payment — the webhook's settlement when
the return redirect has not done it, the invoice PDF, the emails, the buy-box refresh — runs in the web process once
the response is sent (ADR 0043). With ``CELERY_BROKER_URL`` set (production's topology) ``task_worker`` starts a
``reloop worker`` beside the server for the run, consuming the run's queue (``RELOOP_TASK_QUEUE``), and stops it
whatever happens. Either way the run then waits (bounded) until that work is done — every outbox event recorded
during the run delivered, every email recorded sent or failed — and reports how long after the last buyer it ended,
so orders per second are also given with the work after payment included.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string

from reloop.accounts.models import User
from reloop.core import clock
from reloop.core.models import OutboxEvent
from reloop.markets.registry import get_market
from reloop.notifications.models import Message, MessageStatus
from reloop.offers.models import Offer
from reloop.ops.bench import BenchError, stop_process_group
from reloop.ops.flash_sale import ADDRESS, CARD, MARKET, hot_offers
from reloop.orders.models import OrderLine, OrderStatus

#: One request of a buyer may wait this long for the server (a saturated server is measured, not waited on forever).
REQUEST_TIMEOUT_S = 30.0
#: After the last buyer, how long the run waits for the work after payment (PDFs, emails) to be done.
AFTER_PAYMENT_TIMEOUT_S = 180.0
WORKER_STARTUP_TIMEOUT_S = 90.0
TARGET_ORDERS_PER_S = 300.0
_CSRF_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SESSION_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"  # as Django's session keys


class FlashSaleHttpError(Exception):
    """The scenario cannot run (no catalogue, session engine without a database or cache)."""


@dataclass(frozen=True)
class Buyer:
    user_id: int
    session_key: str
    csrf: str


@dataclass(frozen=True)
class Paths:
    cart: str
    cart_add: str
    checkout: str
    order_prefix: str  # a paid buyer is sent to /<market>/orders/<number>/
    country: str  # of the delivery address

    @classmethod
    def for_market(cls, market: str) -> Paths:
        with translation.override(market):
            order = reverse("web:order", args=["N0"])
            return cls(
                reverse("web:cart"),
                reverse("web:cart_add"),
                reverse("web:checkout"),
                order[: order.rindex("N0")],
                get_market(market).country,
            )


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile of ``values`` (nearest rank; 0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class FlashSaleHttpResult:
    hot_offers: int
    units: int
    buyers: int
    concurrency: int
    workers: int
    server: str
    seconds: float
    orders: int
    orders_per_s: float
    sold_out: int
    errors: int
    server_errors: int
    oversold: int
    stock_left: int
    paid_units: int
    ledger_ok: bool
    requests: int
    placement_p50_ms: float
    placement_p99_ms: float
    purchase_p99_ms: float
    step_p50_ms: dict[str, float] = field(default_factory=dict)
    first_errors: tuple[str, ...] = field(default_factory=tuple)
    #: where the work after payment runs: "in the web process, after the response" or "on `reloop worker`…"
    topology: str = ""
    #: seconds after the last buyer until every outbox event and email of the run was done (None: not within the
    #: timeout, see ``after_payment_pending``)
    after_payment_s: float | None = 0.0
    after_payment_pending: int = 0

    @property
    def orders_per_s_all_work(self) -> float:
        """Orders per second counting the time the work after payment went on after the last buyer."""
        if self.after_payment_s is None:
            return 0.0
        total = self.seconds + self.after_payment_s
        return self.orders / total if total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "orders_per_s_all_work": self.orders_per_s_all_work}

    @property
    def target_met(self) -> bool:
        return (
            self.orders_per_s >= TARGET_ORDERS_PER_S and not self.oversold and not self.server_errors and self.ledger_ok
        )

    def render(self) -> str:
        return "\n".join(
            [
                f"Flash sale over HTTP: {self.hot_offers} hot offers holding {self.units} units, {self.buyers} buyers "
                f"({self.concurrency} at a time), {self.server}, {self.seconds:.1f} s, {self.requests} requests",
                "| orders | orders/s | placement p50 ms | placement p99 ms | purchase p99 ms | sold out | errors "
                "| 5xx | oversold | stock left | ledger |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
                f"| {self.orders} | {self.orders_per_s:.1f} | {self.placement_p50_ms:.0f} | "
                f"{self.placement_p99_ms:.0f} | {self.purchase_p99_ms:.0f} | {self.sold_out} | {self.errors} | "
                f"{self.server_errors} | {self.oversold} | {self.stock_left} | "
                f"{'balanced' if self.ledger_ok else 'FAILED'} |",
                "p50 of each step (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in self.step_p50_ms.items()),
                *([f"Work after payment (invoice PDFs, emails, buy boxes): {self.topology}"] if self.topology else []),
                (
                    f"It was done {self.after_payment_s:.1f} s after the last buyer: "
                    f"{self.orders_per_s_all_work:.1f} orders/s with it included"
                    if self.after_payment_s is not None
                    else f"It was NOT done {AFTER_PAYMENT_TIMEOUT_S:g} s after the last buyer "
                    f"({self.after_payment_pending} events or emails pending)"
                ),
                "placement: the checkout POST (reserve the units, open the payment); purchase: the five requests of a "
                "buyer, from adding to the cart to the paid order",
                f"Target (BENCHMARKS.md, PostgreSQL): ≥ {TARGET_ORDERS_PER_S:g} orders/s, 0 oversold, 0 5xx: "
                + ("met" if self.target_met else "missed"),
                *[f"error: {e}" for e in self.first_errors],
            ]
        )


def signed_in_buyers(*, count: int, run: str) -> list[Buyer]:
    """``count`` new buyers, each with a signed-in session (as after ``login()``) and a CSRF cookie value."""
    users = User.objects.bulk_create(
        [User(username=f"flash-{run}-{n}@example.com", email=f"flash-{run}-{n}@example.com") for n in range(count)]
    )
    if users[0].pk is None:  # backends that return no ids from bulk inserts
        users = list(User.objects.filter(username__startswith=f"flash-{run}-").order_by("pk"))
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    # The server is another process reading the machine's clock: the sessions must be valid by it as well as by
    # ours (they differ when a test suite runs at a shifted moment, RELOOP_TEST_NOW).
    machine_now = datetime.fromtimestamp(time.time(), tz=UTC)
    expire = max(clock.now(), machine_now) + timedelta(hours=2)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    in_database = issubclass(store_class, DatabaseSessionStore)
    buyers, rows = [], []
    for user in users:
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        if in_database:  # the rows login() would write, in one statement
            key = get_random_string(32, _SESSION_CHARS)
            rows.append(
                store_class.get_model_class()(
                    session_key=key, session_data=store_class().encode(data), expire_date=expire
                )
            )
        else:
            store = store_class()
            store.update(data)
            store.set_expiry(expire)
            store.create()
            key = store.session_key or ""
        buyers.append(Buyer(user.pk, key, get_random_string(32, _CSRF_CHARS)))
    if rows:
        store_class.get_model_class().objects.bulk_create(rows, batch_size=1000)
    return buyers


class _Browser:
    """One buyer's cookies and requests over plain HTTP to 127.0.0.1 (a new connection per request, as gunicorn's
    sync workers close each one)."""

    def __init__(self, port: int, buyer: Buyer) -> None:
        self.port = port
        self.cookies = {settings.SESSION_COOKIE_NAME: buyer.session_key, settings.CSRF_COOKIE_NAME: buyer.csrf}
        self.csrf = buyer.csrf
        self.requests = 0
        self.timings: dict[str, float] = {}  # milliseconds of each step of the purchase

    def request(self, method: str, path: str, form: dict[str, str] | None = None, *, step: str = "") -> tuple[int, str]:
        """Send one request; returns the status and the Location header (empty without one)."""
        started = time.perf_counter()
        try:
            return self._request(method, path, form)
        finally:
            if step:
                self.timings[step] = (time.perf_counter() - started) * 1000

    def _request(self, method: str, path: str, form: dict[str, str] | None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            self.requests += 1
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, cookie = pair.partition("=")
                    if cookie and "max-age=0" not in value.lower():
                        self.cookies[key.strip()] = cookie
                    else:
                        self.cookies.pop(key.strip(), None)
            return response.status, response.getheader("Location") or ""
        finally:
            conn.close()


@dataclass
class _Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: int = 0
    sold_out: int = 0
    errors: int = 0
    server_errors: int = 0
    requests: int = 0
    placement_ms: list[float] = field(default_factory=list)
    purchase_ms: list[float] = field(default_factory=list)
    step_ms: dict[str, list[float]] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)

    def sold_out_now(self) -> str:
        with self.lock:
            self.sold_out += 1
        return "sold_out"

    def error(self, message: str, *, status: int) -> str:
        with self.lock:
            self.errors += 1
            if status >= 500:
                self.server_errors += 1
            if len(self.first_errors) < 5:
                self.first_errors.append(message[:200])
        return "error"


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def buy(browser: _Browser, *, offer_id: int, paths: Paths, tally: _Tally) -> str:
    """One buyer's purchase, start to paid order: ``"order"``, ``"sold_out"`` or ``"error"``."""
    started = time.perf_counter()
    status, location = browser.request("POST", paths.cart_add, {"offer": str(offer_id), "quantity": "1"}, step="add")
    if status != 302 or _path(location) != paths.cart:
        return tally.error(f"add to cart answered {status} to {location or 'nowhere'}", status=status)
    status, location = browser.request("GET", paths.checkout, step="checkout page")
    if status == 302 and _path(location) == paths.cart:  # nothing in the cart: the offer sold out before "add"
        return tally.sold_out_now()
    if status != 200:
        return tally.error(f"checkout page answered {status}" + (f" to {location}" if location else ""), status=status)
    form = {
        "idempotency_key": uuid.uuid4().hex,
        "accept_terms": "on",
        "instalments": "1",
        "country": paths.country,
        **ADDRESS,
    }
    status, location = browser.request("POST", paths.checkout, form, step="placement")
    if status != 302:  # 200: the form came back with an error
        return tally.error(f"checkout answered {status}", status=status)
    if "/_provider/" not in location:
        if _path(location) == paths.cart:  # back to the cart, with "sold out" shown
            return tally.sold_out_now()
        return tally.error(f"checkout sent the buyer to {location}", status=status)
    status, location = browser.request("POST", _path(location), {"card": CARD}, step="card")
    if status != 302:
        return tally.error(f"the provider's card page answered {status}", status=status)
    status, location = browser.request("GET", _path(location), step="return")
    if status != 302 or not _path(location).startswith(paths.order_prefix):
        return tally.error(f"the return from the provider answered {status} to {location or 'nowhere'}", status=status)
    with tally.lock:
        tally.orders += 1
        tally.placement_ms.append(browser.timings["placement"])
        tally.purchase_ms.append((time.perf_counter() - started) * 1000)
        for step, ms in browser.timings.items():
            tally.step_ms.setdefault(step, []).append(ms)
    return "order"


def run_http_flash_sale(
    *,
    port: int,
    server: str,
    workers: int,
    offers: Sequence[Offer],
    buyers: Sequence[Buyer],
    concurrency: int,
    seconds: float,
    market: str = MARKET,
    check_ledger: Callable[[], bool] | None = None,
    topology: str = "",
    after_payment_timeout: float = AFTER_PAYMENT_TIMEOUT_S,
) -> FlashSaleHttpResult:
    """Every buyer buys one unit of a hot offer (in turn) over HTTP from the server on ``port``, ``concurrency``
    at a time, until the buyers or ``seconds`` run out; then the run waits for the work after payment and the
    database is checked."""
    paths = Paths.for_market(market)
    run_started = timezone.now()
    tally = _Tally()
    queue = iter(enumerate(buyers))
    queue_lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with queue_lock:
                item = next(queue, None)
            if item is None:
                return
            n, buyer = item
            browser = _Browser(port, buyer)
            try:
                buy(browser, offer_id=offers[n % len(offers)].pk, paths=paths, tally=tally)
            except (OSError, http.client.HTTPException) as exc:  # a refused or timed-out connection is an error
                tally.error(f"{type(exc).__name__}: {exc}", status=0)
            with tally.lock:
                tally.requests += browser.requests

    started = time.monotonic()
    pool = [threading.Thread(target=worker, name=f"flash-http-{n}") for n in range(concurrency)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S * 6)
    elapsed = time.monotonic() - started
    after_payment_s, pending = wait_for_work_after_payment(since=run_started, timeout=after_payment_timeout)

    units = sum(o.stock for o in offers)
    paid_units = sum(
        OrderLine.objects.filter(offer__in=offers, seller_order__order__status=OrderStatus.PAID).values_list(
            "quantity", flat=True
        )
    )
    stock_left = sum(Offer.objects.filter(pk__in=[o.pk for o in offers]).values_list("stock", flat=True))
    return FlashSaleHttpResult(
        hot_offers=len(offers),
        units=units,
        buyers=len(buyers),
        concurrency=concurrency,
        workers=workers,
        server=server,
        seconds=elapsed,
        orders=tally.orders,
        orders_per_s=tally.orders / elapsed if elapsed else 0.0,
        sold_out=tally.sold_out,
        errors=tally.errors,
        server_errors=tally.server_errors,
        oversold=max(0, paid_units - units) + max(0, -stock_left),
        stock_left=stock_left,
        paid_units=paid_units,
        ledger_ok=(check_ledger or ledger_balanced)(),
        requests=tally.requests,
        placement_p50_ms=percentile(tally.placement_ms, 50),
        placement_p99_ms=percentile(tally.placement_ms, 99),
        purchase_p99_ms=percentile(tally.purchase_ms, 99),
        step_p50_ms={step: percentile(ms, 50) for step, ms in tally.step_ms.items()},
        first_errors=tuple(tally.first_errors),
        topology=topology,
        after_payment_s=after_payment_s,
        after_payment_pending=pending,
    )


def work_after_payment_pending(*, since: datetime) -> int:
    """Outbox events recorded since ``since`` not yet delivered, plus emails recorded since then not yet sent or
    failed: the work after payment still to do."""
    events = OutboxEvent.objects.filter(created_at__gte=since, delivered_at__isnull=True).count()
    emails = Message.objects.filter(
        created_at__gte=since, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
    ).count()
    return events + emails


def wait_for_work_after_payment(*, since: datetime, timeout: float) -> tuple[float | None, int]:
    """Wait until no work after payment is pending; returns the seconds waited (``None`` past ``timeout``) and
    what was still pending at the end."""
    started = time.monotonic()
    while True:
        pending = work_after_payment_pending(since=since)
        waited = time.monotonic() - started
        if not pending:
            return waited, 0
        if waited > timeout:
            return None, pending
        time.sleep(0.5)


@contextlib.contextmanager
def task_worker(
    *, env: Mapping[str, str], base_dir: Path, concurrency: int = 0, startup_timeout: float = WORKER_STARTUP_TIMEOUT_S
) -> Iterator[str]:
    """Run ``reloop worker`` (the production worker command) for the block, on the broker and queue of ``env``
    (``CELERY_BROKER_URL``, ``RELOOP_TASK_QUEUE``); yields its description once it answers a ping. The worker's
    whole process group is stopped however the block exits. Its emails (console backend by default) are discarded."""
    from reloop.celery_app import app  # this process's Celery app, on the same broker: it pings the worker

    hostname = f"flash-bench-{os.getpid()}@{socket.gethostname()}"
    argv = [sys.executable, "-m", "reloop", "worker", f"--hostname={hostname}", "--loglevel=WARNING"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603  # this interpreter, fixed options; no shell
            argv,
            env=dict(env),
            cwd=base_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group: stopped whole, and Ctrl+C reaches only us
        )
        try:
            deadline = time.monotonic() + startup_timeout
            while not app.control.ping(destination=[hostname], timeout=1.0):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read()[-3000:].decode(errors="replace")
                    raise BenchError(f"reloop worker did not start (exit {process.poll()}):\n{tail}")
            queue = env.get("RELOOP_TASK_QUEUE") or settings.CELERY_TASK_DEFAULT_QUEUE
            yield f"on `reloop worker` ({concurrency or os.cpu_count()} processes, queue {queue})"
        finally:
            stop_process_group(process)


def ledger_balanced() -> bool:
    out = StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=out)
    except CommandError:
        return False
    return True


def prepare(*, hot: int, units_per_offer: int, buyers: int) -> tuple[list[Offer], list[Buyer]]:
    """The hot offers (``hot`` × ``units_per_offer`` units, one new seller) and ``buyers`` signed-in buyers."""
    run = get_random_string(6).lower()
    offers = hot_offers(hot=hot, units_per_offer=units_per_offer, run=run)
    return offers, signed_in_buyers(count=buyers, run=run)


@dataclass(frozen=True)
class PurchaseCpu:
    """CPU time of this process per request of a purchase (ms, mean over the purchases measured)."""

    purchases: int
    step_ms: dict[str, float]

    @property
    def total_ms(self) -> float:
        return sum(self.step_ms.values())

    def render(self) -> str:
        return "\n".join(
            [
                f"CPU per purchase in this process ({self.purchases} purchases through Django's test client, the work "
                "after payment included; PostgreSQL's CPU not included):",
                "| " + " | ".join(self.step_ms) + " | total |",
                "|" + "---:|" * (len(self.step_ms) + 1),
                "| " + " | ".join(f"{ms:.0f} ms" for ms in self.step_ms.values()) + f" | {self.total_ms:.0f} ms |",
            ]
        )


def cpu_per_purchase(*, purchases: int, warmup: int = 2, market: str = MARKET) -> PurchaseCpu:
    """The five requests of a purchase, in this process through Django's test client (which closes each response,
    so the work after it runs inside its request's timing), ``time.process_time()`` around each one. What a
    purchase costs in Python, much less disturbed than orders per second by other processes on a busy machine."""
    from django.test import Client

    offers, buyers = prepare(hot=3, units_per_offer=purchases + warmup, buyers=purchases + warmup)
    paths = Paths.for_market(market)
    spent: dict[str, list[float]] = {}
    with translation.override(market):
        for n, buyer in enumerate(buyers):
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = buyer.session_key
            client.cookies[settings.CSRF_COOKIE_NAME] = buyer.csrf
            token = {"csrfmiddlewaretoken": buyer.csrf}
            form = {"idempotency_key": uuid.uuid4().hex, "accept_terms": "on", "instalments": "1",
                    "country": paths.country, **ADDRESS, **token}  # fmt: skip
            steps: list[tuple[str, str, dict[str, Any] | None]] = [
                ("add", paths.cart_add, {"offer": offers[n % len(offers)].pk, "quantity": "1", **token}),
                ("checkout page", paths.checkout, None),
                ("placement", paths.checkout, form),
                ("card", "", {"card": CARD, **token}),  # to where placement sent the buyer
                ("return", "", None),  # to where the provider sent the buyer back
            ]
            location = ""
            for step, path, data in steps:
                started = time.process_time()
                target = path or _path(location)
                response = client.post(target, data) if data is not None else client.get(target)
                if n >= warmup:
                    spent.setdefault(step, []).append((time.process_time() - started) * 1000)
                location = response.get("Location", "")
                if step == "placement" and "/_provider/" not in location:
                    raise FlashSaleHttpError(f"placement answered {response.status_code}: no payment to measure")
            if not _path(location).startswith(paths.order_prefix):
                raise FlashSaleHttpError(f"the purchase did not end on its order ({location or 'nowhere'})")
    return PurchaseCpu(purchases, {step: sum(ms) / len(ms) for step, ms in spent.items()})
