"""How long one invoice PDF takes to draw: ``python -m reloop.invoicing.bench`` (no database needed).

Draws a British, a French (Noto Sans) and a Japanese (with the Noto Sans CJK fallback) invoice, each 10 times after a
warm-up (3 for Japanese), three ways in turn: as the site draws it (fonts parsed once per process, Noto Sans reduced
to Latin first: ``invoicing.fonts``), with the fonts parsed once but always the full Noto Sans, and as before (fpdf2
parsing the full font files for each document). The three give the same bytes. Prints the CPU time per PDF (less
sensitive than wall time to other processes on a busy machine), the wall time and the size. The figures are in
docs/invoicing.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reloop.settings")
    django.setup()
    from fpdf import FPDF

    from reloop.invoicing import fonts
    from reloop.invoicing.domain import SoldLine, build_document
    from reloop.invoicing.pdf import render_content
    from reloop.markets.data import MARKETS

    parsed_once = fonts.add_font

    def parsed_each_time(pdf: FPDF, family: str, style: str, path: Path) -> None:
        pdf.add_font(family, style, str(path))

    markets = {m.code: m for m in MARKETS}
    seller = {"trading_name": "Second Wind Devices", "legal_name": "Second Wind Devices SAS",
              "address": ["3 quai du Commerce", "69009 Lyon", "France"], "vat_number": "FR00000000000"}  # fmt: skip
    for code, name in (("en-gb", "Flash Buyer"), ("fr-fr", "Camille Martin"), ("ja-jp", "山田 太郎")):
        document = build_document(
            kind="invoice", number="RL0001-000001", issued_on="2026-12-06", order_number="RL-DEMO0001",
            market=markets[code], seller=seller, buyer={"name": name, "address": []},
            lines=[SoldLine("Apple iPhone 13 128 GB", "SKU-1", 1, 34900, 34900, "margin")], shipping=990,
        )  # fmt: skip
        runs = 3 if code == "ja-jp" else 10
        for label, add_font, latin_first in (
            ("as drawn now (parsed once, Latin font first)", parsed_once, True),
            ("fonts parsed once, full fonts", parsed_once, False),
            ("as before (fpdf2 parsing the full fonts)", parsed_each_time, False),
        ):
            fonts.add_font = add_font
            try:
                render_content(document, latin_first=latin_first)
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(runs):
                    data = render_content(document, latin_first=latin_first)
                cpu = (time.process_time() - cpu) / runs
                wall = (time.perf_counter() - wall) / runs
            finally:
                fonts.add_font = parsed_once
            sys.stdout.write(
                f"{code}, {label}: {cpu * 1000:.0f} ms CPU, {wall * 1000:.0f} ms wall per PDF, {len(data)} bytes\n"
            )


if __name__ == "__main__":
    main()
