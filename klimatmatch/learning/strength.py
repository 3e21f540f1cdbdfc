"""The match strength refitted on coordinators' decisions, as they accumulate.

The shipped calibrations are fitted on labelled sets (`benchmarks/fit_strength.py`); what a
coordinator accepts or rejects says what "relevant" means here. A review is the label
(accepted 1, rejected 0, "maybe" nothing); what companies did (interest, teams) says they saw
themselves in a challenge, not that it fits, so it is left out. A pair is read as the engine
serves it (`PairStrength.features`), and each calibration (one-language pairs, pairs in two
languages) is refitted only where enough decisions of both kinds judge it. A refit is kept
only when, fitted on half of the challenges, it is calibrated on the other half at least as
well as the one in use; it is stored (never overwritten) and every process uses the newest
for its model from its next start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput
from klimatmatch.learning import labels
from matcher import MatchEngine
from matcher.selection import components_at
from matcher.strength import Calibration, Calibrations, load_calibrations
from matcher.strength_fit import expected_calibration_error, fit_calibration
from matcher.strength_pairs import model_key
from models import StrengthFit


@dataclass(frozen=True)
class Decided:
    """The reviewed pairs the engine still ranks, read as it serves them."""

    challenges: np.ndarray
    labels: np.ndarray
    values: dict[str, np.ndarray]
    kinds: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    """Per calibration's features, the pairs it judges."""


@dataclass(frozen=True)
class StrengthReport:
    decisions: int
    refitted: list[str]
    """The feature sets refitted ("model+lexical", "model")."""
    held_out_ece: dict[str, tuple[float, float]]
    """Per feature set: (refit, the one in use) on the held-out challenges' decisions."""


def decided(*, session: Session, engine: MatchEngine) -> Decided:
    """Every review that accepted or rejected a company the engine still ranks."""
    reviews = [x for x in labels.labelled_pairs(session=session) if x.source == "review"]
    strength = engine.pair_strength
    queries, documents, components, kept = [], [], [], []
    for challenge_id in sorted({x.challenge_id for x in reviews}):
        if challenge_id not in engine.challenges:
            continue
        ranking = engine.ranking_for_challenge(challenge_id, use_reranker=False)
        row_of = {d.id: i for i, d in enumerate(ranking.documents)}
        for label in (x for x in reviews if x.challenge_id == challenge_id):
            if label.company_id in row_of:
                position = row_of[label.company_id]
                queries.append(ranking.query)
                documents.append(ranking.documents[position])
                components.append(components_at(ranking, position))
                kept.append(label)
    values, speaks = strength.features(queries, documents, components)
    judged = {
        c.features: where
        for c, where in strength.choices(queries, documents, speaks)
        if c is not None
    }
    return Decided(
        np.array([x.challenge_id for x in kept], dtype=int),
        np.array([x.label for x in kept], dtype=int),
        values,
        judged,
    )


def refit(*, session: Session, engine: MatchEngine, min_decisions: int) -> StrengthReport:
    """Refit, check on held-out challenges, store and use; refuses when nothing can be refitted
    or a refit would be calibrated worse than what is in use."""
    data = decided(session=session, engine=engine)
    in_use = engine.pair_strength
    key = model_key(next(iter(engine.channels.values())))
    refitted, figures = [], {}
    for current in (in_use.both, in_use.alone):
        if current is None or current.model != key:
            continue
        rows = data.kinds.get(current.features, np.zeros(len(data.labels), dtype=bool))
        if rows.sum() < min_decisions or len(set(data.labels[rows].tolist())) < 2:
            continue
        name = "+".join(current.features)
        figures[name] = _held_out(data, rows, current)
        if figures[name][0] > figures[name][1]:
            continue
        about = {"decisions": int(rows.sum()), "held_out_ece": figures[name][0]}
        refitted.append(_fit(data, rows, current, about))
    if not refitted:
        raise InvalidInput(
            f"{len(data.labels)} usable decisions; the strength is refitted where at least "
            f"{min_decisions} accepted and rejected pairs judge a calibration and the refit is "
            f"calibrated at least as well on held-out challenges ({figures or 'none'})"
        )
    calibrations = [c.as_json() for c in refitted]
    session.add(StrengthFit(model=key, calibrations=calibrations, decisions=len(data.labels)))
    session.commit()
    engine.calibrations = _base(engine).replaced(refitted)
    names = ["+".join(c.features) for c in refitted]
    return StrengthReport(len(data.labels), names, figures)


def load_latest(*, session: Session, engine: MatchEngine) -> int | None:
    """Use the newest refit stored for the engine's model; returns its id."""
    key = model_key(next(iter(engine.channels.values())))
    row = session.scalars(
        select(StrengthFit).where(StrengthFit.model == key).order_by(StrengthFit.id.desc())
    ).first()
    if row is None:
        return None
    stored = [Calibration.from_json(entry) for entry in row.calibrations]
    engine.calibrations = _base(engine).replaced(stored)
    return row.id


def _base(engine: MatchEngine) -> Calibrations:
    return engine.calibrations if engine.calibrations is not None else load_calibrations()


def _fit(data: Decided, rows: np.ndarray, current: Calibration, about: dict) -> Calibration:
    values = {n: data.values[n][rows] for n in current.features}
    return fit_calibration(current.model, current.features, values, data.labels[rows], None, about)


def _held_out(data: Decided, rows: np.ndarray, current: Calibration) -> tuple[float, float]:
    """ECE on odd challenges' decisions of a refit on even ones, and of `current`."""
    train, test = rows & (data.challenges % 2 == 0), rows & (data.challenges % 2 == 1)
    if len(set(data.labels[train].tolist())) < 2 or not test.any():
        return (1.0, 0.0)  # too few to tell: keep what is in use
    probe = _fit(data, train, current, {})
    values = {n: data.values[n][test] for n in current.features}
    truth = data.labels[test]
    return (
        round(expected_calibration_error(probe.probability(values), truth), 4),
        round(expected_calibration_error(current.probability(values), truth), 4),
    )
