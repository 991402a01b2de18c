"""Settings from CARETEAM_* variables: refusals in production, secrets, links, proxies, Redis."""

from __future__ import annotations

import logging
import os
import re
import stat
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from careteam import create_app
from careteam.config import ConfigurationError, load_settings
from careteam.testing import CareClient, login, make_test_config

PRODUCTION = {
    "CARETEAM_ENV": "production",
    "CARETEAM_SECRET_KEY": "a-long-random-production-secret-" + "z" * 20,
    "CARETEAM_SMTP_HOST": "smtp.example.org",
    "CARETEAM_BASE_URL": "https://care.example.org",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Start from no CARETEAM_* settings (test-runner ones kept) and a throwaway database."""
    for name in list(os.environ):
        if name.startswith("CARETEAM_") and not name.startswith("CARETEAM_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CARETEAM_DATABASE_URL", f"sqlite:///{tmp_path / 'config.sqlite3'}")

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name if name.startswith("CARETEAM_") else f"CARETEAM_{name}", value)

    return set_env


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("CARETEAM_SECRET_KEY", "CARETEAM_SECRET_KEY is required"),
        ("CARETEAM_SMTP_HOST", "CARETEAM_SMTP_HOST is required"),
        ("CARETEAM_BASE_URL", "CARETEAM_BASE_URL is required"),
    ],
)
def test_production_refuses_to_start_without(env, missing, message):
    env(**{k: v for k, v in PRODUCTION.items() if k != missing})
    with pytest.raises(ConfigurationError, match=message):
        create_app()


def test_production_starts_with_everything_set_and_marks_cookies_secure(env):
    env(**PRODUCTION)
    app = create_app()
    assert app.config["CARETEAM_ENV"] == "production"
    assert app.config["SECRET_KEY"] == PRODUCTION["CARETEAM_SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    # The sign-in page puts a CSRF token in the session, so it sets the cookie.
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert cookie.startswith("careteam_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_on_plain_http_warns_and_cookies_are_not_secure(env, caplog):
    env(**{**PRODUCTION, "CARETEAM_BASE_URL": "http://care.internal"})
    with caplog.at_level(logging.WARNING, logger="careteam.config"):
        app = create_app()
    assert "not https" in caplog.text
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Secure" not in app.test_client().get("/login").headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ENV", "staging", "CARETEAM_ENV must be"),
        ("ENV", "Production", "CARETEAM_ENV must be"),
        ("SMTP_PORT", "twenty-five", "CARETEAM_SMTP_PORT must be a whole number"),
        ("SMTP_SECURITY", "tls1.3", "CARETEAM_SMTP_SECURITY must be one of"),
    ],
)
def test_bad_values_are_refused(env, name, value, message):
    env(**{name: value})
    with pytest.raises(ConfigurationError, match=message):
        create_app()


def test_development_defaults(env):
    app = create_app()
    assert app.config["CARETEAM_ENV"] == "development"
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["MAIL_OUTBOX"] == str(Path(app.instance_path) / "outbox")
    assert app.wsgi_app.__class__ is not ProxyFix


# --- the development secret ------------------------------------------------------------------


def test_development_secret_is_made_once_and_kept_private(tmp_path):
    instance = tmp_path / "instance"
    first = load_settings(instance)["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text() == first and len(first) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(instance)["SECRET_KEY"] == first
    assert load_settings(tmp_path / "other")["SECRET_KEY"] != first


def test_create_app_keeps_the_same_development_secret(env):
    first = create_app()
    second = create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    stored = (Path(first.instance_path) / "secret_key").read_text().strip()
    assert first.config["SECRET_KEY"] == stored


# --- links, proxies, Redis ---------------------------------------------------------------------


def _migrated_app():
    from flask_migrate import upgrade

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
    return app


def test_base_url_drives_the_links_in_emails_whatever_the_host_header(env, tmp_path):
    outbox = tmp_path / "outbox"
    env(BASE_URL="https://care.example.org/", MAIL_OUTBOX=str(outbox))
    app = _migrated_app()
    assert app.config["BASE_URL"] == "https://care.example.org"
    with app.app_context():
        from careteam.admin.service import create_admin

        create_admin("maya@example.org", "Maya", "correct horse battery staple 42")
    client = app.test_client()
    page = client.get("/forgot-password", base_url="http://attacker.example")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/forgot-password",
        data={"csrf_token": token, "email": "maya@example.org"},
        base_url="http://attacker.example",
        buffered=True,  # read and closed whole, as a server does: the queued mail goes then
    )
    assert response.status_code == 302
    (saved,) = outbox.glob("*.eml")
    message = message_from_bytes(saved.read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert links and all(link.startswith("https://care.example.org/") for link in links)
    assert "attacker.example" not in saved.read_text()


def test_proxy_count_trusts_forwarded_headers_only_when_set(env):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    plain = create_app()
    assert (
        "Strict-Transport-Security"
        not in plain.test_client().get("/login", headers=forwarded).headers
    )
    env(PROXY_COUNT="1")
    proxied = create_app()
    assert isinstance(proxied.wsgi_app, ProxyFix)
    assert proxied.wsgi_app.x_for == 1 and proxied.wsgi_app.x_proto == 1
    response = proxied.test_client().get("/login", headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"TRUSTED_PROXIES": "127.0.0.1,nginx"}, "CARETEAM_TRUSTED_PROXIES must list"),
        ({"TRUSTED_PROXIES": "10.0.0.1/8"}, "CARETEAM_TRUSTED_PROXIES must list"),
        ({"PROXY_COUNT": "-1"}, "CARETEAM_PROXY_COUNT must be 0 or more"),
    ],
)
def test_proxy_settings_that_make_no_sense_are_refused(env, settings, message):
    env(**settings)
    with pytest.raises(ConfigurationError, match=message):
        create_app()


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(env):
    env(PROXY_COUNT="1", TRUSTED_PROXIES="10.0.0.0/8")
    app = create_app()
    forwarded = {"X-Forwarded-Proto": "https"}
    from_proxy = app.test_client().get(
        "/login", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.5"}
    )
    assert "Strict-Transport-Security" in from_proxy.headers
    direct = app.test_client().get("/login", headers=forwarded)  # from 127.0.0.1
    assert "Strict-Transport-Security" not in direct.headers


def test_proxy_count_records_the_forwarded_address(env):
    env(PROXY_COUNT="1")
    app = _migrated_app()
    with app.app_context():
        from careteam.admin.service import create_admin

        create_admin("maya@example.org", "Maya", "correct horse battery staple 42")
    app.test_client_class = CareClient
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    assert login(client, "maya@example.org").status_code == 302
    with app.app_context():
        from sqlalchemy import select

        from careteam.audit import AuditEvent
        from careteam.extensions import db

        ip = db.session.scalar(
            select(AuditEvent.ip_address).where(AuditEvent.action == "auth.signed_in")
        )
    assert ip == "198.51.100.7"


def test_redis_url_becomes_the_rate_limit_storage(env):
    from careteam.extensions import limiter

    env(REDIS_URL="redis://127.0.0.1:6379/15")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"
    assert type(limiter.storage).__name__ == "RedisStorage"
    env(RATELIMIT_STORAGE_URI="memory://")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert type(limiter.storage).__name__ == "MemoryStorage"


REDIS_URL = os.environ.get("CARETEAM_TEST_REDIS_URL", "")


@pytest.fixture
def redis_db():
    if not REDIS_URL:
        pytest.skip("CARETEAM_TEST_REDIS_URL is not set")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_limited(app_config, redis_db):
    app_config.update(
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_LOGIN": "3 per minute",
        }
    )
    return redis_db


def test_rate_limits_are_counted_in_redis(
    redis_limited, app_config, client, database_url, tmp_path
):
    from careteam.extensions import limiter

    assert type(limiter.storage).__name__ == "RedisStorage"
    assert redis_limited.dbsize() == 0
    answers = [
        client.post_form("/login", {"email": "nobody@example.org", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]
    keys = [key.decode() for key in redis_limited.keys("*")]
    assert keys and any("login" in key for key in keys), keys
    # The count lives in Redis: a second app (another worker) sees the limit already reached.
    other = create_app({**make_test_config(database_url, tmp_path), **app_config})
    other.test_client_class = CareClient
    response = other.test_client().post_form("/login", {"email": "x@example.org", "password": "x"})
    assert response.status_code == 429


def test_readme_documents_every_setting():
    root = Path(__file__).resolve().parents[1]
    source = (root / "careteam" / "config.py").read_text()
    names = set(re.findall(r'_env(?:_int|_bool)?\(\s*"([A-Z_]+)"', source))
    assert {"ENV", "SECRET_KEY", "DATABASE_URL", "BASE_URL", "PROXY_COUNT"} <= names
    readme = (root / "README.md").read_text()
    missing = sorted(n for n in names if f"| `CARETEAM_{n}` |" not in readme)
    assert missing == [], f"README.md configuration table lacks {missing}"
