"""The circle's Plugins pages: switch each plugin on or off, and fill in its settings."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from wtforms import HiddenField
from wtforms.validators import AnyOf

from ..extensions import db
from ..permissions import CircleBlueprint
from ..plugins.enablement import (
    enabled_plugins,
    plugin_host,
    plugin_settings,
    save_plugin_settings,
    set_enabled,
)
from ..registries import NavItem, register_action_label
from ..web.forms import CareForm
from .membership import lock_circle

bp = CircleBlueprint("circle_plugins", __name__, url_prefix="/settings/plugins")


class SwitchForm(CareForm):
    """One plugin's on/off button."""

    plugin = HiddenField()
    enabled = HiddenField(validators=[AnyOf(["on", "off"])])


@bp.circle_route("", capability="circle.manage", methods=["GET", "POST"])
def index(circle: Any, membership: Any):
    """List the installed plugins with a button to switch each on or off in this circle."""
    host = plugin_host()
    if request.method == "POST":
        form = SwitchForm()
        if not form.validate_on_submit():
            abort(400)
        if form.plugin.data not in host.plugins:
            abort(404)
        lock_circle(circle.id)
        turn_on = form.enabled.data == "on"
        changed = set_enabled(circle, form.plugin.data, turn_on, membership.user_id)
        db.session.commit()
        label = host.plugins[form.plugin.data].label
        if changed:
            flash(
                f"\u201c{label}\u201d is on in this circle."
                if turn_on
                else f"\u201c{label}\u201d is off in this circle. Nothing it stored is deleted.",
                "success",
            )
        return redirect(url_for("circle_plugins.index", circle_id=circle.public_id))
    on = enabled_plugins(circle.id)
    plugins = sorted(host.plugins.values(), key=lambda p: p.label.casefold())
    return render_template(
        "circles/plugins.html", circle=circle, plugins=plugins, on=on, form=SwitchForm()
    )


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    # Settings live in the circle's JSON column: dates and decimals are kept as text.
    return json.loads(json.dumps(values, default=str))


@bp.circle_route("/<plugin>", capability="circle.manage", methods=["GET", "POST"])
def plugin_settings_page(circle: Any, membership: Any, plugin: str):
    """Show and save one plugin's settings for this circle."""
    loaded = plugin_host().plugins.get(plugin)
    if loaded is None or loaded.settings_form is None:
        abort(404)
    current = plugin_settings(circle, plugin)
    form = loaded.settings_form(data=current) if request.method == "GET" else loaded.settings_form()
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("csrf_token", "submit")}
        lock_circle(circle.id)
        save_plugin_settings(circle, plugin, _json_ready(values), membership.user_id)
        db.session.commit()
        flash(f"The settings of \u201c{loaded.label}\u201d are saved.", "success")
        return redirect(url_for("circle_plugins.index", circle_id=circle.public_id))
    status = 422 if form.errors else 200
    return render_template(
        "circles/plugin_settings.html", circle=circle, plugin=loaded, form=form
    ), status


AUDIT_LABELS = {
    "plugin.enabled": "Switched a plugin on",
    "plugin.disabled": "Switched a plugin off",
    "plugin.settings_changed": "Changed a plugin's settings",
}


def init_plugin_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    for action, label in AUDIT_LABELS.items():
        register_action_label(app, action, label)
    app.extensions["careteam_ui"].add_nav(
        "circle",
        NavItem("Plugins", "circle_plugins.index", order=96, capability="circle.manage"),
    )
