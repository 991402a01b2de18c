"""Plugins' static files (images, stylesheets), served at ``/static/plugins/<name>/<path>``.

A plugin names its folder in the manifest (``PluginManifest.static``); templates link a file
with ``url_for("plugin_static", plugin="<name>", filename="<path>")``.  The files are served as
core serves its own ``/static``: the same conditional responses and the same cache headers
(``careteam.web.security_headers`` treats every path under ``/static/`` alike), and nothing
about the reader is looked up, so a file costs no database statement.  A plugin that is not
loaded, has no folder, or has no such file answers 404, as does a path that climbs out of the
folder.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, current_app, send_from_directory

from .enablement import plugin_host

ENDPOINT = "plugin_static"
URL_RULE = "/static/plugins/<plugin>/<path:filename>"


def init_plugin_static(app: Flask) -> None:
    app.add_url_rule(URL_RULE, endpoint=ENDPOINT, view_func=plugin_static)


def static_folder(plugin: str) -> Path | None:
    """Return the static folder of a loaded plugin, or None."""
    loaded = plugin_host().plugins.get(plugin)
    if loaded is None or loaded.manifest.static is None:
        return None
    return Path(loaded.manifest.static)


def plugin_static(plugin: str, filename: str) -> Response:
    """Send one of a loaded plugin's static files."""
    folder = static_folder(plugin)
    if folder is None:
        abort(404)
    # send_from_directory refuses (404) any path that would leave the folder.
    return send_from_directory(
        folder, filename, max_age=current_app.get_send_file_max_age(filename)
    )


def check_static_folder(plugin: str, folder: Path | str | None) -> None:
    """Raise ValueError when a manifest names a static folder that is not a folder."""
    if folder is not None and not Path(folder).is_dir():
        raise ValueError(f"the static folder of {plugin!r} is not a folder: {folder}")
