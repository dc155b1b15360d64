"""Reading the offer CSV format: every unreadable file refused whole with a clear message, every bad cell reported
with its line, column and value. No database: these are the pure rules of the format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reloop.core.money import Money
from reloop.offers.csv_io import FileRefused, OfferChange, parse_offer_csv

HEADER = (
    "sku,variant_id,grade,battery_tier,parts_provenance,replaced_parts,warranty_months,dispatch_days,vat_scheme,"
    "stock,active,price_fr-fr,price_en-gb"
)


def parse(text: str | bytes, max_lines: int = 15_000, max_bytes: int | None = None):
    data = text.encode() if isinstance(text, str) else text
    return parse_offer_csv(data, max_lines=max_lines, max_bytes=max_bytes)


def refusal(text: str | bytes, **kwargs) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        parse(text, **kwargs)
    return info.value


def test_a_full_line_is_read_into_one_change():
    # given a line with every column
    parsed = parse(f"{HEADER}\nA-1,7,good,high,compatible,screen|battery,24,2,standard,5,yes,279.00,249.5\n")
    # then every cell is typed, prices in the market's currency
    assert parsed.errors == []
    assert parsed.changes == [
        OfferChange(
            line=2,
            sku="A-1",
            variant_id=7,
            grade="good",
            battery_tier="high",
            parts_provenance="compatible",
            replaced_parts=("screen", "battery"),
            warranty_months=24,
            dispatch_days=2,
            vat_scheme="standard",
            stock=5,
            active=True,
            prices={"fr-fr": Money(27900, "EUR"), "en-gb": Money(24950, "GBP")},
        )
    ]
    assert (parsed.delimiter, parsed.lines, parsed.markets) == (",", 1, ("fr-fr", "en-gb"))


def test_empty_cells_leave_values_unchanged_and_a_dash_stops_selling_in_a_market():
    parsed = parse("sku,stock,price_fr-fr,price_en-gb\nA-1,,-,199\n")
    assert parsed.changes == [OfferChange(line=2, sku="A-1", prices={"fr-fr": None, "en-gb": Money(19900, "GBP")})]


def test_semicolon_file_with_decimal_commas_and_a_bom_is_read():
    data = b"\xef\xbb\xbfsku;stock;price_fr-fr\r\nA-1;3;279,90\r\nA-2;0;100\r\n"
    parsed = parse(data)
    assert (parsed.delimiter, parsed.had_bom, parsed.errors) == (";", True, [])
    assert [(c.sku, c.stock, c.prices) for c in parsed.changes] == [
        ("A-1", 3, {"fr-fr": Money(27990, "EUR")}),
        ("A-2", 0, {"fr-fr": Money(10000, "EUR")}),
    ]


def test_tab_delimited_file_is_read():
    parsed = parse("sku\tstock\nA-1\t4\n")
    assert (parsed.delimiter, parsed.changes[0].stock) == ("\t", 4)


def test_latin1_bytes_are_refused_naming_the_first_bad_line():
    data = "sku,stock\nA-1,1\nCafé-2,3\n".encode("latin-1")
    error = refusal(data)
    assert error.code == "not_utf8"
    assert "line 3" in error.message
    assert "Save the file again as “CSV UTF-8”" in error.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_file"),
        ("  \n\n", "empty_file"),
        ("sku,stock\n", "no_lines"),
        ("sku,stock\n,\n,,\n", "no_lines"),
        ("sku,stock,colour\nA,1,red\n", "unknown_column"),
        ("sku,stock,price_xx-xx\nA,1,2\n", "unknown_column"),
        ("variant_id,stock\n1,1\n", "missing_column"),
        ("sku\nA\n", "missing_column"),
        ("sku,stock,stock\nA,1,1\n", "duplicate_column"),
        ("sku,stock\nA\x00B,1\n", "nul_character"),  # a NUL is no text (and PostgreSQL cannot store it)
    ],
)
def test_unreadable_files_are_refused_whole(text, code):
    assert refusal(text).code == code


def test_more_lines_than_the_limit_are_refused_whole():
    lines = "".join(f"S-{n},1\n" for n in range(20_000))
    error = refusal("sku,stock\n" + lines)
    assert error.code == "too_many_lines"
    assert "15,000" in error.message


def test_the_line_limit_is_configurable_and_counts_data_lines_only():
    assert parse("sku,stock\nA,1\nB,2\n", max_lines=2).lines == 2
    assert refusal("sku,stock\nA,1\nB,2\nC,3\n", max_lines=2).code == "too_many_lines"


def test_a_file_over_the_size_limit_is_refused():
    assert refusal("sku,stock\nA,1\n", max_bytes=5).code == "file_too_large"


@pytest.mark.parametrize(
    ("cells", "column", "code"),
    [
        ("A-1,-3,", "stock", "invalid_stock"),
        ("A-1,many,", "stock", "not_a_number"),
        ("A-1,,12.999", "price_en-gb", "invalid_price_format"),
        ("A-1,,1 299.00", "price_en-gb", "invalid_price_format"),
        ("A-1,,1.299.00", "price_en-gb", "invalid_price_format"),
        ("A-1,,abc", "price_en-gb", "invalid_price_format"),
        ('A-1,,"12,50"', "price_en-gb", "invalid_price_format"),  # no decimal comma in a comma-separated file
        ("A-1,,0", "price_en-gb", "invalid_price"),
        ("A-1,,12.50 EUR", "price_en-gb", "wrong_currency"),
        ("A-1,,12.50 XYZ", "price_en-gb", "wrong_currency"),
        ("A 1,,12", "sku", "invalid_sku"),
    ],
)
def test_bad_cells_are_reported_with_line_column_and_value(cells, column, code):
    parsed = parse(f"sku,stock,price_en-gb\nOK-1,1,10\n{cells}\n")
    assert [c.sku for c in parsed.changes] == ["OK-1"]
    assert [(e.line, e.column, e.code) for e in parsed.errors] == [(3, column, code)]
    given = next(csv.reader([cells]))[["sku", "stock", "price_en-gb"].index(column)]
    assert parsed.errors[0].value == given.strip()
    assert parsed.error_lines == 1


def test_a_price_with_its_own_currency_code_is_accepted():
    parsed = parse("sku,price_en-gb,price_ja-jp\nA,12.50 GBP,39800\n")
    assert parsed.changes[0].prices == {"en-gb": Money(1250, "GBP"), "ja-jp": Money(39800, "JPY")}


def test_a_line_with_the_wrong_number_of_cells_is_reported():
    parsed = parse("sku,stock\nA,1,extra\n")
    assert [(e.line, e.code) for e in parsed.errors] == [(2, "wrong_cell_count")]


def test_every_bad_cell_of_a_line_is_reported():
    parsed = parse("sku,stock,active,price_en-gb\nA,-1,maybe,x\n")
    assert [e.column for e in parsed.errors] == ["stock", "active", "price_en-gb"]
    assert parsed.changes == []


def test_the_documented_example_file_reads_without_errors():
    example = Path(__file__).resolve().parents[4] / "docs" / "examples" / "offers-import-example.csv"
    parsed = parse(example.read_bytes())
    assert (parsed.lines, parsed.errors) == (4, [])
    assert parsed.changes[2] == OfferChange(line=4, sku="PIX7-128-SNOW-EXC", stock=0)
    assert parsed.changes[3] == OfferChange(line=5, sku="IP12-64-BLK-PREM", active=False, prices={"fr-fr": None})
