"""Names as people write them: one forgiving matcher for everything a person names from a list (domains, local
governments, phases, activity tags), in a file, a typed command or a filter.

Two names are the same when they differ only in case, accents, punctuation, spacing or the word for "and"
("Technologie & infrastructuur", "technologie en infrastructuur", "Technology and Infrastructure" are one name each
in their language). What a person types names a candidate when, in this order:

1. it is one of the candidate's names, so normalised (an exact match wins even when it also starts another name);
2. else its words start the candidate's words, in order, from the first ("tech infra", "technologie en infra",
   "gem zott" for "Gemeente Zottegem"); the words for "and" are left out on both sides. A prefix must have at least
   `min_prefix` letters, and name exactly one candidate: the start of a word in the middle ("Zottegem" for "Gemeente
   Zottegem") is not enough, because "Gent" would then name "Politiezone Gent" when the city was meant;
3. only where a caller asks for it (`inner_words`, for filters that only read): else its words start words later in
   the name ("lier" for "Gemeente Lier", "heist" for "Gemeente Heist-op-den-Berg"), which names one candidate or
   lists the several it could be ("lier": the municipality, its OCMW, the police zone) rather than guessing;
4. else it names several ("ambiguous", with them), or none ("no match", with the closest name, if one is close
   enough to offer as "did you mean ...?").
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

Key = TypeVar("Key", bound=Hashable)

AND = "&"  # what every word for "and" becomes
_AND_WORDS = frozenset({"&", "en", "and", "+"})
MIN_PREFIX = 3  # letters: "doc", "tech"; a shorter start names too much
SUGGESTION_CUTOFF = 0.6  # difflib's ratio: typos and missing letters, not unrelated names

Outcome = Literal["exact", "prefix", "ambiguous", "none"]


def normalise(text: str) -> str:
    """The form names are compared in: no case, accents, punctuation or extra spaces, and "&" for every "and"
    ("  Technologie  en Infrastructuur. " -> "technologie & infrastructuur")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    spaced = "".join(char if char.isalnum() or char in "&+" else " " for char in plain)
    spaced = spaced.replace("&", " & ").replace("+", " + ")
    return " ".join(AND if word in _AND_WORDS else word for word in spaced.split())


def same_name(first: str, second: str) -> bool:
    """Whether two names are one name as people write it (the check before adding a name to a list)."""
    return normalise(first) == normalise(second)


@dataclass(frozen=True)
class NameMatch(Generic[Key]):
    """What a typed name named: `found` (exact or prefix), or the `candidates` it could mean (ambiguous), or none,
    with the closest candidate (`suggestion`, shown as `suggested_name`, the name as the list writes it)."""

    outcome: Outcome
    found: Key | None = None
    candidates: tuple[Key, ...] = ()
    suggestion: Key | None = None
    suggested_name: str = ""
    closeness: float = 0.0  # difflib's ratio between what was typed and the suggested name, normalised (0..1)


def match_name(
    typed: str, names: Mapping[Key, Iterable[str]], *, min_prefix: int = MIN_PREFIX, inner_words: bool = False
) -> NameMatch[Key]:
    """Which candidate `typed` names, given each candidate's names (e.g. a domain's key, Dutch and English name).
    inner_words: also a start of later words of a name (rule 3 above; for a filter, never for what gets written)."""
    wanted = normalise(typed)
    listed = {key: [(name, normalise(name)) for name in key_names if name] for key, key_names in names.items()}
    if not wanted:
        return NameMatch("none")
    exact = [key for key, forms in listed.items() if any(form == wanted for _name, form in forms)]
    if exact:
        return (
            NameMatch("exact", found=exact[0]) if len(exact) == 1 else NameMatch("ambiguous", candidates=tuple(exact))
        )
    starts = _prefix_matches(wanted, listed, min_prefix)
    if not starts and inner_words:
        starts = _prefix_matches(wanted, listed, min_prefix, anywhere=True)
    if len(starts) == 1:
        return NameMatch("prefix", found=starts[0])
    if starts:
        return NameMatch("ambiguous", candidates=tuple(starts))
    return _closest(wanted, listed)


def _prefix_matches(
    wanted: str, listed: Mapping[Key, list[tuple[str, str]]], min_prefix: int, *, anywhere: bool = False
) -> list[Key]:
    typed_words = _words(wanted)
    if sum(len(word) for word in typed_words) < min_prefix:
        return []
    starts = _starts_later if anywhere else _starts
    return [key for key, forms in listed.items() if any(starts(typed_words, _words(form)) for _name, form in forms)]


def _starts_later(typed_words: list[str], name_words: list[str]) -> bool:
    """Whether the typed words start the name's words from a later word on ("lier" / "gemeente lier")."""
    return any(_starts(typed_words, name_words[offset:]) for offset in range(1, len(name_words)))


def _words(normalised: str) -> list[str]:
    return [word for word in normalised.split() if word != AND]


def _starts(typed_words: list[str], name_words: list[str]) -> bool:
    """Whether each typed word starts the name's word in the same place ("tech infra" / "technologie infra...")."""
    if not typed_words or len(typed_words) > len(name_words):
        return False
    return all(name.startswith(typed) for typed, name in zip(typed_words, name_words, strict=False))


def _closest(wanted: str, listed: Mapping[Key, list[tuple[str, str]]]) -> NameMatch[Key]:
    best: tuple[float, Key, str] | None = None
    matcher = difflib.SequenceMatcher(None, b=wanted)  # what was typed is analysed once
    for key, forms in listed.items():
        for name, form in forms:
            matcher.set_seq1(form)
            # The cheap upper bounds first (as difflib.get_close_matches does): a pasted paragraph against a few
            # hundred names would otherwise take seconds.
            if matcher.real_quick_ratio() < SUGGESTION_CUTOFF or matcher.quick_ratio() < SUGGESTION_CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio >= SUGGESTION_CUTOFF and (best is None or ratio > best[0]):
                best = (ratio, key, name)
    if best is None:
        return NameMatch("none")
    return NameMatch("none", suggestion=best[1], suggested_name=best[2], closeness=best[0])
