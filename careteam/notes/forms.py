"""Forms for writing, filtering and searching notes."""

from __future__ import annotations

from wtforms import (
    Form,
    HiddenField,
    RadioField,
    SearchField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from ..audience import audience_choices
from ..audience_field import AudienceField
from ..web.forms import (
    CareForm,
    SelectField,
    choice,
    choices,
    no_control_characters,
    strip_filter,
    text_characters,
)
from .models import CATEGORY_LABELS
from .service import MAX_TAG_LENGTH, MAX_TAGS, NoteError, parse_tags

MAX_BODY = 50_000
MAX_COMMENT = 5_000


def valid_tags(_form: object, field: object) -> None:
    try:
        parse_tags(getattr(field, "data", None))
    except NoteError as error:
        raise ValidationError(str(error)) from error


def category_choices() -> list[object]:
    return [choice(c.value, label) for c, label in CATEGORY_LABELS.items()]


class NoteForm(CareForm):
    title = StringField(
        "Title (optional)",
        validators=[Optional(), Length(max=200), no_control_characters],
        filters=[strip_filter],
    )
    body = TextAreaField(
        "Note",
        description="You can use Markdown: **bold**, *italic*, lists and links.",
        validators=[
            DataRequired(message="Write something in the note."),
            Length(
                max=MAX_BODY,
                message=f"Keep the note under {MAX_BODY:,} characters (split it into two notes).",
            ),
            text_characters,
        ],
    )
    category = SelectField("Category", choices=category_choices())
    tags = StringField(
        "Tags (optional)",
        description=(
            f"Separate tags with commas, e.g. fatigue, heat, left leg. Up to {MAX_TAGS} tags of "
            f"{MAX_TAG_LENGTH} characters."
        ),
        validators=[Length(max=1200), no_control_characters, valid_tags],
    )
    audience = AudienceField("Who can see this note")
    version = HiddenField()


class CommentForm(CareForm):
    body = TextAreaField(
        "Add a comment",
        validators=[
            DataRequired(message="Write a comment first."),
            Length(max=MAX_COMMENT, message=f"Keep comments under {MAX_COMMENT:,} characters."),
            text_characters,
        ],
    )


class SettingsForm(CareForm):
    default_audience = RadioField(
        "Who new notes are shared with, unless the writer chooses otherwise",
        choices=choices(audience_choices()),
        validators=[DataRequired(message="Choose a default audience.")],
    )


class FeedFilterForm(Form):
    """The feed's filters (a GET form, so no CSRF token)."""

    category = SelectField(
        "Category", choices=[choice("", "All categories"), *category_choices()], default=""
    )
    author = SelectField("Written by", choices=[choice("", "Anyone")], default="")
    tag = StringField(
        "Tag", validators=[Optional(), Length(max=MAX_TAG_LENGTH)], filters=[strip_filter]
    )


class SearchForm(Form):
    q = SearchField(
        "Search notes",
        validators=[Optional(), Length(max=200, message="Use a shorter search.")],
        filters=[strip_filter],
    )
