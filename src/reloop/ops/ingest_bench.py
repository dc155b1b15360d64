"""The ingestion scenario of ``reloop bench --ingest``: how fast sellers' catalogues get in (docs/benchmarks.md).

Three measures, on the configured database, with the buy boxes of every touched variant refreshed (after commit,
as in production) inside each timing:

1. **CSV**: a generated 15,000-line file creating offers for one seller, read and validated (``offers.csv_io`` +
   ``offers.bulk.plan_changes``) then applied through ``offers.imports``, as the web and ``reloop import_offers``
   do; then the same file with new prices and stock, an update of every line.
2. **Bulk**: 100,000 price/stock updates (two market prices and the stock of each offer) through ``offers.bulk``,
   in feeds of 25,000 offers of four sellers.
3. **HTTP** (optional): the same kind of updates through ``POST /api/v1/seller/offers/bulk`` in batches of 1,000,
   in-process with Django's test client (the whole stack: auth, rate-limit check, idempotency, JSON; no socket),
   with the per-token write limit lifted for the run. The calls' buy boxes are ranked in batches (ADR 0044); the
   keys still stale after the last answer are ranked inside the timing.

The bench sellers are created for the run and removed at the end, with their offers, and the buy boxes they took
part in are refreshed again, so the database is left as it was found.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils.crypto import get_random_string

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import Variant
from reloop.core.money import Money
from reloop.offers.bulk import apply_changes
from reloop.offers.csv_io import OfferChange, csv_lines, parse_offer_csv
from reloop.offers.imports import apply_offer_import, queue_offer_import, validate_offer_import
from reloop.offers.models import ImportStatus, Offer, OfferImport, OfferPrice
from reloop.pricing.models import BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.services import refresh_buy_boxes, refresh_stale_buy_boxes
from reloop.sellers.models import Seller, Standing
from reloop.sellers.services import create_seller_token

MARKETS = ("en-gb", "fr-fr", "de-de")
CURRENCIES = {"en-gb": "GBP", "fr-fr": "EUR", "de-de": "EUR"}
FEED_SELLERS = 4
HTTP_BATCH = 1_000
#: Every condition an offer may be listed in (premium needs original parts and a high or new battery).
CONDITIONS: tuple[tuple[str, str, str], ...] = tuple(
    (grade, battery, parts)
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.FAIR, Grade.PREMIUM)
    for battery in BatteryTier
    for parts in PartsProvenance
    if grade != Grade.PREMIUM or (parts == PartsProvenance.ALL_ORIGINAL and battery != BatteryTier.STANDARD)
)


class IngestBenchError(Exception):
    pass


@dataclass
class Timing:
    name: str
    rows: int
    seconds: float
    note: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class IngestResult:
    database: str
    variants: int
    timings: list[Timing] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": "ingest",
            "database": self.database,
            "variants": self.variants,
            "timings": [{**asdict(t), "rows_per_s": round(t.rows_per_s, 1)} for t in self.timings],
        }

    def render(self) -> str:
        lines = [
            f"Ingestion on {self.database} ({self.variants:,} catalogue variants); buy boxes refreshed in every timing",
            "| step | rows | seconds | rows/s | note |",
            "|------|-----:|--------:|-------:|------|",
            *(f"| {t.name} | {t.rows:,} | {t.seconds:.2f} | {t.rows_per_s:,.0f} | {t.note} |" for t in self.timings),
        ]
        bulk = next((t for t in self.timings if t.name.startswith("bulk update")), None)
        if bulk is not None:
            verdict = "met" if bulk.rows_per_s >= 50_000 else "missed"
            lines.append(f"Target (BENCHMARKS.md, PostgreSQL): ≥ 50,000 rows/s for the bulk update: {verdict}")
        http = next((t for t in self.timings if t.name.startswith("HTTP")), None)
        if bulk is not None and http is not None and bulk.rows_per_s:
            share = http.rows_per_s / bulk.rows_per_s
            verdict = "met" if share >= 0.8 else "missed"
            lines.append(f"HTTP ÷ in-process bulk: {share:.0%} (target ≥ 80%): {verdict}")
        return "\n".join(lines)


def _seller(run: str, n: int) -> Seller:
    return Seller.objects.create(
        name=f"Ingest Bench {run} {n}",
        slug=f"ingest-bench-{run}-{n}",
        legal_name="Ingest Bench Ltd",
        country="GB",
        standing=Standing.ACTIVE,
    )


def _slots(variant_ids: list[int], count: int, offset: int = 0) -> list[tuple[int, tuple[str, str, str]]]:
    """``count`` distinct (variant, condition) pairs: one seller lists each variant in one condition at most once."""
    capacity = len(variant_ids) * len(CONDITIONS)
    if count > capacity:
        raise IngestBenchError(f"{count:,} offers need more variants than the {len(variant_ids):,} in the catalogue")
    return [
        (variant_ids[(i + offset) % len(variant_ids)], CONDITIONS[((i + offset) // len(variant_ids)) % len(CONDITIONS)])
        for i in range(count)
    ]


def _price(rng: random.Random) -> int:
    return rng.randrange(5_000, 150_000)


def generate_csv(*, variant_ids: list[int], lines: int, seed: int = 1) -> bytes:
    """A file of ``lines`` new offers in the import format (semicolons and decimal commas, as a French Excel)."""
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    header = [
        "sku",
        "variant_id",
        "grade",
        "battery_tier",
        "parts_provenance",
        "replaced_parts",
        "warranty_months",
        "dispatch_days",
        "vat_scheme",
        "stock",
        "active",
        *(f"price_{m}" for m in MARKETS),
    ]
    rows = [header]
    for i, (variant_id, (grade, battery, parts)) in enumerate(_slots(variant_ids, lines)):
        rows.append(
            [
                f"CSV-{i:06d}",
                str(variant_id),
                grade,
                battery,
                parts,
                "" if parts == PartsProvenance.ALL_ORIGINAL else "screen|battery",
                str(rng.choice((12, 18, 24))),
                str(rng.choice((1, 2, 3))),
                "margin",
                str(rng.randrange(0, 50)),
                "yes",
                *(f"{_price(rng) / 100:.2f}".replace(".", ",") for _ in MARKETS),
            ]
        )
    return "".join(csv_lines(rows, delimiter=";")).encode()


class _LastCall:
    """A progress callback remembering when it was last called: the end of the writes, before the commit."""

    def __init__(self) -> None:
        self.started = self.at = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        self.at = time.perf_counter()


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _csv_step(result: IngestResult, seller: Seller, data: bytes, label: str) -> None:
    holder: dict[str, object] = {}
    validate_s = _time(
        lambda: holder.setdefault(
            "import", validate_offer_import(actor=None, seller=seller, filename="bench.csv", data=data)
        )
    )
    offer_import = holder["import"]
    summary = offer_import.summary  # type: ignore[attr-defined]
    if summary["errors"]:
        raise IngestBenchError(f"the generated file has errors: {offer_import.errors[:3]}")  # type: ignore[attr-defined]
    lines = int(summary["lines"])
    result.timings.append(Timing(f"CSV {label}: validate", lines, validate_s, "decode, parse, plan (no write)"))

    def apply() -> None:
        queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)  # type: ignore[attr-defined]
        done = apply_offer_import(import_id=offer_import.pk)  # type: ignore[attr-defined]
        if done.status != ImportStatus.APPLIED:
            raise IngestBenchError(f"the import was not applied: {done.message}")

    apply_s = _time(apply)
    result.timings.append(
        Timing(f"CSV {label}: apply", lines, apply_s, f"{summary['created']:,} created, {summary['updated']:,} updated")
    )
    result.timings.append(Timing(f"CSV {label}: total", lines, validate_s + apply_s, "validate + apply"))


def _reprice_csv(seller: Seller, seed: int) -> bytes:
    rng = random.Random(seed)  # noqa: S311  # test data
    rows = [["sku", "stock", *(f"price_{m}" for m in MARKETS)]]
    rows.extend(
        [sku, str(rng.randrange(0, 50)), *(f"{_price(rng) / 100:.2f}" for _ in MARKETS)]
        for sku in Offer.objects.filter(seller=seller).order_by("pk").values_list("sku", flat=True)
    )
    return "".join(csv_lines(rows)).encode()


def _feed_sellers(run: str, variant_ids: list[int], per_seller: int) -> list[tuple[Seller, list[str]]]:
    """Sellers with ``per_seller`` offers each, created through the bulk path (timed separately)."""
    rng = random.Random(7)  # noqa: S311
    sellers = []
    for n in range(FEED_SELLERS):
        seller = _seller(run, n + 1)
        changes = [
            OfferChange(
                line=i,
                sku=f"FEED-{n}-{i:06d}",
                variant_id=variant_id,
                grade=grade,
                battery_tier=battery,
                parts_provenance=parts,
                replaced_parts=() if parts == PartsProvenance.ALL_ORIGINAL else ("screen",),
                warranty_months=12,
                dispatch_days=1,
                vat_scheme="margin",
                stock=rng.randrange(1, 40),
                prices={m: Money(_price(rng), CURRENCIES[m]) for m in MARKETS},
            )
            for i, (variant_id, (grade, battery, parts)) in enumerate(_slots(variant_ids, per_seller, offset=n * 7))
        ]
        plan = apply_changes(seller=seller, changes=changes)
        if plan.errors:
            raise IngestBenchError(f"feed seller set-up refused lines: {plan.errors[:3]}")
        sellers.append((seller, [c.sku for c in changes]))
    return sellers


def _updates(skus: list[str], rng: random.Random) -> list[OfferChange]:
    return [
        OfferChange(
            line=i,
            sku=sku,
            stock=rng.randrange(0, 40),
            prices={m: Money(_price(rng), CURRENCIES[m]) for m in MARKETS[:2]},
        )
        for i, sku in enumerate(skus)
    ]


def run_ingest(
    *, csv_lines_count: int = 15_000, bulk_rows: int = 100_000, http_rows: int = 0, progress: Callable[[str], None]
) -> IngestResult:
    variant_ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
    if not variant_ids:
        raise IngestBenchError("the catalogue is empty: run `reloop seed` first")
    from reloop.ops.bench import describe_database

    result = IngestResult(database=describe_database(), variants=len(variant_ids))
    run = get_random_string(6).lower()
    created: list[Seller] = []
    try:
        csv_seller = _seller(run, 0)
        created.append(csv_seller)
        progress(f"CSV: {csv_lines_count:,} lines creating offers, then the same offers repriced")
        _maintain(vacuum=True)
        data = generate_csv(variant_ids=variant_ids, lines=csv_lines_count)
        parse_s = _time(lambda: parse_offer_csv(data, max_lines=max(csv_lines_count, 15_000)))
        result.timings.append(Timing("CSV: read only", csv_lines_count, parse_s, f"{len(data) / 1e6:.1f} MB, pure"))
        _csv_step(result, csv_seller, data, "create")
        _csv_step(result, csv_seller, _reprice_csv(csv_seller, seed=2), "update")

        per_seller = -(-bulk_rows // FEED_SELLERS)
        progress(f"Bulk: {FEED_SELLERS} sellers × {per_seller:,} offers, then {bulk_rows:,} price/stock updates")
        feeds: list[tuple[Seller, list[str]]] = []
        setup_s = _time(lambda: feeds.extend(_feed_sellers(run, variant_ids, per_seller)))
        created.extend(s for s, _ in feeds)
        _maintain(vacuum=False)  # the planner learns about the new offers before the measured updates
        result.timings.append(Timing("bulk create (set-up)", per_seller * FEED_SELLERS, setup_s, "3 prices each"))
        rng = random.Random(3)  # noqa: S311
        batches = [(seller, _updates(skus, rng)) for seller, skus in feeds]
        rows = sum(len(b) for _, b in batches)
        written_s = 0.0  # planning and writing, up to the commit; the rest of each feed is the buy-box refresh

        def feed_all() -> None:
            nonlocal written_s
            for seller, batch in batches:
                clock = _LastCall()
                apply_changes(seller=seller, changes=batch, progress=clock)
                written_s += clock.at - clock.started

        bulk_s = _time(feed_all)
        result.timings.append(Timing("bulk update", rows, bulk_s, "stock + 2 prices per offer, 4 feeds"))
        result.timings.append(Timing("  of which plan + write", rows, written_s, "until commit"))
        result.timings.append(Timing("  of which buy-box refresh", rows, bulk_s - written_s, "after commit"))

        if http_rows:
            progress(f"HTTP: {http_rows:,} updates through POST /api/v1/seller/offers/bulk, {HTTP_BATCH:,} per call")
            seller, skus = feeds[0]
            _, key = create_seller_token(seller=seller, name="ingest bench")
            client = Client()
            http_updates = [(skus[i % len(skus)], i) for i in range(http_rows)]
            rng = random.Random(4)  # noqa: S311

            def send() -> None:
                for start in range(0, len(http_updates), HTTP_BATCH):
                    chunk = http_updates[start : start + HTTP_BATCH]
                    seen: set[str] = set()
                    items = []
                    for sku, _i in chunk:
                        if sku in seen:
                            continue
                        seen.add(sku)
                        items.append({"sku": sku, "stock": rng.randrange(0, 40), "prices": {"en-gb": _price(rng)}})
                    response = client.post(
                        "/api/v1/seller/offers/bulk",
                        data=json.dumps({"items": items}),
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"bench-{run}-{start}"},
                    )
                    if response.status_code != 200:
                        raise IngestBenchError(f"the API answered {response.status_code}: {response.content[:300]!r}")

            # 100 calls in a few seconds is far past the per-token write limit (60/min): it is lifted for the run,
            # the rate-limit check itself still runs on every call.
            with override_settings(RELOOP_SELLER_API_RATE_WRITE=0, ALLOWED_HOSTS=["testserver"]):
                http_s = _time(send)
            # The calls' buy boxes are ranked in batches (ADR 0044): the keys still stale after the last answer are
            # ranked here, inside the timing, as the scheduled job would within seconds.
            drain_s = _time(refresh_stale_buy_boxes)
            result.timings.append(
                Timing(
                    "HTTP bulk update",
                    http_rows,
                    http_s + drain_s,
                    f"{-(-http_rows // HTTP_BATCH)} calls, in-process; last batch of buy boxes {drain_s:.1f} s",
                )
            )
    finally:
        progress("Cleaning up the bench sellers")
        _clean_up(created)
    return result


CHURNED_TABLES = (Offer, OfferPrice, BuyBoxSnapshot, VariantOfferSummary, OfferImport)


def _maintain(*, vacuum: bool) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables the bench churns (``VACUUM`` too, at the end).

    The bench creates and deletes 100,000+ offers a run; where autovacuum is off or lags (the PostgreSQL of this
    project's machine runs with ``autovacuum = off``) the dead rows and stale estimates would slow every later run.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in CHURNED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {tables}")


def _clean_up(sellers: list[Seller]) -> None:
    """Remove the bench sellers' offers and the sellers, and refresh the buy boxes they took part in."""
    if not sellers:
        return
    variant_ids = list(Offer.objects.filter(seller__in=sellers).values_list("variant_id", flat=True).distinct())
    OfferPrice.objects.filter(offer__seller__in=sellers).delete()
    refresh_buy_boxes(variant_ids=variant_ids)  # no bench offer is eligible any more: snapshots drop them
    Offer.objects.filter(seller__in=sellers).delete()
    for seller in sellers:
        seller.tokens.all().delete()
        seller.offer_imports.all().delete()
    Seller.objects.filter(pk__in=[s.pk for s in sellers]).delete()
    _maintain(vacuum=True)
