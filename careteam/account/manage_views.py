"""Account pages that end things: signed-in devices and deleting the account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import logout_user

from .. import audit
from ..auth import sessions as auth_sessions
from ..extensions import db, limiter, login_limit
from ..web.forms import require_action
from . import service
from .forms import DeleteAccountForm
from .user_agents import describe_user_agent
from .views import bp, me


@dataclass(frozen=True)
class DeviceRow:
    """One signed-in device as the sessions page shows it."""

    public_id: str
    device: str
    ip_address: str
    signed_in: datetime
    last_active: datetime
    remembered: bool
    current: bool


def _signed_out_everywhere(message: str):
    session.clear()  # before logout_user(), which leaves the "delete remember cookie" note
    logout_user()
    flash(message, "success")
    return redirect(url_for("auth.login"))


@bp.get("/sessions")
def sessions():
    """List the devices signed in to this account, this one marked."""
    user = me()
    current_id = user.current_session.id if user.current_session is not None else None
    rows = [
        DeviceRow(
            public_id=s.public_id,
            device=describe_user_agent(s.user_agent),
            ip_address=s.ip_address or "unknown",
            signed_in=s.created_at,
            last_active=s.last_seen_at,
            remembered=s.remember,
            current=s.id == current_id,
        )
        for s in auth_sessions.active_sessions(user)
    ]
    rows.sort(key=lambda r: not r.current)  # this device first, then most recently active
    return render_template("account/sessions.html", devices=rows)


@bp.post("/sessions/<public_id>/end")
def end_session(public_id: str):
    """Sign out one device; its cookies stop working at once."""
    require_action()
    user = me()
    current = user.current_session is not None and user.current_session.public_id == public_id
    if not auth_sessions.end_session_by_public_id(user, public_id):
        abort(404)
    audit.record("auth.session_ended", object_type="session", object_id=public_id)
    db.session.commit()
    if current:
        return _signed_out_everywhere("You have signed out.")
    flash("That device has been signed out.", "success")
    return redirect(url_for("account.sessions"))


@bp.post("/sessions/end-others")
def end_other_sessions():
    """Sign out every device except this one."""
    require_action()
    ended = service.sign_out_devices(me(), keep_current=True)
    db.session.commit()
    flash(
        "Every other device has been signed out."
        if ended
        else "You were not signed in anywhere else.",
        "success",
    )
    return redirect(url_for("account.sessions"))


@bp.post("/sessions/end-all")
def end_all_sessions():
    """Sign out every device, this one included."""
    require_action()
    service.sign_out_devices(me(), keep_current=False)
    db.session.commit()
    return _signed_out_everywhere("You have been signed out on every device, this one too.")


@bp.route("/delete", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def delete():
    """Delete the account for good, after the password is typed again."""
    user = me()
    form = DeleteAccountForm()
    blockers = service.deletion_blockers(user)
    if not blockers and form.validate_on_submit():
        try:
            notices = service.delete_account(user, form.current_password.data)
        except service.DeletionBlockedError as error:
            db.session.rollback()
            blockers = error.messages
        except service.AccountError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            service.notify(notices)
            return _signed_out_everywhere("Your account has been deleted. Take care.")
    status = 200
    if form.is_submitted():
        status = 409 if blockers else 422
    return render_template("account/delete.html", form=form, blockers=blockers), status
