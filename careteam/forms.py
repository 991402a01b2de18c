"""Form fields and validators shared by features."""

from __future__ import annotations

import unicodedata
from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, ValidationError
from wtforms import SelectField as _WTFormsSelectField
from wtforms.widgets import Select

_TIME_ZONES = sorted(available_timezones() - {"Factory", "localtime"})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in _TIME_ZONES]


def no_control_characters(_form: object, field: Field) -> None:
    """Refuse characters that are invisible or reorder text (control and format characters)."""
    value = field.data or ""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" or (category == "Cf" and ch not in "\u200d"):
            raise ValidationError("Remove invisible or control characters from this field.")


def strip_filter(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_LINE_BREAKS = frozenset("\t\n\r")


def multiline_text(_form: object, field: Field) -> None:
    """Refuse invisible control characters in multi-line text; keep tabs and line breaks."""
    for ch in field.data or "":
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _LINE_BREAKS) or (category == "Cf" and ch != "\u200d"):
            raise ValidationError("Remove invisible or control characters from this text.")


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons that change something (pin, cancel,
    revoke, confirm) and confirmation steps."""


class QuickSelect(Select):
    """wtforms' ``<select>`` with the same HTML, rendered several times faster.

    wtforms inspects ``render_option``'s signature on every render and builds each option
    through its generic attribute writer; the time-zone list (~600 options) and the feed's
    filters spent most of their rendering time there.
    """

    @classmethod
    def _dispatch_render_option(cls) -> Any:
        return cls.render_option

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{escape(value)}">{label}</option>')  # noqa: S704


class SelectField(_WTFormsSelectField):
    """The select field every CareTeam form uses (see :class:`QuickSelect`)."""

    widget = QuickSelect()
