"""The programme editor: one submit of the whole programme makes the next version.

"Add", "Move up" and "Move down" send the form back rearranged (nothing saved); "Save" checks
every task against the dose rules and makes version n+1.  A form made from an older version is
refused with 409, the person's text kept beside what the newer version says.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request
from flask_login import current_user

from careteam.api import db, record_view

from . import programmes, task_templates, versions
from .editor import (
    chooser,
    chooser_values,
    rearranged,
    resolve,
    row_data,
    rows_of,
    show_errors,
    with_rows,
)
from .forms import EditForm
from .programme_views import to_programme
from .programmes import ProgrammeError, StaleVersion, TaskErrors, today_in
from .tasks import from_task
from .views import bp, programme_or_404


def _blank_form(programme: Any, current: Any, circle: Any) -> EditForm:
    form = EditForm(
        formdata=None,
        version=str(programme.current_version),
        title=programme.title,
        effective_from=today_in(circle),
    )
    for task in current.tasks if current else []:
        form.tasks.append_entry(row_data(from_task(task)))
    return form


def _save(circle: Any, membership: Any, programme: Any, form: EditForm) -> tuple[Any, int]:
    """Try to save; return (version or None, status)."""
    rows = rows_of(form)
    known = versions.known_keys(programme)
    if any(task.key and task.key not in known for _index, task in rows):
        abort(404)  # a task of another programme (or circle) named in the form
    try:
        version = programmes.save_version(
            circle,
            programme,
            membership,
            from_version=int(form.version.data),
            title=form.title.data,
            tasks=[task for _index, task in rows],
            change_note=form.change_note.data or "",
            effective_from=form.effective_from.data or today_in(circle),
        )
    except StaleVersion as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        # Saving again on purpose makes the person's text the next version.
        form.version.data = str(error.current)
        return None, 409
    except TaskErrors as error:
        db.session.rollback()
        for position, found in error.errors.items():
            show_errors(form.tasks.entries[rows[position][0]].form, found)
        return None, 422
    except ProgrammeError as error:
        db.session.rollback()
        field = {"title": form.title, "effective_from": form.effective_from}.get(error.field or "")
        if field is None:
            form.form_errors.append(str(error))
        else:
            field.errors.append(str(error))
        return None, 422
    db.session.commit()
    return version, 200


@bp.circle_route("/<programme_id>/edit", capability="therapy.prescribe", methods=["GET", "POST"])
def edit(circle: Any, membership: Any, programme_id: str):
    """Change the whole programme: title, tasks added, changed, removed or moved, the change
    note, and the day the new version is in force from."""
    programme = programme_or_404(circle, programme_id)
    templates = task_templates.templates_of(current_user.id)
    groups = chooser(templates)
    status = 200
    newer = None
    if request.method == "GET":
        current = versions.version_with_tasks(programme, programme.current_version)
        form = _blank_form(programme, current, circle)
    else:
        form = EditForm()
        action = request.form.get("action", "save")
        form.sources.choices = chooser_values(groups)
        if not form.validate_on_submit():
            status = 422
        elif action == "add":
            start = form.effective_from.data or today_in(circle)
            added = resolve(form.sources.data or [], templates, start)
            with_rows(form, [e.data for e in form.tasks.entries] + [row_data(t) for t in added])
            form.sources.data = []
        elif (moved := rearranged(form, action)) is not None:
            with_rows(form, moved)
        else:
            version, status = _save(circle, membership, programme, form)
            if version is not None:
                flash(f"Version {version.number} is saved.", "success")
                return to_programme(circle, programme)
            if status == 409:
                newer = versions.version_with_tasks(programme, programme.current_version)
    form.sources.choices = chooser_values(groups)
    page = render_template(
        "therapy/edit.html",
        circle=circle,
        programme=programme,
        form=form,
        groups=groups,
        newer=newer,
    )
    if request.method == "GET":
        record_view(
            "therapy.programme_viewed",
            circle,
            object_type="therapy_programme",
            object_id=programme.public_id,
        )
    return page, status
