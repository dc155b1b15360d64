"""Pure search rules: how a document and a query become the same words (no ORM, no engine).

Documents and queries go through one ``normalize``: case and accents folded, ``+`` read as "plus", every other
sign a word break, and letters and digits split apart ("iPhone13" → ``iphone 13``, "S21+" → ``s 21 plus``), so a
glued or split model number matches whichever way it was typed. Storage sizes in a query ("256", "256gb", "1 TB")
become a filter instead of words. Unknown words are corrected to the nearest word of the index (edit distance),
and two adjacent words that form one indexed word are joined ("air pods" → ``airpods``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_SPLIT_ALNUM = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")

#: Storage sizes a bare number in a query is read as (smaller numbers are model numbers: "iPhone 16").
BARE_STORAGE_GB = frozenset({32, 64, 128, 256, 500, 512})
#: Units that make a number a storage size whatever its value, with their factor to GB.
STORAGE_UNITS = {"gb": 1, "go": 1, "g": 1, "tb": 1000, "to": 1000, "t": 1000}
#: The longest query we read, in words: a pasted paragraph is not a search.
MAX_WORDS = 8


def fold(text: str) -> str:
    """Lower case without accents: "Écouteurs" → "ecouteurs", "Kopfhörer" → "kopfhorer", "ß" → "ss"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> list[str]:
    """The words of ``text`` as the index holds them."""
    folded = fold(text).replace("+", " plus ")
    words = _NON_WORD.sub(" ", folded)
    return _SPLIT_ALNUM.sub(" ", words).split()


def glued(text: str) -> list[str]:
    """The alphanumeric runs of ``text`` kept whole ("iphone13", "s21"): indexed too, for typed prefixes."""
    folded = fold(text).replace("+", " plus ")
    return [w for w in _NON_WORD.sub(" ", folded).split() if _SPLIT_ALNUM.search(w)]


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]
    storage_gb: tuple[int, ...] = ()
    #: The last word is still being typed (no space after it): it matches as a prefix.
    open_ended: bool = False


def _plausible(number: int, unit: str) -> bool:
    """ "256 gb" and "1 tb" are storage sizes; "13 t" (Xiaomi 13T) and "5 g" (5G) are not."""
    if STORAGE_UNITS[unit] == 1000:
        return unit != "t" and 1 <= number <= 8
    return number >= 16 and unit != "g"


def _unit(number: str, unit: str) -> bool:
    return unit in STORAGE_UNITS and len(number) <= 5 and _plausible(int(number), unit)


def parse_query(raw: str) -> ParsedQuery:
    """Words and storage sizes of a typed query ("iphone 13 256" → ``iphone 13`` + 256 GB)."""
    words = normalize(raw)[: MAX_WORDS * 2]
    kept: list[str] = []
    storage: list[int] = []
    i = 0
    while i < len(words):
        word = words[i]
        unit = words[i + 1] if i + 1 < len(words) else ""
        if word.isdigit() and len(word) <= 5 and unit in STORAGE_UNITS and _plausible(int(word), unit):
            storage.append(int(word) * STORAGE_UNITS[unit])
            i += 2
            continue
        if word.isdigit() and int(word) in BARE_STORAGE_GB and kept:  # "256" alone is not a storage search
            storage.append(int(word))
        else:
            kept.append(word)
        i += 1
    open_ended = bool(raw) and not raw[-1].isspace() and bool(kept) and not storage_suffix(words)
    return ParsedQuery(tuple(kept[:MAX_WORDS]), tuple(sorted(set(storage))), open_ended)


def without_storage(raw: str) -> str:
    """The typed query without its storage sizes ("iPhone 13 256 GB" → "iPhone 13"), as typed otherwise."""
    tokens = raw.split()
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        words = normalize(tokens[i])
        following = normalize(tokens[i + 1]) if i + 1 < len(tokens) else []
        if len(words) == 2 and words[0].isdigit() and _unit(words[0], words[1]):  # "256GB"
            i += 1
        elif len(words) == 1 and words[0].isdigit() and len(following) == 1 and _unit(words[0], following[0]):
            i += 2  # "256 GB"
        elif len(words) == 1 and words[0].isdigit() and int(words[0]) in BARE_STORAGE_GB and kept:
            i += 1  # "256"
        else:
            kept.append(tokens[i])
            i += 1
    return " ".join(kept)


def storage_suffix(words: Sequence[str]) -> bool:
    """Whether the query ends with a storage size (then its last kept word is complete)."""
    if not words:
        return False
    last = words[-1]
    return last in STORAGE_UNITS or (last.isdigit() and int(last) in BARE_STORAGE_GB and len(words) > 1)


def apply_synonyms(words: Sequence[str], synonyms: Mapping[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    """Replace each run of words that is a synonym's term (longest first) with its expansion."""
    longest = max((len(k) for k in synonyms), default=0)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in synonyms:
                out.extend(synonyms[key])
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """How many edits a word may be away from the one the buyer meant: none for short words and numbers."""
    if word.isdigit() or len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate within the word's allowed typos; ties go to the shorter, then alphabetical."""
    limit = allowed_typos(word)
    if not limit:
        return None
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        if candidate.isdigit() or (candidate[0] != word[0] and limit < 2):
            continue
        d = edit_distance(word, candidate, limit)
        if d <= limit and (best is None or (d, len(candidate), candidate) < best):
            best = (d, len(candidate), candidate)
    return best[2] if best else None


def join_candidates(words: Sequence[str]) -> set[str]:
    """Adjacent words glued ("air pods" → "airpods"), to be checked against the index."""
    return {words[i] + words[i + 1] for i in range(len(words) - 1) if words[i].isalpha() and words[i + 1].isalpha()}


def split_candidates(word: str) -> list[tuple[str, str]]:
    """Ways to cut a glued word in two ("galaxybuds" → "galaxy" + "buds"), each part at least three letters."""
    if not word.isalpha() or len(word) < 6:
        return []
    return [(word[:i], word[i:]) for i in range(3, len(word) - 2)]


@dataclass(frozen=True)
class Rewrite:
    """The words to search for after joining, splitting and correcting, and what changed."""

    words: tuple[str, ...]
    corrected: bool = False
    unknown: tuple[str, ...] = field(default_factory=tuple)


def rewrite(
    words: Sequence[str],
    *,
    known: set[str],
    open_ended: bool,
    prefixes: set[str],
    corrections: Mapping[str, str],
) -> Rewrite:
    """Join, split and correct ``words`` against the index vocabulary.

    ``known``: which of the words and candidates (joins, splits) are indexed words; ``prefixes``: words that start
    some indexed word (for the last, still typed, word); ``corrections``: the nearest indexed word of each unknown
    word, as the engine found it.
    """
    out: list[str] = []
    corrected = False
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        last = i == len(words) - 1
        if i + 1 < len(words):
            pair = word + words[i + 1]
            if pair in known and (word not in known or words[i + 1] not in known):
                out.append(pair)
                corrected = True
                i += 2
                continue
        if word in known or word.isdigit() or (last and open_ended and word in prefixes):
            out.append(word)
        elif (
            split := next(((a, b) for a, b in split_candidates(word) if a in known and b in known), None)
        ) is not None:
            out.extend(split)
            corrected = True
        elif word in corrections:
            out.append(corrections[word])
            corrected = True
        elif last and open_ended and len(word) < 4:
            out.append(word)  # a short word being typed: let the engine try it as a prefix
        else:
            unknown.append(word)
            out.append(word)
        i += 1
    return Rewrite(tuple(out), corrected, tuple(unknown))
