"""Forms for creating and editing circles, changing roles and filtering the audit log."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..roles import ROLE_LABELS, Role
from ..web.forms import (
    CareForm,
    SelectField,
    choices,
    multiline_text,
    no_control_characters,
    strip_filter,
    time_zone_choices,
)

MAX_NAME = 100
MAX_DESCRIPTION = 2000


class CircleForm(CareForm):
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


class RoleForm(CareForm):
    role = RadioField(
        "New role",
        choices=role_choices(),
        validators=[DataRequired(message="Choose a role.")],
    )


class AuditFilterForm(CareForm):
    """The audit log's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    person = SelectField("Person", choices=choices([("", "Anyone")]), default="")
    action = SelectField("Action", choices=choices([("", "Any action")]), default="")
