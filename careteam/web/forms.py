"""The base class of every form (CareForm), and form fields and validators shared by features."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any
from zoneinfo import available_timezones

from flask import abort, has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    Field,
    FieldList,
    FileField,
    FormField,
    SelectField,  # noqa: F401 - the select field every CareTeam form uses
    ValidationError,
)

try:  # WTForms 3.3 prefers SelectChoice objects to (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None  # type: ignore[assignment,misc]

_TIME_ZONES = sorted(available_timezones() - {"Factory", "localtime"})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in _TIME_ZONES]


def choice(value: str, label: str) -> Any:
    """Return one option for a select or radio field, in the form this WTForms prefers."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def choices(pairs: Iterable[tuple[str, str]]) -> list[Any]:
    """Return options for a select or radio field, in the form this WTForms prefers."""
    return [choice(value, label) for value, label in pairs]


def no_control_characters(_form: object, field: Field) -> None:
    """Refuse characters that are invisible or reorder text (control and format characters)."""
    value = field.data or ""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" or (category == "Cf" and ch not in "\u200d"):
            raise ValidationError("Remove invisible or control characters from this field.")


def strip_filter(value: str | None) -> str | None:
    """A WTForms filter: remove spaces and line breaks around the text (``filters=[strip_filter]``),
    so a field of blanks counts as empty for ``DataRequired``."""
    return value.strip() if isinstance(value, str) else value


_LINE_BREAKS = frozenset("\t\n\r")


def multiline_text(_form: object, field: Field) -> None:
    """Refuse invisible control characters in multi-line text; keep tabs and line breaks."""
    for ch in field.data or "":
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _LINE_BREAKS) or (category == "Cf" and ch != "\u200d"):
            raise ValidationError("Remove invisible or control characters from this text.")


def text_characters(_form: object, field: Field) -> None:
    """Refuse control characters in care text (notes, appointment notes), keeping tabs and
    line breaks; unlike :func:`multiline_text`, format characters (bidi marks, joiners) stay:
    people paste them with text in other scripts."""
    for ch in field.data or "":
        if unicodedata.category(ch) == "Cc" and ch not in _LINE_BREAKS:
            raise ValidationError("Remove invisible control characters from this text.")


FILE_IN_TEXT_FIELD = "This field takes text, not a file."
FILE_IN_FORM = "This form takes text only: a file was sent with it."
NOT_A_FORM_POST = "Send this as a web form: this page does not read JSON."


class CareForm(FlaskForm):
    """The base of every CareTeam form, core's and plugins' (``careteam.api.PluginForm``).

    A multipart request may send any part as a file.  Flask-WTF hands such a part to the field
    of that name, and a text field's filters and validators, written for strings, would fail on
    it with a 500.  Here a file part is taken only by a file field: sent for any other name it
    is dropped before the fields see it, the field of that name (or the form, when no field has
    the name) gets an error, and the form is invalid, so the view answers as for any invalid
    form, with the person's other text kept.

    Flask-WTF also reads a JSON body as form input, with numbers, objects and nulls where
    fields expect text.  CareTeam's pages post web forms only, so a form reading the request
    ignores a JSON body and is invalid.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # Flask-WTF's default (a sentinel, not a multidict) means "read the request".
            reads_request = formdata is not None and not hasattr(formdata, "getlist")
            form._json_body = reads_request and has_request_context() and request.is_json
            if form._json_body:
                return None
            formdata = super().wrap_formdata(form, formdata)
            form._stray_file_parts = _stray_file_parts(form, formdata)
            if not form._stray_file_parts:
                return formdata
            return MultiDict(
                [
                    (name, value)
                    for name, value in formdata.items(multi=True)
                    if not (isinstance(value, FileStorage) and name in form._stray_file_parts)
                ]
            )

    _stray_file_parts: tuple[str, ...] = ()
    _json_body = False

    def process(self, *args: Any, **kwargs: Any) -> None:
        super().process(*args, **kwargs)
        for name in self._stray_file_parts:
            field = _field_named(self, name)
            if field is not None:
                field.process_errors.append(FILE_IN_TEXT_FIELD)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for name in self._stray_file_parts:
            field = _field_named(self, name)
            if field is None:
                if FILE_IN_FORM not in self.form_errors:
                    self.form_errors.append(FILE_IN_FORM)
            else:
                # Its other errors ("required", "not a valid choice") only describe the
                # emptiness the dropped file left behind; edited in place because FieldList
                # keeps references to its entries' error lists.
                field.errors[:] = [FILE_IN_TEXT_FIELD]
                hidden = getattr(field.widget, "input_type", None) == "hidden"
                if hidden and FILE_IN_FORM not in self.form_errors:
                    # Pages show no errors beside hidden fields; the form's message says it.
                    self.form_errors.append(FILE_IN_FORM)
        if self._json_body and NOT_A_FORM_POST not in self.form_errors:
            self.form_errors.append(NOT_A_FORM_POST)
        return valid and not self._stray_file_parts and not self._json_body

    def add_error(self, error: Exception, field: str | None = None) -> None:
        """Show a service's refusal beside the field it names (``field``, else the error's
        own ``field``), or above the form when it names none of this form's fields."""
        name = field or getattr(error, "field", None)
        target = getattr(self, name, None) if name else None
        if target is not None:
            target.errors = [*target.errors, str(error)]
        else:
            self.form_errors.append(str(error))


def _stray_file_parts(form: CareForm, formdata: Any) -> tuple[str, ...]:
    """Names of the file parts in ``formdata`` that no file field of ``form`` takes (file
    fields are looked for at the top level: no form nests one)."""
    if formdata is None or not hasattr(formdata, "items"):
        return ()
    file_fields = {field.name for field in form if isinstance(field, FileField)}
    names = (
        name
        for name, value in formdata.items(multi=True)
        if isinstance(value, FileStorage) and name not in file_fields
    )
    return tuple(dict.fromkeys(names))


def _field_named(fields: Any, name: str) -> Field | None:
    """Find the input field called ``name``, looking inside FieldList and FormField (which
    take no input under their own names)."""
    for field in fields:
        if isinstance(field, FieldList | FormField):
            found = _field_named(field, name)
            if found is not None:
                return found
        elif field.name == name:
            return field
    return None


class ActionForm(CareForm):
    """A form with nothing but its CSRF token: for buttons that change something (pin, cancel,
    revoke, confirm) and confirmation steps."""


def require_action() -> None:
    """Answer 400 unless this POST carries a button's :class:`ActionForm` (its CSRF token)."""
    if not ActionForm().validate_on_submit():
        abort(400)
