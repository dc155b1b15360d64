"""Category and search listings with facets that tell the truth (docs/search.md).

A card's price is the lowest buy-box price among the model's variants *that match the filters* (storage, colour,
keyboard layout) in the chosen grade (any grade when none is chosen), and the card links to that variant and grade,
so the product page opens on the price the card showed. With a battery tier chosen the buy boxes no longer say it
(they rank every tier together), so the card's price is the lowest price of the eligible offers of that tier
(``pricing.eligibility``), which the product page lists under the same ``?battery=`` choice. Facet counts are
numbers of models, each facet ignoring its own selection. Every read is a fixed number of queries whatever the
number of models (docstrings say how many).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext

from reloop.catalog import support
from reloop.catalog.grading import GRADE_ORDER, BatteryTier, Grade
from reloop.catalog.models import ProductImage, ProductModel, Variant, format_storage
from reloop.catalog.names import colour_name
from reloop.catalog.selectors import new_price_from
from reloop.core import clock
from reloop.core.money import Money
from reloop.markets.data import Market
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.selectors import GradePrice

SORTS = ("relevance", "recent", "price", "-price", "name")

#: Price bands in the market's major units, scaled per currency so a band means about the same everywhere.
BAND_LIMITS = (100, 200, 400, 800)
CURRENCY_SCALE = {"SEK": 10, "JPY": 150}


def price_bands(market: Market) -> list[tuple[str, int | None, int | None]]:
    """``(key, low, high)`` in minor units, ``high`` exclusive: "0-100", "100-200", … "800-"."""
    scale = CURRENCY_SCALE.get(market.currency, 1)
    minor = Money.from_major(1, market.currency).amount
    edges: list[int | None] = [None, *[limit * scale for limit in BAND_LIMITS], None]
    bands = []
    for low, high in itertools.pairwise(edges):
        key = f"{low or 0}-{high or ''}"
        bands.append((key, low * minor if low else None, high * minor if high else None))
    return bands


@dataclass(frozen=True)
class BrowseFilters:
    category_ids: Sequence[int] | None = None
    model_ids: Sequence[int] | None = None  # a search's hits, most relevant first
    brands: Sequence[str] = ()
    storage_gb: Sequence[int] = ()
    colours: Sequence[str] = ()
    layouts: Sequence[str] = ()
    years: Sequence[int] = ()
    network_5g: bool = False
    grade: str = ""
    band: str = ""
    battery: str = ""  # a BatteryTier value: only devices with a battery, offers of that tier
    query: str = ""
    # "Updates until at least <year>" (issue 16): the year, and each candidate model's last committed year of
    # security updates (``support_years``), read once per request (catalog.support, one query).
    updates_until: int | None = None
    support_years: tuple[tuple[int, int], ...] = ()

    @property
    def variant_level(self) -> bool:
        return bool(self.storage_gb or self.colours or self.layouts)


#: The filter each facet's ``skip`` leaves out: ``_models``, ``_variant_q``, ``_snapshots`` and ``_priced`` apply a
#: filter only when it is selected and not skipped, so skipping an unselected one changes nothing.
_SKIPPED = {
    "brand": "brands",
    "storage": "storage_gb",
    "colour": "colours",
    "layout": "layouts",
    "year": "years",
    "network": "network_5g",
    "grade": "grade",
    "band": "band",
    "battery": "battery",
    "updates": "updates_until",
}


def _selected(filters: BrowseFilters, skip: str) -> bool:
    """Whether the filter ``skip`` names is selected (an unknown or empty ``skip`` is not)."""
    name = _SKIPPED.get(skip)
    return bool(name and getattr(filters, name))


def _variant_q(filters: BrowseFilters, *, prefix: str = "", skip: str = "") -> Q:
    q = Q()
    if filters.storage_gb and skip != "storage":
        q &= Q(**{f"{prefix}storage_gb__in": list(filters.storage_gb)})
    if filters.colours and skip != "colour":
        q &= Q(**{f"{prefix}colour__in": list(filters.colours)})
    if filters.layouts and skip != "layout":
        q &= Q(**{f"{prefix}options__keyboard_layout__in": list(filters.layouts)})
    return q


def _models(filters: BrowseFilters, *, skip: str = "") -> QuerySet[ProductModel]:
    qs = ProductModel.objects.all()
    if filters.category_ids is not None:
        qs = qs.filter(category_id__in=list(filters.category_ids))
    if filters.model_ids is not None:
        qs = qs.filter(pk__in=list(filters.model_ids))
    if filters.brands and skip != "brand":
        qs = qs.filter(brand__slug__in=list(filters.brands))
    if filters.years and skip != "year":
        qs = qs.filter(release_date__year__in=list(filters.years))
    if filters.network_5g and skip != "network":
        qs = qs.filter(specs__5g=True)
    if filters.battery and skip != "battery":
        qs = qs.filter(category__battery_min_health__isnull=False)
    if filters.updates_until and skip != "updates":
        qs = qs.filter(pk__in=_supported_until(filters, filters.updates_until))
    variant_q = _variant_q(filters, skip=skip)
    if variant_q:
        qs = qs.filter(Exists(Variant.objects.filter(variant_q, product_model=OuterRef("pk"))))
    return qs


def support_years(category_ids: Sequence[int] | None = None) -> tuple[tuple[int, int], ...]:
    """(model id, last year of committed security updates) of every model with a published commitment, in the
    given categories (one query; the commitments are shipped data, ``catalog.support``)."""
    qs = ProductModel.objects.all()
    if category_ids is not None:
        qs = qs.filter(category_id__in=list(category_ids))
    found = []
    for pk, brand, name, released in qs.values_list("pk", "brand__name", "name", "release_date").order_by("pk"):
        year = support.horizon(brand=brand, name=name, release_date=released).until_year
        if year is not None:
            found.append((pk, year))
    return tuple(found)


def _supported_until(filters: BrowseFilters, year: int) -> list[int]:
    return [pk for pk, until in filters.support_years if until >= year]


def _updates_facet(filters: BrowseFilters, model_ids: Sequence[int]) -> list[FacetValue]:
    """Per year from this year to the furthest commitment: the models among ``model_ids`` (those matching every
    other filter) whose manufacturer commits to security updates until at least that year (no query: the horizons
    were read once, ``support_years``)."""
    this_year = clock.today().year
    furthest = max((until for _, until in filters.support_years), default=this_year - 1)
    years = list(range(this_year, furthest + 1))
    if not years:
        return []
    until = dict(filters.support_years)
    horizons = [until[pk] for pk in model_ids if pk in until]
    values = [
        FacetValue(
            str(y),
            gettext("Until at least %(year)s") % {"year": y},
            sum(1 for year in horizons if year >= y),
            y == filters.updates_until,
        )
        for y in years
    ]
    return values if any(v.count or v.selected for v in values) else []


def _snapshots(filters: BrowseFilters, market: str, *, skip: str = "") -> QuerySet[Any]:
    """The prices a card may show for the variants matching the filters, in ``market`` (and the chosen grade), as
    rows of ``p_model``, ``p_variant``, ``p_variant_slug``, ``p_grade``, ``p_price``: the buy boxes, or with a
    battery tier chosen the eligible offers of that tier."""
    if filters.battery and skip != "battery":
        offers = eligible_prices(market).filter(
            _variant_q(filters, prefix="offer__variant__", skip=skip), offer__battery_tier=filters.battery
        )
        if filters.grade and skip != "grade":
            offers = offers.filter(offer__grade=filters.grade)
        return offers.annotate(
            p_model=F("offer__variant__product_model_id"),
            p_variant=F("offer__variant_id"),
            p_variant_slug=F("offer__variant__slug"),
            p_grade=F("offer__grade"),
            p_price=F("amount"),
        )
    qs = BuyBoxSnapshot.objects.filter(_variant_q(filters, prefix="variant__", skip=skip), market=market)
    if filters.grade and skip != "grade":
        qs = qs.filter(grade=filters.grade)
    return qs.annotate(
        p_model=F("variant__product_model_id"),
        p_variant=F("variant_id"),
        p_variant_slug=F("variant__slug"),
        p_grade=F("grade"),
        p_price=F("price"),
    )


def _priced(qs: QuerySet[ProductModel], filters: BrowseFilters, market: Market, *, skip: str = "") -> QuerySet[Any]:
    """Annotate the card's price, variant and grade: the cheapest matching buy box (three correlated subqueries
    on one indexed table), and apply the grade and price-band filters."""
    best = (
        _snapshots(filters, market.code, skip=skip)
        .filter(p_model=OuterRef("pk"))
        .order_by("p_price", "p_variant", "p_grade")
    )
    qs = qs.annotate(
        price_from=Subquery(best.values("p_price")[:1]),
        best_variant=Subquery(best.values("p_variant_slug")[:1]),
        best_grade=Subquery(best.values("p_grade")[:1]),
    )
    if (filters.grade and skip != "grade") or (filters.battery and skip != "battery"):
        qs = qs.filter(price_from__isnull=False)
    if filters.band and skip != "band":
        for key, low, high in price_bands(market):
            if key == filters.band:
                qs = qs.filter(price_from__isnull=False)
                if low is not None:
                    qs = qs.filter(price_from__gte=low)
                if high is not None:
                    qs = qs.filter(price_from__lt=high)
    return qs


def browse(
    *, filters: BrowseFilters, market: Market, sort: str = "recent", page: int = 1, per_page: int = 24
) -> Page[Any]:
    """A page of models with ``price_from`` / ``best_variant`` / ``best_grade`` / ``best_battery`` (the card's price
    and link),
    ``new_price_from``, ``grade_prices`` and ``storage_sizes``.

    Queries: count, page, grade prices, the variants (storage sizes, colours), pictures: five whatever the page
    size.
    """
    qs = _priced(_models(filters), filters, market).select_related("brand", "category")
    qs = qs.annotate(new_price_from=new_price_from(market.code))
    if sort == "relevance" and filters.model_ids:
        ordering: tuple[Any, ...] = (
            Case(
                *[When(pk=pk, then=Value(i)) for i, pk in enumerate(filters.model_ids)],
                default=Value(len(filters.model_ids)),
                output_field=IntegerField(),
            ),
            "pk",
        )
    elif sort == "price":
        ordering = (F("price_from").asc(nulls_last=True), "pk")
    elif sort == "-price":
        ordering = (F("price_from").desc(nulls_last=True), "pk")
    elif sort == "name":
        ordering = ("brand__name", "name", "pk")
    else:
        ordering = ("-release_date", "pk")
    page_obj: Page[Any] = Paginator(qs.order_by(*ordering), per_page).get_page(page)
    models = list(page_obj.object_list)
    ids = [m.pk for m in models]
    grade_prices = _grade_prices(ids, filters, market.code)
    colours, sizes = _card_variants(ids)
    images = _card_images(ids, filters)
    for m in models:
        m.image = images.get(m.pk)
        m.card_colour = colours.get((m.pk, m.best_variant)) or colours.get((m.pk, None), "")
        m.best_battery = filters.battery if m.best_variant else ""  # the card links to that tier's offers
        m.grade_prices = grade_prices.get(m.pk, [])
        m.storage_sizes = [gb for gb in sizes.get(m.pk, []) if not filters.storage_gb or gb in filters.storage_gb]
    page_obj.object_list = models
    return page_obj


def _card_variants(ids: Sequence[int]) -> tuple[dict[tuple[int, str | None], str], dict[int, list[int]]]:
    """From the models' variants (one query): each variant's colour by (model, slug), each model's first colour under
    (model, None); and each model's distinct storage sizes, smallest first."""
    colours: dict[tuple[int, str | None], str] = {}
    sizes: dict[int, set[int]] = {}
    rows = Variant.objects.filter(product_model_id__in=list(ids)).order_by("product_model_id", "pk")
    for model_id, slug, colour, gb in rows.values_list("product_model_id", "slug", "colour", "storage_gb"):
        colours[(model_id, slug)] = colour
        if colour:
            colours.setdefault((model_id, None), colour)
        if gb is not None:
            sizes.setdefault(model_id, set()).add(gb)
    return colours, {model_id: sorted(found) for model_id, found in sizes.items()}


def _card_images(ids: Sequence[int], filters: BrowseFilters) -> dict[int, ProductImage]:
    """The first picture of each model, in a chosen colour when there is one (one query)."""
    found: dict[int, ProductImage] = {}
    for image in ProductImage.objects.filter(product_model_id__in=list(ids)).order_by("product_model_id", "position"):
        current = found.get(image.product_model_id)
        if current is None or (image.colour in filters.colours and current.colour not in filters.colours):
            found[image.product_model_id] = image
    return found


def _grade_prices(ids: Sequence[int], filters: BrowseFilters, market: str) -> dict[int, list[GradePrice]]:
    """The lowest buy-box price per grade of each model among the matching variants (one query); with a grade
    chosen, only that grade."""
    rows = (
        _snapshots(filters, market)
        .filter(p_model__in=list(ids))
        .values("p_model", "p_grade")
        .annotate(lowest=Min("p_price"))
        .order_by()
        .values_list("p_model", "p_grade", "lowest")
    )
    best = {(model_id, grade): price for model_id, grade, price in rows}
    result: dict[int, list[GradePrice]] = {}
    for g in GRADE_ORDER:
        for (model_id, grade), price in best.items():
            if grade == g:
                result.setdefault(model_id, []).append(GradePrice(Grade(g), price))
    return result


class ModelRow(NamedTuple):
    """A model matching a facet's base, with what the model-level facets count."""

    pk: int
    brand_slug: str
    brand_name: str
    release_date: dt.date
    is_5g: bool | None
    price_from: int | None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    brands: list[FacetValue] = field(default_factory=list)
    storage: list[FacetValue] = field(default_factory=list)
    colours: list[FacetValue] = field(default_factory=list)
    layouts: list[FacetValue] = field(default_factory=list)
    years: list[FacetValue] = field(default_factory=list)
    grades: list[FacetValue] = field(default_factory=list)
    bands: list[FacetValue] = field(default_factory=list)
    network_5g: FacetValue | None = None
    batteries: list[FacetValue] = field(default_factory=list)  # empty where no listed device has a battery
    updates: list[FacetValue] = field(default_factory=list)  # "until at least <year>"; empty without commitments


def band_label(market: Market, low: int | None, high: int | None) -> str:
    def fmt(amount: int) -> str:
        return Money(amount, market.currency).format(market.locale).replace(",00", "").replace(".00", "")

    if low is None and high is not None:
        return gettext("Under %(high)s") % {"high": fmt(high)}
    if high is None and low is not None:
        return gettext("%(low)s and more") % {"low": fmt(low)}
    return gettext("%(low)s to %(high)s") % {"low": fmt(low or 0), "high": fmt(high or 0)}


def facets(*, filters: BrowseFilters, market: Market) -> Facets:
    """Counts of matching models per value of each facet, each ignoring its own selection.

    Queries: the matching models (brand, year, 5G, price band and updates horizon are counted from them), their
    variants (storage, colour, layout), grade, battery tier: four, and one more for each of those facets with a
    selection (its base differs): at most ten, whatever the number of models.
    """

    bases: dict[str, QuerySet[Any]] = {}
    rows_of: dict[str, list[ModelRow]] = {}

    def base(skip: str) -> QuerySet[Any]:
        # A facet ignores its own selection; with nothing selected in it, its base is the unskipped one. Building
        # the priced queryset (three correlated subqueries) cost more than running it, so it is built once per
        # distinct base; each facet's ``values()`` / ``filter()`` clones it.
        skip = skip if _selected(filters, skip) else ""
        if skip not in bases:
            bases[skip] = _priced(_models(filters, skip=skip), filters, market, skip=skip)
        return bases[skip]

    def model_rows(skip: str) -> list[ModelRow]:
        """The models of ``base(skip)`` with what the model-level facets count (one query per distinct base),
        brands in the database's order of their names."""
        skip = skip if _selected(filters, skip) else ""
        if skip not in rows_of:
            rows = (
                base(skip)
                .annotate(is_5g=ExpressionWrapper(Q(specs__5g=True), output_field=BooleanField()))
                .order_by("brand__name", "pk")
                .values_list("pk", "brand__slug", "brand__name", "release_date", "is_5g", "price_from")
            )
            rows_of[skip] = [ModelRow(*row) for row in rows]
        return rows_of[skip]

    brand_counts: dict[tuple[str, str], int] = {}
    for row in model_rows("brand"):
        key = (row.brand_slug, row.brand_name)
        brand_counts[key] = brand_counts.get(key, 0) + 1
    brands = [FacetValue(slug, name, n, slug in filters.brands) for (slug, name), n in brand_counts.items()]

    variant_rows_of: dict[str, list[tuple[Any, ...]]] = {}

    def variant_counts(skip: str, index: int) -> list[tuple[Any, int]]:
        """Per value of a variant column (1 storage, 2 colour, 3 keyboard layout), the models with a matching
        variant, in the value's order. The variants of a base are read once (one query per distinct base) and
        counted here."""
        skip = skip if _selected(filters, skip) else ""
        if skip not in variant_rows_of:
            variants = Variant.objects.filter(_variant_q(filters, skip=skip), product_model__in=base(skip).values("pk"))
            if filters.grade or filters.battery:  # a variant counts when it has a price in that grade / tier
                variants = variants.filter(
                    Exists(_snapshots(filters, market.code, skip=skip).filter(p_variant=OuterRef("pk")))
                )
            variant_rows_of[skip] = list(
                variants.order_by().values_list("product_model_id", "storage_gb", "colour", "options__keyboard_layout")
            )
        models: dict[Any, set[int]] = {}
        for row in variant_rows_of[skip]:
            value = row[index]
            if value is None or (index == 2 and value == ""):  # games have no colour
                continue
            models.setdefault(value, set()).add(row[0])
        return sorted((value, len(ids)) for value, ids in models.items())

    storage = [
        FacetValue(str(gb), format_storage(gb), n, gb in filters.storage_gb) for gb, n in variant_counts("storage", 1)
    ]
    colour_rows = sorted(variant_counts("colour", 2), key=lambda r: (-r[1], r[0]))
    colours = [FacetValue(c, colour_name(c), n, c in filters.colours) for c, n in colour_rows]
    layouts = [FacetValue(str(v), str(v), n, v in filters.layouts) for v, n in variant_counts("layout", 3)]
    year_counts: dict[int, int] = {}
    for row in model_rows("year"):
        year_counts[row.release_date.year] = year_counts.get(row.release_date.year, 0) + 1
    years = [FacetValue(str(y), str(y), n, y in filters.years) for y, n in sorted(year_counts.items(), reverse=True)]
    n_5g = sum(1 for row in model_rows("network") if row.is_5g)
    network = FacetValue("5g", "5G", n_5g, filters.network_5g) if n_5g or filters.network_5g else None

    grade_base = _models(filters, skip="grade")
    grade_counts = dict(
        _snapshots(filters, market.code, skip="grade")
        .filter(p_model__in=grade_base.values("pk"))
        .values("p_grade")
        .annotate(n=Count("p_model", distinct=True))
        .values_list("p_grade", "n")
    )
    grades = [FacetValue(g, str(Grade(g).label), grade_counts.get(g, 0), g == filters.grade) for g in GRADE_ORDER]

    band_prices = [row.price_from for row in model_rows("band") if row.price_from is not None]
    bands = [
        FacetValue(
            key,
            band_label(market, low, high),
            sum(1 for p in band_prices if (low is None or p >= low) and (high is None or p < high)),
            key == filters.band,
        )
        for key, low, high in price_bands(market)
    ]
    batteries = _battery_facet(filters, market)
    updates = _updates_facet(filters, [row.pk for row in model_rows("updates")])
    return Facets(brands, storage, colours[:24], layouts, years, grades, bands, network, batteries, updates)


def _battery_facet(filters: BrowseFilters, market: Market) -> list[FacetValue]:
    """Per battery tier, the models with an eligible offer of that tier matching every other filter, the price band
    judged on that tier's lowest price (what the card would show after the click). Only devices of categories with
    a battery count; an empty list when none has an offer. One query: a correlated subquery per tier."""
    qs = _models(filters, skip="battery").filter(category__battery_min_health__isnull=False)
    variant_q = _variant_q(filters, prefix="offer__variant__")
    annotations: dict[str, Any] = {}
    for tier in BatteryTier.values:
        offers = eligible_prices(market.code).filter(
            variant_q, offer__battery_tier=tier, offer__variant__product_model=OuterRef("pk")
        )
        if filters.grade:
            offers = offers.filter(offer__grade=filters.grade)
        annotations[f"t_{tier}"] = Subquery(offers.order_by("amount").values("amount")[:1])
    band = next(((low, high) for key, low, high in price_bands(market) if key == filters.band), None)
    counts: dict[str, Any] = {}
    for tier in BatteryTier.values:
        condition = Q(**{f"t_{tier}__isnull": False})
        if band is not None and band[0] is not None:
            condition &= Q(**{f"t_{tier}__gte": band[0]})
        if band is not None and band[1] is not None:
            condition &= Q(**{f"t_{tier}__lt": band[1]})
        counts[tier] = Count("pk", filter=condition)
    found = qs.annotate(**annotations).aggregate(**counts)
    values = [
        FacetValue(tier, str(BatteryTier(tier).label), found[tier] or 0, tier == filters.battery)
        for tier in BatteryTier.values
    ]
    return values if any(v.count or v.selected for v in values) else []
