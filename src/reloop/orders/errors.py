from reloop.core.errors import DomainError, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    http_status = 409


class StaleState(DomainError):
    """The line moved meanwhile (another request got there first)."""

    code = "stale_state"
    http_status = 409


class NothingToAccept(DomainError):
    """Every line of the seller order is cancelled or already on its way."""

    code = "nothing_to_accept"
    http_status = 409


class NotCancellable(DomainError):
    """Every line of the seller order has shipped (or is otherwise past cancelling)."""

    code = "not_cancellable"
    http_status = 409
