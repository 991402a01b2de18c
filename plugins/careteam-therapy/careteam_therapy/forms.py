"""Forms of the programme pages: every field labelled, limited and kept on errors.

Numbers are parsed here (a word where a number belongs is this form's error); whether a dose or
schedule is sensible is :mod:`.dose`'s rule, applied by the views so one message says it
whichever page the task is written on.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from careteam.api import (
    PluginForm,
    SelectField,
    choices,
    multiline_text,
    no_control_characters,
    strip_filter,
)

from .schedule import WEEKDAY_NAMES

KIND_CHOICES = choices(
    [("exercise", "Exercise"), ("activity", "Activity"), ("strategy", "Daily-living strategy")]
)
WEEKDAY_CHOICES = choices([(str(n), name) for n, name in enumerate(WEEKDAY_NAMES)])
# What a hidden id or key may hold: anything else is no row's and is dropped.
ID = r"^[A-Za-z0-9_-]{0,16}$"
SOURCE = r"^((library:[a-z0-9-]{1,30})|(template:[A-Za-z0-9_-]{1,16})|)$"
DRAWING = r"^([a-z0-9-]{1,50}\.svg)?$"
TITLE_LIMIT = 120
INSTRUCTIONS_LIMIT = 5000
PRECAUTIONS_LIMIT = 3000
NOTE_LIMIT = 300


def _text(label: str, limit: int, required: bool = False, **kwargs: Any) -> StringField:
    validators: list[Any] = [Length(max=limit, message=f"Keep it to {limit} characters.")]
    validators.insert(0, DataRequired(f"Enter the {label.lower()}.") if required else Optional())
    return StringField(
        label, filters=[strip_filter], validators=[*validators, no_control_characters], **kwargs
    )


def _long_text(label: str, limit: int, **kwargs: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=limit, message=f"Keep it to {limit} characters."),
            multiline_text,
        ],
        **kwargs,
    )


def _number(label: str, **kwargs: Any) -> IntegerField:
    # Empty is allowed here; the dose rules say when a number is needed and what range.
    return IntegerField(label, validators=[Optional()], **kwargs)


def _hidden(pattern: str) -> HiddenField:
    return HiddenField(validators=[Optional(), Regexp(pattern, message="Not a known value.")])


class CheckboxesField(SelectMultipleField):
    """A group of tick boxes (the weekdays); the page renders each option itself."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TaskFields(Form):
    """The fields of a task that a template keeps too."""

    kind = SelectField("Kind", choices=KIND_CHOICES)
    title = _text("Title", TITLE_LIMIT)
    instructions = _long_text(
        "Instructions", INSTRUCTIONS_LIMIT, description="Numbered steps work best."
    )
    drawing = _hidden(DRAWING)
    sets = _number("Sets", description="1 to 20")
    reps = _number("Repetitions", description="1 to 100")
    hold_seconds = _number("Hold (seconds)", description="1 to 300")
    minutes = _number("Minutes", description="1 to 180")
    weekdays = CheckboxesField("Days of the week", choices=WEEKDAY_CHOICES, validate_choice=True)
    per_week = _number(
        "Or times a week", description="1 to 14, on whichever days suit (instead of days)."
    )
    times_per_day = _number("Times a day", description="1 to 4")
    times_of_day = _text(
        "Times of day", 40, description="Optional, 24-hour, for example 09:00 18:30."
    )
    precautions = _long_text("Precautions", PRECAUTIONS_LIMIT)
    keep_in_flare = BooleanField("Keep doing it during a flare-up")
    pain_threshold = _number("Tell me when pain is at least", description="0 to 10")
    fatigue_threshold = _number("Tell me when fatigue is at least", description="0 to 10")


class TaskRow(TaskFields):
    """One task of the programme editor (a sub-form: the page's form carries the CSRF token)."""

    key = _hidden(ID)
    source = _hidden(SOURCE)
    start_date = DateField("Starts on", validators=[Optional()])
    end_date = DateField("Ends on", validators=[Optional()], description="Optional.")
    remove = BooleanField("Remove this task")


class NewProgrammeForm(PluginForm):
    title = _text("Title of the programme", TITLE_LIMIT, required=True)
    effective_from = DateField("Starts on", validators=[Optional()])
    sources = CheckboxesField("Tasks", validate_choice=True)


class EditForm(PluginForm):
    version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,6}$")])
    title = _text("Title of the programme", TITLE_LIMIT, required=True)
    change_note = _text(
        "What changed", NOTE_LIMIT, description="For the history, e.g. “Added standing balance”."
    )
    effective_from = DateField(
        "The new version is in force from", validators=[Optional()], description="Default: today."
    )
    tasks = FieldList(FormField(TaskRow), min_entries=0, max_entries=40)
    sources = CheckboxesField("Add tasks", validate_choice=True)


class TemplateForm(PluginForm, TaskFields):
    """A template on the therapist's own templates page."""


class CopyForm(PluginForm):
    target = SelectField("Copy to", validate_choice=True)
    effective_from = DateField("Starts there on", validators=[Optional()])


class SaveTemplateForm(PluginForm):
    task = HiddenField(validators=[DataRequired(), Regexp(ID)])
