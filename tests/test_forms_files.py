"""A file sent where a form takes text: an error on that field, the form invalid, never a 500.

CareForm (careteam.web.forms) is the one place this is decided, for core's forms and plugins'
(careteam.api.PluginForm).  tests/test_form_input_routes.py posts a file into every field of
every route; these tests pin down what the form itself does, and the pages the issue named.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from flask_wtf.file import FileField
from markupsafe import escape
from wtforms import FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from careteam.testing import TEST_PASSWORD, login
from careteam.web.forms import FILE_IN_FORM, FILE_IN_TEXT_FIELD, NOT_A_FORM_POST, CareForm


def _file(content: bytes = b"%PDF-1.4 not text", name: str = "scan.pdf") -> tuple:
    return io.BytesIO(content), name, "application/octet-stream"


def _errors_of(page: str, field_id: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{field_id}-errors">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


# --- the form ------------------------------------------------------------------------------


class Row(Form):
    text = StringField(validators=[DataRequired()])
    frequency = StringField()


class Sample(CareForm):
    title = StringField(validators=[DataRequired(), Length(max=100)])
    body = StringField()
    version = HiddenField()
    attachment = FileField()
    rows = FieldList(FormField(Row), min_entries=0)


def _posted(app: Any, data: dict[str, Any]) -> Sample:
    """Build ``Sample`` from a multipart POST of ``data`` and validate it (no CSRF token)."""
    with app.test_request_context(method="POST", data=data, content_type="multipart/form-data"):
        form = Sample(meta={"csrf": False})
        form.valid = form.validate()
        return form


def test_a_file_in_a_text_field_is_an_error_on_that_field(app):
    form = _posted(app, {"title": _file(), "body": "Walked with the cane."})
    assert form.valid is False
    # Only this message: "required" would only describe the emptiness the file left.
    assert form.title.errors == [FILE_IN_TEXT_FIELD]
    assert form.title.data is None
    assert form.body.data == "Walked with the cane."
    assert form.body.errors == []
    assert form.form_errors == []


def test_a_file_in_a_file_field_is_taken(app):
    form = _posted(app, {"title": "Scan", "attachment": _file()})
    assert form.valid is True
    assert form.attachment.data.filename == "scan.pdf"


def test_a_file_beside_the_text_of_the_same_field_is_still_refused(app):
    form = _posted(app, {"title": ["Typed title", _file()]})
    assert form.valid is False
    assert form.title.data == "Typed title"
    assert form.title.errors == [FILE_IN_TEXT_FIELD]


def test_a_file_in_a_field_of_a_list_is_an_error_on_that_row(app):
    data = {
        "title": "Checklist",
        "rows-0-text": "Rubber tip worn?",
        "rows-1-text": _file(),
        "rows-1-frequency": "weekly",
    }
    form = _posted(app, data)
    assert form.valid is False
    assert form.rows.entries[0].form.text.errors == []
    assert form.rows.entries[1].form.text.errors == [FILE_IN_TEXT_FIELD]
    assert form.errors["rows"][1] == {"text": [FILE_IN_TEXT_FIELD]}


def test_a_file_that_is_all_a_list_row_sent_is_said_for_the_form(app):
    # No row is made from a file alone, so no field of the row can carry the error.
    form = _posted(app, {"title": "Checklist", "rows-0-text": _file()})
    assert form.valid is False
    assert form.rows.entries == []
    assert form.form_errors == [FILE_IN_FORM]


def test_a_file_under_a_name_no_field_has_makes_the_form_invalid(app):
    form = _posted(app, {"title": "Fine", "action": _file()})
    assert form.valid is False
    assert form.form_errors == [FILE_IN_FORM]
    assert form.title.errors == []


def test_a_file_in_a_hidden_field_is_said_for_the_whole_form(app):
    # Pages show no error beside a hidden field.
    form = _posted(app, {"title": "Fine", "version": _file()})
    assert form.valid is False
    assert form.version.errors == [FILE_IN_TEXT_FIELD]
    assert form.form_errors == [FILE_IN_FORM]


def test_validating_twice_says_it_once(app):
    data = {"title": _file(), "action": _file()}
    with app.test_request_context(method="POST", data=data, content_type="multipart/form-data"):
        form = Sample(meta={"csrf": False})
        assert form.validate() is False
        assert form.validate() is False
        assert form.title.errors == [FILE_IN_TEXT_FIELD]
        assert form.form_errors == [FILE_IN_FORM]


def test_a_form_built_without_the_request_is_not_affected(app):
    with app.test_request_context(
        method="POST", data={"title": _file()}, content_type="multipart/form-data"
    ):
        form = Sample(formdata=None, meta={"csrf": False}, title="Shown as stored")
        assert form.title.data == "Shown as stored"
        assert form.validate() is True


def test_a_form_given_its_data_reads_it_even_in_a_json_request(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST", json={"title": 5}):
        form = Sample(MultiDict({"title": "Given"}), meta={"csrf": False})
        assert form.validate() is True
        assert form.title.data == "Given"


# --- every form is one -----------------------------------------------------------------------


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def test_every_form_of_core_and_the_plugins_is_a_care_form(app):
    from flask_wtf import FlaskForm  # noqa: TID251 - to find forms that bypass CareForm

    from careteam.api import PluginForm

    assert PluginForm is CareForm
    loaded = app.extensions["careteam"].plugins
    # The first-party plugins installed here have forms of their own, which the scan must find.
    packages = {"devices": "careteam_devices", "hello": "careteam_hello"}
    expected = {"careteam"} | {package for name, package in packages.items() if name in loaded}
    forms = [
        cls
        for cls in _all_subclasses(FlaskForm)
        if cls.__module__.startswith(("careteam.", "careteam_")) and cls is not CareForm
    ]
    modules = {cls.__module__.split(".")[0] for cls in forms}
    assert expected <= modules
    assert [cls for cls in forms if not issubclass(cls, CareForm)] == []


# --- the pages the issue names ---------------------------------------------------------------


def test_login_with_the_email_sent_as_a_file(app, client, make_user):
    user = make_user()
    token = client.csrf_token("/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": _file(user.email.encode(), "email.txt"),
            "password": "x",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert FILE_IN_TEXT_FIELD in _errors_of(page, "email")
    assert client.get("/home").status_code == 302  # not signed in


def test_forgot_password_with_the_email_sent_as_a_file(app, client, make_user):
    user = make_user()
    token = client.csrf_token("/forgot-password")
    response = client.post(
        "/forgot-password",
        data={"csrf_token": token, "email": _file(user.email.encode())},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert FILE_IN_TEXT_FIELD in _errors_of(response.get_data(as_text=True), "email")


def test_a_file_in_the_profile_keeps_the_name_that_was_typed(app, client, make_user):
    user = make_user(display_name="Ruth")
    login(client, user.email)
    token = client.csrf_token("/account/profile")
    typed = "Ruth <b>Okafor</b> \u00e9"
    response = client.post(
        "/account/profile",
        data={"csrf_token": token, "display_name": typed, "time_zone": _file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert FILE_IN_TEXT_FIELD in _errors_of(page, "time_zone")
    assert str(escape(typed)) in page
    assert str(escape(typed)) not in client.get("/account/profile").get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        {"email": 5, "password": "x"},
        {"email": {"nested": 1}, "password": "x"},
        {"email": None, "password": "x"},
        [1, 2],
        "just a string",
        # Even well-formed text is not read from JSON: pages post web forms.
        {"email": "EMAIL", "password": TEST_PASSWORD},
    ],
)
def test_a_json_body_is_not_form_input(app, client, make_user, body):
    user = make_user()
    token = client.csrf_token("/login")
    if isinstance(body, dict):
        body = {key: user.email if value == "EMAIL" else value for key, value in body.items()}
    response = client.post(
        "/login",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422
    assert NOT_A_FORM_POST in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302  # not signed in
