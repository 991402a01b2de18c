"""Pages of one circle: home, settings, archive and restore, and the audit log.

The member pages are in :mod:`careteam.circles.member_views`; the circle list and "new circle"
(outside any one circle) in :mod:`careteam.circles.list_views`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..extensions import db
from ..permissions import CircleBlueprint, member_can
from ..registries import action_label
from ..web.forms import ActionForm, choices, require_action
from . import audit_log, service
from .forms import AuditFilterForm, CircleForm

bp = CircleBlueprint("circles", __name__)


@bp.context_processor
def _circle_page_context() -> dict[str, Any]:
    """Tell every circle page what the member may do (the sub-navigation comes from ui.py)."""
    membership = g.get("membership")
    return {
        "can_manage": member_can(membership, "circle.manage"),
        "can_see_log": member_can(membership, "audit.view"),
    }


@bp.circle_route("", capability="circle.view")
def home(circle: Any, membership: Any):
    """Show the circle's home page, built from the registered page sections."""
    return render_template("circles/home.html", circle=circle, membership=membership)


@bp.circle_route("/settings", capability="circle.manage", methods=["GET", "POST"])
def settings(circle: Any, membership: Any):
    """Change the circle's name, description and time zone."""
    form = CircleForm(obj=circle if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = service.update_circle(
                circle,
                membership,
                name=form.name.data,
                description=form.description.data or "",
                time_zone=form.time_zone.data,
            )
        except service.CircleError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash("The circle's settings are saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("circles.home", circle_id=circle.public_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("circles/settings.html", circle=circle, form=form), status


@bp.circle_route("/archive", capability="circle.manage", methods=["GET", "POST"])
def archive(circle: Any, membership: Any):
    """Ask for confirmation, then archive the circle (read-only, off everyone's list)."""
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        service.archive_circle(circle, membership)
        db.session.commit()
        flash(
            f"\u201c{circle.name}\u201d is archived. You can restore it from "
            "\u201cArchived circles\u201d.",
            "success",
        )
        return redirect(url_for("my_circles.index"))
    return render_template("circles/confirm_archive.html", circle=circle, form=form)


@bp.circle_route("/restore", capability="circle.manage", allow_archived=True, methods=["POST"])
def restore(circle: Any, membership: Any):
    """Bring an archived circle back into use."""
    require_action()
    service.restore_circle(circle, membership)
    db.session.commit()
    flash(f"\u201c{circle.name}\u201d is restored.", "success")
    return redirect(url_for("circles.home", circle_id=circle.public_id))


@bp.circle_route("/audit", capability="audit.view")
def audit(circle: Any, membership: Any):
    """Show who did what in the circle, newest first, filtered by person and action."""
    people = audit_log.person_choices(circle.id, membership)
    actions = audit_log.action_choices(circle.id, membership)
    form = AuditFilterForm(request.args)
    form.person.choices = choices(
        [("", "Anyone")] + [(p.public_id, p.display_name) for p in people]
    )
    form.action.choices = choices([("", "Any action")] + [(a, action_label(a)) for a in actions])
    status = 200
    page = audit_log.AuditPage(entries=[], next_cursor=None)
    if request.args and not form.validate():
        status = 422
    else:
        actor_id = next((p.id for p in people if p.public_id == form.person.data), None)
        try:
            page = audit_log.audit_page(
                circle.id,
                viewer=membership,
                actor_id=actor_id,
                action=form.action.data or None,
                cursor=request.args.get("before"),
            )
        except audit_log.BadCursor:
            abort(400)
    filter_args = {k: request.args[k] for k in ("person", "action") if request.args.get(k)}
    return render_template(
        "circles/audit.html",
        circle=circle,
        form=form,
        page=page,
        filter_args=filter_args,
        action_label=action_label,
    ), status
