from reloop.core.errors import InvalidInput


class InvalidUnit(InvalidInput):
    """An IMEI or serial that cannot be right (codes ``invalid_imei``, ``invalid_serial``)."""

    code = "invalid_unit"
