"""Forms for the site admin pages."""

from __future__ import annotations

from wtforms import HiddenField, SearchField
from wtforms.validators import Length

from ..web.forms import CareForm, no_control_characters, strip_filter


class UserSearchForm(CareForm):
    """Find accounts whose email address or name starts with the text typed (a GET form)."""

    class Meta:
        csrf = False  # a search changes nothing, and its URL should be shareable

    q = SearchField(
        "Email address or name starts with",
        filters=[strip_filter],
        validators=[Length(max=254), no_control_characters],
    )


class AccountActionForm(CareForm):
    """A button that changes one account: only the CSRF token and where to go back to."""

    next = HiddenField()
