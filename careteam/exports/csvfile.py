"""CSV files people open in spreadsheets: UTF-8 with a BOM, and no formulas."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"); a leading apostrophe makes them show it as text.
_FORMULA_CHARACTERS = frozenset("=+-@")
# OWASP's list also has these two as the first character, whatever follows.
_FORMULA_STARTS = ("\t", "\r")

# Characters skipped when looking for a formula character: some spreadsheets trim leading
# whitespace before reading a formula, and what a person cannot see they cannot notice.  Which
# characters each program trims differs and changes, so every character that is blank or
# invisible counts: whitespace and separators (Z*, which take in U+00A0 and U+3000), control
# characters (Cc: tab, CR, LF, NUL...), format characters (Cf: U+200B, U+FEFF, the soft hyphen,
# bidirectional marks, tag characters), and the rest of Unicode's Default_Ignorable_Code_Point
# set, which the categories miss (combining grapheme joiner, Hangul fillers, variation
# selectors, Mongolian selectors, the reserved ranges).  Escaping a cell costs one apostrophe.
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
_DEFAULT_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)


def _blank(ch: str) -> bool:
    if unicodedata.category(ch) in _BLANK_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _DEFAULT_IGNORABLE_RANGES)


def _runs_as_formula(text: str) -> bool:
    if text.startswith(_FORMULA_STARTS):
        return True
    for ch in text:
        if not _blank(ch):
            return ch in _FORMULA_CHARACTERS
    return False


def safe_cell(value: Any) -> str:
    """Return ``value`` as CSV cell text that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _runs_as_formula(text) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a CSV file: a BOM (so spreadsheets read UTF-8), the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
