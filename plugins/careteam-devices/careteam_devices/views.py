"""The devices pages: the list, adding and changing a device, its page, retiring it."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from careteam.api import CircleBlueprint, PluginForm, choices, db, member_can, record_view

from . import checks, inventory, problems, status
from .catalog import FREQUENCY_LABELS, KIND_LABELS
from .forms import DeviceForm, RetireForm, StartForm

AUTO = "auto"
# What a public id can look like: anything else (a NUL byte, a 300-character string) is no
# row's id, and must not reach PostgreSQL, which refuses NUL in text with an error.
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

bp = CircleBlueprint("devices", __name__, url_prefix="/devices", template_folder="templates")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "frequency_labels": FREQUENCY_LABELS}


def device_or_404(circle: Any, device_id: str) -> Any:
    device = inventory.get_device(circle, device_id)
    if device is None:
        abort(404)
    return device


def to_device(circle: Any, device: Any) -> Any:
    return redirect(
        url_for("devices.detail", circle_id=circle.public_id, device_id=device.public_id)
    )


def _input(form: DeviceForm) -> inventory.DeviceInput:
    return inventory.DeviceInput(
        kind=form.kind.data,
        name=form.name.data,
        make_model=form.make_model.data or "",
        size_settings=form.size_settings.data or "",
        acquired_on=form.acquired_on.data,
        fitted_by=form.fitted_by.data or "",
        supplier_contact=form.supplier_contact.data or "",
        notes=form.notes.data or "",
    )


@bp.circle_route("", capability="devices.check")
def index(circle: Any, membership: Any):
    """List the devices in use with what is due, and the open problems."""
    return render_template(
        "devices/index.html",
        circle=circle,
        statuses=status.statuses(circle),
        problems=problems.open_problems(circle),
        retired=inventory.devices_of(circle, retired=True),
        can_manage=member_can(membership, "devices.manage") and not circle.archived,
    )


@bp.circle_route("/new", capability="devices.manage", methods=["GET", "POST"])
def new(circle: Any, membership: Any):
    """Add a device, with a checklist copied from the one for its kind (or the circle's own)."""
    form = DeviceForm()
    form.source.choices = choices(
        [
            (AUTO, "CareTeam's checklist for the kind of device chosen above"),
            *inventory.source_choices(circle),
        ]
    )
    if form.validate_on_submit():
        source = form.source.data
        if source == AUTO:
            source = f"{inventory.SHIPPED}{form.kind.data}"
        try:
            device = inventory.add_device(circle, membership, _input(form), source)
        except inventory.DeviceError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"\u201c{device.name}\u201d is added, with its checklist.", "success")
            return to_device(circle, device)
    status_code = 422 if form.errors else 200
    return render_template("devices/form.html", circle=circle, form=form, device=None), status_code


def _detail_page(circle: Any, membership: Any, device: Any, retire_form: RetireForm) -> str:
    [device_status] = status.statuses(circle, devices=[device]) or [None]
    return render_template(
        "devices/detail.html",
        circle=circle,
        device=device,
        status=device_status,
        running=checks.running_check(device),
        problems=problems.open_problems(circle, device),
        start_form=StartForm(token=checks.new_start_token()),
        retire_form=retire_form,
        can_manage=member_can(membership, "devices.manage") and not circle.archived,
        can_check=not circle.archived and device.retired_at is None,
    )


@bp.circle_route("/<device_id>", capability="devices.check")
def detail(circle: Any, membership: Any, device_id: str):
    """Show a device: its facts, what is due, open problems, and the check under way."""
    device = device_or_404(circle, device_id)
    page = _detail_page(circle, membership, device, RetireForm(formdata=None))
    record_view("devices.device_viewed", circle, object_type="device", object_id=device.public_id)
    return page


@bp.circle_route("/<device_id>/edit", capability="devices.manage", methods=["GET", "POST"])
def edit(circle: Any, membership: Any, device_id: str):
    """Change a device's details (its checklist has a page of its own)."""
    device = device_or_404(circle, device_id)
    # A GET shows the device as stored; a POST shows what was typed (errors included).
    form = DeviceForm(obj=None if request.method == "POST" else device)
    del form.source
    if form.validate_on_submit():
        try:
            inventory.update_device(device, membership, _input(form))
        except inventory.DeviceError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash("The device's details are saved.", "success")
            return to_device(circle, device)
    status_code = 422 if form.errors else 200
    return render_template(
        "devices/form.html", circle=circle, form=form, device=device
    ), status_code


@bp.circle_route("/<device_id>/retire", capability="devices.manage", methods=["POST"])
def retire(circle: Any, membership: Any, device_id: str):
    """Retire a device: off the list and the reminders, its history kept."""
    device = device_or_404(circle, device_id)
    form = RetireForm()
    if not form.validate_on_submit():
        # The device page again, with the reason as typed and what is wrong with it.
        return _detail_page(circle, membership, device, form), 422
    inventory.set_retired(device, membership, True, form.reason.data or "")
    db.session.commit()
    flash(f"\u201c{device.name}\u201d is retired. Its history is kept.", "success")
    return redirect(url_for("devices.index", circle_id=circle.public_id))


@bp.circle_route("/<device_id>/restore", capability="devices.manage", methods=["POST"])
def restore(circle: Any, membership: Any, device_id: str):
    """Bring a retired device back into use."""
    device = device_or_404(circle, device_id)
    # Only the button's CSRF token: the form refuses anything else sent with it (a file).
    if not PluginForm().validate_on_submit():
        abort(400)
    inventory.set_retired(device, membership, False)
    db.session.commit()
    flash(f"\u201c{device.name}\u201d is back in use.", "success")
    return to_device(circle, device)
