"""The therapy pages outside circles (a therapist's overview and templates), under /therapy.

These pages belong to a person, not a circle: a visitor is sent to sign in, and someone who
prescribes in no circle (with the plugin on) gets 404, as if the pages were not there.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from careteam.api import PluginForm, db

from . import task_templates
from .editor import fields_input, row_data, show_errors
from .forms import TemplateForm
from .programmes import ProgrammeError

site_bp = Blueprint("therapy_site", __name__, url_prefix="/therapy", template_folder="templates")

PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _prescriber_or_404() -> None:
    if not task_templates.prescribing_circles(current_user.id):
        abort(404)


def _own_template_or_404(template_id: str) -> Any:
    _prescriber_or_404()
    template = (
        task_templates.get_template(current_user.id, template_id)
        if PUBLIC_ID.fullmatch(template_id)
        else None
    )
    if template is None:
        abort(404)
    return template


@site_bp.route("/templates")
@login_required
def templates():
    """The therapist's own templates, offered wherever they prescribe."""
    _prescriber_or_404()
    return render_template(
        "therapy/templates.html",
        templates=task_templates.templates_of(current_user.id),
        delete_form=PluginForm(formdata=None),
    )


@site_bp.route("/templates/<template_id>", methods=["GET", "POST"])
@login_required
def template(template_id: str):
    """Change one of the therapist's templates (programmes copied from it keep their copy)."""
    found = _own_template_or_404(template_id)
    if request.method == "GET":
        data = row_data(task_templates.template_input(found))
        form = TemplateForm(formdata=None, **data)
    else:
        form = TemplateForm()
    if form.validate_on_submit():
        task = fields_input(form, start_date=None)
        rules = task_templates.check_template(task)
        if rules:
            show_errors(form, rules)
        else:
            try:
                task_templates.update_template(found, task)
            except ProgrammeError as error:  # the rules again: another request changed nothing
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(f"The template \u201c{found.title}\u201d is saved.", "success")
                return redirect(url_for("therapy_site.templates"))
    status_code = 422 if request.method == "POST" else 200
    return render_template("therapy/template.html", form=form, template=found), status_code


@site_bp.route("/templates/<template_id>/delete", methods=["POST"])
@login_required
def delete_template(template_id: str):
    """Delete a template; programmes that copied it keep their own tasks."""
    found = _own_template_or_404(template_id)
    if not PluginForm().validate_on_submit():
        abort(400)
    title = found.title
    task_templates.delete_template(found)
    db.session.commit()
    flash(f"The template \u201c{title}\u201d is deleted.", "success")
    return redirect(url_for("therapy_site.templates"))
