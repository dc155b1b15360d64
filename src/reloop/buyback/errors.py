from reloop.core.errors import DomainError, InvalidInput, NotFound


class TradeInNotFound(NotFound):
    code = "tradein_not_found"


class QuoteNotFound(NotFound):
    code = "quote_not_found"


class NoQuote(DomainError):
    """No refurbisher buys this variant in this condition in this market."""

    code = "no_quote"
    http_status = 404


class InvalidTradeIn(InvalidInput):
    code = "invalid_tradein"


class TradeInStateConflict(DomainError):
    """The step is not possible from the trade-in's state (or another request took it first)."""

    code = "stale_tradein"
    http_status = 409


class CheckFailed(DomainError):
    """A device check failed: no payment; the trade-in waits for the operator."""

    code = "device_check_failed"
    http_status = 409
