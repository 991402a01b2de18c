"""The invitations page of a circle: invite by email, copy a link, revoke, decide on claims.

A copied link is shown once, on the page that answers the POST that made it: only its hash is
kept, so it cannot be shown again (and it is never put in a cookie or a redirect).
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..auth.service import external_url
from ..extensions import db, limiter
from ..permissions import CircleBlueprint, member_can
from ..roles import ROLE_LABELS
from ..web.forms import ActionForm, require_action
from . import service
from .forms import EmailInviteForm, LinkInviteForm, role_choices

bp = CircleBlueprint("invitations", __name__, url_prefix="/invitations")

ROLE_VALUES = {role.value: label for role, label in ROLE_LABELS.items()}


def _sending_limit() -> str:
    return current_app.config.get("RATELIMIT_INVITATIONS", "30 per hour")


def _sender_key() -> str:
    # Per person when signed in (several coordinators may share one address), else per address.
    if current_user.is_authenticated:
        return f"user:{current_user.public_id}"
    return get_remote_address()


# Emailed and copied invitations share one budget per person.
limit_sending = limiter.shared_limit(
    _sending_limit, scope="invitations", key_func=_sender_key, methods=["POST"]
)


@bp.context_processor
def _page_context() -> dict[str, Any]:
    """Give the invitation pages what the member may do and the role labels."""
    return {
        "can_manage": member_can(g.get("membership"), "circle.manage"),
        "role_labels": ROLE_VALUES,
    }


def _email_form(circle: Any, formdata: Any = True) -> EmailInviteForm:
    form = EmailInviteForm() if formdata is True else EmailInviteForm(formdata=None)
    form.role.choices = role_choices(service.email_roles(circle))
    return form


def _link_form(formdata: Any = True) -> LinkInviteForm:
    form = LinkInviteForm() if formdata is True else LinkInviteForm(formdata=None)
    form.link_role.choices = role_choices(service.link_roles())
    return form


def _render_manage(circle: Any, form: Any, link_form: Any, status: int = 200):
    lists = service.manage_lists(circle)
    return render_template(
        "invitations/manage.html",
        circle=circle,
        form=form,
        link_form=link_form,
        pending=lists.pending,
        claims=lists.claims,
        action_form=ActionForm(formdata=None),
        format_expiry=service.format_expiry,
    ), status


@bp.circle_route("", capability="circle.manage", methods=["GET", "POST"])
@limit_sending
def manage(circle: Any, membership: Any):
    """List open invitations and claims; invite someone by email."""
    form = _email_form(circle)
    status = 200
    if form.validate_on_submit():
        try:
            invitation = service.invite_by_email(
                circle,
                current_user._get_current_object(),
                email=form.email.data,
                role=form.role.data,
                message=form.message.data or "",
            )
        except service.InvitationError as error:
            db.session.rollback()
            form.add_error(error)
            status = 422
        except service.MailNotSent:
            db.session.rollback()
            form.form_errors.append(
                "The invitation email could not be sent just now, so nothing was saved. "
                "Please try again in a few minutes."
            )
            status = 503
        else:
            db.session.commit()
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("invitations.manage", circle_id=circle.public_id))
    elif form.errors:
        status = 422
    return _render_manage(circle, form, _link_form(formdata=None), status)


@bp.circle_route("/link", capability="circle.manage", methods=["POST"])
@limit_sending
def create_link(circle: Any, membership: Any):
    """Create a single-use link to share by text message, and show it this once."""
    link_form = _link_form()
    if link_form.validate_on_submit():
        try:
            invitation, raw = service.create_link(
                circle, current_user._get_current_object(), role=link_form.link_role.data
            )
        except service.InvitationError as error:
            db.session.rollback()
            link_form.add_error(error)
        else:
            db.session.commit()
            return render_template(
                "invitations/link_created.html",
                circle=circle,
                link=external_url("invite.show", token=raw),
                role=ROLE_VALUES.get(invitation.role, invitation.role),
                expires=service.format_expiry(invitation.expires_at, circle.time_zone),
            )
    return _render_manage(circle, _email_form(circle, formdata=None), link_form, 422)


def _invitation_or_404(circle: Any, invitation_id: str) -> Any:
    require_action()
    invitation = service.invitation_in_circle(circle, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


def _decide(circle: Any, invitation_id: str, action: Any, done: str):
    invitation = _invitation_or_404(circle, invitation_id)
    try:
        action(circle, invitation, current_user._get_current_object())
    except service.InvitationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("invitations.manage", circle_id=circle.public_id))


@bp.circle_route("/<invitation_id>/revoke", capability="circle.manage", methods=["POST"])
def revoke(circle: Any, membership: Any, invitation_id: str):
    """Revoke an invitation: its link stops working at once."""
    return _decide(circle, invitation_id, service.revoke, "The invitation is revoked.")


@bp.circle_route("/<invitation_id>/approve", capability="circle.manage", methods=["POST"])
def approve(circle: Any, membership: Any, invitation_id: str):
    """Let the account that asked to use an invitation join the circle."""
    return _decide(
        circle, invitation_id, service.approve_claim, "Approved: they are now in the circle."
    )


@bp.circle_route("/<invitation_id>/decline", capability="circle.manage", methods=["POST"])
def decline(circle: Any, membership: Any, invitation_id: str):
    """Refuse a request to join; the invitation stays open for the address it was sent to."""
    return _decide(circle, invitation_id, service.decline_claim, "Declined: they were not added.")
