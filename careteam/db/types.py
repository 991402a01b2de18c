"""Column types shared by core and plugin models."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.orm import relationship as _relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored as UTC and always read back as an aware UTC datetime.

    SQLite has no time zone support and would hand back naive values; this type makes both
    backends behave the same so comparisons with :func:`careteam.db.clock.utcnow` are safe.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# A public id never begins with "-" or "_": an id starting with "-" is read as a formula by
# spreadsheets (so the CSV export has to escape it, and the CSV's id then differs from the
# JSON's) and as an option by command-line tools.
_FIRST_ID_CHARACTERS = string.ascii_letters + string.digits


def new_public_id() -> str:
    """Return a short random id for URLs, so sequential database ids never leak counts."""
    return secrets.choice(_FIRST_ID_CHARACTERS) + secrets.token_urlsafe(9)[1:]


def relationship(*args: Any, **kwargs: Any) -> Any:
    """An ORM relationship that refuses to load lazily unless told otherwise.

    Pages select what they show with explicit joins; a relationship attribute touched without
    an eager load (``selectinload``/``joinedload``) raises in tests instead of quietly issuing
    one query per row.  Every relationship in CareTeam and its plugins is made with this.
    """
    kwargs.setdefault("lazy", "raise")
    return _relationship(*args, **kwargs)
