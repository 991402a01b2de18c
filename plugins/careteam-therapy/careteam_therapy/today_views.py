"""The logging pages: Today (and up to a week back), a pause, the therapist's alerts, the
member's own settings, and the CSV of a programme's logs."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from careteam.api import db, member_can, record_view

from . import alerts, logs, member_settings, pauses, programmes
from .export import logs_csv
from .log_forms import (
    HIDDEN,
    AlertSeenForm,
    LogForm,
    PauseForm,
    SettingsForm,
    answer_from,
    unique_ids,
)
from .views import PUBLIC_ID, bp, programme_or_404


def _day_or_404(value: str | None, today: date) -> date:
    """The ?day= of the page: today when absent, 404 when not one of the days open to logs."""
    if not value:
        return today
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or day not in logs.days_open(today):
        abort(404)
    return day


def _slot_form(slot: logs.Slot, day: date) -> LogForm:
    form = LogForm(
        formdata=None,
        data={
            "programme": slot.programme.public_id,
            "task": slot.task.key,
            "day": day.isoformat(),
            "slot": str(slot.number),
            "token": logs.new_token(),
        },
    )
    return unique_ids(form, slot.ident)


def _render_today(
    circle: Any,
    membership: Any,
    day: date,
    today: date,
    *,
    failed: tuple[str, LogForm] | None = None,
    status: int = 200,
    conflict: logs.SavedDifferently | None = None,
):
    page = logs.day_page(circle, day, today)
    forms = {}
    for entry in page.programmes:
        for slot in entry.slots:
            if slot.log is None:
                forms[slot.ident] = _slot_form(slot, day)
    # A refused log whose time is not on the page shown (a day it was not due): its messages
    # go above the page instead of beside a form nobody sees.
    unplaced: list[str] = []
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = unique_ids(failed[1], failed[0])
    elif failed is not None:
        unplaced = list(failed[1].form_errors) + [
            error
            for name, errors in failed[1].errors.items()
            if name
            for error in errors
            if isinstance(error, str)
        ]
    html = render_template(
        "therapy/today.html",
        circle=circle,
        page=page,
        days=logs.days_open(today),
        forms=forms,
        failed=failed[0] if failed else None,
        unplaced=unplaced,
        conflict=conflict,
        can_prescribe=member_can(membership, "therapy.prescribe"),
    )
    return html, status


@bp.circle_route("/today", capability="therapy.log")
def today(circle: Any, membership: Any):
    """What is due today (or a day up to a week back), one big "Done" per time."""
    today = programmes.today_in(circle)
    day = _day_or_404(request.args.get("day"), today)
    response = _render_today(circle, membership, day, today)
    record_view("therapy.today_viewed", circle, object_type="therapy_day", object_id=str(day))
    return response


def _to_day(circle: Any, day: date, today: date):
    args = {} if day == today else {"day": day.isoformat()}
    return redirect(url_for("therapy.today", circle_id=circle.public_id, **args))


@bp.circle_route("/today/log", capability="therapy.log", methods=["POST"])
def log(circle: Any, membership: Any):
    """Save how one time of one task went (one tap for "Done")."""
    today = programmes.today_in(circle)
    form = LogForm()
    valid = form.validate_on_submit()
    if any(getattr(form, name).errors for name in HIDDEN):
        abort(400)  # no form of ours sends these
    day = date.fromisoformat(form.day.data) if _is_date(form.day.data) else None
    if day is None:
        abort(400)
    programme = programmes.get_programme(circle, form.programme.data)
    if programme is None:
        abort(404)
    ident = f"{programme.public_id}-{form.task.data}-{form.slot.data}"
    shown_day = day if day in logs.days_open(today) else today
    if not valid:
        return _render_today(circle, membership, shown_day, today, failed=(ident, form), status=422)
    try:
        _log, created = logs.log_slot(
            circle,
            membership,
            programme,
            task_key=form.task.data,
            day=day,
            slot=int(form.slot.data),
            token=form.token.data,
            answer=answer_from(form),
            today=today,
        )
    except logs.NotFound:
        db.session.rollback()
        abort(404)
    except logs.SavedDifferently as saved:
        db.session.rollback()
        flash(
            f"{saved.logged_by} already logged this time ({saved.log.status}): the page shows "
            "what was saved. Nothing was changed.",
            "error",
        )
        return _render_today(circle, membership, day, today, status=409, conflict=saved)
    except logs.LogRefused as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render_today(circle, membership, shown_day, today, failed=(ident, form), status=422)
    db.session.commit()
    flash("Saved." if created else "Already saved: nothing more to do.", "success")
    return _to_day(circle, day, today)


def _is_date(value: str | None) -> bool:
    try:
        date.fromisoformat(value or "")
    except ValueError:
        return False
    return True


@bp.circle_route("/<programme_id>/pause", capability="therapy.log", methods=["GET", "POST"])
def pause(circle: Any, membership: Any, programme_id: str):
    """Pause a programme for a flare-up; only the tasks kept during a flare-up stay due."""
    programme = programme_or_404(circle, programme_id)
    today = programmes.today_in(circle)
    form = (
        PauseForm(formdata=None, data={"start_date": today})
        if request.method == "GET"
        else PauseForm()
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                pauses.pause_programme(
                    circle,
                    membership,
                    programme,
                    start=form.start_date.data,
                    end=form.end_date.data,
                    note=form.note.data or "",
                    today=today,
                )
            except pauses.PauseRefused as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash("Paused. The therapist has been told.", "success")
                return redirect(url_for("therapy.today", circle_id=circle.public_id))
        status = 422
    running = pauses.running_pauses(programme, today)
    return render_template(
        "therapy/pause.html", circle=circle, programme=programme, form=form, running=running
    ), status


@bp.circle_route("/pauses/<pause_id>/resume", capability="therapy.log", methods=["POST"])
def resume(circle: Any, membership: Any, pause_id: str):
    """Resume a paused programme from today (anyone who logs may)."""
    found = pauses.get_pause(circle, pause_id) if PUBLIC_ID.fullmatch(pause_id) else None
    if found is None:
        abort(404)
    form = SettingsForm()  # any PluginForm: the CSRF token is all this form carries
    if not form.validate_on_submit():
        abort(400)
    changed = pauses.resume(circle, membership, found, programmes.today_in(circle))
    db.session.commit()
    flash("Resumed: today's tasks are due again." if changed else "It was resumed already.",
          "success")  # fmt: skip
    return redirect(url_for("therapy.today", circle_id=circle.public_id))


@bp.circle_route("/alerts", capability="therapy.prescribe")
def alert_list(circle: Any, membership: Any):
    """The open alerts of the programmes this therapist follows in the circle."""
    rows = alerts.alerts_for(circle, membership)
    page = render_template("therapy/alerts.html", circle=circle, rows=rows)
    record_view("therapy.alerts_viewed", circle, object_type="circle", object_id=circle.public_id)
    return page


# The alert's id travels in the form, not the URL: a URL argument would be probed by people
# who may not prescribe (403 before any id is read), and the page posts a form anyway.
@bp.circle_route("/alerts/seen", capability="therapy.prescribe", methods=["POST"])
def alert_seen(circle: Any, membership: Any):
    """Mark an alert seen: it no longer flags the programme."""
    form = AlertSeenForm()
    if not form.validate_on_submit():
        abort(400)
    found = alerts.get_alert(circle, membership, form.alert.data)
    if found is None:
        abort(404)
    changed = alerts.mark_seen(circle, membership, found)
    db.session.commit()
    flash("Marked seen." if changed else "It was marked seen already.", "success")
    return redirect(url_for("therapy.alert_list", circle_id=circle.public_id))


@bp.circle_route("/settings", capability="therapy.view", methods=["GET", "POST"])
def settings(circle: Any, membership: Any):
    """The member's own choices: therapy days in their calendar feed, a daily reminder."""
    current = member_settings.settings_of(circle, membership.user_id)
    if request.method == "GET":
        form = SettingsForm(formdata=None, obj=current)
    else:
        form = SettingsForm()
        if form.validate_on_submit():
            member_settings.save_settings(
                circle, membership, calendar=form.calendar.data, reminders=form.reminders.data
            )
            db.session.commit()
            flash("Your therapy settings are saved.", "success")
            return redirect(url_for("therapy.settings", circle_id=circle.public_id))
    status = 422 if form.errors else 200
    return render_template("therapy/settings.html", circle=circle, form=form), status


@bp.circle_route("/<programme_id>/logs.csv", capability="therapy.view")
def logs_download(circle: Any, membership: Any, programme_id: str):
    """Download every log of the programme (spreadsheet formulas escaped)."""
    programme = programme_or_404(circle, programme_id)
    body = logs_csv(programme)
    record_view(
        "therapy.logs_downloaded", circle, object_type="therapy_programme",
        object_id=programme.public_id,
    )  # fmt: skip
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="therapy-logs-{programme.public_id}.csv"'
    )
    return response
