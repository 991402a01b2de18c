"""Forms of the hello plugin."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from careteam.api import PluginForm, no_control_characters, strip_filter

MAX_MESSAGE = 280


class KindWordForm(PluginForm):
    message = TextAreaField(
        "Your message",
        description=f"A few words for the circle, up to {MAX_MESSAGE} characters.",
        filters=[strip_filter],
        validators=[
            DataRequired("Write a message first."),
            Length(max=MAX_MESSAGE, message=f"Keep it to {MAX_MESSAGE} characters."),
            no_control_characters,
        ],
    )


class HelloSettingsForm(PluginForm):
    """The plugin's per-circle settings, filled in on the circle's plugin settings page."""

    show_count = BooleanField(
        "Show how many updates were shared with everyone",
        description="The count appears on the circle's home page.",
    )
