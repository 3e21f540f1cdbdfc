"""Named dependencies: a handler's signature reads as the list of what it needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from klimatmatch.settings import Settings
from matcher import MatchEngine
from sqlalchemy.orm import Session

from api.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.klimatmatch


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


def get_engine(state: Annotated[AppState, Depends(get_state)]) -> MatchEngine:
    return state.engine


def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
