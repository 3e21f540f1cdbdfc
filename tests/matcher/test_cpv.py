from __future__ import annotations

import numpy as np
import pytest

from matcher.cpv import CpvTagger, CpvVectors, load_cpv, prefixes, significant
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def tagger() -> CpvTagger:
    return CpvTagger(load_cpv(ROOT / "data" / "taxonomies" / "cpv2008_en_sv_da_fi.csv"))


def test_hierarchy_prefixes() -> None:
    assert significant("45200000") == "452"
    assert prefixes("09323000") == ["09", "093", "0932", "09323"]


def test_a_swedish_and_an_english_text_meet_on_a_code(tagger: CpvTagger) -> None:
    swedish, english, danish = tagger.tag(
        [
            "Vi bygger ut fjärrvärme med spillvärme från datacenter",
            "District heating networks that recover waste heat from data centres",
            "Store varmepumper til fjernvarme",
        ]
    )
    codes = [{code for code, _ in tags} for tags in (swedish, english, danish)]
    assert "09323000" in codes[0] & codes[1]
    assert "42511110" in codes[2]  # "Store varmepumper": heat pumps
    assert tagger.label("09323000", "sv") == "Fjärrvärme"


def test_unrelated_text_gets_no_confident_code(tagger: CpvTagger) -> None:
    assert tagger.tag(["Lorem ipsum dolor sit amet"]) == [[]]


def test_code_vectors_reward_the_same_code_most_then_the_same_group() -> None:
    vectors = CpvVectors().encode([["09323000"], ["09323000"], ["09324000"], ["45000000"], []])
    similarity = (vectors @ vectors.T).toarray()
    assert similarity[0, 1] == pytest.approx(1.0)
    assert 0 < similarity[0, 2] < similarity[0, 1]
    assert similarity[0, 3] == 0.0 and not vectors[4].nnz
    np.testing.assert_allclose(similarity.diagonal()[:4], 1.0, rtol=1e-5)


def test_related_codes_report_the_shared_level() -> None:
    from matcher.cpv import related_codes

    assert related_codes(["45000000"], ["45210000", "09323000"]) == ["45000000"]
    assert related_codes(["09323000"], ["09323000"]) == ["09323000"]
    assert related_codes(["09323000"], ["45000000"]) == []
