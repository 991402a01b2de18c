"""``WHERE id IN (...)`` for long lists of ids, in the cheapest form each database has."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db


def id_in(column: Any, ids: Iterable[int]) -> Any:
    """Return the condition ``column`` is one of ``ids`` (integer ids).

    psycopg sends an IN list as one parameter per id, and PostgreSQL parses and plans a list
    of that length each time; ``= ANY(array)`` is one parameter whose SQL text is the same for
    every count (so psycopg prepares it once), and is the faster of the two for long lists.
    SQLite has no arrays, and its IN list is cheap.
    """
    values = list(ids)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam("ids", values, type_=ARRAY(Integer), unique=True))
    return column.in_(values)
