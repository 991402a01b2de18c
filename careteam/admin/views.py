"""Site administration: people's accounts only -- never care data.

Every page answers 404 to anyone who is not a site administrator, signed in or not, so the
section does not show that it exists.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from ..extensions import db
from ..plugins.report import plugin_report
from ..registries import NavItem
from ..web.redirects import safe_next
from . import service
from .forms import AccountActionForm, UserSearchForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _is_site_admin() -> bool:
    return bool(current_user.is_authenticated and current_user.is_site_admin)


@bp.record_once
def _register_ui(state: BlueprintSetupState) -> None:
    state.app.extensions["careteam_ui"].add_nav(
        "main", NavItem("Site admin", "admin.users", order=95, visible=_is_site_admin)
    )


@bp.before_request
def _site_admins_only() -> None:
    if not _is_site_admin():
        abort(404)
    g.personal_data = True


def _me() -> Any:
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.get("/")
def index():
    """Send the section's start address to the account list."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    """List accounts in the order they were created, 50 a page, optionally filtered."""
    form = UserSearchForm(request.args)
    after = request.args.get("after")
    if request.args.get("q") is not None and not form.validate():
        return render_template("admin/users.html", form=form, page=None, action_form=None), 422
    try:
        page = service.users_page(search=form.q.data or "", after=after)
    except service.AdminError:
        abort(400)
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        action_form=AccountActionForm(),
        me_public_id=current_user.public_id,
        back_to=request.full_path.rstrip("?"),
    )


def _change(public_id: str, change: Any, done: str, unchanged: str):
    form = AccountActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = service.find_user(public_id)
    if user is None:
        abort(404)
    back = safe_next(form.next.data, url_for("admin.users"))
    try:
        changed = change(_me(), user)
    except service.AdminError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash((done if changed else unchanged).format(email=user.email), "success")
    return redirect(back)


@bp.post("/users/<public_id>/deactivate")
def deactivate(public_id: str):
    """Switch an account off: it cannot sign in, and every session it had ends now."""
    return _change(
        public_id,
        service.deactivate_user,
        "{email} is switched off and signed out everywhere.",
        "{email} was already switched off.",
    )


@bp.post("/users/<public_id>/reactivate")
def reactivate(public_id: str):
    """Switch an account back on, so its owner can sign in again."""
    return _change(
        public_id,
        service.reactivate_user,
        "{email} can sign in again.",
        "{email} could already sign in.",
    )


@bp.get("/plugins")
def plugins():
    """List installed plugins: version, hooks, loaded/blocked/failed, circles using each."""
    return render_template("admin/plugins.html", rows=plugin_report())
