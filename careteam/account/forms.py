"""Forms for the signed-in person's own account pages."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..auth.passwords import MAX_LENGTH, MIN_LENGTH
from ..web.forms import (
    CareForm,
    SelectField,
    choices,
    no_control_characters,
    strip_filter,
    time_zone_choices,
)

MAX_DISPLAY_NAME = 100
_NEW_PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters. A phrase of a few unrelated words works well."
)


def known_time_zone(_form: object, field: Field) -> None:
    """Refuse a zone that is not in the list (only a hand-edited request can send one)."""
    if field.data not in {value for value, _label in time_zone_choices()}:
        raise ValidationError("Choose a time zone from the list.")


def _current_password(label: str = "Current password") -> PasswordField:
    return PasswordField(
        label,
        description="To make sure it is really you.",
        validators=[
            DataRequired(message="Enter your current password."),
            Length(max=MAX_LENGTH * 4),
        ],
    )


class ProfileForm(CareForm):
    display_name = StringField(
        "Your name",
        description="How the people in your care circles see you.",
        validators=[
            DataRequired(message="Enter the name people should see."),
            Length(
                max=MAX_DISPLAY_NAME,
                message=f"Keep your name under {MAX_DISPLAY_NAME} characters.",
            ),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    time_zone = SelectField(
        "Time zone",
        description="Times on pages and in emails are shown in this time zone.",
        choices=choices(time_zone_choices()),
        # The list check below gives a plain message instead of WTForms' "Not a valid choice".
        validate_choice=False,
        validators=[DataRequired(message="Choose a time zone."), known_time_zone],
    )
    email_reminders = BooleanField(
        "Email me reminders of appointments",
        description="Each circle's calendar has its own reminder settings too.",
    )
    email_activity = BooleanField(
        "Email me about new activity in my circles",
        description="For example a new care note addressed to me.",
    )


class ChangePasswordForm(CareForm):
    current_password = _current_password()
    new_password = PasswordField(
        "New password",
        description=_NEW_PASSWORD_HINT,
        validators=[
            DataRequired(message="Enter a new password."),
            Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
        ],
    )


class ChangeEmailForm(CareForm):
    new_email = EmailField(
        "New email address",
        description="We send a confirmation link there. Your address changes when you open it.",
        validators=[
            DataRequired(message="Enter the new email address."),
            Length(max=254),
            Email(message="Enter a valid email address."),
        ],
        filters=[strip_filter],
    )
    current_password = _current_password()


class DeleteAccountForm(CareForm):
    current_password = _current_password("Your password")
