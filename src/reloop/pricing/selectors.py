"""Pricing reads: the offers of a product page, refurbished prices on category pages, and price to win."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, QuerySet, Subquery

from reloop.catalog.grading import GRADE_ORDER, BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import ProductModel
from reloop.catalog.selectors import ModelFilters, filtered_models, new_price_from, storage_sizes_by_model
from reloop.offers.models import Offer, OfferPrice
from reloop.passports.selectors import has_passport_for_price
from reloop.pricing.domain import Candidate, price_to_win, rank
from reloop.pricing.eligibility import eligible_prices, offer_is_eligible
from reloop.pricing.grades import BetterDeal, better_deal
from reloop.pricing.models import GRADE_PRICE_FIELDS, BuyBoxSnapshot, VariantOfferSummary
from reloop.sellers.models import Seller

#: Default grade shown on a product page when the buyer has not chosen: the best value first.
DEFAULT_GRADE_PREFERENCE = (Grade.GOOD, Grade.EXCELLENT, Grade.FAIR, Grade.PREMIUM)

BrowseSort = Literal["recent", "name", "price", "-price"]
BROWSE_SORTS: tuple[BrowseSort, ...] = ("recent", "price", "-price", "name")


def _candidate(price: OfferPrice) -> Candidate:
    offer = price.offer
    return Candidate(
        offer.pk,
        price.amount,
        offer.seller.quality_score,
        offer.dispatch_days,
        offer.warranty_months,
        offer.created_at,
        has_passport=bool(getattr(price, "passport", False)),  # annotated by the selectors that rank
    )


# --- Product page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeChoice:
    grade: Grade
    price: int | None  # the buy-box price of this grade, None when nothing is on offer
    offer_count: int
    selected: bool


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    price: int | None  # the best price with this choice, None for "any"
    selected: bool


#: At or below this many units, a product page tells the buyer how few are left.
LOW_STOCK = 3


@dataclass(frozen=True)
class OfferLine:
    offer: Offer
    seller: Seller
    price: int
    currency: str

    @property
    def low_stock(self) -> bool:
        return self.offer.stock <= LOW_STOCK


@dataclass(frozen=True)
class ProductOffers:
    grades: list[GradeChoice]
    grade: Grade | None
    battery_choices: list[Choice] = field(default_factory=list)
    parts_choices: list[Choice] = field(default_factory=list)
    buy_box: OfferLine | None = None
    others: list[OfferLine] = field(default_factory=list)
    # "Excellent is cheaper right now" (pricing.grades): read from the same snapshots as the grade picker
    better_deal: BetterDeal | None = None

    @property
    def lowest_price(self) -> int | None:
        prices = [g.price for g in self.grades if g.price is not None]
        return min(prices) if prices else None


def _choices(
    lines: Sequence[OfferLine], attribute: str, labels: dict[str, Any], chosen: str | None
) -> tuple[list[Choice], str | None]:
    """The values of ``attribute`` among ``lines`` with their best price; empty when all lines agree."""
    best: dict[str, int] = {}
    for line in lines:  # lines are ranked: the first seen of a value is its best
        best.setdefault(getattr(line.offer, attribute), line.price)
    if len(best) < 2:
        return [], None
    chosen = chosen if chosen in best else None
    ordered = [v for v in labels if v in best]
    return [Choice(v, str(labels[v]), best[v], v == chosen) for v in ordered], chosen


def product_offers(
    *, variant_id: int, market: str, grade: str | None = None, battery: str | None = None, parts: str | None = None
) -> ProductOffers:
    """The grade picker, the buy-box offer and the other offers of one variant in one market (two queries).

    The grade picker reads the snapshots, with their winning offers for the better-grade pointer; the offers of
    the chosen grade are ranked with the same pure function that builds the snapshots, then narrowed by the
    battery and parts choices when offers differ on them.
    """
    snapshots = {
        s.grade: s for s in BuyBoxSnapshot.objects.filter(variant_id=variant_id, market=market).select_related("winner")
    }
    if grade not in snapshots:
        grade = next((g for g in DEFAULT_GRADE_PREFERENCE if g in snapshots), None)
    grades = [
        GradeChoice(
            g,
            snapshots[g].price if g in snapshots else None,
            snapshots[g].offer_count if g in snapshots else 0,
            g == grade,
        )
        for g in GRADE_ORDER
    ]
    if grade is None:
        return ProductOffers(grades, None)
    prices = list(
        eligible_prices(market)
        .filter(offer__variant_id=variant_id, offer__grade=grade)
        .select_related("offer__seller")
        .annotate(passport=has_passport_for_price())
    )
    by_id = {p.offer_id: p for p in prices}
    ranked = [by_id[c.offer_id] for c in rank(_candidate(p) for p in prices)]
    lines = [OfferLine(p.offer, p.offer.seller, p.amount, p.currency) for p in ranked]
    battery_choices, battery = _choices(lines, "battery_tier", dict(BatteryTier.choices), battery)
    parts_choices, parts = _choices(lines, "parts_provenance", dict(PartsProvenance.choices), parts)
    shown = [
        line
        for line in lines
        if (battery is None or line.offer.battery_tier == battery)
        and (parts is None or line.offer.parts_provenance == parts)
    ]
    return ProductOffers(
        grades=grades,
        grade=Grade(grade),
        battery_choices=battery_choices,
        parts_choices=parts_choices,
        buy_box=shown[0] if shown else None,
        others=shown[1:],
        better_deal=better_deal(snapshots, grade),
    )


# --- Category pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradePrice:
    grade: Grade
    price: int


def _price_from(market: str, grade: str | None) -> Subquery:
    column = GRADE_PRICE_FIELDS[grade] if grade else "lowest_price"
    return Subquery(
        VariantOfferSummary.objects.filter(variant__product_model=OuterRef("pk"), market=market)
        .values("variant__product_model")
        .annotate(lowest=Min(column))
        .values("lowest")[:1]
    )


def browse_models(
    *,
    filters: ModelFilters,
    market: str,
    grade: str | None = None,
    sort: BrowseSort = "recent",
    page: int = 1,
    per_page: int = 24,
) -> Page[ProductModel]:
    """A page of models with ``price_from`` (lowest refurbished price, of ``grade`` when given) and
    ``grade_prices`` (lowest price per grade).

    Queries: count, page, storage sizes and grade prices of the page: four whatever the page size. With a
    grade, only models on offer in that grade are listed.
    """
    grade = grade if grade in GRADE_PRICE_FIELDS else None
    qs = (
        filtered_models(filters)
        .select_related("brand", "category")
        .annotate(price_from=_price_from(market, grade), new_price_from=new_price_from(market))
    )
    if grade:
        qs = qs.filter(price_from__isnull=False)
    orders = {"name": ("brand__name", "name", "pk")}
    ordering: tuple[Any, ...] = orders.get(sort, ("-release_date", "pk"))
    if sort == "price":  # models without offers go last whichever the direction
        ordering = (F("price_from").asc(nulls_last=True), "pk")
    elif sort == "-price":
        ordering = (F("price_from").desc(nulls_last=True), "pk")
    page_obj = cast("Page[ProductModel]", Paginator(qs.order_by(*ordering), per_page).get_page(page))
    page_obj.object_list = _with_card_details(list(page_obj.object_list), market)
    return page_obj


def featured_models(*, market: str, limit: int = 10) -> list[ProductModel]:
    """The home page's featured models with their refurbished prices (three queries)."""
    models = list(
        ProductModel.objects.filter(featured=True)
        .select_related("brand", "category")
        .annotate(price_from=_price_from(market, None), new_price_from=new_price_from(market))
        .order_by("-release_date", "pk")[:limit]
    )
    return _with_card_details(models, market)


def _with_card_details(models: Sequence[ProductModel], market: str) -> list[ProductModel]:
    """Attach ``grade_prices`` and ``storage_sizes`` for model cards: two queries for the whole list."""
    ids = [m.pk for m in models]
    grade_prices = grade_prices_by_model(ids, market)
    sizes = storage_sizes_by_model(ids)
    for m in models:
        m.grade_prices = grade_prices.get(m.pk, [])  # type: ignore[attr-defined]
        m.storage_sizes = sizes.get(m.pk, [])  # type: ignore[attr-defined]
    return list(models)


def grade_prices_by_model(model_ids: Iterable[int], market: str) -> dict[int, list[GradePrice]]:
    """Lowest price per grade of each model in ``market`` (one query)."""
    rows = (
        VariantOfferSummary.objects.filter(variant__product_model_id__in=list(model_ids), market=market)
        .values("variant__product_model_id")
        .annotate(**{g: Min(column) for g, column in GRADE_PRICE_FIELDS.items()})
        .order_by()
    )
    result: dict[int, list[GradePrice]] = {}
    for row in cast(Iterable[dict[str, Any]], rows):  # annotations named at run time: a plain dict per row
        result[row["variant__product_model_id"]] = [
            GradePrice(Grade(g), row[g]) for g in GRADE_ORDER if row[g] is not None
        ]
    return result


# --- Price to win ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Competition:
    offer_id: int
    market: str
    currency: str
    price: int
    is_winning: bool
    winner_price: int | None
    price_to_win: int | None  # None: cannot win at any price (or not eligible)
    offer_count: int


def competition(*, seller: Seller, offer_ids: Sequence[int] | None = None) -> list[Competition]:
    """For each of ``seller``'s offers and each market it is priced in: winning or not, and the price to win.

    Two queries: the seller's offer prices, then every eligible competitor on the same (variant, grade) pairs.
    Only this seller's offers are returned; competitors appear as prices, never as offers or sellers.
    """
    own = (
        OfferPrice.objects.filter(offer__seller=seller)
        .select_related("offer__seller")
        .annotate(passport=has_passport_for_price())
    )
    if offer_ids is not None:
        own = own.filter(offer_id__in=list(offer_ids))
    own_prices = list(own.order_by("offer_id", "market"))
    if not own_prices:
        return []
    pairs = {(p.offer.variant_id, p.offer.grade) for p in own_prices}
    variant_ids = {v for v, _ in pairs}
    rivals: dict[tuple[int, str, str], list[Candidate]] = defaultdict(list)
    eligible = (
        eligible_prices()
        .filter(offer__variant_id__in=variant_ids)
        .select_related("offer__seller")
        .annotate(passport=has_passport_for_price())
        .order_by()
    )
    for p in eligible:
        if (p.offer.variant_id, p.offer.grade) in pairs:
            rivals[(p.offer.variant_id, p.offer.grade, p.market)].append(_candidate(p))
    results = []
    for p in own_prices:
        offer = p.offer
        me = _candidate(p)
        eligible_me = offer_is_eligible(offer)
        if not eligible_me:
            me = replace(me, eligible=False)
        field_ = rivals.get((offer.variant_id, offer.grade, p.market), [])
        ranked = rank([c for c in field_ if c.offer_id != me.offer_id] + ([me] if eligible_me else []))
        winner = ranked[0] if ranked else None
        results.append(
            Competition(
                offer_id=offer.pk,
                market=p.market,
                currency=p.currency,
                price=p.amount,
                is_winning=winner is not None and winner.offer_id == offer.pk,
                winner_price=winner.price if winner else None,
                price_to_win=price_to_win(me, field_),
                offer_count=len(ranked),
            )
        )
    return results


@dataclass(frozen=True)
class GradeBox:
    price: int
    offer_count: int
    line: OfferLine


def buy_boxes(*, variant_id: int, market: str) -> dict[str, GradeBox]:
    """The snapshot of each grade on offer, with its winning offer and seller (one query)."""
    snapshots = BuyBoxSnapshot.objects.filter(variant_id=variant_id, market=market).select_related("winner__seller")
    return {
        s.grade: GradeBox(s.price, s.offer_count, OfferLine(s.winner, s.winner.seller, s.price, s.currency))
        for s in snapshots
    }


# --- Seller back office ---------------------------------------------------------------------------------

#: The back-office offers table's "in this market" filter: sold there at all, winning or losing its buy box,
#: or not sold there.
MARKET_FILTERS = ("sold", "won", "lost", "unsold")


def with_market_filter(qs: QuerySet[Offer], *, market: str, status: str) -> QuerySet[Offer]:
    """Narrow a seller's offers by how they stand in ``market``. "Won" reads the buy-box snapshot (refreshed on
    every commit that touches an offer), so it is one subquery whatever the number of offers."""
    if status not in MARKET_FILTERS:
        return qs
    priced = Exists(OfferPrice.objects.filter(offer=OuterRef("pk"), market=market))
    winning = Exists(BuyBoxSnapshot.objects.filter(winner=OuterRef("pk"), market=market))
    return {
        "sold": qs.filter(priced),
        "won": qs.filter(winning),
        "lost": qs.filter(priced).exclude(winning),
        "unsold": qs.exclude(priced),
    }[status]


def competition_by_offer(*, seller: Seller, offer_ids: Sequence[int], market: str) -> dict[int, Competition]:
    """``competition`` of the given offers in one market, keyed by offer (two queries, whatever the number)."""
    return {c.offer_id: c for c in competition(seller=seller, offer_ids=offer_ids) if c.market == market}


@dataclass(frozen=True)
class MarketInsight:
    """How one offer stands in one market's buy box, as its seller may see it (competitors are never named)."""

    competition: Competition
    takes_part: bool  # active, in stock, seller in good standing: it can win at all
    rivals: int  # other offers in the same buy box (same variant, grade and market)


def offer_insight(*, seller: Seller, offer: Offer) -> list[MarketInsight]:
    """The buy-box insight of one of ``seller``'s offers in each market it is priced in (two queries).
    ``offer`` must be the seller's, with its seller loaded."""
    takes_part = offer_is_eligible(offer)
    return [
        MarketInsight(c, takes_part, c.offer_count - (1 if takes_part else 0))
        for c in competition(seller=seller, offer_ids=[offer.pk])
    ]


@dataclass(frozen=True)
class BuyBoxShare:
    market: str
    winning: int  # offers holding the buy box in this market
    priced: int  # offers with a price in this market

    @property
    def percent(self) -> int:
        return round(100 * self.winning / self.priced) if self.priced else 0


def buy_box_share(*, seller: Seller) -> list[BuyBoxShare]:
    """Per market the seller sells in: offers winning the buy box out of offers priced there (two queries)."""
    priced = dict(
        OfferPrice.objects.filter(offer__seller=seller)
        .values_list("market")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("market", "n")
    )
    winning = dict(
        BuyBoxSnapshot.objects.filter(winner__seller=seller)
        .values_list("market")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("market", "n")
    )
    return [BuyBoxShare(m, winning.get(m, 0), n) for m, n in sorted(priced.items())]
