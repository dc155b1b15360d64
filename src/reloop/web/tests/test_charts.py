"""web.charts: accessible SVG (title, desc, role), the data table, escaping, empty charts, CSV."""

from __future__ import annotations

from decimal import Decimal

from reloop.web import charts


def chart(**kwargs):
    defaults = {
        "slug": "s",
        "title": "Sales <b>",
        "description": "Per day",
        "x_label": "Day",
        "categories": ["2026-03-01", "2026-03-02"],
        "series": [charts.Series("GMV", [Decimal("10.50"), Decimal(20)])],
        "unit": "EUR",
    }
    return charts.Chart(**(defaults | kwargs))


def test_a_line_chart_is_an_accessible_svg_with_its_numbers_in_a_table():
    html = charts.render(chart(), csv_url="/x.csv")
    assert 'role="img" aria-labelledby="chart-s-t chart-s-d"' in html
    assert '<title id="chart-s-t">Sales &lt;b&gt;</title>' in html  # escaped
    assert "<polyline" in html
    assert '<th scope="row">2026-03-02</th><td class="amount">20 EUR</td>' in html
    assert 'href="/x.csv"' in html


def test_an_empty_chart_says_so_instead_of_drawing():
    html = charts.render(chart(categories=[], series=[charts.Series("GMV", [])]))
    assert "<svg" not in html
    assert "No data in this period yet." in html


def test_bars_percentages_and_thresholds():
    bar = chart(kind="bar", percent=True, categories=["fr-fr <i>"], series=[charts.Series("Share", [Decimal("0.25")])])
    html = charts.render(bar)
    assert "<rect" in html
    assert "25.0 %" in html
    assert "fr-fr &lt;i&gt;" in html
    line = chart(percent=True, thresholds=[charts.Threshold("Limit", Decimal("0.06"))],
                 series=[charts.Series("Rate", [Decimal("0.01"), None])])  # fmt: skip
    html = charts.render(line)
    assert 'class="threshold"' in html
    assert "Limit 6.0 %" in html


def test_csv_has_raw_numbers_and_defuses_formulas():
    rows = chart(categories=["=HYPERLINK()", "-5"]).csv_rows()
    assert rows[0] == ["Day", "GMV"]
    body = charts.csv_response(chart(categories=["=HYPERLINK()", "-5"]), filename="x.csv").content.decode()
    assert "'=HYPERLINK()" in body
    assert "\n-5," in body.replace("\r", "")  # a number stays a number
