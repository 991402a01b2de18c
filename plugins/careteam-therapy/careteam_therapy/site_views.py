"""The therapy pages outside circles (a therapist's overview and templates), under /therapy."""

from __future__ import annotations

from flask import Blueprint

site_bp = Blueprint("therapy_site", __name__, url_prefix="/therapy", template_folder="templates")
