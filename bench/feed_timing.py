"""Time the per-user calendar feed in-process (Flask test client), at 1,000 and 10,000 events.

Usage: ``python -m bench.feed_timing [sqlite|postgresql] [sizes...]``.  Each size gets a
fresh database; the feed is fetched a few times and the best and median server times printed,
for a full fetch and for a conditional one (If-None-Match with the ETag just received).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from careteam.testing import _create_postgres_database, _drop_postgres_database, make_app

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _database(kind: str, folder: Path) -> tuple[str, str]:
    if kind == "postgresql":
        return _create_postgres_database(PG)
    return f"sqlite:///{folder / 'feed.sqlite3'}", ""


def _seed(app, count: int) -> str:
    from careteam.appointments.bulk import add_appointments
    from careteam.appointments.feeds import issue_secret
    from careteam.auth.models import User
    from careteam.circles.service import create_circle
    from careteam.extensions import db

    with app.app_context():
        owner = User(email="owner@example.org", display_name="Owner", password_hash="!")  # noqa: S106 (no login)
        db.session.add(owner)
        db.session.flush()
        circle = create_circle(owner, name="Timing circle", description="", time_zone="UTC")
        db.session.flush()
        # Everyone-visible, so the owner's feed carries all of them.
        add_appointments(circle.id, owner.id, count, audiences=("everyone",))
        _, secret = issue_secret(owner.id, None, "full")
        db.session.commit()
        return secret


def _time(client, path: str, headers: dict[str, str] | None = None, runs: int = 9):
    """Return (wall times, CPU times) in ms and the last response: the machine is shared, so
    the process's CPU time shows the work done where the wall clock also shows waiting."""
    times, cpu, response = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu, response


def _figures(times: list[float], cpu: list[float]) -> str:
    return (
        f"wall best {min(times):.1f} / median {statistics.median(times):.1f} ms, "
        f"CPU best {min(cpu):.1f} / median {statistics.median(cpu):.1f} ms"
    )


def main(argv: list[str]) -> None:
    kind = argv[0] if argv else "sqlite"
    sizes = [int(s) for s in argv[1:]] or [1000, 10000]
    # A small unreported run first, so no size pays for the process's first request (imports,
    # zone tables) in its "first fetch" figure.
    for count in [-20, *sizes]:
        quiet = count < 0
        count = abs(count)
        folder = Path(tempfile.mkdtemp())
        url, name = _database(kind, folder)
        try:
            app = make_app(url, folder, BASE_URL="http://careteam.test")
            with app.app_context():
                from flask_migrate import upgrade

                upgrade(revision="heads")
            secret = _seed(app, count)
            app.testing = True
            app.config["PROPAGATE_EXCEPTIONS"] = True
            client = app.test_client()
            path = f"/feeds/{secret}.ics"
            # The first fetch writes every appointment; later ones reuse unchanged ones' text.
            times, cpu, response = _time(client, path, runs=1)
            assert response.status_code == 200, response.status_code
            events = response.data.count(b"BEGIN:VEVENT")
            if quiet:
                continue
            print(f"{kind} {count} appointments ({events} VEVENTs, {len(response.data)} B)")
            print(f"  200 first fetch: {_figures(times, cpu)}", flush=True)
            times, cpu, response = _time(client, path)
            print(f"  200 again: {_figures(times, cpu)}", flush=True)
            etag = response.headers.get("ETag")
            if etag:
                times, cpu, again = _time(client, path, {"If-None-Match": etag})
                print(f"  {again.status_code}: {_figures(times, cpu)}", flush=True)
            with app.app_context():
                from careteam.extensions import db

                db.engine.dispose()
        finally:
            if name:
                _drop_postgres_database(PG, name)


if __name__ == "__main__":
    main(sys.argv[1:])
