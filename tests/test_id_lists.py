"""id_in: the same rows as a plain IN list, as one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careteam.auth.models import User
from careteam.db.id_lists import id_in
from careteam.extensions import db


@pytest.fixture
def user_ids(make_user) -> list[int]:
    return sorted(make_user(email=f"id{n}@example.org").id for n in range(5))


@pytest.mark.parametrize("pick", [slice(0, 0), slice(0, 1), slice(1, 4), slice(0, 5)])
def test_selects_exactly_the_ids_asked_for(app, user_ids, pick) -> None:
    wanted = user_ids[pick] + [max(user_ids) + 1000]  # one that does not exist
    with app.app_context():
        found = db.session.scalars(select(User.id).where(id_in(User.id, wanted))).all()
    assert sorted(found) == user_ids[pick]


def test_two_lists_in_one_statement_keep_their_own_values(app, user_ids) -> None:
    with app.app_context():
        found = db.session.scalars(
            select(User.id).where(id_in(User.id, user_ids[:3]), id_in(User.id, user_ids[2:]))
        ).all()
    assert found == [user_ids[2]]


def test_postgresql_gets_one_array_parameter(app, user_ids) -> None:
    with app.app_context():
        sql = str(select(User.id).where(id_in(User.id, user_ids)).compile(db.engine))
        postgres = db.engine.dialect.name == "postgresql"
    assert ("= ANY (" in sql) is postgres, sql
    assert (" IN (" in sql) is not postgres, sql
