"""The fonts invoices are drawn with, all from PyPI packages (no system fonts, docs/invoicing.md).

- **Noto Sans** (regular and bold; Latin, Greek, Cyrillic) from ``pymupdf-fonts``, which ships Google's Noto Sans
  under the SIL Open Font License as Python data. It covers every European market, the UK, US and Australia.
- **Noto Sans CJK JP** (the Japanese cut: kanji in their Japanese glyph forms) from ``noto-cjk-sans-jp-regular``
  (SIL OFL) as a fallback, loaded only when a document has a character Noto Sans lacks (a Japanese address, name
  or legal mention). When that package is missing, the Traditional Chinese cut from ``cvttf-notosanscjk-regular``
  (kana and most kanji as in Japanese, some kanji in their Chinese forms) is used. ``RELOOP_INVOICE_CJK_FONT`` may
  name another TrueType/OpenType file to use instead.

fpdf2 embeds only the glyphs a document uses (subsetting), so a PDF stays small whichever font is loaded.

**Parsed once per process.** fpdf2's ``add_font`` parses the whole file (metrics of every glyph, the character map,
the glyph names) for each document: 30 ms for each Noto Sans style and most of a second for the 16 MB CJK font, on
every invoice. ``add_font`` here parses each file once per process and gives each document a copy of the parsed
font that shares the read-only metrics and has its own subset map and its own fontTools object (fpdf2 subsets that
object in place when it writes the file). The PDF is byte for byte the one ``FPDF.add_font`` gives
(``invoicing/tests/test_documents.py``).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont


def _writer() -> str:
    """Unique to this process and thread: workers forked from one server write their first fonts at the same time."""
    return f"{os.getpid()}-{threading.get_ident()}"


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
        partial = folder / f"{name}.{_writer()}.part"
        partial.write_bytes(pymupdf_fonts.myfont(name))
        partial.replace(path)  # atomic: a concurrent render never reads half a file
    return path


#: What ``noto_sans_latin`` keeps of Noto Sans: Basic Latin, Latin-1, Latin Extended-A (every Latin-script market
#: language: French, German, Polish, Czech, Swedish…), general punctuation and currency signs. 478 glyphs of 3,246.
LATIN_RANGES = ((0x0000, 0x017F), (0x2000, 0x206F), (0x20A0, 0x20CF))


@cache
def noto_sans_latin(style: str = "") -> Path:
    """Noto Sans (``""`` or ``"B"``) reduced to ``LATIN_RANGES``, written once next to the full font.

    fpdf2 subsets the font it embeds from the whole file for every document; from this one it takes a third of
    the time. Nothing else changes: every glyph kept is the full font's (outlines, hinting, metrics, names), the
    head's bounds and the other tables are carried over unchanged, so the font fpdf2 embeds from it is the same
    bytes (``test_fonts_parsed_once_per_process_give_the_same_pdf_byte_for_byte``). A document with a character
    outside it is drawn with the full font (``pdf.render_content``)."""
    import fontTools
    from fontTools import subset

    full = noto_sans(style)
    # Named after what makes it: another range or another fontTools never reads a file an older release wrote.
    recipe = hashlib.sha256(f"{LATIN_RANGES}{fontTools.version}".encode()).hexdigest()[:10]
    path = full.with_name(f"{full.stem}-latin-{recipe}.ttf")
    if not path.exists():
        font = ttLib.TTFont(str(full), recalcTimestamp=False, recalcBBoxes=False)
        options = subset.Options(
            glyph_names=True, notdef_glyph=True, notdef_outline=True, recommended_glyphs=True, hinting=True,
            legacy_kern=True, symbol_cmap=True, legacy_cmap=True, name_IDs=["*"], name_languages=["*"],
            name_legacy=True, passthrough_tables=True, drop_tables=list(DROPPED_ON_OUTPUT), recalc_bounds=False,
            recalc_timestamp=False, prune_unicode_ranges=False, prune_codepage_ranges=False, recalc_max_context=False,
            recalc_average_width=False,
        )  # fmt: skip
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[c for c in font.getBestCmap() if any(a <= c <= b for a, b in LATIN_RANGES)])
        subsetter.subset(font)
        partial = path.with_name(f"{path.stem}.{_writer()}.part")
        font.save(str(partial))
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


def missing_glyphs(pdf: FPDF) -> bool:
    """True when ``pdf`` drew a character one of its fonts lacks (fpdf2 records it and draws an empty box)."""
    return any(isinstance(font, TTFFont) and font.missing_glyphs for font in pdf.fonts.values())


def needs_fallback(texts: list[str]) -> bool:
    covered = noto_sans_codepoints()
    return any(ord(ch) not in covered for text in texts for ch in text if not ch.isspace())


@dataclass(frozen=True)
class ParsedFont:
    """A font file fpdf2 has parsed, kept for the life of the process: the parsed font (metrics, character map,
    descriptor: never changed by a document) and the file's bytes (each document opens its own copy to subset)."""

    template: TTFFont
    data: bytes


_parsed: dict[Path, ParsedFont | None] = {}

#: OpenType layout tables fpdf2 drops from every font it embeds (it draws characters, it does not shape text), but
#: only after fontTools has decompiled them, glyph by glyph, to subset the font: most of the time of a subset. Each
#: document's copy of a font is opened without them, so the embedded font is the same and costs less.
DROPPED_ON_OUTPUT = ("GDEF", "GPOS", "GSUB")
_parsing = threading.Lock()


def parsed(path: Path) -> ParsedFont | None:
    """``path`` parsed by fpdf2, once per process; ``None`` for a font fpdf2 alters while parsing it (a TrueType
    font without a ``.notdef`` glyph gets a drawn one), which ``add_font`` then leaves to fpdf2 every time."""
    if path in _parsed:
        return _parsed[path]
    with _parsing:
        if path not in _parsed:
            probe = ttLib.TTFont(io.BytesIO(path.read_bytes()), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
            if "glyf" in probe and ".notdef" not in probe["glyf"]:
                _parsed[path] = None
                return None
            for tag in DROPPED_ON_OUTPUT:
                if tag in probe:
                    del probe[tag]
            stripped = io.BytesIO()
            probe.save(stripped, reorderTables=False)
            data = stripped.getvalue()
            pdf = FPDF()
            pdf.add_font("parsed", "", str(path))
            template = pdf.fonts["parsed"]
            assert isinstance(template, TTFFont)  # noqa: S101  # add_font of a font file makes one
            template.close()  # the file handle: each document opens the bytes again
            _parsed[path] = ParsedFont(template, data)
    return _parsed[path]


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)`` without parsing the file again when this process already did."""
    font = parsed(path)
    if font is None:
        pdf.add_font(family, style, str(path))
        return
    key = f"{family.lower()}{style}"
    document = copy.copy(font.template)  # shares the read-only metrics: cw, glyph_ids, cmap
    # Not the descriptor: fpdf2's output() writes this document's font name, object number and embedded font file
    # onto it, so two documents rendered at once in threads of one process would swap them.
    document.desc = copy.copy(font.template.desc)
    document.i = len(pdf.fonts) + 1
    document.fontkey = key
    document.emphasis = TextEmphasis.coerce(style)
    document.ttfont = ttLib.TTFont(
        io.BytesIO(font.data), recalcTimestamp=False, fontNumber=font.template.collection_font_number, lazy=True
    )
    if document.is_compressed:
        document.ttfont.flavor = None
    document._hbfont = None  # fpdf2's own lazy HarfBuzz face, per document
    document.biggest_size_pt = 0
    document.missing_glyphs = []
    document.subset = SubsetMap(document)
    pdf.fonts[key] = document
    if document.is_cff and document.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # what FPDF.add_font does for such a font
