"""The one forgiving name matcher (domain/names.py): case, accents, "&"/"en"/"and", punctuation and spaces, a unique
prefix, ambiguous, no match with a suggestion."""

from __future__ import annotations

import time

import pytest

from domain.names import NameMatch, match_name, normalise, same_name

DOMAINS = {
    1: ("tech_infra", "Technologie en infrastructuur", "Technology and infrastructure"),
    2: ("digital", "Digitale transformatie", "Digital transformation"),
}
GOVERNMENTS = {
    10: ("Gemeente Zottegem",),
    11: ("Politiezone Vlaamse Ardennen",),
    12: ("Gemeente Zwalm",),
    13: ("Politiezone Gent",),
    14: ("Stad Gent",),
}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Technologie & infrastructuur", "technologie & infrastructuur"),
        ("  TECHNOLOGIE   en  Infrastructuur. ", "technologie & infrastructuur"),
        ("Technology and infrastructure", "technology & infrastructure"),
        ("Technology+infrastructure", "technology & infrastructure"),
        ("Coördinatie", "coordinatie"),
        ("Économie, Wonen", "economie wonen"),
        ("'s-Gravenbrakel", "s gravenbrakel"),
        ("ﬁnance", "finance"),  # NFKD: the ligature is two letters
    ],
)
def test_normalise(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


def test_the_organisations_spelling_and_the_seeded_one_are_the_same_name() -> None:
    assert same_name("Technologie & infrastructuur", "technologie en infrastructuur")
    assert same_name("Technology & Infrastructure", "technology and infrastructure")
    assert not same_name("Technologie", "Technologie en infrastructuur")


@pytest.mark.parametrize(
    "typed",
    [
        "Technologie en infrastructuur",  # as the organisation writes it
        "technologie & infrastructuur",  # as it was seeded
        "TECHNOLOGY AND INFRASTRUCTURE",
        "technologie  en   infrastructuur",
        "tech_infra",  # the key
        "Technologie-en-infrastructuur",
    ],
)
def test_exact_in_any_spelling(typed: str) -> None:
    assert match_name(typed, DOMAINS) == NameMatch("exact", found=1)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("tech", 1),  # the start of the name
        ("Technologie en infra", 1),  # the start of the whole name
        ("techn infra", 1),  # the start of each word
        ("digi", 2),
        ("Digital trans", 2),
        ("gem zott", 10),
        ("politiezone vl", 11),
    ],
)
def test_a_unique_prefix_names_one(typed: str, found: int) -> None:
    names = {**DOMAINS, **GOVERNMENTS}
    assert match_name(typed, names) == NameMatch("prefix", found=found)


def test_an_exact_name_wins_over_a_longer_name_it_starts() -> None:
    names = {1: ("Gemeente Zwalm",), 2: ("Gemeente Zwalm-Oost",)}
    assert match_name("gemeente zwalm", names) == NameMatch("exact", found=1)


def test_a_start_that_names_several_is_ambiguous_with_them() -> None:
    assert match_name("gemeente z", GOVERNMENTS) == NameMatch("ambiguous", candidates=(10, 12))
    assert match_name("Politiezone", GOVERNMENTS) == NameMatch("ambiguous", candidates=(11, 13))


def test_a_word_in_the_middle_is_not_a_prefix() -> None:
    # "Gent" must not quietly name the police zone when the city was meant.
    assert match_name("Gent", GOVERNMENTS).found is None


def test_a_filter_may_name_by_a_later_word_and_lists_all_it_could_be() -> None:
    # Only where the caller reads (a portfolio filter): the place name people type, without "Gemeente" or "Stad".
    assert match_name("zwalm", GOVERNMENTS, inner_words=True) == NameMatch("prefix", found=12)
    assert match_name("Gent", GOVERNMENTS, inner_words=True) == NameMatch("ambiguous", candidates=(13, 14))
    assert match_name("vlaamse ard", GOVERNMENTS, inner_words=True) == NameMatch("prefix", found=11)
    # A start of the name itself still comes first, and what is written (imports, lists) keeps the strict rule.
    assert match_name("stad", GOVERNMENTS, inner_words=True) == NameMatch("prefix", found=14)
    assert match_name("zwalm", GOVERNMENTS).found is None


def test_too_short_a_start_names_nothing() -> None:
    assert match_name("te", DOMAINS).outcome == "none"
    assert match_name("te", DOMAINS, min_prefix=2) == NameMatch("prefix", found=1)


def test_no_match_offers_the_closest_name() -> None:
    typo = match_name("Technologie en infrastructur", DOMAINS)
    assert (typo.outcome, typo.found, typo.suggestion) == ("none", None, 1)
    assert typo.suggested_name == "Technologie en infrastructuur"
    assert match_name("Gemeente Zotegem", GOVERNMENTS).suggested_name == "Gemeente Zottegem"


def test_nothing_close_is_no_match_without_a_suggestion() -> None:
    assert match_name("Cultuur", DOMAINS) == NameMatch("none")
    assert match_name("", DOMAINS) == NameMatch("none")
    assert match_name(" &, ", DOMAINS).outcome == "none"


def test_two_candidates_with_the_same_name_are_ambiguous() -> None:
    names = {1: ("Technologie & infrastructuur",), 2: ("Technologie en infrastructuur",)}
    assert match_name("technologie en infrastructuur", names) == NameMatch("ambiguous", candidates=(1, 2))


def test_a_pasted_paragraph_is_answered_at_once() -> None:
    # Without difflib's cheap upper bounds first, 20 000 characters against 400 names took seconds per message.
    names = {number: (f"Gemeente {number:04}",) for number in range(400)}
    started = time.perf_counter()
    assert match_name("gemeente " * 2000, names) == NameMatch("none")
    assert time.perf_counter() - started < 1.0
