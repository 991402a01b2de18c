"""The form field for who can see something, offering only the audiences a person may choose.

Every form that sets an audience uses :class:`AudienceField`, so the page offers exactly what
:mod:`careteam.audience` allows and a posted audience outside it is refused with the rule's own
words; the services check the same rule again for callers without a form (CLI, API, plugins).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from wtforms import RadioField, ValidationError

from .audience import (
    AUDIENCE_LABELS,
    Audience,
    AudienceChangeRefused,
    audience_choices,
    check_audience_change,
    choosable_audiences,
    editor_standing,
)
from .web.forms import choices

_VALUES = frozenset(a.value for a in Audience)


class AudienceField(RadioField):
    """Radio buttons for an audience; call :meth:`offer` before validating or rendering."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("choices", choices(audience_choices()))
        super().__init__(label, validators, **kwargs)
        self._check_change: Callable[[str], None] | None = None

    def offer(
        self,
        membership: Any,
        *,
        current: str | None = None,
        author_id: int | None = None,
        creator_only: bool = False,
        noun: str = "item",
    ) -> None:
        """Offer the audiences ``membership`` may choose: for a new object (``current`` None)
        or for an existing one with audience ``current`` written by ``author_id``."""
        allowed = choosable_audiences(
            membership, current=current, author_id=author_id, creator_only=creator_only
        )
        self.choices = choices((a, AUDIENCE_LABELS[Audience(a)]) for a in allowed)
        if current is not None:
            self._check_change = partial(
                check_audience_change,
                current,
                creator_only=creator_only,
                noun=noun,
                **editor_standing(membership, author_id),
            )

    def pre_validate(self, form: Any) -> None:
        # Say who may make a refused change; anything else is just not one of the choices.
        if self._check_change is not None and self.data in _VALUES:
            try:
                self._check_change(self.data)
            except AudienceChangeRefused as refused:
                raise ValidationError(str(refused)) from refused
        super().pre_validate(form)
