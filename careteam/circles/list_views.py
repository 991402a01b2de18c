"""Pages outside any one circle: "My circles", "Archived circles" and "Create a circle"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..roles import ROLE_LABELS
from . import service
from .forms import CircleForm

bp = Blueprint("my_circles", __name__, url_prefix="/circles")

ROLE_VALUES = {role.value: label for role, label in ROLE_LABELS.items()}


def _render_page(template: str, archived: bool, **context: Any) -> str:
    """Render one page of the signed-in person's circles (the ``after`` cursor's page)."""
    try:
        page = service.circles_page(
            current_user.id, archived=archived, cursor=request.args.get("after")
        )
    except service.BadCursor:
        abort(400)
    return render_template(template, page=page, role_labels=ROLE_VALUES, **context)


@bp.get("")
@login_required
def index():
    """List the signed-in person's circles that are in use, by name."""
    has_archived = service.has_restorable_circles(current_user.id)
    return _render_page("circles/index.html", archived=False, has_archived=has_archived)


@bp.get("/archived")
@login_required
def archived():
    """List the archived circles the signed-in person may restore."""
    return _render_page("circles/archived.html", archived=True)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a circle; its creator becomes its first coordinator."""
    form = CircleForm()
    if request.method == "GET":
        form.time_zone.data = current_user.time_zone or "UTC"
    if form.validate_on_submit():
        circle = service.create_circle(
            current_user,
            name=form.name.data,
            description=form.description.data or "",
            time_zone=form.time_zone.data,
        )
        db.session.commit()
        flash(f"\u201c{circle.name}\u201d is ready. Invite the people who help.", "success")
        return redirect(url_for("circles.home", circle_id=circle.public_id))
    status = 422 if form.errors else 200
    return render_template("circles/new.html", form=form), status
