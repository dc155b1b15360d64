from reloop.core.errors import DomainError, InvalidInput


class InvalidShipment(InvalidInput):
    """What the seller sent cannot be shipped as it is (codes ``unknown_carrier``, ``invalid_tracking_number``,
    ``missing_units``, ``wrong_unit_count``, ``unknown_line``, ``duplicate_unit``, ``invalid_imei``,
    ``invalid_serial``)."""

    code = "invalid_shipment"


class AlreadyShipped(DomainError):
    """Once shipped, carrier, tracking number and units are final."""

    code = "already_shipped"
    http_status = 409


class NotShippable(DomainError):
    """No line of the seller order can ship (all cancelled)."""

    code = "not_shippable"
    http_status = 409


class NotDeliverable(DomainError):
    """Nothing of this parcel is on its way (not shipped yet, or already delivered)."""

    code = "not_deliverable"
    http_status = 409
