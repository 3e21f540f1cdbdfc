from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klimatmatch.cli import app
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.index.embedding import build_engine
from klimatmatch.matching.evaluation import METHODS, evaluate, split
from matcher import Document
from matcher.evaluation import load_beir
from tests.conftest import SAMPLE

BEIR = SAMPLE / "beir"


def test_eval_command_prints_a_table_and_json_on_the_last_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KLIMATMATCH_EMBEDDER", "tfidf")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["eval", str(BEIR), "--json", "--queries", "12"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "nDCG@10" in result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert set(scores) == set(METHODS)
    for values in scores.values():
        assert set(values) == {"ndcg@10", "recall@50", "mrr@10"}
        assert all(0.0 <= v <= 1.0 for v in values.values())
    assert scores["lexical"]["mrr@10"] > 0.5


def test_eval_refuses_an_unknown_method() -> None:
    result = CliRunner().invoke(app, ["eval", str(BEIR), "--method", "magic"])
    assert result.exit_code == 2 and "--method must be" in result.output


def test_query_split_is_fixed_and_disjoint() -> None:
    benchmark = load_beir(BEIR)
    train, test = split(benchmark)
    assert not set(train) & set(test) and len(train) + len(test) == len(benchmark.query_ids)
    assert split(benchmark) == (train, test)


@pytest.mark.model
def test_default_hybrid_beats_every_single_channel_on_the_sample(tmp_path: Path) -> None:
    """Measured with the real default model (multilingual e5): the fused default beats each
    channel alone, and without the CPV channel the fusion still beats its text channels."""
    results = evaluate(BEIR, list(METHODS), Settings(_env_file=None), cache_dir=tmp_path)
    singles = [results[m]["ndcg@10"] for m in ("lexical", "dense", "cpv")]
    assert results["hybrid"]["ndcg@10"] > max(singles)
    text_only = evaluate(BEIR, ["hybrid"], Settings(_env_file=None, cpv=False), cache_dir=tmp_path)
    assert text_only["hybrid"]["ndcg@10"] > max(singles[:2])


@pytest.mark.model
def test_a_swedish_challenge_finds_the_english_profile_through_cpv(minilm) -> None:  # noqa: ANN001
    """GBG-02 (Swedish: ventilation with heat recovery in 1960s flats) and CO-071 (English:
    heat recovery ventilation for retrofit) share CPV 45331000; MiniLM alone misses the pair."""
    challenge = load_beir(BEIR)
    corpus = {
        doc_id: (text, codes)
        for doc_id, text, codes in zip(
            challenge.doc_ids, challenge.doc_texts, challenge.doc_codes, strict=True
        )
    }
    row = challenge.query_ids.index("GBG-02")
    ranks = {}
    for cpv in (False, True):
        engine = build_engine(Settings(cpv=cpv), embedder=minilm)
        engine.fit([text for text, _ in corpus.values()])
        companies = engine.prepare(
            [
                Document(id=i, text=text, fields={"language": ""}, codes=codes)
                for i, (text, codes) in enumerate(corpus.values())
            ]
        )
        engine.upsert("company", companies, engine.encode("company", companies))
        query = engine.prepare(
            [
                Document(
                    id=1,
                    text=challenge.query_texts[row],
                    fields={"language": "sv"},
                    codes=challenge.query_codes[row],
                )
            ]
        )
        engine.upsert("challenge", query, engine.encode("challenge", query))
        ids = [challenge.doc_ids[m.document.id] for m in engine.shortlist(1, 10)]
        ranks[cpv] = ids.index("CO-071") + 1 if "CO-071" in ids else None
        if cpv:
            match = engine.shortlist(1, 10)[ranks[cpv] - 1]
            assert "45331000" in match.explanation.shared_codes
    assert ranks[False] is None and ranks[True] <= 5
