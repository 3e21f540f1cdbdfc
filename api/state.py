"""What the service builds once at start-up and hands to every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.settings import Settings
from matcher import MatchEngine


@dataclass
class AppState:
    settings: Settings
    db: Engine
    sessions: sessionmaker[Session]
    engine: MatchEngine
    index_lock: threading.Lock = field(default_factory=threading.Lock)
