"""Links a page repeats with one value changing: ``url_for`` once, then the value filled in.

A list page links every row (notes, tags, a month's occurrences), and each ``url_for`` call
walks the URL map.  Here ``url_for`` runs once per pattern and request with markers in place of
the changing values (:class:`LinkPattern`); each link is the pattern with the marker replaced by
the value, quoted as werkzeug quotes it (path segment or query string).  This is the one place
that fills URL patterns.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote, quote_plus

from flask import current_app, g, request, url_for

# Letters only, so url_for leaves the markers as they are in a path and in a query string.
_MARK = "CARETEAMLINKVALUE"
_SECOND_MARK = "CARETEAMLINKSECOND"
# The characters werkzeug leaves unquoted in a path segment and in a query value.
_PATH_SAFE = "!$&'()*+,/:;=@"
_QUERY_SAFE = "!$'()*,/:;?@"


class LinkPattern:
    """A URL with its changing place marked; :meth:`fill` gives the link for one value."""

    __slots__ = ("head", "in_query", "tail")

    def __init__(self, url: str, mark: str = _MARK) -> None:
        self.head, _, self.tail = url.partition(mark)
        self.in_query = "?" in self.head

    def fill(self, value: Any) -> str:
        """Return the link with ``value`` in the marked place."""
        return f"{self.head}{_quoted(str(value), self.in_query)}{self.tail}"

    def partly(self, value: Any) -> LinkPattern:
        """Fill the first place of a two-place pattern; return the pattern of the second."""
        return LinkPattern(self.fill(value), _SECOND_MARK)


# The same values come back page after page (a circle's tags, public ids), and quoting is the
# slow part of a link: urllib's quote walks the text in Python.
@functools.lru_cache(maxsize=8192)
def _quoted(text: str, in_query: bool) -> str:
    return quote_plus(text, safe=_QUERY_SAFE) if in_query else quote(text, _PATH_SAFE)


def _pattern(
    patterns: dict[tuple, LinkPattern],
    key: tuple,
    endpoint: str,
    marked: dict[str, str],
    values: dict[str, Any],
) -> LinkPattern:
    pattern = patterns.get(key)
    if pattern is None:
        pattern = patterns[key] = LinkPattern(url_for(endpoint, **values, **marked))
    return pattern


def link_pattern(
    endpoint: str, slot: str, *, second_slot: str | None = None, **values: Any
) -> LinkPattern:
    """Return the pattern of ``url_for(endpoint, **values)`` with ``slot`` left to fill.

    With ``second_slot``, :meth:`LinkPattern.partly` fills ``slot`` and returns the pattern of
    ``second_slot`` (a series' link, then each occurrence's).  A path slot's value must fit the
    rule's converter as it is (a public id, a string): no conversion or validation happens
    after the first call of the request.  Patterns are kept for the request: their ``values``
    (a circle's id) vary without bound.
    """
    patterns = g.setdefault("_careteam_link_patterns", {})
    key = (endpoint, slot, second_slot, *sorted(values.items()))
    marked = {slot: _MARK}
    if second_slot is not None:
        marked[second_slot] = _SECOND_MARK
    return _pattern(patterns, key, endpoint, marked, values)


def repeated_url(endpoint: str, slot: str, value: Any, **values: Any) -> str:
    """Return what ``url_for(endpoint, **values, **{slot: value})`` returns, only faster."""
    return link_pattern(endpoint, slot, **values).fill(value)


def site_wide_url(endpoint: str, slot: str, value: Any, **values: Any) -> str:
    """Like :func:`repeated_url`, with the pattern kept for the life of the process.

    For links every page builds with the changing part in ``slot``, such as a circle's
    sub-navigation (``values`` then come from a fixed set).  The URL map does not change once
    the app is serving, and a relative URL depends on it and on the script root alone, so the
    pattern is kept per app and script root.
    """
    patterns = current_app.extensions.setdefault("careteam_links", {})
    key = (request.script_root, endpoint, slot, *sorted(values.items()))
    return _pattern(patterns, key, endpoint, {slot: _MARK}, values).fill(value)
