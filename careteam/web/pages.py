"""Site-wide pages that belong to no feature: the front page and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """Show the welcome page, or send a signed-in person to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    return render_template("index.html")


@bp.get("/home")
def dashboard():
    """Show the signed-in person's start page, built from registered page sections."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("pages.dashboard")))
    return render_template("dashboard.html")


@bp.get("/healthz")
def health():
    """Answer 200 when the app and its database respond."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
