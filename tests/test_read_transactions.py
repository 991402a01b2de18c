"""A request that only read ends its transaction with COMMIT; one that wrote is rolled back.

psycopg forgets a connection's prepared statements at every ROLLBACK, so ending reads with a
rollback made PostgreSQL parse and plan every statement of every page afresh.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, jsonify
from sqlalchemy import select, text, update

from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.testing import is_postgres


def _add_probe_routes(app: Flask) -> None:
    def renamed_without_commit() -> str:
        db.session.execute(update(Circle).values(name="Renamed by a GET"))
        return "left open"

    def flushed_without_commit() -> str:
        circle = db.session.scalars(select(Circle)).first()
        circle.name = "Flushed by a GET"
        db.session.flush()
        return "left open"

    def textual_write_without_commit() -> str:
        db.session.execute(text("UPDATE circles SET name = 'Changed by text'"))
        return "left open"

    def prepared() -> Any:
        rows = db.session.execute(text("SELECT statement FROM pg_prepared_statements")).all()
        return jsonify([row[0] for row in rows])

    for view in (
        renamed_without_commit,
        flushed_without_commit,
        textual_write_without_commit,
        prepared,
    ):
        app.add_url_rule(f"/__test/{view.__name__}", view.__name__, view)


@pytest.mark.parametrize(
    "probe", ["renamed_without_commit", "flushed_without_commit", "textual_write_without_commit"]
)
def test_a_request_that_wrote_without_committing_is_rolled_back(
    app: Flask, circle_with_roles: Any, probe: str
) -> None:
    _add_probe_routes(app)
    assert app.test_client().get(f"/__test/{probe}").status_code == 200
    with app.app_context():
        names = db.session.scalars(select(Circle.name)).all()
    assert names and not any(name.startswith(("Renamed", "Flushed", "Changed")) for name in names)


def test_a_request_that_only_read_ends_its_transaction(app: Flask, circle_with_roles: Any) -> None:
    from careteam.db.engine import finish_read_only_transaction

    with app.test_request_context("/"):
        db.session.execute(select(Circle.name)).all()
        assert db.session().in_transaction()
        finish_read_only_transaction(None)
        assert not db.session().in_transaction()
        db.session.execute(select(Circle.name)).all()
        finish_read_only_transaction(RuntimeError("the view failed"))
        assert db.session().in_transaction()  # left to the rollback


def test_reading_pages_keep_their_prepared_statements_on_postgresql(
    app: Flask, client_as: Any, circle_with_roles: Any
) -> None:
    if not is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        pytest.skip("psycopg's prepared statements")
    _add_probe_routes(app)
    client = client_as("coordinator")
    # psycopg prepares a statement the fifth time a connection runs it; the pool may take
    # turns between a couple of connections.
    for _ in range(12):
        assert client.get(circle_with_roles.url("/notes")).status_code == 200
    prepared = client.get("/__test/prepared").get_json()
    assert any("user_sessions" in statement for statement in prepared), prepared
