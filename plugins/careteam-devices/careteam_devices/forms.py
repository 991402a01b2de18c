"""Forms of the devices plugin: every field labelled, limited and kept on errors."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
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

from .catalog import FREQUENCY_LABELS, KIND_LABELS


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


KIND_CHOICES = choices(list(KIND_LABELS.items()))
FREQUENCY_CHOICES = choices(list(FREQUENCY_LABELS.items()))


class DeviceForm(PluginForm):
    kind = SelectField("Kind of device", choices=KIND_CHOICES)
    name = _text(
        "Name",
        100,
        required=True,
        description="So everyone knows which one: \u201cMaya's left AFO\u201d.",
    )
    source = SelectField(
        "Checklist to start from",
        description="You can change the checklist for this device afterwards.",
        validate_choice=True,
    )
    make_model = _text("Make and model", 200)
    size_settings = _text("Size or settings", 200, description="For example: height hole 6.")
    acquired_on = DateField("Acquired on", validators=[Optional()])
    fitted_by = _text("Prescribed or fitted by", 200)
    supplier_contact = _text("Supplier contact", 300, description="Phone or email for repairs.")
    notes = _long_text("Notes", 5000)


class RetireForm(PluginForm):
    reason = _text("Why is it retired?", 300, description="Optional: replaced, returned, broken.")


class TemplateForm(PluginForm):
    name = _text("Name of the checklist", 100, required=True)
    kind = SelectField("For which kind of device", choices=KIND_CHOICES)
    source = SelectField("Start from", validate_choice=True)


class ItemRow(Form):
    """One item of the checklist editor (a sub-form: the page's form carries the CSRF token)."""

    public_id = HiddenField()
    text = _text("Item", 300)
    frequency = SelectField("How often", choices=FREQUENCY_CHOICES)
    guidance = _long_text("What to look for", 2000)
    remove = BooleanField("Remove this item")


class ChecklistForm(PluginForm):
    name = _text("Name of the checklist", 100, required=True)
    items = FieldList(FormField(ItemRow), min_entries=0, max_entries=60)


class StartForm(PluginForm):
    # secrets.token_urlsafe(32): 43 URL-safe characters, nothing else reaches the database.
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,43}$")])


class ResolveForm(PluginForm):
    resolution = TextAreaField(
        "What was done?",
        description="For example: new rubber tip fitted; orthotist adjusted the strap.",
        filters=[strip_filter],
        validators=[
            DataRequired("Say what was done, so the next person knows."),
            Length(max=2000, message="Keep it to 2000 characters."),
            multiline_text,
        ],
    )


RESULT_CHOICES = choices([("ok", "OK"), ("attention", "Needs attention")])


def check_form_class(item_keys: list[str]) -> type[PluginForm]:
    """Return a form with a result and a comment field for each item of a check."""

    class CheckForm(PluginForm):
        version = HiddenField()
        post_note = BooleanField(
            "Also post a note to the care journal about what needs attention",
            description="Addressed to the care team.",
        )

    for key in item_keys:
        setattr(
            CheckForm,
            f"result_{key}",
            RadioField("Result", choices=RESULT_CHOICES, validators=[Optional()]),
        )
        setattr(CheckForm, f"comment_{key}", _text("Comment", 500))
    return CheckForm
