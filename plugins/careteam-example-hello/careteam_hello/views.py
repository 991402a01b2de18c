"""The hello plugin's page inside a circle: read and leave kind words."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from careteam.api import CircleBlueprint, db, member_can

from . import service
from .forms import KindWordForm

# Core mounts it under /circles/<circle id>/ and guards it: outsiders and circles where the
# plugin is off get 404, members without the declared capability 403.
bp = CircleBlueprint("hello", __name__, url_prefix="/hello", template_folder="templates")


def _page(circle: Any, membership: Any, form: KindWordForm, status: int = 200):
    before = request.args.get("before") or None
    # One more than a page tells whether an older page exists.
    words = service.kind_words(circle, limit=service.PAGE_SIZE + 1, before=before)
    older = words[service.PAGE_SIZE - 1]["id"] if len(words) > service.PAGE_SIZE else None
    return render_template(
        "hello/index.html",
        circle=circle,
        form=form,
        words=words[: service.PAGE_SIZE],
        older=older,
        paged=before is not None,
        can_write=member_can(membership, "hello.write") and not circle.archived,
    ), status


@bp.circle_route("", capability="circle.view")
def index(circle: Any, membership: Any):
    """Show the circle's kind words, newest first, with the form to add one."""
    return _page(circle, membership, KindWordForm(formdata=None))


@bp.circle_route("", capability="hello.write", methods=["POST"], endpoint="add")
def add(circle: Any, membership: Any):
    """Leave a kind word; on an error, show the form again with the text kept."""
    form = KindWordForm()
    if not form.validate_on_submit():
        return _page(circle, membership, form, 422)
    service.leave_kind_word(circle, membership, form.message.data)
    db.session.commit()
    flash("Thank you. Your message is on the circle's page.", "success")
    return redirect(url_for("hello.index", circle_id=circle.public_id))
