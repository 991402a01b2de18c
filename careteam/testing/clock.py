"""A clock the tests move by hand, in place of the app's (``careteam.db.clock``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ..db.clock import set_clock


@dataclass
class Clock:
    """What the app reads as now; ``advance(minutes=5)`` moves it on, or set ``now``."""

    now: datetime

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Freeze the app's clock at 2 March 2026, 09:00 UTC for the test."""
    frozen = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    set_clock(lambda: frozen.now)
    yield frozen
    set_clock(None)
