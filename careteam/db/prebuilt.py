"""Statements built once per app and run with their values as parameters.

Statements are built where they run, the ordinary SQLAlchemy way.  A statement goes through
:func:`prebuilt` only when an in-process A/B of its page showed that building and keying it cost
more than a tenth of the page's server time: the circle guard's session-and-membership read
(every circle page), the notes feed, the read mark a note view writes, each search engine's
statement, and the circle home page's core statements (recent notes, recent activity, the
single appointments of "What's next": a tenth of that page together, not one by one).  Their
values -- circle, reader, cursor -- are named ``bindparam`` s passed at execution.  The
statements are kept on the app, not in the process, so two apps in one process never share them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

_STORE = "careteam_prebuilt_statements"
Statement = TypeVar("Statement")


def prebuilt(shape: Hashable, build: Callable[[], Statement]) -> Statement:
    """Return the statement ``build`` makes for ``shape``, building it on first use in this app.

    ``shape`` names everything that changes the SQL (the page, the reader's role, which filters
    are on); everything else must reach the statement as a named parameter.
    """
    statements = current_app.extensions.setdefault(_STORE, {})
    statement = statements.get(shape)
    if statement is None:
        statement = statements.setdefault(shape, build())
    return statement
