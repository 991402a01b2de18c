"""Settings read from environment variables, with defaults that are safe to run as they are."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from .web.proxies import DEFAULT_TRUSTED_PROXIES, parse_trusted_proxies

ENV_PREFIX = "CARETEAM_"
SMTP_SECURITY_MODES = ("starttls", "ssl", "none")

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """Raised when the settings would run the app unsafely (e.g. production without a secret)."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be a whole number, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def proxy_settings() -> tuple[int, list[str]]:
    """Return ``CARETEAM_PROXY_COUNT`` and the addresses of ``CARETEAM_TRUSTED_PROXIES``.

    gunicorn's settings read them too (``careteam.gunicorn_conf``), so the web server and the
    app agree on whom to believe.
    """
    count = _env_int("PROXY_COUNT", 0)
    if count < 0:
        raise ConfigurationError(f"{ENV_PREFIX}PROXY_COUNT must be 0 or more, got {count}")
    raw = _env("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES) or ""
    try:
        trusted = parse_trusted_proxies(raw)
    except ValueError as exc:
        raise ConfigurationError(
            f"{ENV_PREFIX}TRUSTED_PROXIES must list IP addresses or networks "
            f"(e.g. 127.0.0.1,10.0.0.0/8) or *, got {raw!r}"
        ) from exc
    return count, trusted


def _development_secret(instance_path: Path) -> str:
    """Return a secret generated once and kept in the instance folder, so restarts keep sessions."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(instance_path: Path) -> dict[str, Any]:
    """Build the Flask config mapping from ``CARETEAM_*`` environment variables."""
    env = _env("ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigurationError("CARETEAM_ENV must be 'development' or 'production'")
    production = env == "production"

    secret = _env("SECRET_KEY")
    if secret is None:
        if production:
            raise ConfigurationError("CARETEAM_SECRET_KEY is required when CARETEAM_ENV=production")
        secret = _development_secret(instance_path)

    smtp_host = _env("SMTP_HOST")
    if production and smtp_host is None:
        raise ConfigurationError("CARETEAM_SMTP_HOST is required when CARETEAM_ENV=production")

    smtp_security = (_env("SMTP_SECURITY") or "starttls").strip().lower()
    if smtp_security not in SMTP_SECURITY_MODES:
        raise ConfigurationError(
            f"CARETEAM_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}"
        )

    database_url = _env("DATABASE_URL") or f"sqlite:///{instance_path / 'careteam.sqlite3'}"
    redis_url = _env("REDIS_URL")
    # Every link in an email is built from BASE_URL, never from the request's Host header; in
    # production the development default would send people to 127.0.0.1.
    if production and _env("BASE_URL") is None:
        raise ConfigurationError(
            "CARETEAM_BASE_URL is required when CARETEAM_ENV=production "
            "(the address people open, e.g. https://care.example.org)"
        )
    proxy_count, trusted_proxies = proxy_settings()
    base_url = (_env("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    https = base_url.startswith("https://")
    if production and not https:
        # Allowed (e.g. a private network), but cookies then travel without the Secure flag.
        log.warning("CARETEAM_BASE_URL is not https: session cookies will not be marked Secure")

    return {
        "CARETEAM_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        "REDIS_URL": redis_url,
        "BASE_URL": base_url,
        "PROXY_COUNT": proxy_count,
        "TRUSTED_PROXIES": trusted_proxies,
        # Mail
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": _env_int("SMTP_PORT", 587),
        "SMTP_USERNAME": _env("SMTP_USERNAME"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_SECURITY": smtp_security,
        "SMTP_TIMEOUT": _env_int("SMTP_TIMEOUT", 10),
        "MAIL_FROM": _env("MAIL_FROM", "CareTeam <no-reply@careteam.invalid>"),
        "MAIL_OUTBOX": _env("MAIL_OUTBOX") or str(instance_path / "outbox"),
        # Sessions: idle timeout and absolute lifetime; remember-me sessions live longer.
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 120),
        "SESSION_MAX_HOURS": _env_int("SESSION_MAX_HOURS", 24),
        "REMEMBER_DAYS": _env_int("REMEMBER_DAYS", 30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Cookies are Secure exactly when the site is served over https (BASE_URL says so).
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": "careteam_session",
        "REMEMBER_COOKIE_NAME": "careteam_remember",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        # Account tokens
        "VERIFY_TOKEN_HOURS": _env_int("VERIFY_TOKEN_HOURS", 48),
        "RESET_TOKEN_MINUTES": _env_int("RESET_TOKEN_MINUTES", 60),
        # Failed sign-ins (database-held, shared by every worker): see careteam.auth.throttle
        "LOGIN_FAILURES_BEFORE_DELAY": _env_int("LOGIN_FAILURES_BEFORE_DELAY", 5),
        "LOGIN_ADDRESS_FAILURES_BEFORE_DELAY": _env_int("LOGIN_ADDRESS_FAILURES_BEFORE_DELAY", 30),
        "LOGIN_MAX_DELAY_MINUTES": _env_int("LOGIN_MAX_DELAY_MINUTES", 30),
        "LOGIN_ACCOUNT_FAILURES_PER_HOUR": _env_int("LOGIN_ACCOUNT_FAILURES_PER_HOUR", 100),
        "LOGIN_ACCOUNT_LOCK_MINUTES": _env_int("LOGIN_ACCOUNT_LOCK_MINUTES", 60),
        # Per-address rate limits (Flask-Limiter)
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_LOGIN": _env("RATELIMIT_LOGIN", "20 per minute;200 per hour"),
        "RATELIMIT_ACCOUNT_EMAILS": _env("RATELIMIT_ACCOUNT_EMAILS", "5 per minute;30 per hour"),
        "RATELIMIT_INVITATIONS": _env("RATELIMIT_INVITATIONS", "30 per hour"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Request limits
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": _env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session that holds it
        "BLOCKED_PLUGINS": [
            p.strip() for p in (_env("BLOCKED_PLUGINS") or "").split(",") if p.strip()
        ],
        "PREFERRED_URL_SCHEME": "https" if https else "http",
    }
