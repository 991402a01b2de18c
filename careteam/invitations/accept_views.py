"""Opening an invitation link: accept, ask to join with another account, or create an account.

These pages live outside the circle guard: the token in the path is what lets the visitor in.
Every link that does not work (unknown, used, revoked, expired, archived circle) gets the same
404 page, so nothing about the invitation is told to someone holding a dead link.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..auth import service as accounts
from ..auth.login import sign_in
from ..extensions import db, email_limit, limiter
from ..web.forms import ActionForm
from . import accepting
from .accepting import InvitationGone, Option
from .forms import InviteRegisterForm
from .models import Kind
from .service import InvitationError, format_expiry, role_label
from .views import limit_sending

bp = Blueprint("invite", __name__, url_prefix="/invite")

_MAX_TOKEN = 128  # real tokens are 43 characters


def _gone():
    return render_template("invitations/gone.html"), 404


def _open(token: str) -> tuple[Any, Any] | None:
    # Pages that show an invitation carry personal data (names) for signed-out visitors too.
    g.personal_data = True
    if len(token) > _MAX_TOKEN:
        return None
    return accepting.find(token)


def _user() -> Any:
    return current_user._get_current_object() if current_user.is_authenticated else None


def circle_home(circle: Any) -> str:
    """Return where someone lands after joining: the circle's home page, or the dashboard."""
    if "circles.home" in current_app.view_functions:
        return url_for("circles.home", circle_id=circle.public_id)
    return url_for("pages.dashboard")


def _render(token: str, invitation: Any, circle: Any, option: Option, **extra: Any):
    status = extra.pop("status", 200)
    return render_template(
        "invitations/invite.html",
        token=token,
        invitation=invitation,
        circle=circle,
        option=option,
        inviter=accepting.inviter_name(invitation),
        role=role_label(invitation.role),
        expires=format_expiry(invitation.expires_at, circle.time_zone),
        circle_url=circle_home(circle),
        login_url=url_for("auth.login", next=url_for("invite.show", token=token)),
        **extra,
    ), status


def _refused(token: str, invitation: Any, circle: Any, error: Exception):
    """Answer a use the rules refused: a link used up meanwhile is gone like any dead link;
    another refusal (the circle has its care recipient already) is explained, status 409."""
    db.session.rollback()
    if isinstance(error, InvitationGone):
        return _gone()
    return _render(token, invitation, circle, Option.GONE, refusal=str(error), status=409)


@bp.get("/<token>")
def show(token: str):
    """Show what the invitation offers and what this visitor can do with it."""
    found = _open(token)
    if found is None:
        return _gone()
    invitation, circle = found
    option = accepting.option_for(invitation, _user())
    if option == Option.GONE:
        return _gone()
    return _render(token, invitation, circle, option)


def _acting_on_open_invitation(view: Callable[..., Any]) -> Callable[[str], Any]:
    """Guard a button's POST: the signed-out go to the invitation's page, and a dead link or
    a form without its CSRF token gets the "gone" page; else ``view(token, invitation,
    circle)``."""

    @functools.wraps(view)
    def guarded(token: str) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("invite.show", token=token))
        found = _open(token)
        if found is None or not ActionForm().validate_on_submit():
            return _gone()
        return view(token, *found)

    return guarded


@bp.post("/<token>/accept")
@_acting_on_open_invitation
def accept(token: str, invitation: Any, circle: Any):
    """Join the circle with the invitation's role."""
    try:
        accepting.accept(invitation, circle, _user())
    except (InvitationGone, InvitationError) as error:
        return _refused(token, invitation, circle, error)
    db.session.commit()
    flash(f"Welcome to {circle.name}.", "success")
    return redirect(circle_home(circle))


@bp.post("/<token>/claim")
@limit_sending
@_acting_on_open_invitation
def claim(token: str, invitation: Any, circle: Any):
    """Ask the circle's coordinators to let this account use an invitation sent elsewhere."""
    user = _user()
    try:
        accepting.claim(invitation, circle, user)
    except InvitationGone:
        db.session.rollback()
        return _gone()
    accepting.notify_inviter_of_claim(invitation, circle, user)
    db.session.commit()
    return redirect(url_for("invite.show", token=token))


@bp.route("/<token>/register", methods=["GET", "POST"])
@limiter.limit(email_limit, methods=["POST"])
@limit_sending
def register(token: str):
    """Create an account from the invitation and join the circle in one step.

    From a copied link, whoever holds it types the address: a new one and one that already has
    an account get the same answer ("check your inbox"), the new account its confirmation link
    and the existing one the invitation, to accept by signing in.  Each try counts against the
    invitation limit of the visitor's address, as sending an invitation does.
    """
    if current_user.is_authenticated:
        return redirect(url_for("invite.show", token=token))
    found = _open(token)
    if found is None:
        return _gone()
    invitation, circle = found
    if accepting.option_for(invitation, None) != Option.SIGN_IN:
        return _gone()
    form = InviteRegisterForm()
    fixed = invitation.kind == Kind.EMAIL
    if fixed:
        # The invited address is the account's address; whatever else is posted is ignored.
        form.email.data = invitation.email
    status = 200
    if form.validate_on_submit():
        try:
            user = accepting.register(
                invitation,
                circle,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                invite_link=accounts.external_url("invite.show", token=token),
            )
        except accounts.AccountError as error:
            if error.field == "password":
                db.session.rollback()
                form.password.errors.append(str(error))
                status = 422
            elif fixed:
                db.session.rollback()
                return _render(token, invitation, circle, Option.SIGN_IN, exists=True, status=409)
            else:
                # The owner of the address was mailed the invitation; the visitor sees what a
                # new address gets.
                db.session.commit()
                return _check_inbox()
        except (InvitationGone, InvitationError) as error:
            return _refused(token, invitation, circle, error)
        else:
            if not fixed:
                db.session.commit()
                return _check_inbox()
            sign_in(user, remember=False)
            flash(f"Welcome to CareTeam and to {circle.name}.", "success")
            return redirect(circle_home(circle))
    elif form.errors:
        status = 422
    return render_template(
        "invitations/register.html",
        form=form,
        token=token,
        circle=circle,
        fixed=fixed,
        login_url=url_for("auth.login", next=url_for("invite.show", token=token)),
    ), status


def _check_inbox():
    return redirect(url_for("auth.check_inbox", reason="invite"))
