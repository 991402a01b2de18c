"""Password hashes: argon2id at argon2-cffi's defaults on a real site, cheaper only in tests."""

from __future__ import annotations

from argon2 import PasswordHasher

from careteam import create_app
from careteam.auth.passwords import hash_password, needs_rehash, verify_password


def _parameters(password_hash: str) -> str:
    # "$argon2id$v=19$m=65536,t=3,p=4$salt$hash" -> "m=65536,t=3,p=4"
    return password_hash.split("$")[3]


def test_a_site_hashes_with_the_library_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("CARETEAM_DATABASE_URL", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    site = create_app({"SECRET_KEY": "x" * 40})
    defaults = PasswordHasher()
    with site.app_context():
        made = hash_password("a long enough passphrase")
    assert made.startswith("$argon2id$")
    assert _parameters(made) == (
        f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}"
    )


def test_outside_an_app_the_defaults_apply_too():
    defaults = PasswordHasher()
    assert _parameters(hash_password("a long enough passphrase")).startswith(
        f"m={defaults.memory_cost},t={defaults.time_cost},"
    )


def test_the_test_profile_is_cheaper_but_still_argon2id(app):
    with app.app_context():
        made = hash_password("a long enough passphrase")
        assert made.startswith("$argon2id$")
        assert _parameters(made).startswith("m=256,t=1,")
        assert verify_password(made, "a long enough passphrase")
        assert not verify_password(made, "a long enough passphrase!")
        assert not verify_password(None, "a long enough passphrase")
        # A hash made with the site's stronger settings still verifies, and is flagged for rehash
        # only because the parameters differ from the current ones.
        strong = PasswordHasher().hash("a long enough passphrase")
        assert verify_password(strong, "a long enough passphrase")
        assert needs_rehash(strong)
