"""The signed-in person's own account: profile, password, email, sessions, deletion."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
