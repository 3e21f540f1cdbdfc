"""The engine gives every match a strength, with the configured model (the packaged e5, as the
service runs it) and the shipped calibrations: the same for a pair whatever else is indexed
and whichever way it is searched, and low all along a list that answers nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from klimatmatch.core.settings import PACKAGED_MODEL, Settings
from klimatmatch.index.embedding import build_embedder
from matcher import Document, Embedder, MatchEngine, create_embedder
from matcher.strength import POSSIBLE_AT, Calibrations, load_calibrations
from tests.matcher.test_engine_channels import index

PROFILES = [
    Document(
        1,
        "We convert diesel excavators and wheel loaders to battery power and rent electric "
        "construction machines, with mobile charging for sites with a weak grid.",
        {"language": "en"},
    ),
    Document(
        2,
        "Heat pumps and district heating controls for schools and elderly homes.",
        {"language": "en"},
    ),
    Document(
        3,
        "Vi bygger om dieseldrivna grävmaskiner till batteridrift och hyr ut eldrivna "
        "arbetsmaskiner till byggarbetsplatser.",
        {"language": "sv"},
    ),
]
UNRELATED = [
    Document(10 + i, text, {"language": "en"})
    for i, text in enumerate(
        [
            "Organic sourdough bakery supplying cafés with bread and pastries.",
            "Wedding photography and video editing for private clients.",
            "Tax advice and bookkeeping for small retail shops.",
            "Guided fishing trips and kayak rental in the archipelago.",
        ]
    )
]
CHALLENGE = Document(
    99,
    "Fossil-free construction sites: electric excavators and wheel loaders, and charging "
    "on sites where the grid is weak.",
    {"language": "en"},
)


@pytest.fixture
def engine(e5: Embedder) -> MatchEngine:
    built = MatchEngine({"dense": e5, "lexical": create_embedder("bm25")})
    index(built, PROFILES)
    ask(built, CHALLENGE)
    return built


def ask(engine: MatchEngine, challenge: Document) -> None:
    prepared = engine.prepare([challenge])
    engine.upsert("challenge", prepared, engine.encode("challenge", prepared))


def by_id(engine: MatchEngine, challenge_id: int = 99) -> dict[int, tuple[float | None, float]]:
    return {
        m.document.id: (m.strength, m.score)
        for m in engine.shortlist(challenge_id, 10, explain=False)
    }


def test_every_match_has_a_strength_and_the_answer_is_the_strongest(
    engine: MatchEngine,
) -> None:
    found = by_id(engine)
    strengths = {k: s for k, (s, _) in found.items()}
    assert all(s is not None and 0 <= s <= 1 for s in strengths.values())
    assert strengths[1] > strengths[2]
    assert strengths[1] >= POSSIBLE_AT


def test_a_pair_keeps_its_strength_whatever_else_is_indexed(engine: MatchEngine) -> None:
    before = by_id(engine)
    prepared = engine.prepare(UNRELATED)
    engine.upsert("company", prepared, engine.encode("company", prepared))
    after = by_id(engine)
    assert set(after) > set(before)
    for company in before:
        assert after[company][0] == before[company][0]
    assert any(after[c][1] != before[c][1] for c in before)  # the fused score moved


def test_a_list_that_answers_nothing_is_weak_all_along(engine: MatchEngine) -> None:
    ask(engine, Document(98, "A choir festival with folk music in the old town square.", {}))
    found = by_id(engine, 98)
    assert found and all(s is not None and s < POSSIBLE_AT for s, _ in found.values())
    assert max(s for s, _ in found.values()) < by_id(engine)[1][0]


def test_a_pair_has_one_strength_in_shortlists_opportunities_and_previews(
    engine: MatchEngine,
) -> None:
    shortlist = {k: s for k, (s, _) in by_id(engine).items()}
    for company in shortlist:
        [match] = [
            m for m in engine.opportunities(company, 5, explain=False) if m.document.id == 99
        ]
        assert match.strength == shortlist[company]
    query = engine.prepare([CHALLENGE])[0]
    ranking = engine.rank_query(query, engine.encode("challenge", [query]))
    ids = [d.id for d in ranking.documents]
    previewed = engine.strengths(ranking, range(len(ids)))
    assert {i: s for i, s in zip(ids, previewed, strict=True) if i in shortlist} == shortlist


def test_a_pair_in_two_languages_is_judged_by_the_model_alone(engine: MatchEngine) -> None:
    """BM25 cannot compare the English challenge with the Swedish profile: its zero there is
    no evidence, so the model's calibration for such pairs alone judges it."""
    strengths = {k: s for k, (s, _) in by_id(engine).items()}
    assert strengths[3] is not None and strengths[3] > strengths[2]
    alone = engine.pair_strength.alone
    assert alone is not None
    components = {m.document.id: m.components for m in engine.shortlist(99, 3, explain=False)}
    cosine = np.array([components[3]["dense"]])
    assert strengths[3] == pytest.approx(float(alone.probability({"model": cosine})[0]), abs=1e-4)


def test_an_english_only_models_cosine_never_judges_a_pair_outside_its_languages() -> None:
    """MiniLM knows English: between a Swedish challenge and a Danish profile that share no
    word its cosine says nothing, so the lexical calibration judges the pair (weak), instead of
    the cosine-only one fitted on a multilingual model's cross-language pairs."""
    minilm = build_embedder(Settings(_env_file=None, model=PACKAGED_MODEL))  # as served
    assert minilm.languages == frozenset({"en"})
    engine = MatchEngine({"dense": minilm, "lexical": create_embedder("bm25")})
    danish = Document(
        7,
        "Vi leverer strøm og ladning til byggepladser med elektriske maskiner.",
        {"language": "da"},
    )
    index(engine, [*PROFILES, danish])
    swedish = Document(
        98,
        "Eldrivna grävmaskiner och hjullastare på byggarbetsplatser, med laddning där nätet "
        "är svagt.",
        {"language": "sv"},
    )
    ask(engine, swedish)
    found = by_id(engine, 98)
    assert found[7][0] is not None and found[7][0] < POSSIBLE_AT
    assert found[3][0] is not None  # the Swedish profile: judged by its shared words


def test_a_run_records_which_calibration_gave_its_strengths(engine: MatchEngine) -> None:
    shipped = engine.parameters["strength"]
    assert isinstance(shipped, str) and len(shipped) == 12
    refitted = replace(engine.pair_strength.both, intercept=engine.pair_strength.both.intercept + 1)
    engine.calibrations = load_calibrations().replaced([refitted])
    assert engine.parameters["strength"] not in (None, shipped)
    engine.calibrations = Calibrations(())
    assert engine.parameters["strength"] is None  # nothing fitted: no strength to name
