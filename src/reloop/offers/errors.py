from reloop.core.errors import DomainError, InvalidInput, NotFound


class OfferNotFound(NotFound):
    code = "offer_not_found"


class InvalidOffer(InvalidInput):
    code = "invalid_offer"


class DuplicateSku(InvalidInput):
    code = "duplicate_sku"
    http_status = 409


class DuplicateOffer(InvalidInput):
    code = "duplicate_offer"
    http_status = 409


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    http_status = 409


class SellerSuspended(DomainError):
    """A suspended seller's offers cannot change (its orders can still be handled, so buyers are served)."""

    code = "seller_suspended"
    http_status = 403
