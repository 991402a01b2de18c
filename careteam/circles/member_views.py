"""Member pages of a circle: the member list, role changes, removing someone, leaving.

Removing and leaving ask for confirmation on a page of their own first.  A refused change
(the last coordinator, the care recipient's own place) is explained on the page, status 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..extensions import db
from ..roles import ROLE_LABELS, Role
from ..web.forms import ActionForm
from . import service
from .forms import RoleForm
from .membership import (
    MembershipError,
    change_role,
    coordinator_count,
    has_care_recipient,
    remove_member,
)
from .views import bp

ROLE_VALUES = {role.value: label for role, label in ROLE_LABELS.items()}


def _value(choice: Any) -> str:
    return choice[0] if isinstance(choice, tuple) else choice.value


def _member_or_404(circle: Any, member_id: str) -> Any:
    member = service.member_in_circle(circle, member_id)
    if member is None:
        abort(404)
    return member


def _refusal(circle: Any, actor: Any, member: Any, action: str) -> str | None:
    """Say in advance why a change would be refused, so the page can explain it."""
    if member.role == Role.CARE_RECIPIENT and actor.id != member.id:
        if action == "role":
            return "Only the care recipient can change their own role."
        return "Only the care recipient can remove themselves from the circle."
    if member.role == Role.COORDINATOR and coordinator_count(circle.id) <= 1:
        if action == "role":
            return "This is the circle's only coordinator. Make someone else a coordinator first."
        return "The circle's only coordinator cannot leave. Make someone else a coordinator first."
    return None


@dataclass(frozen=True)
class _Removal:
    """What a remove or leave confirmation page shows, or ``done`` once the member is out."""

    form: ActionForm
    refusal: str | None
    status: int = 200
    done: bool = False


def _removal(circle: Any, actor: Any, member: Any, action: str) -> _Removal:
    """Show why a removal (``action`` "remove" or "leave") would be refused; on a confirmed
    POST, remove ``member`` and commit."""
    form = ActionForm()
    refusal = _refusal(circle, actor, member, action)
    if request.method != "POST":
        return _Removal(form, refusal)
    if not form.validate_on_submit():
        abort(400)
    try:
        remove_member(circle, actor, member)
    except MembershipError as error:
        db.session.rollback()
        return _Removal(form, str(error), status=409)
    db.session.commit()
    return _Removal(form, refusal, done=True)


@bp.circle_route("/members", capability="circle.view")
def members(circle: Any, membership: Any):
    """List the circle's members and their roles, with the actions this member may take."""
    return render_template(
        "circles/members.html",
        circle=circle,
        membership=membership,
        members=service.members_of(circle),
        role_labels=ROLE_VALUES,
        care_recipient=Role.CARE_RECIPIENT.value,
        can_invite="invitations.manage" in current_app.view_functions,
    )


@bp.circle_route("/members/<member_id>/role", capability="circle.manage", methods=["GET", "POST"])
def member_role(circle: Any, membership: Any, member_id: str):
    """Change one member's role."""
    member = _member_or_404(circle, member_id)
    name = service.display_name(member.user_id)
    form = RoleForm()
    if has_care_recipient(circle.id, other_than=member.id):
        # A circle is around one person: offer only the roles this member can take.
        form.role.choices = [c for c in form.role.choices if _value(c) != Role.CARE_RECIPIENT]
    if request.method == "GET":
        form.role.data = member.role
    refusal = _refusal(circle, membership, member, "role")
    status = 200
    if form.validate_on_submit():
        unchanged = form.role.data == member.role
        try:
            change_role(circle, membership, member, form.role.data)
        except MembershipError as error:
            db.session.rollback()
            refusal, status = str(error), 409
        else:
            db.session.commit()
            label = ROLE_VALUES[form.role.data]
            flash("Nothing changed." if unchanged else f"{name} is now: {label}.", "success")
            return redirect(url_for("circles.members", circle_id=circle.public_id))
    elif form.errors:
        status = 422
    return render_template(
        "circles/member_role.html",
        circle=circle,
        member=member,
        name=name,
        form=form,
        refusal=refusal,
        current_label=ROLE_VALUES.get(member.role, member.role),
        is_self=member.id == membership.id,
    ), status


@bp.circle_route("/members/<member_id>/remove", capability="circle.manage", methods=["GET", "POST"])
def member_remove(circle: Any, membership: Any, member_id: str):
    """Ask for confirmation, then remove someone from the circle."""
    member = _member_or_404(circle, member_id)
    if member.id == membership.id:
        return redirect(url_for("circles.leave", circle_id=circle.public_id))
    name = service.display_name(member.user_id)
    removal = _removal(circle, membership, member, "remove")
    if removal.done:
        flash(f"{name} is no longer in {circle.name}.", "success")
        return redirect(url_for("circles.members", circle_id=circle.public_id))
    return render_template(
        "circles/confirm_remove.html",
        circle=circle,
        member=member,
        name=name,
        role_label=ROLE_VALUES.get(member.role, member.role),
        form=removal.form,
        refusal=removal.refusal,
    ), removal.status


@bp.circle_route("/leave", capability="circle.leave", methods=["GET", "POST"])
def leave(circle: Any, membership: Any):
    """Ask for confirmation, then take the signed-in person out of the circle."""
    removal = _removal(circle, membership, membership, "leave")
    if removal.done:
        flash(f"You have left {circle.name}.", "success")
        return redirect(url_for("my_circles.index"))
    return render_template(
        "circles/confirm_leave.html", circle=circle, form=removal.form, refusal=removal.refusal
    ), removal.status
