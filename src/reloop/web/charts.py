"""Charts drawn on the server as accessible SVG, with their data as a table and as CSV (ADR 0033).

A ``Chart`` is data: categories along the x axis (days, months, categories), one or more series of numbers, and
optional threshold lines. ``render`` draws it as inline SVG (``role="img"`` with ``<title>`` and ``<desc>``; every
point has its own ``<title>`` for pointer users) followed by the same numbers as a table a screen reader or a
keyboard user can open; ``csv_response`` serves the numbers as CSV. No JavaScript, nothing to vendor.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | Decimal

#: Series colours, each at least 4.5:1 against white.
PALETTE = ("#0b6b47", "#1a4fa0", "#9c2f12", "#6a2c91", "#5b5b00")
THRESHOLD_COLOUR = "#b00020"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Threshold:
    name: str
    value: Number


@dataclass(frozen=True)
class Chart:
    """``kind`` is ``line`` (a time series) or ``bar`` (a breakdown, one series drawn as horizontal bars)."""

    slug: str
    title: str
    description: str
    x_label: str
    categories: Sequence[str]
    series: Sequence[Series]
    kind: str = "line"
    unit: str = ""
    percent: bool = False
    thresholds: Sequence[Threshold] = field(default_factory=tuple)

    def fmt(self, value: Number | None) -> str:
        if value is None:
            return "—"
        if self.percent:
            return f"{Decimal(value) * 100:.1f} %"
        number = Decimal(value)
        text = f"{number:,.0f}" if number == number.to_integral_value() or abs(number) >= 100 else f"{number:,.2f}"
        return f"{text} {self.unit}".strip()

    def csv_rows(self) -> list[list[str]]:
        """A header (x label, then each series, then each threshold) and one row per category; raw numbers."""
        header = [self.x_label, *(s.name for s in self.series), *(t.name for t in self.thresholds)]
        rows = [header]
        for i, category in enumerate(self.categories):
            values = [("" if s.values[i] is None else str(s.values[i])) for s in self.series]
            rows.append([category, *values, *(str(t.value) for t in self.thresholds)])
        return rows


WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 88, 36, 16, 40  # room for "10,000 EUR" and a last centred date


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at least ``value`` (an axis maximum people can read)."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover  (10 always fits)


def _maximum(chart: Chart) -> float:
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    values += [float(t.value) for t in chart.thresholds]
    return _nice_ceiling(max(values, default=0))


def _line_svg(chart: Chart) -> SafeString:
    top = _maximum(chart)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(chart.categories), 1)

    def x(i: int) -> float:
        return round(LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h - plot_h * v / top, 1)

    parts: list[SafeString] = []
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y(value),
                y(value),
                LEFT - 6,
                round(y(value) + 4, 1),
                chart.fmt(Decimal(str(round(value, 6)))),
            )
        )
    step = max(1, count // 6)
    parts.extend(
        format_html(
            '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            x(i),
            HEIGHT - 18,
            chart.categories[i],
        )
        for i in range(0, count, step)
    )
    parts.extend(
        format_html(
            '<line class="threshold" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
            '<text class="threshold-label" x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y(float(threshold.value)),
            y(float(threshold.value)),
            THRESHOLD_COLOUR,
            WIDTH - RIGHT,
            round(y(float(threshold.value)) - 4, 1),
            THRESHOLD_COLOUR,
            f"{threshold.name} {chart.fmt(threshold.value)}",
        )
        for threshold in chart.thresholds
    )
    for n, series in enumerate(chart.series):
        colour = PALETTE[n % len(PALETTE)]
        points = [(x(i), y(float(v))) for i, v in enumerate(series.values) if v is not None]
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                    colour,
                    " ".join(f"{px:.1f},{py:.1f}" for px, py in points),
                )
            )
        for i, v in enumerate(series.values):
            if v is None:
                continue
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>',
                    x(i),
                    y(float(v)),
                    colour,
                    f"{chart.categories[i]} · {series.name}: {chart.fmt(v)}",
                )
            )
    return mark_safe("".join(parts))  # noqa: S308  # every part went through format_html


def _bar_svg(chart: Chart) -> tuple[SafeString, int]:
    series = chart.series[0]
    top = _maximum(chart)
    label_w, bar_h, gap = 180, 18, 8
    height = TOP + len(chart.categories) * (bar_h + gap) + 8
    plot_w = WIDTH - label_w - RIGHT - 90
    parts: list[SafeString] = []
    for i, (category, value) in enumerate(zip(chart.categories, series.values, strict=True)):
        yy = TOP + i * (bar_h + gap)
        width = round(plot_w * float(value or 0) / top, 1)
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                '<text class="tick" x="{}" y="{}">{}</text>',
                label_w - 8,
                yy + 13,
                category[:28],
                label_w,
                yy,
                width,
                bar_h,
                PALETTE[0],
                f"{category}: {chart.fmt(value)}",
                round(label_w + width + 6, 1),
                yy + 13,
                chart.fmt(value),
            )
        )
    return mark_safe("".join(parts)), height  # noqa: S308  # every part went through format_html


def _legend(chart: Chart) -> SafeString:
    if chart.kind == "bar" or len(chart.series) < 2:
        return SafeString("")
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="swatch" style="background:{}" aria-hidden="true"></span>{}</li>',
            ((PALETTE[n % len(PALETTE)], s.name) for n, s in enumerate(chart.series)),
        ),
    )


def _table(chart: Chart) -> SafeString:
    head = format_html_join(
        "",
        '<th scope="col">{}</th>',
        ((name,) for name in [*(s.name for s in chart.series), *(t.name for t in chart.thresholds)]),
    )
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                category,
                format_html_join(
                    "",
                    '<td class="amount">{}</td>',
                    [(chart.fmt(s.values[i]),) for s in chart.series]
                    + [(chart.fmt(t.value),) for t in chart.thresholds],
                ),
            )
            for i, category in enumerate(chart.categories)
        ),
    )
    return format_html(
        '<details class="chart-data"><summary>{}</summary><div class="table-wrap"><table>'
        '<caption class="visually-hidden">{}</caption><thead><tr><th scope="col">{}</th>{}</tr></thead>'
        "<tbody>{}</tbody></table></div></details>",
        _("Show the numbers"),
        chart.title,
        chart.x_label,
        head,
        body,
    )


def render(chart: Chart, *, csv_url: str = "") -> SafeString:
    """The chart as a ``<figure>``: SVG with title and description, legend, data table, CSV link."""
    empty = not chart.categories or all(v is None for s in chart.series for v in s.values)
    if empty:
        inner, height = SafeString(""), HEIGHT
    elif chart.kind == "bar":
        inner, height = _bar_svg(chart)
    else:
        inner, height = _line_svg(chart), HEIGHT
    svg = format_html(
        '<svg class="chart-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" '
        'preserveAspectRatio="xMinYMin meet"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>'
        "{inner}</svg>",
        w=WIDTH,
        h=height,
        id=f"chart-{chart.slug}",
        title=chart.title,
        desc=chart.description,
        inner=inner,
    )
    link = format_html('<a class="chart-csv" href="{}" download>{}</a>', csv_url, _("Download CSV")) if csv_url else ""
    return format_html(
        '<figure class="chart" id="{}"><figcaption><strong>{}</strong> {}</figcaption>{}{}{}{}</figure>',
        f"figure-{chart.slug}",
        chart.title,
        link,
        format_html('<p class="muted">{}</p>', _("No data in this period yet.")) if empty else svg,
        _legend(chart),
        _table(chart),
        "",
    )


def csv_response(chart: Chart, *, filename: str) -> HttpResponse:
    """The chart's numbers as a CSV download (text cells of people's data start with a quote if they could run as
    a spreadsheet formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in chart.csv_rows():
        writer.writerow([_safe_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe_cell(cell: str) -> str:
    if cell and cell[0] in "=+-@\t\r" and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
