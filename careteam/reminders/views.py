"""A member's reminder settings for one circle."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..appointments.views import calendar_page_context
from ..extensions import db
from ..permissions import CircleBlueprint
from . import preferences
from .forms import ReminderForm

# The page sits with the calendar's pages and shares their layout.
bp = CircleBlueprint("reminders", __name__, url_prefix="/appointments")
bp.context_processor(calendar_page_context)


@bp.circle_route(
    "/reminders", capability="appointments.view", allow_archived=True, methods=["GET", "POST"]
)
def settings(circle: Any, membership: Any):
    """Choose whether and when to be reminded of this circle's appointments."""
    form = ReminderForm()
    if request.method == "GET":
        pref = preferences.preference_of(membership.id)
        form.enabled.data = pref.enabled
        form.offsets.data = [str(o) for o in pref.offsets]
    elif form.validate_on_submit():
        offsets = [int(o) for o in form.offsets.data or []]
        preferences.set_preference(membership, bool(form.enabled.data), offsets)
        db.session.commit()
        flash("Your reminder settings are saved.", "success")
        return redirect(url_for("reminders.settings", circle_id=circle.public_id))
    status = 422 if form.errors else 200
    return render_template(
        "reminders/settings.html",
        circle=circle,
        form=form,
        email_reminders=current_user.email_reminders,
    ), status
