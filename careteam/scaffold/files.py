"""The files of a new plugin, made from the templates in ``template/`` (package data)."""

from __future__ import annotations

from pathlib import Path
from string import Template

from ..plugins.api_version import API_VERSION
from .names import distribution_name, package_name

TEMPLATE_DIR = Path(__file__).parent / "template"

# (template, path in the new plugin's folder), in the order the tutorial in docs/plugins.md
# walks them.  Paths are str.format patterns over the values below.
FILES = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("__init__.py.tmpl", "{package}/__init__.py"),
    ("plugin.py.tmpl", "{package}/plugin.py"),
    ("models.py.tmpl", "{package}/models.py"),
    ("migration.py.tmpl", "{package}/migrations/{name}_0001_entries.py"),
    ("service.py.tmpl", "{package}/service.py"),
    ("forms.py.tmpl", "{package}/forms.py"),
    ("views.py.tmpl", "{package}/views.py"),
    ("index.html.tmpl", "{package}/templates/{name}/index.html"),
    ("_panel.html.tmpl", "{package}/templates/{name}/_panel.html"),
    ("test_plugin.py.tmpl", "tests/test_{name}.py"),
    ("README.md.tmpl", "README.md"),
)


def requires_api_range(version: str = API_VERSION) -> str:
    """Return the ``requires_api`` range for a plugin written against ``version``: from it up
    to the next major version, e.g. ``">=1.0,<2"``."""
    major = int(version.split(".")[0])
    return f">={version},<{major + 1}"


def template_values(name: str) -> dict[str, str]:
    """Return what the templates' ``${...}`` placeholders stand for, for the plugin ``name``."""
    label = name.replace("_", " ").capitalize()
    return {
        "name": name,
        "package": package_name(name),
        "distribution": distribution_name(name),
        "label": label,
        "label_lower": label.lower(),
        "model": "".join(part.capitalize() for part in name.split("_")) + "Entry",
        "requires_api": requires_api_range(),
    }


def plugin_files(name: str) -> dict[str, str]:
    """Return {relative path: text} of every file of a new plugin named ``name``."""
    values = template_values(name)
    files = {}
    for template, pattern in FILES:
        text = (TEMPLATE_DIR / template).read_text(encoding="utf-8")
        # substitute(), not safe_substitute(): a placeholder without a value is a bug here.
        files[pattern.format(**values)] = Template(text).substitute(values)
    return files
