"""Where the top-level templates/ and migrations/ folders are, in a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


# A wheel carries them inside the package (see pyproject.toml force-include); a checkout or an
# editable install has them beside the package.
TEMPLATES_DIR = _first_existing(_PACKAGE / "_templates", _PACKAGE.parent / "templates")
MIGRATIONS_DIR = _first_existing(_PACKAGE / "_migrations", _PACKAGE.parent / "migrations")
