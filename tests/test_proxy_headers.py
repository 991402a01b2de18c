"""Forwarded headers are believed only from the proxies the settings name, by gunicorn and app.

Served by a real gunicorn with ``careteam.gunicorn_conf``: gunicorn itself turns
``X-Forwarded-Proto`` into the request's scheme for peers in its ``forwarded_allow_ips``, before
the app (and its ProxyFix) sees anything.  The scheme the app believes shows in
``Strict-Transport-Security``, which it sends on https requests only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from careteam.web.proxies import TrustedProxyFix

CHECKOUT = Path(__file__).resolve().parents[1]
FORWARDED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@contextmanager
def _gunicorn(database_url: str, tmp_path: Path, **settings: str) -> Iterator[str]:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CARETEAM_") and k != "FORWARDED_ALLOW_IPS"
    }
    env.update(
        {
            "CARETEAM_DATABASE_URL": database_url,
            "CARETEAM_SECRET_KEY": "proxy-test-secret-" + "p" * 32,
            "CARETEAM_MAIL_OUTBOX": str(tmp_path / "outbox"),
            "CARETEAM_RATELIMIT_ENABLED": "0",
            "CARETEAM_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            **{f"CARETEAM_{name}": value for name, value in settings.items()},
        }
    )
    log_path = tmp_path / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:careteam.gunicorn_conf", "wsgi:app"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=CHECKOUT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/login", {})
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log_path.read_text()


@pytest.mark.parametrize(
    ("settings", "believed_https"),
    [
        pytest.param({"PROXY_COUNT": "0"}, False, id="no-proxy"),
        pytest.param({"PROXY_COUNT": "1"}, True, id="proxy-on-127.0.0.1"),
        pytest.param({"PROXY_COUNT": "1", "TRUSTED_PROXIES": "192.0.2.10"}, False, id="other"),
    ],
)
def test_gunicorn_believes_forwarded_proto_only_from_trusted_proxies(
    database_url, tmp_path, settings, believed_https
):
    with _gunicorn(database_url, tmp_path, **settings) as base:
        status, headers = _get(f"{base}/login", FORWARDED_HTTPS)
        assert status == 200
        assert ("Strict-Transport-Security" in headers) is believed_https, headers
        # Without the header the request is plain http in every setting.
        status, headers = _get(f"{base}/login", {})
        assert status == 200 and "Strict-Transport-Security" not in headers


@Request.application
def _echo(request: Request) -> Response:
    return Response(f"{request.scheme} {request.remote_addr}")


@pytest.mark.parametrize(
    ("peer", "seen"),
    [
        ("127.0.0.1", "https 203.0.113.9"),
        ("10.1.2.3", "https 203.0.113.9"),
        ("198.51.100.4", "http 198.51.100.4"),
    ],
)
def test_the_app_applies_forwarded_headers_only_from_trusted_peers(peer, seen):
    app = TrustedProxyFix(_echo, 1, ["127.0.0.1", "::1", "10.0.0.0/8"])
    response = Client(app).get("/", headers=FORWARDED_HTTPS, environ_base={"REMOTE_ADDR": peer})
    assert response.get_data(as_text=True) == seen


def test_a_star_trusts_every_peer():
    app = TrustedProxyFix(_echo, 1, ["*"])
    response = Client(app).get(
        "/", headers=FORWARDED_HTTPS, environ_base={"REMOTE_ADDR": "198.51.100.4"}
    )
    assert response.get_data(as_text=True) == "https 203.0.113.9"
