"""Pages of the care notes journal: feed, search, reading, comments, trash and settings.

The writing pages (new note, edit) are in :mod:`careteam.notes.editing`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from .. import audit
from ..audience import AUDIENCE_LABELS, SHORT_LABELS, Audience
from ..extensions import db
from ..permissions import CircleBlueprint, member_can
from ..web.forms import ActionForm, choice, require_action
from . import queries, read_marks, service
from .forms import (
    CommentForm,
    FeedFilterForm,
    SearchForm,
    SettingsForm,
)
from .markdown import render_markdown
from .models import CATEGORY_LABELS, Category, Note, split_tags
from .search import SearchResult, search_circle
from .trash import TRASH_DAYS, can_restore, delete_note, restore_note

bp = CircleBlueprint("notes", __name__, url_prefix="/notes")


@bp.context_processor
def _note_page_context() -> dict[str, Any]:
    """Give every notes page the labels it shows."""
    return {
        "category_labels": {c.value: label for c, label in CATEGORY_LABELS.items()},
        "audience_labels": {a.value: label for a, label in AUDIENCE_LABELS.items()},
        "audience_short": {a.value: label for a, label in SHORT_LABELS.items()},
        "split_tags": split_tags,
    }


def note_or_404(circle: Any, membership: Any, note_id: str, *, deleted: bool = False) -> Note:
    note = service.get_visible_note(circle, membership, note_id, deleted=deleted)
    if note is None:
        abort(404)
    return note


def _acted_on(circle: Any, membership: Any, note_id: str, *, deleted: bool = False) -> Note:
    """Return the note a button's POST acts on: 400 without the form's CSRF token, 404 when
    the member cannot see the note."""
    require_action()
    return note_or_404(circle, membership, note_id, deleted=deleted)


# --- feed and search -------------------------------------------------------------------------


@bp.circle_route("", capability="notes.read")
def feed(circle: Any, membership: Any):
    """Show the circle's notes, pinned first, then newest first, one page at a time."""
    authors = queries.circle_authors(circle)
    form = FeedFilterForm(request.args)
    form.author.choices = [choice("", "Anyone")] + [
        choice(a.public_id, a.display_name) for a in authors
    ]
    if request.args and not form.validate():
        page = queries.FeedPage(
            rows=[], next_cursor=None, unread=queries.unread_count(circle, membership)
        )
        status = 422
    else:
        author_id = next((a.id for a in authors if a.public_id == form.author.data), None)
        filters = queries.FeedFilters(
            category=form.category.data or None, tag=form.tag.data or None, author_id=author_id
        )
        try:
            page = queries.feed_page(circle, membership, filters, request.args.get("after"))
        except queries.BadCursor:
            abort(400)
        status = 200
    filter_args = {k: v for k, v in request.args.items() if k in form.data and v}
    return render_template(
        "notes/feed.html",
        circle=circle,
        membership=membership,
        form=form,
        search_form=SearchForm(),
        page=page,
        filter_args=filter_args,
        unread=page.unread,
        unread_text=queries.unread_text,
        can_write=member_can(membership, "notes.write"),
        can_manage=member_can(membership, "circle.manage"),
    ), status


@bp.circle_route("/search", capability="notes.read")
def search(circle: Any, membership: Any):
    """Search the notes this member may see: best first when few match, else newest first."""
    form = SearchForm(request.args)
    result = SearchResult(hits=[], count=0, capped=False)
    status = 200
    if form.validate():
        result = search_circle(circle, membership, form.q.data or "")
    else:
        status = 422
    return render_template(
        "notes/search.html", circle=circle, form=form, search_form=form, result=result
    ), status


# --- reading ---------------------------------------------------------------------------------


def _render_detail(
    circle: Any,
    membership: Any,
    note: Note,
    comment_form: CommentForm,
    author_name: str | None = None,
) -> str:
    handoff = note.category == Category.SHIFT_HANDOFF
    if author_name is None:
        author_name = queries.author_name(note.author_id)
    return render_template(
        "notes/detail.html",
        circle=circle,
        membership=membership,
        note=note,
        body_html=render_markdown(note.body),
        author_name=author_name,
        comments=queries.comments(note),
        acknowledgements=queries.acknowledgements(note) if handoff else [],
        comment_form=comment_form,
        action_form=ActionForm(),
        can_edit=service.can_edit(note, membership),
        can_comment=service.can_comment(note, membership),
        can_acknowledge=service.can_acknowledge(note, membership),
        can_pin=member_can(membership, "notes.moderate"),
    )


@bp.circle_route("/<note_id>", capability="notes.read")
def detail(circle: Any, membership: Any, note_id: str):
    """Show one note with its comments; the view is audited and marks the note read."""
    found = service.get_visible_note_and_author(circle, membership, note_id)
    if found is None:
        abort(404)
    note, author_name = found
    html = _render_detail(circle, membership, note, CommentForm(), author_name)
    read_marks.record_view(membership, note)
    return html


@bp.circle_route("/<note_id>/history", capability="notes.read")
def history(circle: Any, membership: Any, note_id: str):
    """List every saved version of a note."""
    note = note_or_404(circle, membership, note_id)
    revisions = [(rev, render_markdown(rev.body)) for rev in queries.revisions(note, membership)]
    html = render_template("notes/history.html", circle=circle, note=note, revisions=revisions)
    audit.record_now("note.history_viewed", actor_id=membership.user_id, **note.audit_subject)
    return html


# --- actions ---------------------------------------------------------------------------------


def _back_to(circle: Any, note: Note):
    return redirect(url_for("notes.detail", circle_id=circle.public_id, note_id=note.public_id))


@bp.circle_route("/<note_id>/comments", capability="notes.comment", methods=["POST"])
def comment(circle: Any, membership: Any, note_id: str):
    """Add a comment under a note the member can see."""
    note = note_or_404(circle, membership, note_id)
    if not service.can_comment(note, membership):
        abort(404)
    form = CommentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_detail(circle, membership, note, form), 422
    service.add_comment(note, membership, form.body.data)
    db.session.commit()
    flash("Your comment is added.", "success")
    return _back_to(circle, note)


@bp.circle_route("/<note_id>/acknowledge", capability="notes.write", methods=["POST"])
def acknowledge(circle: Any, membership: Any, note_id: str):
    """Confirm having read a shift handoff."""
    note = _acted_on(circle, membership, note_id)
    if not service.can_acknowledge(note, membership):
        abort(404)
    service.acknowledge(note, membership)
    db.session.commit()
    flash("Marked as seen.", "success")
    return _back_to(circle, note)


@bp.circle_route("/<note_id>/pin", capability="notes.moderate", methods=["POST"])
def pin(circle: Any, membership: Any, note_id: str):
    """Pin a note to the top of the feed."""
    return _set_pin(circle, membership, note_id, True)


@bp.circle_route("/<note_id>/unpin", capability="notes.moderate", methods=["POST"])
def unpin(circle: Any, membership: Any, note_id: str):
    """Unpin a note."""
    return _set_pin(circle, membership, note_id, False)


def _set_pin(circle: Any, membership: Any, note_id: str, pinned: bool):
    note = _acted_on(circle, membership, note_id)
    service.set_pinned(note, membership, pinned)
    db.session.commit()
    flash("Pinned to the top." if pinned else "Unpinned.", "success")
    return _back_to(circle, note)


@bp.circle_route("/<note_id>/delete", capability="notes.write", methods=["POST"])
def delete(circle: Any, membership: Any, note_id: str):
    """Move a note to the trash."""
    note = _acted_on(circle, membership, note_id)
    if not service.can_edit(note, membership):
        abort(403)
    delete_note(note, membership)
    db.session.commit()
    flash(f"The note is in the trash. You can restore it for {TRASH_DAYS} days.", "success")
    return redirect(url_for("notes.feed", circle_id=circle.public_id))


@bp.circle_route("/trash", capability="notes.write")
def trash(circle: Any, membership: Any):
    """List deleted notes this member may restore."""
    return render_template(
        "notes/trash.html",
        circle=circle,
        rows=queries.trash(circle, membership),
        action_form=ActionForm(),
        trash_days=TRASH_DAYS,
    )


@bp.circle_route("/<note_id>/restore", capability="notes.write", methods=["POST"])
def restore(circle: Any, membership: Any, note_id: str):
    """Bring a note back from the trash."""
    note = _acted_on(circle, membership, note_id, deleted=True)
    if not can_restore(note, membership):
        abort(404)
    restore_note(note, membership)
    db.session.commit()
    flash("The note is restored.", "success")
    return _back_to(circle, note)


# --- settings --------------------------------------------------------------------------------


@bp.circle_route("/settings", capability="circle.manage", methods=["GET", "POST"])
def settings(circle: Any, membership: Any):
    """Choose the audience new notes start with."""
    form = SettingsForm()
    if request.method == "GET":
        form.default_audience.data = service.default_audience(circle)
    elif form.validate_on_submit():
        service.set_default_audience(circle, form.default_audience.data, membership.user_id)
        db.session.commit()
        label = SHORT_LABELS[Audience(form.default_audience.data)]
        flash(f"New notes now start shared with: {label}.", "success")
        return redirect(url_for("notes.feed", circle_id=circle.public_id))
    status = 422 if form.errors else 200
    return render_template("notes/settings.html", circle=circle, form=form), status
