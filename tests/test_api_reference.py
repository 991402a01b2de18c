"""docs/plugins.md documents every name of ``careteam.api`` and every form macro.

The reference is generated (``python -m careteam.reference docs/plugins.md``); the contract
test checks the file is up to date, these check there is something true to generate.
"""

from __future__ import annotations

import re
from pathlib import Path

import careteam.api as api
from careteam import reference

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def test_every_exported_name_has_reference_text():
    assert reference.undocumented_names() == [], (
        "give these careteam.api names a docstring (or a REFERENCE_NOTES entry for values)"
    )


def test_every_exported_name_is_in_exactly_one_group_of_the_reference():
    grouped = [name for _title, names in reference.GROUPS for name in names]
    assert len(grouped) == len(set(grouped)), "a name is listed in two groups"
    assert set(grouped) == set(api.__all__), (
        f"not grouped: {set(api.__all__) - set(grouped)}; "
        f"grouped but not exported: {set(grouped) - set(api.__all__)}"
    )


def test_notes_describe_only_exported_names():
    assert set(api.REFERENCE_NOTES) <= set(api.__all__)


def test_the_reference_shows_each_name_once_with_its_signature():
    text = DOCS.read_text(encoding="utf-8")
    part = text[text.index(reference.START) : text.index(reference.END)]
    for name in api.__all__:
        headings = re.findall(rf"^#### (?:class )?`{re.escape(name)}[`(]", part, re.MULTILINE)
        assert len(headings) == 1, f"{name}: {headings}"
    assert "#### `require(membership: Any, capability: str) -> None`" in part
    assert "#### class `NavItem`" in part and "| `endpoint` | str | required |" in part


def test_dataclass_fields_carry_their_source_comments():
    lines = reference.render_name("Panel")
    table = "\n".join(lines)
    assert "| `template` | str | required | The template core renders" in table
    assert "`plugin`" not in table  # core fills it in; plugins never set it


def test_docstrings_a_field_comment_and_a_value_render_as_markdown():
    assert reference.documentation("require").startswith("Raise `PermissionDenied`")
    assert "Value: `care_recipient`, `caregiver`" in "\n".join(reference.render_name("CARE_TEAM"))


def test_an_object_with_only_an_inherited_docstring_counts_as_undocumented():
    class Shared(frozenset):
        pass

    assert reference._own_docstring(Shared) is None
    assert reference._own_docstring(api.NavItem) is not None


def test_every_form_macro_has_a_comment():
    assert reference.undocumented_macros() == []
    signatures = [signature for signature, _doc in reference.form_macros()]
    assert "render_field(field, autocomplete=None, inputmode=None, rows=None)" in signatures
    assert "form_errors(form)" in signatures


def test_a_macro_without_a_comment_is_found(tmp_path, monkeypatch):
    template = tmp_path / "_forms.html"
    template.write_text(
        "{# Documented. #}\n{% macro a(x) -%}{%- endmacro %}\n\n{% macro b(y) -%}{%- endmacro %}\n"
    )
    monkeypatch.setattr(reference, "FORMS_TEMPLATE", template)
    assert reference.undocumented_macros() == ["b"]
    assert reference.form_macros() == [("a(x)", "Documented.")]


def _slug(heading: str) -> str:
    # GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_inside_the_guide_name_one_of_its_headings():
    text = DOCS.read_text(encoding="utf-8")
    outside_code = re.sub(r"```.*?```", "", text, flags=re.S)
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", outside_code, re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", outside_code))
    assert "hook-reference" in links and links <= anchors, f"links to no heading: {links - anchors}"
