"""A programme's pages: new, its page, history, the printable sheet, copy, archive, templates.

The editor (a new version) has a module of its own, :mod:`.edit_views`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from careteam.api import PluginForm, choices, db, display_names, member_can, record_view

from . import programmes, task_templates, versions
from .editor import chooser, chooser_values, resolve
from .forms import CopyForm, NewProgrammeForm, SaveTemplateForm
from .models import Task
from .programmes import ProgrammeError, TaskErrors, today_in
from .tasks import BLANK_SOURCE, compare
from .views import bp, programme_or_404


def to_programme(circle: Any, programme: Any) -> Any:
    return redirect(
        url_for("therapy.programme", circle_id=circle.public_id, programme_id=programme.public_id)
    )


def _new_chooser(user_id: int) -> tuple[list[Any], list[Any]]:
    templates = task_templates.templates_of(user_id)
    # A blank task needs writing before it is a task: it is offered in the editor only.
    groups = [g for g in chooser(templates) if not g.options[0].value.startswith(BLANK_SOURCE)]
    return groups, templates


@bp.circle_route("/new", capability="therapy.prescribe", methods=["GET", "POST"])
def new(circle: Any, membership: Any):
    """Prescribe a programme: its title, the day it starts, and tasks from the library and the
    therapist's templates (each copied with its default dose, to change afterwards)."""
    groups, templates = _new_chooser(current_user.id)
    form = NewProgrammeForm()
    form.sources.choices = chooser_values(groups)
    if form.validate_on_submit():
        start = form.effective_from.data or today_in(circle)
        tasks = resolve(form.sources.data or [], templates, start)
        try:
            programme = programmes.create_programme(
                circle, membership, form.title.data, tasks, start
            )
        except TaskErrors:
            db.session.rollback()
            form.sources.errors.append("A chosen template breaks the dose rules: change it first.")
        except ProgrammeError as error:
            db.session.rollback()
            field = form.sources if error.field == "tasks" else form.title
            field.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"\u201c{programme.title}\u201d is prescribed as version 1.", "success")
            return to_programme(circle, programme)
    status_code = 422 if form.errors else 200
    return render_template("therapy/new.html", circle=circle, form=form, groups=groups), status_code


@bp.circle_route("/<programme_id>", capability="therapy.view")
def programme(circle: Any, membership: Any, programme_id: str):
    """A programme as it stands: the current version's tasks with drawings, dose, schedule and
    precautions."""
    found = programme_or_404(circle, programme_id)
    current = versions.version_with_tasks(found, found.current_version)
    page = render_template(
        "therapy/programme.html",
        circle=circle,
        programme=found,
        current=current,
        therapist=_therapist_name(found, current),
        can_prescribe=member_can(membership, "therapy.prescribe") and not circle.archived,
        can_archive=member_can(membership, "therapy.archive") and not circle.archived,
        template_form=SaveTemplateForm(formdata=None),
    )
    record_view(
        "therapy.programme_viewed", circle, object_type="therapy_programme", object_id=programme_id
    )
    return page


def _therapist_name(programme: Any, current: Any) -> str | None:
    if programme.therapist_id is None:
        return None  # they left the circle's accounts
    # The version's author came with the version's query; the therapist is usually them.
    if current is not None and current.version.created_by_id == programme.therapist_id:
        return current.author
    return display_names([programme.therapist_id]).get(programme.therapist_id)


@bp.circle_route("/<programme_id>/history", capability="therapy.view")
def history(circle: Any, membership: Any, programme_id: str):
    """Every version of the programme, newest first: when, who, the note, what changed."""
    found = programme_or_404(circle, programme_id)
    every = versions.all_versions(found)
    entries = []
    for index, view in enumerate(every):
        before = every[index - 1].tasks if index else []
        entries.append((view, compare(before, view.tasks) if index else None))
    page = render_template(
        "therapy/history.html", circle=circle, programme=found, entries=entries[::-1]
    )
    record_view(
        "therapy.history_viewed", circle, object_type="therapy_programme", object_id=programme_id
    )
    return page


# A plain string, not an <int:> converter: core's route-wide probes put odd text in every URL
# argument, and a number that is not one is a version that does not exist (404) like any other.
@bp.circle_route("/<programme_id>/versions/<number>/sheet", capability="therapy.view")
def sheet(circle: Any, membership: Any, programme_id: str, number: str):
    """The printable exercise sheet of one version: drawings, dose, schedule, precautions."""
    found = programme_or_404(circle, programme_id)
    if not (number.isascii() and number.isdigit() and len(number) <= 6):
        abort(404)
    view = versions.version_with_tasks(found, int(number))
    if view is None:
        abort(404)
    page = render_template(
        "therapy/sheet.html",
        circle=circle,
        programme=found,
        view=view,
        therapist=_therapist_name(found, view),
    )
    record_view(
        "therapy.sheet_viewed",
        circle,
        object_type="therapy_programme",
        object_id=f"{programme_id}/{number}",
    )
    return page


def _copy_targets(circle: Any) -> dict[str, tuple[Any, Any]]:
    return {
        other.public_id: (other, mine)
        for other, mine in task_templates.prescribing_circles(current_user.id)
        if other.id != circle.id
    }


@bp.circle_route("/<programme_id>/copy", capability="therapy.prescribe", methods=["GET", "POST"])
def copy(circle: Any, membership: Any, programme_id: str):
    """Copy the programme to another circle where the same therapist prescribes."""
    found = programme_or_404(circle, programme_id)
    targets = _copy_targets(circle)
    form = CopyForm()
    form.target.choices = choices([(key, c.name) for key, (c, _m) in targets.items()])
    if form.validate_on_submit():
        target, mine = targets[form.target.data]
        start = form.effective_from.data or today_in(target)
        try:
            made = programmes.copy_programme(found, circle, target, mine, start)
        except ProgrammeError as error:
            db.session.rollback()
            form.target.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"\u201c{made.title}\u201d is copied to {target.name} as version 1.", "success")
            return to_programme(target, made)
    status_code = 422 if form.errors else 200
    return render_template(
        "therapy/copy.html", circle=circle, programme=found, form=form, has_targets=bool(targets)
    ), status_code


def _set_archived(circle: Any, membership: Any, programme_id: str, archived: bool) -> Any:
    found = programme_or_404(circle, programme_id)
    # Only the button's CSRF token: the form refuses anything else sent with it (a file).
    if not PluginForm().validate_on_submit():
        abort(400)
    programmes.set_archived(circle, found, membership, archived)
    db.session.commit()
    if archived:
        flash(f"\u201c{found.title}\u201d is archived. Its versions and logs are kept.", "success")
    else:
        flash(f"\u201c{found.title}\u201d is back in use.", "success")
    return to_programme(circle, found)


@bp.circle_route("/<programme_id>/archive", capability="therapy.archive", methods=["POST"])
def archive(circle: Any, membership: Any, programme_id: str):
    """Archive a programme: off the list and the Today page, kept whole."""
    return _set_archived(circle, membership, programme_id, True)


@bp.circle_route("/<programme_id>/unarchive", capability="therapy.archive", methods=["POST"])
def unarchive(circle: Any, membership: Any, programme_id: str):
    """Bring an archived programme back."""
    return _set_archived(circle, membership, programme_id, False)


@bp.circle_route("/<programme_id>/template", capability="therapy.prescribe", methods=["POST"])
def save_template(circle: Any, membership: Any, programme_id: str):
    """Keep one of the programme's tasks as a template on the therapist's own account."""
    found = programme_or_404(circle, programme_id)
    form = SaveTemplateForm()
    if not form.validate_on_submit():
        abort(400)
    task = db.session.scalar(
        db.select(Task).where(Task.programme_id == found.id, Task.public_id == form.task.data)
    )
    if task is None:
        abort(404)
    try:
        task_templates.save_as_template(circle, task, membership)
    except ProgrammeError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"\u201c{task.title}\u201d is kept in your templates, for any circle you prescribe in.",
            "success",
        )
    return to_programme(circle, found)
