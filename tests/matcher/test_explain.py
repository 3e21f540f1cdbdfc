from __future__ import annotations

import numpy as np

from matcher.explain import SentenceScorer, mark_answered, shared_terms
from matcher.text import guess_language, sentences


def test_shared_terms_find_compound_parts() -> None:
    terms = shared_terms(
        "Laddinfrastruktur för tunga transporter",
        "Vi bygger infrastruktur för tunga fordon och transporter",
    )
    assert terms[:2] == ["infrastruktur", "transporter"]
    assert "för" not in terms


def test_sentences_split_on_punctuation_and_keep_short_text() -> None:
    assert sentences("First part here. Second part there!") == [
        "First part here.",
        "Second part there!",
    ]
    assert sentences("Solo") == ["Solo"]


def test_best_pair_uses_both_sides_and_caches() -> None:
    calls: list[tuple[str, int]] = []

    def encoder(side: str):
        def encode(texts):
            calls.append((side, len(texts)))
            return np.array([[1.0, 0.0] if "heat" in t else [0.0, 1.0] for t in texts])

        return encode

    scorer = SentenceScorer(encoder("q"), encoder("d"))
    pair = scorer.best_pair(
        "We need heat pumps. Also bikes please.", "Bikes are sold here. We make heat pumps."
    )
    assert pair == ("We need heat pumps.", "We make heat pumps.", 1.0)
    scorer.best_pair(
        "We need heat pumps. Also bikes please.", "Bikes are sold here. We make heat pumps."
    )
    assert calls == [("q", 2), ("d", 2)]


def test_guess_language_on_nordic_texts() -> None:
    assert guess_language("Vi söker lösningar för att minska utsläppen och det är viktigt") == "sv"
    assert guess_language("We are looking for solutions that cut the emissions of the city") == "en"
    assert guess_language("Etsimme ratkaisuja, jotka ovat kestäviä ja myös edullisia") == "fi"
    assert guess_language("12345") is None


def test_each_company_is_marked_with_the_requirement_it_answers() -> None:
    """Two requirements, two companies each answering one: the scores come from a
    requirement x sentence product, and the mark is relative to the companies on the list."""

    def encode(texts):
        return np.array(
            [
                [1.0, 0.0] if "charg" in t else [0.0, 1.0] if "report" in t else [0.6, 0.8]
                for t in texts
            ]
        )

    scorer = SentenceScorer(encode, encode)
    needs = ["charging on site", "reporting per machine"]
    charger = scorer.requirements(needs, "Founded in 2001. We build fast charging containers.")
    reporter = scorer.requirements(needs, "We sell reporting software. Based in Malmö.")
    assert charger[0].sentence == "We build fast charging containers." and charger[0].score == 1.0
    assert reporter[1].sentence == "We sell reporting software."
    marked = mark_answered([charger, reporter])
    assert [m.answered for m in marked[0]] == [True, False]
    assert [m.answered for m in marked[1]] == [False, True]
    alone = mark_answered([charger])[0]
    assert [m.answered for m in alone] == [True, False]
    assert mark_answered([[], []]) == [[], []]
