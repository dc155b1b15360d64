"""How long one invoice PDF takes to draw: ``python -m reloop.invoicing.bench`` (no database needed).

Prints the mean time and size of a French (Noto Sans) and a Japanese (with the Noto Sans CJK fallback) invoice,
each drawn 10 times after a warm-up. The figures are in docs/invoicing.md.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reloop.settings")
    django.setup()
    from reloop.invoicing.domain import SoldLine, build_document
    from reloop.invoicing.pdf import render_content
    from reloop.markets.data import MARKETS

    markets = {m.code: m for m in MARKETS}
    seller = {"trading_name": "Second Wind Devices", "legal_name": "Second Wind Devices SAS",
              "address": ["3 quai du Commerce", "69009 Lyon", "France"], "vat_number": "FR00000000000"}  # fmt: skip
    for code, name in (("fr-fr", "Camille Martin"), ("ja-jp", "山田 太郎")):
        document = build_document(
            kind="invoice", number="RL0001-000001", issued_on="2026-12-06", order_number="RL-DEMO0001",
            market=markets[code], seller=seller, buyer={"name": name, "address": []},
            lines=[SoldLine("Apple iPhone 13 128 GB", "SKU-1", 1, 34900, 34900, "margin")], shipping=990,
        )  # fmt: skip
        render_content(document)
        runs = 10
        start = time.perf_counter()
        for _ in range(runs):
            data = render_content(document)
        elapsed = (time.perf_counter() - start) / runs
        sys.stdout.write(f"{code}: {elapsed * 1000:.0f} ms per PDF, {len(data)} bytes\n")


if __name__ == "__main__":
    main()
