"""The therapy blueprint and the circle's programme list."""

from __future__ import annotations

import re
from typing import Any

from flask import render_template

from careteam.api import CircleBlueprint

from . import models  # noqa: F401 - the tables join the metadata with the blueprint

# What a public id can look like: anything else is no row's id and must not reach the database
# (PostgreSQL refuses NUL in text with an error).
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

bp = CircleBlueprint("therapy", __name__, url_prefix="/therapy", template_folder="templates")


@bp.circle_route("", capability="therapy.view")
def index(circle: Any, membership: Any):
    """The circle's programmes."""
    return render_template("therapy/index.html", circle=circle, membership=membership)
