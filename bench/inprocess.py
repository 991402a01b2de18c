"""Measurements taken inside one process: SQL statements, time in SQL and server time per page.

wrk sees the server from outside; here the same pages go through Flask's test client against the
same database, so the cost of a page can be split into its SQL and its Python without a
benchmark-only path in the app.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from .scenarios import Scenario
from .servers import production_environment
from .signin import csrf_token

HOST = "http://127.0.0.1"


@dataclass
class _SqlMeter:
    statements: int = 0
    seconds: float = 0.0


@contextmanager
def _metered(app: Flask) -> Iterator[_SqlMeter]:
    from careteam.extensions import db

    meter = _SqlMeter()
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(*_: Any) -> None:
        meter.statements += 1
        if started:
            meter.seconds += time.perf_counter() - started.pop()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield meter
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def open_app(database_url: str) -> Flask:
    """Create the app with the production settings the server runs with.

    Settings are read from the environment while the app is created; the caller's environment
    is put back afterwards (tests run this inside pytest).
    """
    from careteam import create_app

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(production_environment(database_url, 80))
    os.environ["CARETEAM_BASE_URL"] = HOST
    try:
        return create_app(for_web_server=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def signed_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login", base_url=HOST)
    answer = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": email,
            "password": password,
        },
        base_url=HOST,
    )
    if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
        raise RuntimeError(f"in-process sign-in as {email} failed ({answer.status_code})")
    return client


def deep_feed_cursor(app: Flask, manifest: dict[str, Any], fraction: float = 0.9) -> str:
    """Return the feed cursor that starts a page ``fraction`` of the way down the busy circle."""
    from careteam.notes import queries

    with app.app_context():
        circle, membership = _bench_member(manifest)
        visible = len(queries.feed_page(circle, membership, limit=10**7).rows)
        depth = max(1, int(visible * fraction))
        page = queries.feed_page(circle, membership, limit=depth)
        if page.next_cursor is None:
            raise RuntimeError("the busy circle's feed is too short for a deep page")
        return page.next_cursor


def _bench_member(manifest: dict[str, Any]) -> tuple[Any, Any]:
    from careteam.auth.models import User
    from careteam.circles.models import Circle, Membership
    from careteam.extensions import db

    busy = manifest["busy_circle"]
    circle = db.session.scalar(select(Circle).where(Circle.public_id == busy))
    membership = db.session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.circle_id == circle.id, User.email == manifest["user_email"])
    )
    return circle, membership


def search_sql_ms(app: Flask, manifest: dict[str, Any], repeats: int = 200) -> dict[str, Any]:
    """p50/p95 of the SQL of one search (the service call, not the page's prelude), per term."""
    from careteam.extensions import db
    from careteam.notes.search import search_circle

    figures: dict[str, Any] = {}
    with app.app_context():
        circle, membership = _bench_member(manifest)
        for kind, term in manifest["search_terms"].items():
            times: list[float] = []
            for _ in range(repeats):
                db.session.rollback()  # a fresh transaction each time, as a request has
                # The rollback expired both rows; a request has them from its prelude, so they
                # are read again here, outside the meter (the search alone is measured).
                db.session.refresh(circle)
                db.session.refresh(membership)
                with _metered(app) as meter:
                    result = search_circle(circle, membership, term)
                times.append(meter.seconds * 1000)
            times.sort()
            figures[kind] = {
                "p50_ms": round(statistics.median(times), 3),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
                "statements": meter.statements,
                "count": result.count_label,
            }
    return figures


def measure(
    app: Flask, manifest: dict[str, Any], scenarios: list[Scenario], repeats: int = 25
) -> dict[str, dict[str, Any]]:
    """Request each scenario ``repeats`` times; return statements, SQL time and server time."""
    client = signed_in_client(app, manifest["user_email"], manifest["password"])
    anonymous = app.test_client()
    # A second sign-in for each other person a scenario needs (the therapist's overview).
    others = {
        person: signed_in_client(app, person, manifest["password"])
        for person in {s.person for s in scenarios if s.person}
    }
    results: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        use = others[scenario.person] if scenario.person else client
        use = use if scenario.signed_in else anonymous
        for _ in range(2):  # warm caches (templates, statement cache, pages)
            _expect_ok(use.get(scenario.path, base_url=HOST), scenario)
        totals: list[float] = []
        sql_times: list[float] = []
        counts: list[int] = []
        for _ in range(repeats):
            with _metered(app) as meter:
                started = time.perf_counter()
                answer = use.get(scenario.path, base_url=HOST)
                totals.append(time.perf_counter() - started)
            _expect_ok(answer, scenario)
            sql_times.append(meter.seconds)
            counts.append(meter.statements)
        results[scenario.name] = {
            "statements": statistics.median_low(counts),
            "statements_max": max(counts),
            "server_ms_p50": round(statistics.median(totals) * 1000, 2),
            "db_ms_p50": round(statistics.median(sql_times) * 1000, 3),
            "bytes": len(answer.get_data()),
        }
    return results


def _expect_ok(answer: Any, scenario: Scenario) -> None:
    if not 200 <= answer.status_code < 300:
        raise RuntimeError(f"{scenario.name}: {scenario.path} answered {answer.status_code}")
