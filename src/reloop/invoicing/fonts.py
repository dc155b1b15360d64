"""The fonts invoices are drawn with, all from PyPI packages (no system fonts, docs/invoicing.md).

- **Noto Sans** (regular and bold; Latin, Greek, Cyrillic) from ``pymupdf-fonts``, which ships Google's Noto Sans
  under the SIL Open Font License as Python data. It covers every European market, the UK, US and Australia.
- **Noto Sans CJK JP** (the Japanese cut: kanji in their Japanese glyph forms) from ``noto-cjk-sans-jp-regular``
  (SIL OFL) as a fallback, loaded only when a document has a character Noto Sans lacks (a Japanese address, name
  or legal mention). When that package is missing, the Traditional Chinese cut from ``cvttf-notosanscjk-regular``
  (kana and most kanji as in Japanese, some kanji in their Chinese forms) is used. ``RELOOP_INVOICE_CJK_FONT`` may
  name another TrueType/OpenType file to use instead.

fpdf2 embeds only the glyphs a document uses (subsetting), so a PDF stays small whichever font is loaded.
"""

from __future__ import annotations

import importlib.util
import io
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def noto_sans(style: str = "") -> Path:
    """The path of Noto Sans (``""`` regular, ``"B"`` bold), written once from the package's data to a temporary
    folder (fpdf2 reads fonts from files)."""
    import pymupdf_fonts

    name = {"": "notos", "B": "notosbo"}[style]
    folder = Path(tempfile.gettempdir()) / "reloop-fonts-1"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.ttf"
    if not path.exists():
        partial = folder / f"{name}.{id(path)}.part"
        partial.write_bytes(pymupdf_fonts.myfont(name))
        partial.replace(path)  # atomic: a concurrent render never reads half a file
    return path


@cache
def noto_sans_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(io.BytesIO(noto_sans().read_bytes())).getBestCmap())


def cjk_font() -> Path | None:
    """The fallback font for characters Noto Sans lacks, or ``None`` when none is installed."""
    configured = getattr(settings, "RELOOP_INVOICE_CJK_FONT", "")
    if configured:
        return Path(configured)
    japanese = importlib.util.find_spec("noto_cjk_sans_jp_regular")
    if japanese is not None and japanese.submodule_search_locations:
        path = Path(next(iter(japanese.submodule_search_locations))) / "NotoSansCJKjp-Regular.otf"
        if path.exists():
            return path
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "NotoSansCJKtc-Regular.otf"
    return path if path.exists() else None


def needs_fallback(texts: list[str]) -> bool:
    covered = noto_sans_codepoints()
    return any(ord(ch) not in covered for text in texts for ch in text if not ch.isspace())
