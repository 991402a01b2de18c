"""Forms of the logging pages: a time of a task, a pause, a member's own settings."""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from careteam.api import PluginForm, choices, multiline_text, no_control_characters, strip_filter

from .logs import Answer

WHOLE = re.compile(r"[0-9]{1,6}")
TOKEN = Regexp(r"^[A-Za-z0-9_-]{20,43}$")
# The hidden fields of a log form: a refusal about them is shown above the form.
HIDDEN = frozenset({"programme", "task", "day", "slot", "token"})


def whole_number(low: int, high: int) -> Any:
    """A validator: empty, or a whole number from ``low`` to ``high`` (no decimals)."""
    message = f"Give a whole number from {low} to {high}."

    def check(_form: Any, field: Any) -> None:
        value = field.data or ""
        if not value:
            return
        if not WHOLE.fullmatch(value) or not low <= int(value) <= high:
            raise ValidationError(message)

    return check


def _number(label: str, low: int, high: int, hint: str = "") -> StringField:
    return StringField(
        label,
        description=hint,
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=12, message="Give a short number."),
            whole_number(low, high),
        ],
    )


class LogForm(PluginForm):
    programme = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{1,16}$")])
    task = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{1,16}$")])
    day = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
    slot = HiddenField(validators=[DataRequired(), Regexp(r"^[1-4]$")])
    # secrets.token_urlsafe(32): 43 URL-safe characters, nothing else reaches the database.
    token = HiddenField(validators=[DataRequired(), TOKEN])
    # The big "Done" button sends status=done; the disclosure's radios say done (with ratings),
    # partly or skipped.
    status = RadioField(
        "How did it go?",
        choices=choices([("done", "Done"), ("partly", "Partly done"), ("skipped", "Skipped")]),
        validators=[DataRequired("Choose done, partly done or skipped.")],
    )
    reason = StringField(
        "Why?",
        description="For example: too tired, knee sore, no time.",
        filters=[strip_filter],
        validators=[Optional(), Length(max=200, message="Keep it to 200 characters."),
                    no_control_characters],
    )  # fmt: skip
    sets = _number("Sets done", 0, 50)
    reps = _number("Repetitions each set", 0, 500)
    minutes = _number("Minutes", 0, 600)
    effort = _number("Effort (0 to 10)", 0, 10, "0 is no effort, 10 the hardest you can.")
    pain = _number("Pain (0 to 10)", 0, 10, "0 is no pain, 10 the worst imaginable.")
    fatigue = _number("Fatigue (0 to 10)", 0, 10, "0 is not tired, 10 exhausted.")
    comment = TextAreaField(
        "Comment",
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000, message="Keep it to 2000 characters."),
                    multiline_text],
    )  # fmt: skip

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Not a field validator: Optional() ends the reason's own chain when it is empty.
        if self.status.data in ("partly", "skipped") and not self.reason.data:
            if not self.reason.errors:
                self.reason.errors = [
                    *self.reason.errors,
                    "Say briefly why, so the therapist knows.",
                ]
            return False
        return valid


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def answer_from(form: LogForm) -> Answer:
    return Answer(
        status=form.status.data,
        sets=_int(form.sets.data),
        reps=_int(form.reps.data),
        minutes=_int(form.minutes.data),
        effort=_int(form.effort.data),
        pain=_int(form.pain.data),
        fatigue=_int(form.fatigue.data),
        reason=form.reason.data or "",
        comment=form.comment.data or "",
    )


def unique_ids(form: Any, stem: str) -> Any:
    """Give the form's fields ids unique on a page that shows one form per task time."""
    for field in form:
        field.id = f"{stem}-{field.name}"
        field.label.field_id = field.id
    return form


class RealDateField(DateField):
    """A date input whose error says what is wrong (31 February does not exist)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a real date, such as 2026-03-10.") from error


class PauseForm(PluginForm):
    start_date = RealDateField(
        "First paused day", validators=[InputRequired("Give the first day of the pause.")]
    )
    end_date = RealDateField(
        "Last paused day",
        description="Leave it empty to pause until someone resumes.",
        validators=[Optional()],
    )
    note = TextAreaField(
        "Note for the therapist",
        description="Optional: what is happening, so the therapist knows.",
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000, message="Keep it to 2000 characters."),
                    multiline_text],
    )  # fmt: skip


class SettingsForm(PluginForm):
    calendar = BooleanField(
        "Put therapy days in my calendar feed",
        description="One event per programme on each day it is due (from two weeks back to "
        "four weeks ahead).",
    )
    reminders = BooleanField(
        "Email me once a day when home exercises are due",
        description="One line in your reminder email, for example \u201cToday: 3 home "
        "exercises\u201d.",
    )


class AlertSeenForm(PluginForm):
    alert = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{1,16}$")])
