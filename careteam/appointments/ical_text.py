"""RFC 5545 text, written directly: escaping, line folding, DATE/DATE-TIME values, VTIMEZONEs.

Building an ``icalendar`` object per property costs far more than the text itself (about
0.8 s for a feed of 1,000 appointments on a small shared machine), so feeds are written as
strings.  The output follows what ``icalendar`` wrote before, byte for byte where it was right:

- TEXT values escape ``\\ ; ,`` and turn CR LF, LF and a lone CR into ``\\n``.  (``icalendar``
  also turned a literal ``\\N`` into a line break; here a backslash always stays a backslash.)
- Lines are folded before the 75th octet, never inside a UTF-8 character; a backslash or caret
  that would end a piece moves to the next one, as ``icalendar`` does for clients that cannot
  join a split escape.
- Which zones are written as UTC (``Z``) and the VTIMEZONE blocks come from ``icalendar``
  itself, computed once per zone and year range and kept for the life of the process: they
  depend only on the zone database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from icalendar import Timezone
from icalendar.prop import vDDDTypes

from .recurrence import get_zone

_LIMIT = 74  # octets before a fold: a folded line is at most 75 octets with its CRLF left out
_CONTINUATION = 0x80  # UTF-8 continuation bytes are 0b10xxxxxx
_ESCAPE_STARTS = frozenset(b"\\^") | frozenset("\\^")  # as bytes and as text


def escape_text(text: str) -> str:
    """Return ``text`` as an RFC 5545 TEXT value."""
    if not text:
        return ""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Return one content line folded as RFC 5545 section 3.1 asks (CRLF + space)."""
    if len(line) <= _LIMIT and (line.isascii() or len(line) * 4 <= _LIMIT):
        return line
    if line.isascii():  # one octet per character: cut the text itself
        return "\r\n ".join(_pieces(line, len(line), ascii_only=True))
    data = line.encode("utf-8")
    if len(data) <= _LIMIT:
        return line
    return b"\r\n ".join(_pieces(data, len(data), ascii_only=False)).decode("utf-8")


def _pieces(data: Any, size: int, *, ascii_only: bool) -> list[Any]:
    pieces = []
    start = 0
    while size - start > _LIMIT:
        cut = start + _LIMIT
        if not ascii_only:
            while data[cut] & 0xC0 == _CONTINUATION:  # never inside a character
                cut -= 1
        if data[cut - 1] in _ESCAPE_STARTS and cut - start > 1:
            cut -= 1  # keep "\\n" or "^'" together on the next line
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return pieces


def utc_stamp(instant: datetime) -> str:
    """Return an instant (aware, or naive UTC) as a UTC DATE-TIME (``20260615T120000Z``)."""
    if instant.utcoffset():
        instant = instant.astimezone(UTC)
    # isoformat() is done in C: slicing its fixed layout is cheaper than formatting fields.
    s = instant.isoformat()
    return f"{s[0:4]}{s[5:7]}{s[8:13]}{s[14:16]}{s[17:19]}Z"


def wall_time(local: datetime) -> str:
    s = local.isoformat()
    return f"{s[0:4]}{s[5:7]}{s[8:13]}{s[14:16]}{s[17:19]}"


def day(value: date) -> str:
    s = value.isoformat()
    return f"{s[0:4]}{s[5:7]}{s[8:10]}"


@lru_cache(maxsize=512)
def zone_style(zone_name: str) -> tuple[str, str]:
    """Return (parameters, suffix) for wall times in ``zone_name``: ``;TZID=…`` or ``Z``.

    Asked of ``icalendar`` so that the zones it writes as UTC (UTC, Etc/UTC, GMT, Zulu…) stay
    UTC, and every other zone gets a TZID with a VTIMEZONE block.
    """
    value = vDDDTypes(datetime(2000, 1, 1, tzinfo=get_zone(zone_name)))
    if value.to_ical().endswith(b"Z"):
        return "", "Z"
    tzid = value.params.get("TZID", zone_name)
    return f";TZID={tzid}", ""


@lru_cache(maxsize=512)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """Return the VTIMEZONE block of ``tzid`` from 1 January ``first_year`` to ``last_year``
    ("" for a zone ``icalendar`` cannot describe, which it would have left out too)."""
    try:
        timezone = Timezone.from_tzid(
            tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
        )
    except ValueError:
        return ""
    return timezone.to_ical().decode("utf-8")
