"""The signed-in person's own account: profile, password and email address.

Sessions and deletion are in :mod:`careteam.account.manage_views`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from ..auth.login import write_session_cookies
from ..auth.sessions import renew_session
from ..extensions import db, email_limit, limiter, login_limit, login_manager
from ..registries import NavItem
from ..ui import nav_items
from ..web.forms import ActionForm
from . import service
from .forms import ChangeEmailForm, ChangePasswordForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/account")

# The account's own pages, in the order of its sub-navigation.  Features may add theirs to
# the "account" menu the same way.
ACCOUNT_PAGES = (
    ("Profile", "account.profile", 10),
    ("Password", "account.password", 20),
    ("Email address", "account.email", 30),
    ("Signed-in devices", "account.sessions", 40),
    ("Delete account", "account.delete", 90),
)
# Reached from an emailed link, possibly on a device where the person is not signed in.
_OPEN_ENDPOINTS = frozenset({"account.confirm_email"})


@bp.record_once
def _register_ui(state: BlueprintSetupState) -> None:
    registry = state.app.extensions["careteam_ui"]
    registry.add_nav("main", NavItem("Account", "account.profile", order=90))
    for label, endpoint, order in ACCOUNT_PAGES:
        registry.add_nav("account", NavItem(label, endpoint, order=order))
    state.app.extensions.setdefault(service.DELETION_CHECKS, [])


@bp.before_request
def _signed_in_only() -> Any:
    # Account pages show personal data: never cache them, even the confirmation page.
    g.personal_data = True
    if request.endpoint not in _OPEN_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
def _account_nav() -> dict[str, Any]:
    return {"account_nav": nav_items("account")}


def me() -> Any:
    """Return the signed-in user object itself (not the proxy), with its current session."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _proven_change(form: Any, change: Callable[..., list[service.Notice]], *values: str) -> bool:
    """Make a change the person confirmed with their current password: ``change(user,
    *values)``.  On success this browser gets a new session token, as after a sign-in (one
    copied before stops working), and the notices go out; on a refusal the form shows it."""
    user = me()
    try:
        notices = change(user, *values)
    except service.AccountError as error:
        db.session.rollback()
        form.add_error(error)
        return False
    renew_session(user)
    db.session.commit()
    write_session_cookies(user)
    service.notify(notices)
    return True


@bp.get("/")
def index():
    """Send the account's start address to the profile page."""
    return redirect(url_for("account.profile"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """Change the name others see, the time zone and which emails to receive."""
    user = me()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = service.update_profile(
            user,
            display_name=form.display_name.data,
            time_zone=form.time_zone.data,
            email_reminders=bool(form.email_reminders.data),
            email_activity=bool(form.email_activity.data),
        )
        db.session.commit()
        flash("Your profile is saved." if changed else "Nothing needed saving.", "success")
        return redirect(url_for("account.profile"))
    status = 422 if form.errors else 200
    return render_template("account/profile.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def password():
    """Change the password; every other signed-in device is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit() and _proven_change(
        form, service.change_password, form.current_password.data, form.new_password.data
    ):
        flash(
            "Your password is changed. Every other device you were signed in on has been "
            "signed out.",
            "success",
        )
        return redirect(url_for("account.profile"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("account/password.html", form=form), status


@bp.route("/email", methods=["GET", "POST"])
@limiter.limit(email_limit, methods=["POST"])
def email():
    """Ask to move the account to a new address: it changes once the emailed link is opened."""
    form = ChangeEmailForm()
    if form.validate_on_submit() and _proven_change(
        form, service.request_email_change, form.new_email.data, form.current_password.data
    ):
        return redirect(url_for("account.email_sent"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("account/email.html", form=form), status


@bp.get("/email/sent")
def email_sent():
    """Say where the confirmation link went, without saying whether the address is in use."""
    return render_template("account/email_sent.html")


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Show the new address a link would confirm, then switch to it on request.

    Opening the link only shows a button, so a mail scanner that fetches links cannot move
    an account by itself.
    """
    pending = service.pending_email_change(token)
    if pending is None:
        return render_template("auth/link_invalid.html", what="email confirmation"), 404
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            result = service.confirm_email_change(token)
        except service.EmailTakenError:
            db.session.rollback()
            return render_template("account/email_taken.html"), 409
        if result is None:
            db.session.rollback()
            return render_template("auth/link_invalid.html", what="email confirmation"), 404
        user, notices = result
        signed_in_here = current_user.is_authenticated and current_user.id == user.id
        if signed_in_here:
            renew_session(me())
        db.session.commit()
        if signed_in_here:
            write_session_cookies(me())
        service.notify(notices)
        flash(f"Your email address is now {user.email}.", "success")
        if signed_in_here:
            return redirect(url_for("account.email"))
        flash("Sign in with your new address.", "info")
        return redirect(url_for("auth.login"))
    _user, new_email = pending
    return render_template("account/email_confirm.html", form=form, new_email=new_email)


from . import manage_views  # noqa: E402, F401 - registers the session and deletion pages
