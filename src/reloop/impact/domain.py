"""The avoided-emissions calculator: pure arithmetic on published figures, no database.

Avoided ≈ new life-cycle footprint × share from manufacturing − footprint of refurbishing (DESIGN.md section 2,
"Impact"). Buying refurbished avoids making a new device, not using one, so only the manufacturing share counts;
the refurbishing work (testing, parts, packaging, transport) is subtracted. Never negative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Footprint:
    """The inputs of one estimate, and whether they are the model's own figures or the category's."""

    new_kgco2e: Decimal
    manufacturing_share: Decimal
    refurbishing_kgco2e: Decimal
    basis: str  # "model" or "category"


@dataclass(frozen=True, slots=True)
class ImpactEstimate:
    avoided_kgco2e: Decimal
    new_kgco2e: Decimal
    footprint: Footprint

    @property
    def avoided_percent(self) -> int:
        """Share of a new device's life-cycle footprint avoided, in whole percent (half-up)."""
        ratio = self.avoided_kgco2e / self.new_kgco2e * 100
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def avoided_kgco2e(*, new_kgco2e: Decimal, manufacturing_share: Decimal, refurbishing_kgco2e: Decimal) -> Decimal:
    if new_kgco2e <= 0:
        raise ValueError("new_kgco2e must be positive")
    if not Decimal(0) <= manufacturing_share <= Decimal(1):
        raise ValueError("manufacturing_share must be between 0 and 1")
    if refurbishing_kgco2e < 0:
        raise ValueError("refurbishing_kgco2e cannot be negative")
    avoided = new_kgco2e * manufacturing_share - refurbishing_kgco2e
    return max(Decimal(0), avoided).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def estimate(footprint: Footprint, *, units: int = 1) -> ImpactEstimate:
    """Avoided emissions of buying ``units`` refurbished devices instead of new ones."""
    if units < 1:
        raise ValueError("units must be at least 1")
    per_unit = avoided_kgco2e(
        new_kgco2e=footprint.new_kgco2e,
        manufacturing_share=footprint.manufacturing_share,
        refurbishing_kgco2e=footprint.refurbishing_kgco2e,
    )
    return ImpactEstimate(avoided_kgco2e=per_unit * units, new_kgco2e=footprint.new_kgco2e * units, footprint=footprint)


def choose_footprint(
    *,
    model_total: Decimal | None,
    model_share: Decimal | None,
    category_new: Decimal | None,
    category_share: Decimal | None,
    category_refurbishing: Decimal | None,
) -> Footprint | None:
    """The model's own published figure when there is one, else the category's; ``None`` when neither exists.

    Refurbishing has no per-model figure, so it always comes from the category.
    """
    if category_refurbishing is None:
        return None
    if model_total is not None and model_share is not None:
        return Footprint(model_total, model_share, category_refurbishing, "model")
    if category_new is not None and category_share is not None:
        return Footprint(category_new, category_share, category_refurbishing, "category")
    return None


# --- Per offer: a point figure and a low–high range (docs/adr/0042-per-offer-co2e-ranges.md) ---------------

#: Battery tier and parts provenance values (catalog.grading), repeated as plain strings: this module is pure.
NEW_BATTERY = "new"
HARVESTED_PARTS = "oem_harvested"
COMPATIBLE_PARTS = "compatible"

#: A reference point per country (its capital), for the distance an offer travels from the seller's country to
#: the market's. Latitude, longitude in degrees.
COUNTRY_POINTS: dict[str, tuple[float, float]] = {
    "AT": (48.208, 16.373),
    "AU": (-35.281, 149.130),
    "BE": (50.850, 4.352),
    "BG": (42.698, 23.322),
    "CH": (46.948, 7.447),
    "CZ": (50.075, 14.438),
    "DE": (52.520, 13.405),
    "DK": (55.676, 12.568),
    "EE": (59.437, 24.754),
    "ES": (40.417, -3.704),
    "FI": (60.170, 24.938),
    "FR": (48.857, 2.352),
    "GB": (51.507, -0.128),
    "GR": (37.984, 23.728),
    "HR": (45.815, 15.982),
    "HU": (47.498, 19.040),
    "IE": (53.350, -6.260),
    "IT": (41.903, 12.496),
    "JP": (35.690, 139.692),
    "LT": (54.687, 25.280),
    "LU": (49.612, 6.130),
    "LV": (56.950, 24.105),
    "NL": (52.370, 4.895),
    "NO": (59.914, 10.752),
    "PL": (52.230, 21.012),
    "PT": (38.722, -9.139),
    "RO": (44.427, 26.103),
    "SE": (59.329, 18.069),
    "SI": (46.057, 14.506),
    "SK": (48.149, 17.107),
    "US": (38.907, -77.037),
}
#: Countries between which parcels travel by road; any other pair is assumed to fly.
ROAD_COUNTRIES = frozenset(COUNTRY_POINTS) - {"AU", "JP", "US"}
#: Great-circle distances are lengthened by this share for indirect routing (DEFRA's 9% uplift).
ROUTING_UPLIFT = Decimal("1.09")
#: Distance assumed, at most, when a country has no reference point: half the Earth's circumference.
FARTHEST_KM = Decimal(20_000)
ROAD = "road"
AIR = "air"


@dataclass(frozen=True, slots=True)
class Spread:
    """A figure and the interval the sources give around it: ``low <= point <= high``."""

    low: Decimal
    point: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if not self.low <= self.point <= self.high:
            raise ValueError(f"a spread needs low <= point <= high, got {self.low}, {self.point}, {self.high}")
        if self.low < 0:
            raise ValueError("a spread cannot be negative")

    def times(self, factor: Decimal) -> Spread:
        if factor < 0:
            raise ValueError("the factor cannot be negative")
        return Spread(self.low * factor, self.point * factor, self.high * factor)


@dataclass(frozen=True, slots=True)
class Route:
    """How far a unit travels from the seller's country to the market's, and how."""

    distance_km: Spread  # low = high = point when both countries are known
    mode: str  # ROAD or AIR


@dataclass(frozen=True, slots=True)
class OfferImpact:
    """The avoided kg CO2e of one unit of one offer in one market: a point figure within a low–high range."""

    low: Decimal
    point: Decimal
    high: Decimal
    new_parts: bool  # a new battery or newly made parts: the refurbishing figure with repairs applies
    route: Route
    transport_kgco2e: Decimal  # point figure of the cross-border leg
    basis: str  # "model" or "category"

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.low <= self.point <= self.high:
            raise ValueError("an offer's range must contain its point figure")


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> Decimal:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return Decimal(str(round(2 * 6371.0 * math.asin(math.sqrt(h)), 1)))


def route(seller_country: str, market_country: str) -> Route:
    """The cross-border leg: 0 km within one country (the refurbishing figures already include delivery), the
    routed great-circle distance between the two reference points otherwise. An unknown country gives a range from
    0 to ``FARTHEST_KM``, by air, with the far end as the point (the conservative reading)."""
    seller_country, market_country = seller_country.upper(), market_country.upper()
    mode = ROAD if seller_country in ROAD_COUNTRIES and market_country in ROAD_COUNTRIES else AIR
    if seller_country == market_country:
        return Route(Spread(Decimal(0), Decimal(0), Decimal(0)), mode)
    if seller_country not in COUNTRY_POINTS or market_country not in COUNTRY_POINTS:
        return Route(Spread(Decimal(0), FARTHEST_KM, FARTHEST_KM), AIR)
    km = (_haversine_km(COUNTRY_POINTS[seller_country], COUNTRY_POINTS[market_country]) * ROUTING_UPLIFT).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return Route(Spread(km, km, km), mode)


def has_new_parts(*, battery_tier: str, parts_provenance: str, replaced_parts: list[str] | tuple[str, ...]) -> bool:
    """A new battery, compatible (newly made) parts, or replaced parts that are not harvested from other devices:
    the unit needed parts made for it, a full refurbishment rather than a light one."""
    if battery_tier == NEW_BATTERY or parts_provenance == COMPATIBLE_PARTS:
        return True
    return bool(replaced_parts) and parts_provenance != HARVESTED_PARTS


def new_device_spread(
    *, point: Decimal, category_point: Decimal, category_low: Decimal, category_high: Decimal
) -> Spread:
    """The new-device footprint with the category's relative spread applied around ``point`` (a model's own
    figure or the category's median). The spread factors never exclude the point itself."""
    if category_point <= 0 or point <= 0:
        raise ValueError("footprints must be positive")
    low_factor = min(Decimal(1), category_low / category_point)
    high_factor = max(Decimal(1), category_high / category_point)
    return Spread(point * low_factor, point, point * high_factor)


def _kg(value: Decimal) -> Decimal:
    return max(Decimal(0), value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def offer_avoided(
    *,
    footprint: Footprint,
    new_spread: Spread,
    refurbishing: Spread,
    new_parts: bool,
    route: Route,
    road_kg_per_tonne_km: Spread,
    air_kg_per_tonne_km: Spread,
    shipped_kg: Decimal,
) -> OfferImpact:
    """avoided = new × manufacturing share − refurbishing − transport, computed three times: the point from each
    input's point, the low end from the inputs least favourable to the claim, the high end from the most favourable.
    Refurbishing's point is the high published figure (repairs included) when the unit has new parts and the low
    one otherwise; both ends stay the two published figures. Each end is rounded half-up to 0.1 kg, never below 0.
    """
    if shipped_kg < 0:
        raise ValueError("shipped_kg cannot be negative")
    share = footprint.manufacturing_share
    refurbishing_point = refurbishing.high if new_parts else refurbishing.low
    factor = road_kg_per_tonne_km if route.mode == ROAD else air_kg_per_tonne_km
    tonnes = shipped_kg / 1000
    transport = Spread(
        route.distance_km.low * tonnes * factor.low,
        route.distance_km.point * tonnes * factor.point,
        route.distance_km.high * tonnes * factor.high,
    )
    return OfferImpact(
        low=_kg(new_spread.low * share - refurbishing.high - transport.high),
        point=_kg(new_spread.point * share - refurbishing_point - transport.point),
        high=_kg(new_spread.high * share - refurbishing.low - transport.low),
        new_parts=new_parts,
        route=route,
        transport_kgco2e=transport.point.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        basis=footprint.basis,
    )
