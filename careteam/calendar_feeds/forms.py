"""The form that makes or changes a secret calendar link."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import DataRequired

from ..web.forms import CareForm, choices
from .models import FEED_DETAIL_LABELS


class FeedForm(CareForm):
    detail = RadioField(
        "What the calendar shows",
        choices=choices((d.value, label) for d, label in FEED_DETAIL_LABELS.items()),
        validators=[DataRequired(message="Choose what the calendar shows.")],
    )
