"""Forms for creating and editing circles, changing roles and filtering the audit log."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from ..forms import no_control_characters, strip_filter, time_zone_choices
from ..permissions import ROLE_LABELS, Role

try:  # WTForms 3.3 prefers SelectChoice objects to (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None  # type: ignore[assignment,misc]

MAX_NAME = 100
MAX_DESCRIPTION = 2000
_LINE_BREAKS = frozenset("\t\n\r")


def choices(pairs: list[tuple[str, str]]) -> list[Any]:
    """Return options for a select or radio field, in the form this WTForms prefers."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def multiline_text(_form: object, field: Field) -> None:
    """Refuse invisible control characters in multi-line text; keep tabs and line breaks."""
    for ch in field.data or "":
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _LINE_BREAKS) or (category == "Cf" and ch != "\u200d"):
            raise ValidationError("Remove invisible or control characters from this text.")


class CircleForm(FlaskForm):
    name = StringField(
        "Circle name",
        description="For example \u201cMaya's circle\u201d. Everyone in the circle sees it.",
        validators=[
            DataRequired(message="Give the circle a name."),
            Length(max=MAX_NAME, message=f"Keep the name under {MAX_NAME} characters."),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    description = TextAreaField(
        "Description (optional)",
        description="Who the circle is for and what it is for. Everyone in the circle sees it.",
        validators=[
            Length(
                max=MAX_DESCRIPTION,
                message=f"Keep the description under {MAX_DESCRIPTION:,} characters.",
            ),
            multiline_text,
        ],
        filters=[strip_filter],
    )
    time_zone = SelectField(
        "Time zone",
        description="Appointments and reminders in this circle use this time zone.",
        choices=choices(time_zone_choices()),
        validators=[DataRequired(message="Choose a time zone.")],
    )


def role_choices() -> list[Any]:
    return choices([(role.value, ROLE_LABELS[role]) for role in Role])


class RoleForm(FlaskForm):
    role = RadioField(
        "New role",
        choices=role_choices(),
        validators=[DataRequired(message="Choose a role.")],
    )


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for confirmation steps."""


class AuditFilterForm(FlaskForm):
    """The audit log's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    person = SelectField("Person", choices=choices([("", "Anyone")]), default="")
    action = SelectField("Action", choices=choices([("", "Any action")]), default="")
