"""Writing and editing notes; an edit over a newer version shows both texts to merge."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import db
from . import queries, service
from .forms import NoteForm
from .models import Category
from .views import bp, note_or_404


def _note_form(membership: Any, note: Any = None) -> NoteForm:
    form = NoteForm()
    if note is None:
        form.audience.offer(membership)
    else:
        form.audience.offer(
            membership,
            current=note.audience,
            author_id=note.author_id,
            **service.NOTE_AUDIENCE_RULE,
        )
    return form


def _tags_or_error(form: NoteForm) -> list[str] | None:
    try:
        return service.parse_tags(form.tags.data)
    except service.NoteError as error:
        form.tags.errors = [*form.tags.errors, str(error)]
        return None


def _written(form: NoteForm, tags: list[str]) -> dict[str, Any]:
    """The note as the form has it, for :func:`service.create_note` and ``update_note``."""
    return {
        "title": form.title.data or "",
        "body": form.body.data,
        "category": form.category.data,
        "tags": tags,
        "audience": form.audience.data,
    }


def _saved(circle: Any, note: Any, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("notes.detail", circle_id=circle.public_id, note_id=note.public_id))


@bp.circle_route("/new", capability="notes.write", methods=["GET", "POST"])
def new(circle: Any, membership: Any):
    """Write a note."""
    form = _note_form(membership)
    if request.method == "GET":
        form.audience.data = service.default_audience_for(circle, membership)
        if request.args.get("category") in {c.value for c in Category}:
            form.category.data = request.args["category"]
    if form.validate_on_submit():
        tags = _tags_or_error(form)
        if tags is not None:
            try:
                note = service.create_note(circle, membership, **_written(form, tags))
            except service.NoteError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                return _saved(circle, note, "Your note is saved.")
    status = 422 if form.errors else 200
    return render_template("notes/form.html", circle=circle, form=form, note=None), status


@bp.circle_route("/<note_id>/edit", capability="notes.write", methods=["GET", "POST"])
def edit(circle: Any, membership: Any, note_id: str):
    """Edit a note; a save over a newer version shows both texts instead of overwriting."""
    note = service.get_visible_note(circle, membership, note_id)
    if note is None:
        trashed = service.get_visible_note(circle, membership, note_id, deleted=True)
        if trashed is None or request.method != "POST":
            abort(404)
        # Deleted while this person was editing: keep what they typed on screen.
        form = _note_form(membership, trashed)
        form.form_errors.append(
            "This note was moved to the trash while you were editing it, so it was not saved. "
            "Copy your text from below, or restore the note from the trash first."
        )
        return render_template("notes/form.html", circle=circle, form=form, note=trashed), 409
    if not service.can_edit(note, membership):
        abort(403)
    form = _note_form(membership, note)
    if request.method == "GET":
        form.title.data = note.title
        form.body.data = note.body
        form.category.data = note.category
        form.tags.data = ", ".join(note.tags)
        form.audience.data = note.audience
        form.version.data = str(note.version)
    elif form.validate_on_submit():
        tags = _tags_or_error(form)
        try:
            expected = int(form.version.data or "")
        except ValueError:
            abort(400)
        if tags is not None:
            try:
                service.update_note(
                    note, membership, expected_version=expected, **_written(form, tags)
                )
            except service.StaleEdit as stale:
                db.session.rollback()
                return _conflict(circle, form, stale.current.public_id, membership)
            except service.NoteError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                return _saved(circle, note, "Your changes are saved.")
    status = 422 if form.errors else 200
    return render_template("notes/form.html", circle=circle, form=form, note=note), status


def _conflict(circle: Any, form: NoteForm, note_id: str, membership: Any):
    current = note_or_404(circle, membership, note_id)
    # The form now carries the newest version, so saving after merging succeeds.
    form.version.data = str(current.version)
    return render_template(
        "notes/conflict.html",
        circle=circle,
        form=form,
        note=current,
        editor_name=queries.author_name(current.updated_by_id),
    ), 409
