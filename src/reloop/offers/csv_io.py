"""The offer CSV format (docs/offer-import.md): reading a seller's file into changes, and writing the export.

This module owns decoding (UTF-8, with or without BOM; anything else refused with the line to fix), the delimiter
(comma, semicolon or tab, read from the header), the columns, the cell formats (prices in major units, ``-`` to stop
selling in a market, an empty cell for "unchanged") and the file limits. It does not touch the database: whether a
SKU or a variant exists, and the rules that combine several cells, are decided by ``offers.bulk``. The rules on one
value (SKU, stock, prices) are the services' own ``check_*`` functions, never a second copy.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from reloop.core.errors import InvalidInput
from reloop.core.money import InvalidAmount, Money
from reloop.markets.registry import UnknownMarket, enabled_markets, get_market
from reloop.offers.errors import InvalidOffer
from reloop.offers.services import check_prices, check_sku, check_stock

#: The columns of the format, in the order the export writes them; the price columns follow, one per market.
COLUMNS: tuple[str, ...] = (
    "sku",
    "variant_id",
    "grade",
    "battery_tier",
    "parts_provenance",
    "replaced_parts",
    "warranty_months",
    "dispatch_days",
    "vat_scheme",
    "stock",
    "active",
)
PRICE_PREFIX = "price_"
#: In a price cell: stop selling in that market.
NOT_SOLD = "-"
#: Between the parts of ``replaced_parts`` (commas and semicolons are delimiters).
PARTS_SEPARATOR = "|"
DELIMITERS = (",", ";", "\t")
UTF8_BOM = b"\xef\xbb\xbf"
MAX_INT = 1_000_000

_TRUE = frozenset({"yes", "true", "1", "y"})
_FALSE = frozenset({"no", "false", "0", "n"})
_INT = re.compile(r"[+-]?\d{1,9}")
_PRICE = re.compile(r"(?P<number>\d{1,12}(?:(?P<sep>[.,])\d+)?)(?:\s*(?P<currency>[A-Za-z]{3}))?")


class FileRefused(InvalidInput):
    """The file as a whole cannot be read (encoding, columns, size): nothing in it was looked at further."""

    code = "file_refused"


@dataclass(frozen=True, slots=True)
class LineError:
    """One thing wrong on one line: ``line`` counts from 1 with the header (as a spreadsheet shows it)."""

    line: int
    column: str
    value: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class OfferChange:
    """What one line (or API item) says about the offer with ``sku``. ``None``: the line leaves it unchanged.

    ``prices`` maps a market to its new price, or to ``None`` to stop selling there; a market absent from it is
    unchanged.
    """

    line: int
    sku: str
    variant_id: int | None = None
    grade: str | None = None
    battery_tier: str | None = None
    parts_provenance: str | None = None
    replaced_parts: tuple[str, ...] | None = None
    warranty_months: int | None = None
    dispatch_days: int | None = None
    vat_scheme: str | None = None
    stock: int | None = None
    active: bool | None = None
    prices: Mapping[str, Money | None] = field(default_factory=dict)


@dataclass
class ParsedFile:
    delimiter: str
    columns: tuple[str, ...]
    markets: tuple[str, ...]
    lines: int  # data lines, blank ones left out
    changes: list[OfferChange]  # the lines whose every cell could be read
    errors: list[LineError]  # what was wrong with the others (several per line possible)
    had_bom: bool = False

    @property
    def error_lines(self) -> int:
        return len({e.line for e in self.errors})


# --- Reading ---------------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, bool]:
    """The text of ``data`` and whether it started with a UTF-8 BOM; ``FileRefused`` if it is not UTF-8.

    No guessing: Windows-1252, Latin-1 and MacRoman bytes read as different letters, so a guessed decoding could
    silently rename SKUs. The message names the first line to fix and how to save the file as UTF-8.
    """
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM) :]
    if b"\x00" in data:  # no text file has one (a spreadsheet's binary format, UTF-16), nor can PostgreSQL store it
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(
            _(
                "Line %(line)s contains a NUL byte: this is not a text CSV file. Save it again as “CSV UTF-8” "
                "and upload it again."
            )
            % {"line": line},
            code="nul_character",
        )
    try:
        return data.decode("utf-8"), had_bom
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            _(
                "The file is not UTF-8: line %(line)s contains the byte 0x%(byte)02X, which is how Latin-1 or "
                "Windows-1252 write accented letters. Save the file again as “CSV UTF-8” (Excel: File › Save as › "
                "CSV UTF-8; LibreOffice: Save as › Text CSV, character set Unicode (UTF-8)) and upload it again."
            )
            % {"line": line, "byte": data[exc.start]},
            code="not_utf8",
        ) from None


def sniff_delimiter(header: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (column names contain none of them)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_header(cells: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The normalized column names and the markets of the price columns; ``FileRefused`` for a bad header."""
    names = tuple(c.strip().lower() for c in cells)
    markets: list[str] = []
    unknown: list[str] = []
    for name in names:
        if name in COLUMNS:
            continue
        if name.startswith(PRICE_PREFIX):
            try:  # only the markets open on this installation
                markets.append(get_market(name[len(PRICE_PREFIX) :]).code)
                continue
            except UnknownMarket:
                pass
        unknown.append(name or _("(empty)"))
    if unknown:
        raise FileRefused(
            _(
                "Unknown column(s): %(columns)s. The columns are %(known)s and one price_<market> per market, "
                "e.g. %(e)s."
            )
            % {
                "columns": ", ".join(unknown),
                "known": ", ".join(COLUMNS),
                "e": f"{PRICE_PREFIX}{enabled_markets()[0].code}",
            },
            code="unknown_column",
        )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise FileRefused(
            _("Column(s) given twice: %(columns)s") % {"columns": ", ".join(duplicated)}, code="duplicate_column"
        )
    if "sku" not in names:
        raise FileRefused(
            _("The header has no sku column: every line is matched to an offer by its SKU."), code="missing_column"
        )
    if len(names) < 2:
        raise FileRefused(_("The file has only a sku column: add the columns to change."), code="missing_column")
    return names, markets


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def parse_offer_csv(data: bytes, *, max_lines: int, max_bytes: int | None = None) -> ParsedFile:
    """Read a whole file: ``FileRefused`` for what makes it unreadable, else every line's change or errors."""
    if max_bytes is not None and len(data) > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; at most %(max)s MB per file: split it.")
            % {"size": round(len(data) / 1_048_576, 1), "max": round(max_bytes / 1_048_576, 1)},
            code="file_too_large",
        )
    text, had_bom = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."), code="empty_file")
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line)
    records = _records(text, delimiter)
    try:
        _line, header = next(records)
    except csv.Error as exc:
        raise FileRefused(_("The header cannot be read: %(error)s") % {"error": exc}, code="bad_csv") from None
    columns, markets = read_header(header)
    parser = _LineParser(columns, decimal_comma=delimiter != ",")
    changes: list[OfferChange] = []
    errors: list[LineError] = []
    lines = 0
    try:
        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue  # spreadsheets leave blank lines (";;;;") at the end
            lines += 1
            if lines > max_lines:
                raise FileRefused(
                    _(
                        "The file has more than %(max)s lines of offers (limit RELOOP_IMPORT_MAX_LINES): nothing was "
                        "imported. Split it into files of at most %(max)s lines."
                    )
                    % {"max": f"{max_lines:,}"},
                    code="too_many_lines",
                )
            change, line_errors = parser.parse(line, cells)
            if line_errors:
                errors.extend(line_errors)
            elif change is not None:
                changes.append(change)
    except csv.Error as exc:
        raise FileRefused(
            _("The file cannot be read as CSV near line %(line)s: %(error)s") % {"line": lines + 1, "error": exc},
            code="bad_csv",
        ) from None
    if lines == 0:
        raise FileRefused(_("The file has a header but no lines of offers."), code="no_lines")
    return ParsedFile(delimiter, columns, tuple(markets), lines, changes, errors, had_bom)


class _LineParser:
    """Turns the cells of one line into an ``OfferChange`` or the list of what is wrong with them."""

    def __init__(self, columns: tuple[str, ...], *, decimal_comma: bool) -> None:
        self.columns = columns
        self.decimal_comma = decimal_comma
        self.currencies = {
            name: get_market(name[len(PRICE_PREFIX) :]).currency for name in columns if name.startswith(PRICE_PREFIX)
        }

    def parse(self, line: int, cells: list[str]) -> tuple[OfferChange | None, list[LineError]]:
        if len(cells) != len(self.columns):
            return None, [
                LineError(
                    line,
                    "",
                    "",
                    "wrong_cell_count",
                    _("%(found)s cells where the header has %(expected)s columns (check the delimiter and quotes)")
                    % {"found": len(cells), "expected": len(self.columns)},
                )
            ]
        errors: list[LineError] = []
        values: dict[str, object] = {}
        prices: dict[str, Money | None] = {}
        sku = ""
        for name, raw in zip(self.columns, cells, strict=True):
            value = raw.strip()
            if name == "sku":
                try:
                    sku = check_sku(value)
                except InvalidOffer as exc:
                    errors.append(LineError(line, name, value, exc.code, exc.message))
                continue
            if not value:
                continue  # an empty cell leaves the offer's value as it is
            try:
                if name in self.currencies:
                    prices[name[len(PRICE_PREFIX) :]] = self._price(name, value)
                else:
                    values[name] = self._value(name, value)
            except InvalidInput as exc:
                errors.append(LineError(line, name, value, exc.code, exc.message))
        if errors:
            return None, errors
        return OfferChange(line=line, sku=sku, prices=prices, **values), []  # type: ignore[arg-type]

    def _value(self, name: str, value: str) -> object:
        if name in {"variant_id", "warranty_months", "dispatch_days", "stock"}:
            if not _INT.fullmatch(value):
                raise InvalidOffer(_("Expected a whole number, not %(value)r") % {"value": value}, code="not_a_number")
            number = int(value)
            if name == "stock":
                check_stock(number)
            elif not 0 <= number <= MAX_INT:
                raise InvalidOffer(_("%(value)s is out of range") % {"value": value}, code="not_a_number")
            return number
        if name == "active":
            lowered = value.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise InvalidOffer(_("Expected yes or no, not %(value)r") % {"value": value}, code="invalid_active")
        if name == "replaced_parts":
            if value == NOT_SOLD:
                return ()
            parts = tuple(p.strip() for p in value.split(PARTS_SEPARATOR) if p.strip())
            if any(len(p) > 40 for p in parts):
                raise InvalidOffer(_("A part name has at most 40 characters"), code="invalid_replaced_parts")
            return parts
        return value.lower()  # grade, battery tier, parts provenance, VAT scheme: checked with the offer's terms

    def _price(self, name: str, value: str) -> Money | None:
        market = name[len(PRICE_PREFIX) :]
        currency = self.currencies[name]
        if value == NOT_SOLD:
            return None
        match = _PRICE.fullmatch(value)
        if match is None or (match["sep"] == "," and not self.decimal_comma):
            message = (
                _(
                    "%(value)r is not a price: write it in %(currency)s with a dot or a comma for decimals and no "
                    "thousands separator, e.g. 279.00 (or - to stop selling in %(market)s)"
                )
                if self.decimal_comma
                else _(
                    "%(value)r is not a price: write it in %(currency)s with a dot for decimals and no thousands "
                    "separator, e.g. 279.00 (or - to stop selling in %(market)s)"
                )
            )
            raise InvalidOffer(
                message % {"value": value, "currency": currency, "market": market}, code="invalid_price_format"
            )
        given_currency = (match["currency"] or currency).upper()
        try:
            money = Money.from_major(match["number"].replace(",", "."), given_currency)
        except InvalidAmount:
            raise InvalidOffer(
                _("%(value)r has more decimals than %(currency)s allows") % {"value": value, "currency": currency},
                code="invalid_price_format",
            ) from None
        except InvalidInput:  # an unknown currency code
            raise InvalidOffer(
                _("The price in %(market)s must be in %(currency)s, not %(given)s")
                % {"market": market, "currency": currency, "given": given_currency},
                code="wrong_currency",
            ) from None
        check_prices({market: money})
        return money


# --- Writing ---------------------------------------------------------------------------------------------


def export_header(markets: Sequence[str]) -> list[str]:
    return [*COLUMNS, *(f"{PRICE_PREFIX}{m}" for m in markets)]


def format_price(amount: int, currency: str) -> str:
    major: Decimal = Money(amount, currency).to_major()
    return f"{major:f}"


def export_row(
    *,
    sku: str,
    variant_id: int,
    grade: str,
    battery_tier: str,
    parts_provenance: str,
    replaced_parts: Sequence[str],
    warranty_months: int,
    dispatch_days: int,
    vat_scheme: str,
    stock: int,
    active: bool,
    prices: Mapping[str, tuple[int, str]],
    markets: Sequence[str],
) -> list[str]:
    """One offer as a line of the format; a market without a price is an empty cell (re-imported: unchanged)."""
    return [
        sku,
        str(variant_id),
        grade,
        battery_tier,
        parts_provenance,
        PARTS_SEPARATOR.join(replaced_parts),
        str(warranty_months),
        str(dispatch_days),
        vat_scheme,
        str(stock),
        "yes" if active else "no",
        *(format_price(*prices[m]) if m in prices else "" for m in markets),
    ]


class Echo:
    """A file-like object whose ``write`` returns what it was given: lets ``csv.writer`` feed a streaming answer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[str]], *, delimiter: str = ",") -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=delimiter, lineterminator="\n")
    for row in rows:
        yield writer.writerow(row)


def errors_csv(errors: Iterable[LineError]) -> Iterator[str]:
    """The report's errors as a CSV a seller opens next to their file."""
    yield from csv_lines(
        [
            [_("line"), _("column"), _("value"), _("code"), _("problem")],
            *([str(e.line), e.column, e.value, e.code, e.message] for e in errors),
        ]
    )
