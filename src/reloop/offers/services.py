"""Every write to offers: create, edit terms, set prices, set or adjust stock, (de)activate.

Each service validates everything before it writes (a refused call changes nothing), owns its transaction, and
publishes ``OffersChanged`` on commit so the buy box is refreshed. Stock changes are conditional updates that
cannot take stock below zero, correct on SQLite and PostgreSQL alike (docs/adr/0002-sqlite-policy.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import Variant
from reloop.core.events import publish
from reloop.core.money import Money
from reloop.markets.registry import UnknownMarket, get_market
from reloop.offers.errors import (
    DuplicateOffer,
    DuplicateSku,
    InsufficientStock,
    InvalidOffer,
    OfferNotFound,
    SellerSuspended,
)
from reloop.offers.events import OffersChanged, OfferStockChanged
from reloop.offers.models import MIN_WARRANTY_MONTHS, Offer, OfferPrice, VatScheme
from reloop.sellers.models import Seller, Standing

MAX_STOCK = 100_000
MAX_DISPATCH_DAYS = 30
MAX_WARRANTY_MONTHS = 60
MAX_SKU_LENGTH = 64
#: A price above this many minor units is certainly a typo (100,000.00 in a 2-decimal currency).
MAX_PRICE_MAJOR = 100_000


@dataclass(frozen=True)
class OfferTerms:
    """What a seller states about an offer. Validated as a whole by ``check_offer_terms``."""

    variant_id: int
    grade: str
    battery_tier: str = BatteryTier.STANDARD
    parts_provenance: str = PartsProvenance.ALL_ORIGINAL
    replaced_parts: tuple[str, ...] = ()
    warranty_months: int = MIN_WARRANTY_MONTHS
    dispatch_days: int = 1
    vat_scheme: str = VatScheme.MARGIN


def check_offer_terms(terms: OfferTerms) -> None:
    """Raise ``InvalidOffer`` naming the first rule ``terms`` breaks."""
    if terms.grade not in Grade.values:
        raise InvalidOffer(
            _("Unknown grade %(grade)r: use one of %(choices)s")
            % {"grade": terms.grade, "choices": ", ".join(Grade.values)},
            code="invalid_grade",
        )
    if terms.battery_tier not in BatteryTier.values:
        raise InvalidOffer(
            _("Unknown battery tier %(tier)r: use one of %(choices)s")
            % {"tier": terms.battery_tier, "choices": ", ".join(BatteryTier.values)},
            code="invalid_battery_tier",
        )
    if terms.parts_provenance not in PartsProvenance.values:
        raise InvalidOffer(
            _("Unknown parts provenance %(value)r: use one of %(choices)s")
            % {"value": terms.parts_provenance, "choices": ", ".join(PartsProvenance.values)},
            code="invalid_parts_provenance",
        )
    if terms.parts_provenance == PartsProvenance.ALL_ORIGINAL and terms.replaced_parts:
        raise InvalidOffer(
            _("An offer with all original parts cannot list replaced parts"), code="invalid_replaced_parts"
        )
    if terms.parts_provenance != PartsProvenance.ALL_ORIGINAL and not terms.replaced_parts:
        raise InvalidOffer(_("List the parts that were replaced"), code="invalid_replaced_parts")
    if terms.grade == Grade.PREMIUM and (
        terms.parts_provenance != PartsProvenance.ALL_ORIGINAL or terms.battery_tier == BatteryTier.STANDARD
    ):
        raise InvalidOffer(
            _("Premium requires all original parts and a battery of 90% or more, or new"), code="invalid_grade"
        )
    if not MIN_WARRANTY_MONTHS <= terms.warranty_months <= MAX_WARRANTY_MONTHS:
        raise InvalidOffer(
            _("Warranty must be between %(min)s and %(max)s months")
            % {"min": MIN_WARRANTY_MONTHS, "max": MAX_WARRANTY_MONTHS},
            code="invalid_warranty",
        )
    if not 0 <= terms.dispatch_days <= MAX_DISPATCH_DAYS:
        raise InvalidOffer(
            _("Dispatch days must be between 0 and %(max)s") % {"max": MAX_DISPATCH_DAYS}, code="invalid_dispatch_days"
        )
    if terms.vat_scheme not in VatScheme.values:
        raise InvalidOffer(
            _("Unknown VAT scheme %(value)r: use margin or standard") % {"value": terms.vat_scheme},
            code="invalid_vat_scheme",
        )


def check_prices(prices: Mapping[str, Money]) -> None:
    """Every market known and open, every price in that market's currency, positive and plausible."""
    for market_code, money in prices.items():
        try:
            market = get_market(market_code)
        except UnknownMarket as exc:
            raise InvalidOffer(exc.message, code="unknown_market") from exc
        if money.currency != market.currency:
            raise InvalidOffer(
                _("The price in %(market)s must be in %(currency)s, not %(given)s")
                % {"market": market.code, "currency": market.currency, "given": money.currency},
                code="wrong_currency",
            )
        if money.amount <= 0:
            raise InvalidOffer(
                _("The price in %(market)s must be positive") % {"market": market.code}, code="invalid_price"
            )
        if money > Money.from_major(MAX_PRICE_MAJOR, money.currency) and money.currency != "JPY":
            raise InvalidOffer(
                _("The price in %(market)s is implausibly high: %(price)s") % {"market": market.code, "price": money},
                code="invalid_price",
            )


def check_stock(stock: int) -> None:
    if not 0 <= stock <= MAX_STOCK:
        raise InvalidOffer(
            _("Stock must be between 0 and %(max)s, not %(stock)s") % {"max": MAX_STOCK, "stock": stock},
            code="invalid_stock",
        )


def check_sku(sku: str) -> str:
    sku = sku.strip()
    if not sku or len(sku) > MAX_SKU_LENGTH or any(c.isspace() for c in sku):
        raise InvalidOffer(
            _("SKU must be 1 to %(max)s characters without spaces") % {"max": MAX_SKU_LENGTH}, code="invalid_sku"
        )
    return sku


def check_may_change_offers(seller: Seller) -> None:
    """A suspended seller's offers are frozen: nothing it changes could sell, and the operator reviewing the
    suspension sees the offers as they were. Its orders can still be accepted, shipped and cancelled.

    Checked where a seller acts: the seller API (``api.seller.offer_writer``), the back-office offer pages, and
    every bulk path (``offers.bulk.plan_changes``: CSV import, ``reloop import_offers``, the API bulk update).
    The single-offer services here do not check it, so the platform itself (demo data, tests, an operator's
    tools) can still set up and correct a suspended seller's offers."""
    if seller.standing == Standing.SUSPENDED:
        raise SellerSuspended(
            _("Your seller account is suspended: offers cannot be changed; orders can still be handled")
        )


def _changed(*variant_ids: int) -> None:
    publish(OffersChanged(frozenset(variant_ids)))


def _stock_changed(*variant_ids: int) -> None:
    publish(OfferStockChanged(frozenset(variant_ids)))


@transaction.atomic
def create_offer(
    *,
    seller: Seller,
    sku: str,
    terms: OfferTerms,
    stock: int,
    prices: Mapping[str, Money],
) -> Offer:
    """List a new offer. Refused (nothing written) for any invalid field, a SKU or condition already listed."""
    sku = check_sku(sku)
    check_offer_terms(terms)
    check_stock(stock)
    check_prices(prices)
    if not Variant.objects.filter(pk=terms.variant_id).exists():
        raise InvalidOffer(_("Unknown variant %(id)s") % {"id": terms.variant_id}, code="unknown_variant")
    if Offer.objects.filter(seller=seller, sku__iexact=sku).exists():
        raise DuplicateSku(_("You already have an offer with SKU %(sku)s") % {"sku": sku})
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                seller=seller,
                sku=sku,
                variant_id=terms.variant_id,
                grade=terms.grade,
                battery_tier=terms.battery_tier,
                parts_provenance=terms.parts_provenance,
                replaced_parts=list(terms.replaced_parts),
                warranty_months=terms.warranty_months,
                dispatch_days=terms.dispatch_days,
                vat_scheme=terms.vat_scheme,
                stock=stock,
            )
    except IntegrityError as exc:  # the same condition listed twice, possibly by a concurrent request
        if Offer.objects.filter(seller=seller, sku=sku).exists():
            raise DuplicateSku(_("You already have an offer with SKU %(sku)s") % {"sku": sku}) from exc
        raise DuplicateOffer(_("You already list this variant in this condition; update that offer instead")) from exc
    OfferPrice.objects.bulk_create(
        [OfferPrice(offer=offer, market=m, amount=p.amount, currency=p.currency) for m, p in prices.items()]
    )
    _changed(offer.variant_id)
    return offer


def get_seller_offer(*, seller: Seller, offer_id: int, for_update: bool = False) -> Offer:
    qs = Offer.objects.filter(seller=seller, pk=offer_id)
    if for_update:
        qs = qs.select_for_update()
    offer = qs.first()
    if offer is None:  # another seller's offer is answered exactly like a missing one
        raise OfferNotFound(_("No offer %(id)s") % {"id": offer_id})
    return offer


@transaction.atomic
def update_offer_terms(*, seller: Seller, offer_id: int, terms: OfferTerms) -> Offer:
    """Change grade, battery, parts, warranty, dispatch or VAT scheme (the variant cannot change)."""
    offer = get_seller_offer(seller=seller, offer_id=offer_id, for_update=True)
    if terms.variant_id != offer.variant_id:
        raise InvalidOffer(_("An offer's variant cannot change; create a new offer"), code="variant_immutable")
    check_offer_terms(terms)
    for field in ("grade", "battery_tier", "parts_provenance", "warranty_months", "dispatch_days", "vat_scheme"):
        setattr(offer, field, getattr(terms, field))
    offer.replaced_parts = list(terms.replaced_parts)
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError as exc:
        raise DuplicateOffer(_("You already list this variant in this condition")) from exc
    _changed(offer.variant_id)
    return offer


@transaction.atomic
def set_offer_prices(
    *, seller: Seller, offer_id: int, prices: Mapping[str, Money], remove: Sequence[str] = ()
) -> Offer:
    """Set the price in each given market (insert or update) and stop selling in the ``remove`` markets."""
    check_prices(prices)
    offer = get_seller_offer(seller=seller, offer_id=offer_id)
    for market_code, money in prices.items():
        OfferPrice.objects.update_or_create(
            offer=offer, market=market_code, defaults={"amount": money.amount, "currency": money.currency}
        )
    if remove:
        OfferPrice.objects.filter(offer=offer, market__in=list(remove)).delete()
    _changed(offer.variant_id)
    return offer


@transaction.atomic
def set_stock(*, seller: Seller, offer_id: int, stock: int) -> int:
    """Set an absolute stock level (a seller's count after a stock take). Returns the new stock."""
    check_stock(stock)
    # Locked: whether the stock reaches or leaves zero (so the buy box moves) is decided on the stock this update
    # replaces, not on one a concurrent sale changed meanwhile (PostgreSQL; SQLite runs one writer at a time)
    offer = get_seller_offer(seller=seller, offer_id=offer_id, for_update=True)
    Offer.objects.filter(pk=offer.pk).update(stock=stock)
    if (offer.stock == 0) != (stock == 0):
        _changed(offer.variant_id)
    elif offer.stock != stock:
        _stock_changed(offer.variant_id)
    return stock


@transaction.atomic
def adjust_stock(*, offer_id: int, delta: int, seller: Seller | None = None) -> int:
    """Add ``delta`` (negative to take units) in one conditional UPDATE that cannot go below zero.

    ``seller=None`` is the platform itself (checkout reserving or restoring units). Raises
    ``InsufficientStock`` when fewer than ``-delta`` units are left; then nothing changed. Returns the new stock.
    """
    if delta == 0:
        raise InvalidOffer(_("A stock change of 0 changes nothing"), code="invalid_stock")
    qs = Offer.objects.filter(pk=offer_id)
    if seller is not None:
        qs = qs.filter(seller=seller)
    if delta < 0:
        updated = qs.filter(stock__gte=-delta).update(stock=F("stock") + delta)
    else:
        updated = qs.filter(stock__lte=MAX_STOCK - delta).update(stock=F("stock") + delta)
    if updated == 0:
        if not qs.exists():
            raise OfferNotFound(_("No offer %(id)s") % {"id": offer_id})
        if delta < 0:
            raise InsufficientStock(_("Not enough stock left"))
        raise InvalidOffer(_("Stock cannot exceed %(max)s") % {"max": MAX_STOCK}, code="invalid_stock")
    variant_id, stock = qs.values_list("variant_id", "stock").get()
    if stock == 0 or stock == delta:  # crossed zero one way or the other: the buy box may move
        _changed(variant_id)
    else:
        _stock_changed(variant_id)
    return stock


@transaction.atomic
def set_offer_active(*, seller: Seller, offer_id: int, active: bool) -> Offer:
    offer = get_seller_offer(seller=seller, offer_id=offer_id)
    if offer.is_active != active:
        Offer.objects.filter(pk=offer.pk).update(is_active=active)
        offer.is_active = active
        _changed(offer.variant_id)
    return offer
