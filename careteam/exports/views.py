"""The circle export page and the download."""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, url_for

from .. import audit
from ..db.clock import utcnow
from ..db.engine import snapshot_reads
from ..permissions import CircleBlueprint
from ..plugins.enablement import enabled_plugins
from ..registries import export_sections
from ..web.forms import CareForm
from .archive import ExportFailed, build_export, filename_for

bp = CircleBlueprint("exports", __name__, url_prefix="/export")


class DownloadForm(CareForm):
    """Nothing but the CSRF token: the download writes an audit row."""


@bp.circle_route("", capability="circle.export")
def page(circle: Any, membership: Any):
    """Explain what the download holds and offer the button."""
    return _render_page(circle, DownloadForm())


def _render_page(circle: Any, form: DownloadForm) -> str:
    sections = export_sections(enabled_plugins(circle.id))
    return render_template("exports/page.html", circle=circle, sections=sections, form=form)


@bp.circle_route(
    "", capability="circle.export", allow_archived=True, methods=["POST"], endpoint="download"
)
def download(circle: Any, membership: Any):
    """Build the zip of what this person may see in the circle and send it."""
    form = DownloadForm()
    if not form.validate_on_submit():
        return _render_page(circle, form), 400
    plugins_on = enabled_plugins(circle.id)
    try:
        # One consistent snapshot, holding no write lock while the zip is built.
        with snapshot_reads():
            data = build_export(circle, membership, plugins_on)
    except ExportFailed as failure:
        flash(
            f"The download could not be made: the part \u201c{failure.section.label}\u201d "
            "failed. Nothing was downloaded. Please try again later; if it keeps failing, "
            "tell the site's operator.",
            "error",
        )
        return redirect(url_for("exports.page", circle_id=circle.public_id))
    audit.record_now(
        "export.downloaded",
        actor_id=membership.user_id,
        details={"bytes": len(data)},
        **circle.audit_subject,
    )
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename_for(circle.name, utcnow())}"'
    )
    return response
