"""Shortlist controls and consortia: property tests and brute-force oracles."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.consortia import best_teams, greedy_team, team_value
from matcher.controls import Controls, apply, mmr
from matcher.requirements import split_requirements

candidates = st.integers(2, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from("ABC"), min_size=n, max_size=n),
        st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@given(
    candidates,
    st.integers(1, 8),
    st.one_of(st.none(), st.integers(1, 3)),
    st.one_of(st.none(), st.integers(1, 3)),
    st.integers(0, 3),
)
@settings(max_examples=200, deadline=None)
def test_caps_and_reserved_places_hold(data, k, per_country, per_group, min_small) -> None:  # noqa: ANN001
    countries, groups, small = data
    order = list(range(len(countries)))
    controls = Controls(max_per_country=per_country, max_per_group=per_group, min_small=min_small)
    kept = apply(order, k, countries=countries, groups=groups, small=small, controls=controls)
    assert len(kept) == len(set(kept)) <= k
    capped = apply(
        order,
        k,
        countries=countries,
        groups=groups,
        small=[False] * len(small),
        controls=Controls(max_per_country=per_country, max_per_group=per_group),
    )
    if per_country:
        assert (
            max(np.unique([countries[i] for i in capped], return_counts=True)[1], default=0)
            <= per_country
        )
    if per_group:
        assert (
            max(np.unique([groups[i] for i in capped], return_counts=True)[1], default=0)
            <= per_group
        )
    available_small = sum(small)
    assert sum(small[i] for i in kept) >= min(min_small, available_small, len(kept))


def test_caps_oracle_is_the_greedy_walk_in_rank_order() -> None:
    countries = ["SE", "SE", "DK", "SE", "NO", "DK"]
    kept = apply(
        range(6),
        4,
        countries=countries,
        groups=list("abcdef"),
        small=[False] * 6,
        controls=Controls(max_per_country=1),
    )
    assert kept == [0, 2, 4]


@given(st.lists(st.floats(0, 1), min_size=1, max_size=15), st.integers(1, 15))
@settings(max_examples=100, deadline=None)
def test_mmr_without_diversity_is_the_relevance_order(values: list[float], k: int) -> None:
    relevance = np.array(values)
    similarity = np.eye(len(values))
    order = mmr(relevance, similarity, k, diversity=0.0)
    assert order == list(np.argsort(-relevance, kind="stable")[: min(k, len(values))])


def test_mmr_skips_a_near_duplicate() -> None:
    relevance = np.array([1.0, 0.99, 0.5])
    similarity = np.array([[1, 0.99, 0], [0.99, 1, 0], [0, 0, 1.0]])
    assert mmr(relevance, similarity, 2, diversity=0.0) == [0, 1]
    assert mmr(relevance, similarity, 2, diversity=0.7) == [0, 2]


coverage_matrices = st.integers(1, 5).flatmap(
    lambda r: st.integers(2, 7).flatmap(
        lambda n: st.lists(
            st.lists(st.floats(0, 1), min_size=n, max_size=n), min_size=r, max_size=r
        ).map(np.array)
    )
)


@given(coverage_matrices, st.integers(2, 4))
@settings(max_examples=150, deadline=None)
def test_best_team_equals_brute_force_and_bounds_greedy(coverage: np.ndarray, size: int) -> None:
    size = min(size, coverage.shape[1])
    best = best_teams(coverage, size, 1)[0]
    oracle = max(
        team_value(coverage, combo)
        for combo in itertools.combinations(range(coverage.shape[1]), size)
    )
    assert math.isclose(best.value, oracle, abs_tol=1e-6)
    assert len(set(best.members)) == size
    assert [coverage[r, m] for r, m in enumerate(best.covered_by)] == pytest.approx(
        list(best.coverage), abs=1e-4
    )
    greedy = team_value(coverage, greedy_team(coverage, size))
    assert greedy >= (1 - 1 / math.e) * oracle - 1e-9
    assert (
        best.members[0] == best.members[int(np.argmax(coverage[:, list(best.members)].sum(axis=0)))]
    )


def test_teams_combine_complementary_companies_and_report_overlaps() -> None:
    coverage = np.array(
        [
            [0.9, 0.1, 0.8, 0.0],  # electric machinery
            [0.0, 0.9, 0.1, 0.2],  # charging on site
            [0.1, 0.0, 0.9, 0.9],  # monitoring of emissions
        ]
    )
    best = best_teams(coverage, 2, 3)[0]
    assert set(best.members) == {1, 2} and best.coverage == (0.8, 0.9, 0.9)
    assert best.covered_by == (2, 1, 2)
    trio = best_teams(coverage, 3, 1)[0]
    assert (2, (0, 2)) in trio.overlaps or (0, (0, 2)) in trio.overlaps


def test_tied_teams_prefer_partners_who_cover_more() -> None:
    coverage = np.array(
        [
            [1.0, 0.1, 0.7, 0.0],
            [1.0, 0.0, 0.6, 0.2],
        ]
    )  # candidate 0 covers all; any pair with it has value 2.0
    best = best_teams(coverage, 2, 3)
    assert [set(team.members) for team in best] == [{0, 2}, {0, 3}, {0, 1}]
    assert all(team.value == 2.0 for team in best)


def test_requirements_split_on_sentences_and_clauses() -> None:
    text = (
        "Vi söker eldrivna grävmaskiner. Laddning på plats där elnätet är svagt samt "
        "uppföljning av energiförbrukning per maskin."
    )
    assert split_requirements(text) == [
        "Vi söker eldrivna grävmaskiner",
        "Laddning på plats där elnätet är svagt",
        "uppföljning av energiförbrukning per maskin",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Stockholms stad vill halvera utsläppen till 2030. Vi söker eldrivna grävmaskiner. "
            "Uppföljning per maskin ska rapporteras.",
            ["Vi söker eldrivna grävmaskiner", "Uppföljning per maskin ska rapporteras"],
        ),
        (
            "London wants zero-emission lorries. We need depot charging; and grid planning too.",
            ["We need depot charging", "and grid planning too"],
        ),
        (
            "We need high-power charging at depots, grid connection planning for each site "
            "and software that schedules charging.",
            [
                "We need high-power charging at depots",
                "grid connection planning for each site and software that schedules charging",
            ],
        ),
        (
            "Vi söker eldrivna arbetsmaskiner, grävmaskiner och hjullastare.",
            ["Vi söker eldrivna arbetsmaskiner, grävmaskiner och hjullastare"],
        ),
        (
            "Helsinki kasvaa nopeasti. Kaupunki etsii ratkaisuja hukkalämmön talteenottoon.",
            ["Kaupunki etsii ratkaisuja hukkalämmön talteenottoon"],
        ),
        (
            "Byens busser kører på diesel. Vi ønsker elbusser med opladning i depotet.",
            ["Vi ønsker elbusser med opladning i depotet"],
        ),
        (  # nothing asks: every sentence stays
            "Fjärrvärmen är fossil idag. Restvärme från datacenter går förlorad.",
            ["Fjärrvärmen är fossil idag", "Restvärme från datacenter går förlorad"],
        ),
    ],
)
def test_background_before_the_first_ask_is_left_out(text: str, expected: list[str]) -> None:
    assert split_requirements(text) == expected


def test_no_candidates_no_teams() -> None:
    assert best_teams(np.zeros((3, 0)), 3, 5) == []
