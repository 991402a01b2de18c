"""Running a check, the device's history (page and CSV), and resolving problems."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from careteam.api import csv_bytes, db, display_names, member_can, record_view

from . import checks, problems
from .forms import ResolveForm, StartForm, check_form_class
from .views import PUBLIC_ID, bp, device_or_404, to_device


def _check_or_404(device: Any, check_id: str) -> Any:
    check = checks.get_check(device, check_id)
    if check is None:
        abort(404)
    return check


@bp.circle_route("/<device_id>/checks", capability="devices.check", methods=["POST"])
def start(circle: Any, membership: Any, device_id: str):
    """Start a check (or go back to the one under way); a double click starts one."""
    device = device_or_404(circle, device_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        check = checks.start_check(device, membership, form.token.data)
    except checks.DeviceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return to_device(circle, device)
    db.session.commit()
    return redirect(
        url_for(
            "devices.run_check",
            circle_id=circle.public_id,
            device_id=device.public_id,
            check_id=check.public_id,
        )
    )


def _answers(form: Any, items: list[Any]) -> dict[str, checks.Answer]:
    return {
        i.item_public_id: checks.Answer(
            getattr(form, f"result_{i.item_public_id}").data or "",
            getattr(form, f"comment_{i.item_public_id}").data or "",
        )
        for i in items
    }


def _version(value: str | None) -> int:
    # A version that is not a small number came from no form we made: treat it as stale.
    return int(value) if value and value.isdigit() and len(value) <= 9 else -1


def _filled(form_class: Any, check: Any, items: list[Any]) -> Any:
    data: dict[str, Any] = {"version": str(check.version)}
    for i in items:
        data[f"result_{i.item_public_id}"] = i.result or None
        data[f"comment_{i.item_public_id}"] = i.comment
    return form_class(formdata=None, data=data)


@bp.circle_route(
    "/<device_id>/checks/<check_id>", capability="devices.check", methods=["GET", "POST"]
)
def run_check(circle: Any, membership: Any, device_id: str, check_id: str):
    """Answer each item OK or "needs attention"; save part-way or finish."""
    device = device_or_404(circle, device_id)
    check = _check_or_404(device, check_id)
    items = checks.check_items(check)
    form_class = check_form_class([i.item_public_id for i in items])
    status_code = 200
    if request.method == "POST" and check.finished_at is None:
        form = form_class()
        if form.validate_on_submit():
            finish = request.form.get("action") == "finish"
            try:
                opened = checks.save_check(
                    check,
                    device,
                    membership,
                    _answers(form, items),
                    version=_version(form.version.data),
                    finish=finish,
                    post_note=bool(form.post_note.data),
                )
            except checks.StaleCheck as error:
                db.session.rollback()
                db.session.refresh(check)
                flash(str(error), "error")
                items = checks.check_items(check)
                form = _filled(form_class, check, items)
                status_code = 409
            except checks.DeviceError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
                status_code = 422
            else:
                db.session.commit()
                found = f" {len(opened)} problem(s) recorded." if opened else ""
                flash(
                    ("Check finished." if finish else "Saved; finish it later.") + found, "success"
                )
                return to_device(circle, device) if finish else redirect(request.path)
        else:
            status_code = 422
    elif request.method == "POST":
        flash("This check was already finished: nothing was changed.", "success")
        return to_device(circle, device)
    else:
        form = _filled(form_class, check, items)
    people = display_names([i.answered_by_id for i in items] + [check.started_by_id])
    page = render_template(
        "devices/check.html",
        circle=circle,
        device=device,
        check=check,
        items=items,
        form=form,
        people=people,
        can_note=member_can(membership, "notes.write"),
    )
    if request.method == "GET":  # a POST is audited by the save itself
        record_view(
            "devices.check_viewed", circle, object_type="device_check", object_id=check.public_id
        )
    return page, status_code


@bp.circle_route("/<device_id>/history", capability="devices.check")
def history(circle: Any, membership: Any, device_id: str):
    """Show every check of the device, newest first, 20 a page."""
    device = device_or_404(circle, device_id)
    before = request.args.get("before") or None
    if before is not None and not PUBLIC_ID.fullmatch(before):
        abort(404)
    page, older = checks.history_page(device, before)
    return render_template(
        "devices/history.html",
        circle=circle,
        device=device,
        page=page,
        older=older,
        paged=bool(request.args.get("before")),
    )


CSV_HEADER = (
    "check",
    "started_at",
    "finished_at",
    "item",
    "how_often",
    "result",
    "comment",
    "answered_at",
    "answered_by",
)


@bp.circle_route("/<device_id>/history.csv", capability="devices.check")
def history_csv(circle: Any, membership: Any, device_id: str):
    """Download every answer ever given for the device (spreadsheet formulas escaped)."""
    device = device_or_404(circle, device_id)
    rows = checks.all_history(device)
    names = display_names(item.answered_by_id for _check, item in rows)
    body = csv_bytes(
        CSV_HEADER,
        [
            (
                check.public_id,
                check.started_at,
                check.finished_at,
                item.text,
                item.frequency,
                item.result,
                item.comment,
                item.answered_at,
                names.get(item.answered_by_id or 0, ""),
            )
            for check, item in rows
        ],
    )
    record_view(
        "devices.history_downloaded", circle, object_type="device", object_id=device.public_id
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="device-history-{device.public_id}.csv"'
    )
    return response


@bp.circle_route("/problems/<problem_id>", capability="devices.check", methods=["GET", "POST"])
def resolve(circle: Any, membership: Any, problem_id: str):
    """Mark a problem resolved, saying what was done."""
    problem = problems.get_problem(circle, problem_id)
    if problem is None:
        abort(404)
    form = ResolveForm()
    if form.validate_on_submit():
        changed = problems.resolve_problem(problem, membership, form.resolution.data)
        db.session.commit()
        flash(
            "The problem is marked resolved." if changed else "It was resolved already.", "success"
        )
        return redirect(url_for("devices.index", circle_id=circle.public_id))
    row = problems.problem_row(problem)
    status_code = 422 if form.errors else 200
    return render_template(
        "devices/resolve.html", circle=circle, problem=problem, row=row, form=form
    ), status_code
