from reloop.core.errors import DomainError, InvalidInput, NotFound


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"


class NotAvailable(DomainError):
    code = "not_available"
    http_status = 409


class EmptyCart(InvalidInput):
    code = "empty_cart"


class PriceChanged(DomainError):
    """Prices moved since the buyer saw them: the cart now shows the new prices; confirming again proceeds."""

    code = "price_changed"
    http_status = 409


class SoldOut(DomainError):
    code = "sold_out"
    http_status = 409


class PaymentDeclined(DomainError):
    code = "payment_declined"
    http_status = 402


class TotalChanged(DomainError):
    """The total the buyer was shown is not the total that would be charged (a shipping method or a price moved):
    nothing is reserved or charged; the checkout shows the new total."""

    code = "total_changed"
    http_status = 409


class CheckoutInProgress(DomainError):
    code = "checkout_in_progress"
    http_status = 409


class SellerDailyCapReached(DomainError):
    """A new seller may sell only so many units a day (DESIGN.md section 2, ADR 0012); this cart would pass it."""

    code = "seller_daily_cap"
    http_status = 409
