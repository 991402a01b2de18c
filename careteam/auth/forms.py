"""Forms for registering and signing in."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..web.forms import CareForm, no_control_characters, strip_filter
from .passwords import MAX_LENGTH

_TOO_LONG = f"Use at most {MAX_LENGTH} characters."


class RegisterForm(CareForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
        filters=[strip_filter],
    )
    display_name = StringField(
        "Your name",
        description="How the people in your care circles will see you.",
        validators=[DataRequired(), Length(max=100), no_control_characters],
        filters=[strip_filter],
    )
    password = PasswordField(
        "Password",
        description="At least 12 characters. A phrase of a few unrelated words works well.",
        validators=[DataRequired(), Length(max=MAX_LENGTH, message=_TOO_LONG)],
    )
    next = HiddenField()


class LoginForm(CareForm):
    email = EmailField(
        "Email address", validators=[DataRequired(), Length(max=254)], filters=[strip_filter]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class EmailOnlyForm(CareForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
        filters=[strip_filter],
    )


class NewPasswordForm(CareForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters. A phrase of a few unrelated words works well.",
        validators=[DataRequired(), Length(max=MAX_LENGTH, message=_TOO_LONG)],
    )


class LogoutForm(CareForm):
    """Carries only the CSRF token: signing out is a state change."""
