"""No cell of a CSV export can run as a spreadsheet formula, and no text is changed but for that.

For any text, the cell read back with the csv module is the text itself, or the text behind one
apostrophe (which spreadsheets take as "this is text"); and a cell whose first visible
character is a formula character (= + - @), whatever blank or invisible characters come before
it, or that starts with a tab or carriage return (OWASP's list), always has the apostrophe.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile

from hypothesis import given
from hypothesis import strategies as st

import careteam.api
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.exports import csvfile
from careteam.notes.testing import write_note
from careteam.testing import login

FORMULA_CHARACTERS = "=+-@"
# Blank or invisible to a person reading the cell; the issue names U+00A0, U+200B and U+FEFF.
BLANKS = [
    " ",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x00",
    "\x85",
    "\u00a0",
    "\u00ad",
    "\u1680",
    "\u180e",
    "\u2002",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u2028",
    "\u202e",
    "\u2060",
    "\u3000",
    "\u3164",
    "\ufe0f",
    "\ufeff",
    "\U000e0020",
]


# Letters that render as nothing (Unicode's default-ignorable Hangul fillers).
FILLERS = "\u115f\u1160\u3164\uffa0"


def _blank(ch: str) -> bool:
    """What a reader cannot see: whitespace, control and format characters, and the above."""
    return (
        ch in BLANKS
        or ch in FILLERS
        or ch.isspace()
        or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")
    )


def _first_visible(text: str) -> str:
    return next((ch for ch in text if not _blank(ch)), "")


def _starts_visibly_harmless(text: str) -> bool:
    """Whether the text starts with a character a reader sees that starts no formula."""
    first = text[:1]
    return (
        first != ""
        and unicodedata.category(first)[0] in "LNPS"
        and first not in FORMULA_CHARACTERS + FILLERS
    )


def _read_back(text: str) -> str:
    data = careteam.api.csv_bytes(["cell"], [[text]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["cell"] and len(rows) == 2 and len(rows[1]) == 1
    return rows[1][0]


formula_like = st.builds(
    lambda blanks, start, rest: blanks + start + rest,
    st.text(st.sampled_from(BLANKS), max_size=4),
    st.sampled_from(FORMULA_CHARACTERS),
    st.text(max_size=20),
)


texts = st.one_of(st.text(), formula_like)


@given(texts)
def test_a_cell_reads_back_as_the_text_or_the_text_behind_an_apostrophe(text):
    cell = _read_back(text)
    assert cell in (text, "'" + text)
    if _starts_visibly_harmless(text):
        # Nothing is added where nothing could run: names, ids, dates read as they are.
        assert cell == text


@given(texts)
def test_no_cell_starts_with_a_formula_even_after_blank_characters(text):
    cell = _read_back(text)
    if _first_visible(text) in tuple(FORMULA_CHARACTERS) or text.startswith(("\t", "\r")):
        assert cell == "'" + text
    assert cell.startswith("'") or _first_visible(cell) not in tuple(FORMULA_CHARACTERS)


def test_core_and_plugins_share_one_function():
    assert careteam.api.csv_bytes is csvfile.csv_bytes
    assert careteam.api.safe_cell is csvfile.safe_cell


def test_the_circle_export_escapes_formulas_behind_blank_characters(app, new_client, make_user):
    setup = build_circle(app, people_for_every_role(make_user), name="Maya's circle")
    titles = [
        '  =HYPERLINK("http://evil.example","x")',
        "\u00a0+1",
        "\u200b-2",
        "\ufeff@SUM(A1)",
        "\n=1+1",
        "Walk at 3-4 pm",
    ]
    for title in titles:
        write_note(app, setup, "coordinator", title=title, audience="everyone")
    client = new_client()
    login(client, setup.people["coordinator"].email)
    response = client.post_form(setup.url("/export"), {})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = archive.read("notes.csv").decode("utf-8-sig")
    cells = {row["title"] for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert cells == {"'" + t for t in titles[:-1]} | {titles[-1]}
