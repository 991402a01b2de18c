"""Forms of the care calendar: appointment (with the recurrence builder) and one occurrence."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..audience_field import AudienceField
from ..web.forms import (
    CareForm,
    SelectField,
    choices,
    no_control_characters,
    strip_filter,
    text_characters,
    time_zone_choices,
)
from .models import HELP_LABELS, KIND_LABELS, HelpKind
from .recurrence import MAX_COUNT, WEEKDAYS
from .service import MAX_HELPERS

MAX_NOTES = 5_000
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class RealDateField(DateField):
    """A date input whose error says what is wrong (31 February does not exist)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                "Enter a real date, e.g. 2026-03-10 (days such as 31 February do not exist)."
            ) from error


class RealTimeField(TimeField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a time such as 09:30.") from error


class CountField(IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number.") from error


class CheckboxesField(SelectMultipleField):
    """Several checkboxes; templates wrap them in a fieldset with a legend."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _text(label: str, limit: int, **kwargs: Any) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=limit), no_control_characters],
        filters=[strip_filter],
        **kwargs,
    )


def _help_field(kind: HelpKind) -> CountField:
    return CountField(
        f"{HELP_LABELS[kind]}: people needed",
        default=0,
        validators=[
            Optional(),
            NumberRange(0, MAX_HELPERS, message=f"Ask for 0 to {MAX_HELPERS} people."),
        ],
    )


class TimesMixin:
    start_date = RealDateField(
        "Date", validators=[InputRequired(message="Enter the date, e.g. 2026-03-10.")]
    )
    start_time = RealTimeField("Start time", validators=[Optional()])
    end_date = RealDateField(
        "End date (optional)",
        description="Only if it ends on another day.",
        validators=[Optional()],
    )
    end_time = RealTimeField(
        "End time", description="Leave empty for one hour.", validators=[Optional()]
    )


class AppointmentForm(TimesMixin, CareForm):
    title = StringField(
        "Title",
        description="For example: Neurologist check-up with Dr. Okafor.",
        validators=[
            DataRequired(message="Give the appointment a title."),
            Length(max=200),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    kind = SelectField(
        "Kind", choices=choices((k.value, label) for k, label in KIND_LABELS.items())
    )
    all_day = BooleanField("All day (no start or end time)")
    time_zone = SelectField("Time zone", choices=choices(time_zone_choices()))
    location = _text("Place (optional)", 300, description="Address, clinic and room.")
    video_url = URLField(
        "Video link (optional)",
        validators=[Optional(), Length(max=500), no_control_characters],
        filters=[strip_filter],
    )
    organiser = SelectField("Who organises it", choices=choices([("", "Nobody in particular")]))
    notes = TextAreaField(
        "Notes (optional)",
        description="Questions to ask, what to bring, parking.",
        validators=[Optional(), Length(max=MAX_NOTES), text_characters],
    )
    audience = AudienceField("Who can see this appointment")
    help_ride_there = _help_field(HelpKind.RIDE_THERE)
    help_ride_home = _help_field(HelpKind.RIDE_HOME)
    help_company = _help_field(HelpKind.COMPANY)
    # The recurrence builder: it writes the RRULE so nobody has to.
    repeat = RadioField(
        "Repeats",
        choices=choices(
            [
                ("none", "Does not repeat"),
                ("weekly", "Weekly, on the days chosen below"),
                ("monthly", "Monthly, on a weekday such as the 2nd Tuesday"),
                ("daily", "Every few days"),
                ("custom", "Custom rule (RFC 5545 RRULE, for calendar experts)"),
            ]
        ),
        default="none",
    )
    interval = CountField(
        "Every how many weeks (weekly) or days (every few days)",
        default=1,
        validators=[Optional(), NumberRange(1, 52, message="Enter a number from 1 to 52.")],
    )
    weekdays = CheckboxesField(
        "On these days", choices=choices(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))
    )
    month_nth = SelectField(
        "Which one",
        choices=choices(
            [
                ("", "As on the date"),
                ("1", "1st"),
                ("2", "2nd"),
                ("3", "3rd"),
                ("4", "4th"),
                ("-1", "Last"),
            ]
        ),
        default="",
    )
    month_weekday = SelectField(
        "Weekday",
        choices=choices([("", "As on the date"), *zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)]),
        default="",
    )
    ends = RadioField(
        "Ends",
        choices=choices(
            [("never", "Never"), ("until", "On a date"), ("count", "After a number of times")]
        ),
        default="never",
    )
    until = RealDateField("Last date", validators=[Optional()])
    count = CountField(
        "Number of times",
        validators=[
            Optional(),
            NumberRange(1, MAX_COUNT, message=f"Enter a number from 1 to {MAX_COUNT}."),
        ],
    )
    rrule = StringField(
        "Custom rule",
        description="For example FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231.",
        validators=[Optional(), Length(max=500)],
        filters=[strip_filter],
    )

    def validate_end_date(self, field: Any) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date must be on or after the start date.")

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then what depends on other fields' choices."""
        valid = super().validate(extra_validators)
        builder = self.repeat.data not in ("none", "custom", None)
        problems = []
        if builder and self.ends.data == "until":
            if self.until.data is None and not self.until.errors:
                problems.append((self.until, "Enter the last date."))
            elif (
                self.until.data and self.start_date.data and self.until.data < self.start_date.data
            ):
                problems.append((self.until, "The last date must be on or after the first."))
        counted = builder and self.ends.data == "count"
        if counted and self.count.data is None and not self.count.errors:
            problems.append((self.count, "Enter how many times."))
        if self.repeat.data == "custom" and not self.rrule.data and not self.rrule.errors:
            problems.append((self.rrule, "Write the rule, or choose another way to repeat."))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems


class OccurrenceForm(TimesMixin, CareForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the appointment a title."),
            Length(max=200),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    location = _text("Place (optional)", 300)
    notes = TextAreaField(
        "Notes (optional)", validators=[Optional(), Length(max=MAX_NOTES), text_characters]
    )
