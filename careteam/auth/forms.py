"""Forms for registering and signing in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import no_control_characters, strip_filter
from .passwords import MAX_LENGTH

_TOO_LONG = f"Use at most {MAX_LENGTH} characters."


class RegisterForm(FlaskForm):
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


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address", validators=[DataRequired(), Length(max=254)], filters=[strip_filter]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
        filters=[strip_filter],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters. A phrase of a few unrelated words works well.",
        validators=[DataRequired(), Length(max=MAX_LENGTH, message=_TOO_LONG)],
    )


class LogoutForm(FlaskForm):
    """Carries only the CSRF token: signing out is a state change."""
