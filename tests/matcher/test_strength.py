"""The match strength: fixed levels, a bounded and monotone calibration, the shipped file, which
calibration judges a pair, and the fitting helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher import Document, MatchEngine, Strength, create_embedder, strength
from matcher.strength import LEXICAL, MODEL, Calibration, Calibrations, load_calibrations
from matcher.strength_fit import expected_calibration_error, fit_calibration, reliability
from matcher.strength_pairs import PairStrength, model_key
from tests.matcher.test_engine_channels import MULTILINGUAL, Keywords, index

PROFILES = [
    Document(1, "Fast charging hubs for electric trucks at depots.", {"language": "en"}),
    Document(2, "Heat pumps for schools and district heating.", {"language": "en"}),
    Document(3, "Snabbladdning för ellastbilar vid depåer.", {"language": "sv"}),
]
FAKE = Calibrations(
    (
        Calibration("lexical", (LEXICAL,), (6.0,), -4.0),
        Calibration("tfidf", (MODEL,), (8.0,), -5.0),
    )
)


def test_the_levels_have_fixed_thresholds() -> None:
    assert (strength.STRONG_AT, strength.POSSIBLE_AT) == (0.5, 0.2)
    assert Strength.of(0.5) is Strength.STRONG
    assert Strength.of(0.49) is Strength.POSSIBLE
    assert Strength.of(0.2) is Strength.POSSIBLE
    assert Strength.of(0.19) is Strength.WEAK
    assert Strength.of(0.0) is Strength.WEAK


def test_every_shipped_calibration_is_bounded_and_monotone() -> None:
    shipped = load_calibrations()
    assert shipped.entries, f"{strength.CALIBRATION_FILE} holds no calibration"
    grid = np.linspace(0.0, 1.0, 41)
    for calibration in shipped.entries:
        assert all(c >= 0 for c in calibration.coefficients), calibration
        for moving in calibration.features:
            values = {n: np.full(len(grid), 0.5) for n in calibration.features}
            values[moving] = grid
            p = calibration.probability(values)
            assert ((p >= 0) & (p <= 1)).all()
            assert (np.diff(p) >= 0).all(), (calibration.model, moving)


def test_the_shipped_file_says_what_each_calibration_was_fitted_on() -> None:
    shipped = load_calibrations()
    assert shipped.find("lexical", (LEXICAL,)) is not None  # the fallback of unknown models
    assert shipped.find("tfidf", (MODEL, LEXICAL)) is not None
    for calibration in shipped.entries:
        fitted = calibration.fitted
        assert fitted["sets"] and fitted["pairs"] > 200 and fitted["date"]
        assert set(fitted["held_out_ece"]) >= {*fitted["sets"], "overall"}


def test_calibrations_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "strength.json"
    strength.save_calibrations(FAKE, path)
    assert load_calibrations(path) == FAKE
    newer = Calibration("lexical", (LEXICAL,), (7.0,), -3.0)
    assert FAKE.replaced([newer]).find("lexical", (LEXICAL,)) == newer
    assert load_calibrations(tmp_path / "missing.json") == Calibrations()


def bm25_engine(channels: dict) -> MatchEngine:
    engine = MatchEngine(channels, calibrations=FAKE)
    index(engine, PROFILES)
    return engine


def strengths(engine: MatchEngine, text: str, language: str) -> dict[int, float | None]:
    query = engine.prepare([Document(99, text, {"language": language})])
    engine.upsert("challenge", query, engine.encode("challenge", query))
    return {m.document.id: m.strength for m in engine.shortlist(99, 3, explain=False)}


def test_an_unknown_model_falls_back_on_the_lexical_calibration() -> None:
    unknown = bm25_engine({"dense": Keywords(MULTILINGUAL), "lexical": create_embedder("bm25")})
    lexical = bm25_engine({"lexical": create_embedder("bm25")})
    text = "Charging hubs for electric trucks"
    found = strengths(unknown, text, "en")
    assert found[1] == strengths(lexical, text, "en")[1]
    assert 0 < found[1] < 1
    assert found[3] is None  # Swedish profile: BM25 cannot judge it, nothing else is fitted


def test_a_model_without_lexical_channel_nor_calibration_has_no_strength() -> None:
    engine = bm25_engine({"dense": Keywords(MULTILINGUAL)})
    assert not engine.pair_strength.any
    assert set(strengths(engine, "Charging hubs", "en").values()) == {None}


def test_a_corpus_fitted_model_is_calibrated_by_its_channel(tfidf: object) -> None:
    engine = bm25_engine({"tfidf": tfidf})
    assert model_key(tfidf) == "tfidf"
    found = strengths(engine, "Heat pumps for schools", "en")
    assert found[2] is not None and found[2] > max(v for k, v in found.items() if k != 2)


def test_the_lexical_ratio_is_bounded_by_the_challenge_alone() -> None:
    bm25 = create_embedder("bm25").fit([d.text for d in PROFILES])
    pair = PairStrength({"lexical": bm25}, FAKE)
    challenge = Document(9, "charging hubs trucks", {"language": "en"})
    same = challenge.text  # a profile that is the challenge scores below its bound
    raw = float((bm25.encode_queries([same]) @ bm25.encode_documents([same]).T).toarray()[0, 0])
    values, speaks = pair.features([challenge], [challenge], [{LEXICAL: raw}])
    assert 0 < values[LEXICAL][0] < 1 and speaks.tolist() == [True]


def test_a_logistic_fit_is_calibrated_on_its_own_distribution() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 20_000)
    labels = (rng.uniform(0, 1, len(x)) < 1 / (1 + np.exp(-(6 * x - 4)))).astype(int)
    fitted = fit_calibration("m", (MODEL,), {MODEL: x}, labels)
    assert fitted.coefficients[0] == pytest.approx(6, abs=0.5)
    assert fitted.intercept == pytest.approx(-4, abs=0.4)
    predicted = fitted.probability({MODEL: x})
    assert expected_calibration_error(predicted, labels) < 0.02
    assert expected_calibration_error(np.full(len(x), 0.9), labels) > 0.5
    bins = reliability(predicted, labels)
    assert sum(b.pairs for b in bins) == len(x) and all(b.low < b.high for b in bins)


def test_a_feature_that_would_lower_the_strength_of_a_closer_pair_is_left_out() -> None:
    rng = np.random.default_rng(1)
    x, noise = rng.uniform(0, 1, 20_000), rng.uniform(0, 1, 20_000)
    labels = (rng.uniform(0, 1, len(x)) < 1 / (1 + np.exp(-(6 * x - 4 - noise)))).astype(int)
    fitted = fit_calibration("m", (MODEL, LEXICAL), {MODEL: x, LEXICAL: noise}, labels)
    assert fitted.coefficients[1] == 0.0 and fitted.coefficients[0] == pytest.approx(6, abs=0.6)
    constant = fit_calibration("m", (MODEL,), {MODEL: 1 - x}, (x > 0.8).astype(int))
    assert constant.coefficients == (0.0,)  # nothing left: the share of relevant pairs
    assert constant.probability({MODEL: x}) == pytest.approx(np.full(len(x), 0.2), abs=0.01)
