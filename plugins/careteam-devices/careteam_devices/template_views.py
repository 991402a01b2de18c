"""Checklists: the circle's own, new ones copied from another, and the item editor."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from careteam.api import choices, db

from . import inventory
from .catalog import CHECKLISTS, KIND_LABELS
from .forms import ChecklistForm, TemplateForm
from .views import bp, device_or_404

NEW_ROWS = 3


@bp.circle_route("/checklists", capability="devices.manage")
def templates(circle: Any, membership: Any):
    """List the checklists CareTeam ships and the circle's own."""
    return render_template(
        "devices/templates.html",
        circle=circle,
        own=inventory.circle_templates(circle),
        shipped=[(kind, KIND_LABELS[kind], items) for kind, items in CHECKLISTS.items()],
    )


@bp.circle_route("/checklists/new", capability="devices.manage", methods=["GET", "POST"])
def new_template(circle: Any, membership: Any):
    """Make one of the circle's own checklists by copying another."""
    form = TemplateForm()
    form.source.choices = choices(
        [
            (inventory.BLANK, "An empty checklist: write your own items"),
            *inventory.source_choices(circle),
        ]
    )
    if form.validate_on_submit():
        try:
            template = inventory.create_template(
                circle, membership, form.name.data, form.kind.data, form.source.data
            )
        except inventory.DeviceError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash("The checklist is made. Change its items below.", "success")
            return redirect(
                url_for(
                    "devices.edit_template",
                    circle_id=circle.public_id,
                    template_id=template.public_id,
                )
            )
    status_code = 422 if form.errors else 200
    return render_template("devices/template_new.html", circle=circle, form=form), status_code


def _rows(form: ChecklistForm) -> list[inventory.ItemInput]:
    rows = []
    for entry in form.items.entries:
        sub = entry.form
        if not sub.public_id.data and not (sub.text.data or "").strip():
            continue  # an empty "new item" row
        rows.append(
            inventory.ItemInput(
                public_id=sub.public_id.data or None,
                text=(sub.text.data or "").strip(),
                frequency=sub.frequency.data,
                guidance=sub.guidance.data or "",
                remove=bool(sub.remove.data),
            )
        )
    return rows


def _missing_text(form: ChecklistForm) -> bool:
    bad = False
    for entry in form.items.entries:
        sub = entry.form
        if sub.public_id.data and not sub.remove.data and not (sub.text.data or "").strip():
            sub.text.errors.append("Write the item, or tick \u201cRemove this item\u201d.")
            bad = True
    return bad


def _editor(circle: Any, membership: Any, template: Any, device: Any):
    form = ChecklistForm()
    if request.method == "GET":
        form = ChecklistForm(formdata=None, name=template.name)
        for item in inventory.items_of(template):
            form.items.append_entry(
                {
                    "public_id": item.public_id,
                    "text": item.text,
                    "frequency": item.frequency,
                    "guidance": item.guidance,
                }
            )
        for _ in range(NEW_ROWS):
            form.items.append_entry({"frequency": "weekly"})
    elif form.validate_on_submit() and not _missing_text(form):
        try:
            inventory.save_items(template, membership, form.name.data, _rows(form))
        except inventory.DeviceError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(
                "The checklist is saved. Checks under way keep the items they started with.",
                "success",
            )
            return redirect(request.path)
    status_code = 422 if request.method == "POST" else 200
    return render_template(
        "devices/checklist.html", circle=circle, form=form, template=template, device=device
    ), status_code


@bp.circle_route("/checklists/<template_id>", capability="devices.manage", methods=["GET", "POST"])
def edit_template(circle: Any, membership: Any, template_id: str):
    """Edit one of the circle's own checklists."""
    template = inventory.get_template(circle, template_id)
    if template is None or template.device_id is not None:
        abort(404)
    return _editor(circle, membership, template, None)


@bp.circle_route("/<device_id>/checklist", capability="devices.manage", methods=["GET", "POST"])
def edit_checklist(circle: Any, membership: Any, device_id: str):
    """Edit the checklist of one device."""
    device = device_or_404(circle, device_id)
    template = inventory.checklist_of(device)
    if template is None:
        abort(404)
    return _editor(circle, membership, template, device)
