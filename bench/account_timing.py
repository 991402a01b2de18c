"""Time /forgot-password for an address with an account and one without, against a real
gunicorn: ``python -m bench.account_timing [--requests 200]``.

Issue 17 asked that the two answers take the same time (tests/test_forgot_password_same_work.py
checks the work is the same by counting it; this measures it).  The server runs with production
settings (2 sync workers, rate limits off so they cannot interfere) on a fresh SQLite database
holding one account, and mails through a local SMTP server that accepts everything.  Requests
alternate between the two addresses, one at a time, so both see the same machine load.  A pause
between requests (``--pause``, default 0.1 s) lets the worker that answered deliver its email
first; with ``--pause 0`` the next request may wait for a worker still talking to the mail
server, which is the cost of delivering from the web workers.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import re
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from .servers import free_port, gunicorn, production_environment

ACCOUNT = "ruth@example.org"
UNKNOWN = "nobody-here@example.org"
PASSWORD = "bench-care-circle-2026"  # noqa: S105 - a throwaway database


def _database(path: Path) -> str:
    """Create a migrated SQLite database with one account; return its URL."""
    from flask_migrate import upgrade

    from careteam import create_app
    from careteam.admin.service import create_admin
    from careteam.extensions import db

    url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(revision="heads")
        create_admin(ACCOUNT, "Ruth", PASSWORD)
        db.session.commit()
        db.engine.dispose()
    return url


class _Sink:
    async def handle_DATA(self, _server, _session, _envelope):
        return "250 OK"


def _form(port: int) -> tuple[str, str]:
    """Return a session cookie and the CSRF token of the form (valid for an hour)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/forgot-password")
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    return cookie, token


def _timed_post(port: int, cookie: str, token: str, email: str) -> float:
    body = urlencode({"csrf_token": token, "email": email})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/forgot-password", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"/forgot-password answered {response.status} for {email}")
    return elapsed * 1000


def _summary(times: list[float]) -> str:
    p90 = statistics.quantiles(times, n=10)[-1]
    return f"median {statistics.median(times):6.2f} ms   p90 {p90:6.2f} ms   (n={len(times)})"


def measure(requests: int, pause: float, warm_up: int = 20) -> dict[str, list[float]]:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command

    smtp_port = free_port()
    controller = Controller(_Sink(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="careteam-timing-") as folder:
            url = _database(Path(folder) / "timing.sqlite3")
            port = free_port()
            env = production_environment(url, port)
            env.update(
                {
                    "CARETEAM_SMTP_HOST": "127.0.0.1",
                    "CARETEAM_SMTP_PORT": str(smtp_port),
                    "CARETEAM_SMTP_SECURITY": "none",
                }
            )
            with gunicorn("account-timing", "careteam.wsgi:app", env, Path(folder)) as server:
                cookie, token = _form(server.port)
                times: dict[str, list[float]] = {ACCOUNT: [], UNKNOWN: []}
                for n in range(warm_up + requests):
                    for email in (ACCOUNT, UNKNOWN) if n % 2 else (UNKNOWN, ACCOUNT):
                        elapsed = _timed_post(server.port, cookie, token, email)
                        if n >= warm_up:
                            times[email].append(elapsed)
                        time.sleep(pause)
    finally:
        controller.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per address (default 200)")
    parser.add_argument(
        "--pause", type=float, default=0.1, help="seconds between requests (default 0.1)"
    )
    args = parser.parse_args()
    times = measure(args.requests, args.pause)
    print(f"/forgot-password, address with an account:    {_summary(times[ACCOUNT])}")
    print(f"/forgot-password, address without an account: {_summary(times[UNKNOWN])}")


if __name__ == "__main__":
    main()
