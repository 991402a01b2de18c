"""Stand-ins for a circle and a member while a statement is built once, with parameters.

Building a nested SQLAlchemy statement (and computing its cache key) cost more than the
database took to run it, so pages build theirs once per role -- the audiences a role may see
are part of the SQL -- with the circle's id and the reader's user id as the parameters
``circle_id`` and ``user_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam


@dataclass(frozen=True)
class _Reader:
    """Has the attributes statement builders read from a circle and a membership."""

    id: Any = None
    role: str = ""
    user_id: Any = None


def placeholders(role: str) -> tuple[Any, Any]:
    """A circle and a reader of ``role`` whose ids are the parameters circle_id and user_id."""
    return (
        _Reader(id=bindparam("circle_id", type_=Integer)),
        _Reader(role=role, user_id=bindparam("user_id", type_=Integer)),
    )
