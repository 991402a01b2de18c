"""Forms for inviting people, deciding on invitations, and registering from one."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from ..auth.passwords import MAX_LENGTH
from ..roles import ROLE_LABELS, Role
from ..web.forms import (
    CareForm,
    SelectField,
    choices,
    multiline_text,
    no_control_characters,
    strip_filter,
)
from .service import MAX_MESSAGE


def role_choices(roles: Iterable[Role]) -> list:
    return choices([("", "Choose a role")] + [(role.value, ROLE_LABELS[role]) for role in roles])


def _email_field(label: str, description: str | None = None) -> EmailField:
    return EmailField(
        label,
        description=description,
        validators=[
            DataRequired(message="Enter an email address."),
            Length(max=254, message="Use at most 254 characters."),
            Email(message="Enter a valid email address."),
        ],
        filters=[strip_filter],
    )


class EmailInviteForm(CareForm):
    email = _email_field("Their email address", "We email them a link that works once, for 7 days.")
    role = SelectField(
        "Their role in the circle",
        description="Coordinators and the care recipient can manage the circle.",
        validators=[DataRequired(message="Choose a role.")],
        # The service checks the role (a hand-made request meets the same rule, same message).
        validate_choice=False,
    )
    message = TextAreaField(
        "Personal message (optional)",
        description=f"Added to the email as you type it, up to {MAX_MESSAGE:,} characters.",
        validators=[
            Length(max=MAX_MESSAGE, message=f"Keep the message under {MAX_MESSAGE:,} characters."),
            multiline_text,
        ],
    )


class LinkInviteForm(CareForm):
    link_role = SelectField(
        "Role for the person who opens the link",
        description="A copied link works once, for 48 hours, and cannot make someone a "
        "coordinator or the care recipient.",
        validators=[DataRequired(message="Choose a role.")],
        validate_choice=False,
    )


class InviteRegisterForm(CareForm):
    display_name = StringField(
        "Your name",
        description="How the people in your care circles will see you.",
        validators=[
            DataRequired(message="Enter your name."),
            Length(max=100, message="Use at most 100 characters."),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    email = _email_field("Email address")
    password = PasswordField(
        "Password",
        description="At least 12 characters. A phrase of a few unrelated words works well.",
        validators=[
            DataRequired(message="Choose a password."),
            Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
        ],
    )
