"""Test apps: CareTeam with test settings on a given database."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .. import create_app


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (else SQLite)."""
    return url.startswith("postgresql")


def make_test_config(database_url: str, instance_dir: Any) -> dict[str, Any]:
    """Settings for a test app: real database, no rate limits, mail into a folder."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-" + "x" * 32,
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX": str(instance_dir / "outbox"),
        "BASE_URL": "http://careteam.test",
        "SMTP_HOST": None,
        # Still argon2id, at a cost that lets a test make dozens of accounts; production keeps
        # argon2-cffi's defaults (tests/test_passwords_cost.py checks that).
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 256,
    }


def make_app(database_url: str, instance_dir: Any, **overrides: Any) -> Flask:
    """Create a CareTeam app with test settings on ``database_url`` (tables not created)."""
    config = make_test_config(database_url, instance_dir)
    config.update(overrides)
    return create_app(config)
