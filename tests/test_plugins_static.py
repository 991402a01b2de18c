"""Plugins' static files: /static/plugins/<name>/<path>, served as core serves /static."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for

from careteam import hookimpl
from careteam.api import PluginManifest
from careteam.testing import sql_statements

FOLDER = Path(__file__).parent / "plugin_static_files"
SVG = "/static/plugins/drawings/drawings/sit-to-stand.svg"


class Drawings:
    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="drawings", label="Drawings", static=FOLDER)


class NoFiles:
    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="nofiles", label="No files")


class MissingFolder:
    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="lostfiles", label="Lost", static=FOLDER / "not-here")


@pytest.fixture
def careteam_plugins() -> list[Any]:
    return [Drawings(), NoFiles(), MissingFolder()]


def test_a_plugins_file_is_served_with_cores_static_headers(app: Flask, client: Any) -> None:
    response = client.get(SVG)
    assert response.status_code == 200
    assert response.data == (FOLDER / "drawings" / "sit-to-stand.svg").read_bytes()
    assert response.mimetype == "image/svg+xml"
    core = client.get("/static/favicon.svg")
    assert core.status_code == 200 and core.mimetype == "image/svg+xml"
    for header in ("Cache-Control", "X-Content-Type-Options", "Content-Security-Policy"):
        assert response.headers.get(header) == core.headers.get(header), header
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.headers.get("ETag") and response.headers.get("Last-Modified")
    css = client.get("/static/plugins/drawings/caseload.css")
    assert css.status_code == 200 and css.mimetype == "text/css"


def test_a_conditional_request_gets_304(app: Flask, client: Any) -> None:
    etag = client.get(SVG).headers["ETag"]
    assert client.get(SVG, headers={"If-None-Match": etag}).status_code == 304


def test_serving_a_file_loads_nobody_and_costs_no_statement(app: Flask, client_as: Any) -> None:
    client = client_as("coordinator")  # signed in: the file must still not read the session
    with sql_statements(app) as statements:
        response = client.get(SVG)
    assert response.status_code == 200
    assert statements == []
    assert "no-store" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/plugins/drawings/drawings/missing.svg",
        "/static/plugins/drawings/drawings",
        "/static/plugins/drawings/../test_plugins_static.py",
        "/static/plugins/drawings/drawings/../../test_plugins_static.py",
        "/static/plugins/drawings/%2e%2e/test_plugins_static.py",
        "/static/plugins/drawings/..%2ftest_plugins_static.py",
        "/static/plugins/drawings/" + str(Path(__file__).resolve()).lstrip("/"),
        "/static/plugins/drawings//etc/passwd",
        "/static/plugins/nofiles/drawings/sit-to-stand.svg",
        "/static/plugins/lostfiles/drawings/sit-to-stand.svg",
        "/static/plugins/nosuchplugin/drawings/sit-to-stand.svg",
        "/static/plugins/drawings/%00.svg",
    ],
)
def test_what_is_not_a_loaded_plugins_file_is_404(app: Flask, client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert b"sit-to-stand" not in response.data and b"import" not in response.data


def test_a_missing_static_folder_keeps_the_plugin_out_with_the_reason(app: Flask) -> None:
    host = app.extensions["careteam"]
    assert "drawings" in host.plugins and "nofiles" in host.plugins
    assert "lostfiles" not in host.plugins
    [problem] = [p for p in host.problems if p.name == "lostfiles"]
    assert "static folder" in problem.error and "not-here" in problem.error


def test_templates_link_a_file_with_url_for(app: Flask) -> None:
    with app.test_request_context():
        url = url_for("plugin_static", plugin="drawings", filename="drawings/sit-to-stand.svg")
    assert url == SVG
