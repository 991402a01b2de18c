"""Marking the searched words in titles and snippets, and ranking a few matches by them.

Done here rather than by ``ts_headline`` or FTS5's ``snippet()``, which re-read every row: a
word is marked when it starts with the stem of a typed word (:func:`stem_prefix`, a light
suffix strip), so it can mark a related word the engine did not match ("walker" for "walk");
it never changes which notes match.  Marks are private marker characters that note text cannot
contain (control characters are refused on input); the text is HTML-escaped and only then are
the markers turned into ``<mark>`` tags.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from markupsafe import Markup, escape

START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 24
WORD = re.compile(r"\w+", re.UNICODE)
_MARKERS = re.compile(f"([{START}{STOP}])")
# Longest first; a stem keeps at least three letters so "leg" or "bus" stay whole.
_SUFFIXES = ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s", "y", "e")
_WEIGHTS = {"title": 10, "tags": 5, "body": 1}


def stem_prefix(word: str) -> str:
    """Return the start every inflected form of ``word`` shares ("walks" -> "walk")."""
    word = word.casefold()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight(marked: str | None) -> Markup:
    """HTML-escape engine output, then turn only the match markers into ``<mark>`` tags."""
    out: list[str] = []
    is_open = False
    for piece in _MARKERS.split(marked or ""):
        if piece == START:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif piece == STOP:
            if is_open:
                out.append("</mark>")
                is_open = False
        else:
            out.append(str(escape(piece)))
    if is_open:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - every piece of text above was escaped


class Matcher:
    """Finds the words of a text that a search's terms matched."""

    def __init__(self, terms: list[str]) -> None:
        prefixes = sorted({stem_prefix(t) for t in terms}, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in prefixes)
        self._pattern = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)

    def count(self, text: str) -> int:
        return sum(1 for _ in self._pattern.finditer(text))

    def first(self, text: str) -> int | None:
        found = self._pattern.search(text)
        return found.start() if found else None

    def mark(self, text: str, start: int = 0, end: int | None = None) -> str:
        """Return ``text[start:end]`` with every matched word between the markers."""
        end = len(text) if end is None else end
        out, pos = [], start
        for found in self._pattern.finditer(text, start, end):
            out += [text[pos : found.start()], START, found.group(), STOP]
            pos = found.end()
        out.append(text[pos:end])
        return "".join(out)

    def score(self, row: Any) -> int:
        """Rank a note: each marked word counts 10 in the title, 5 in the tags, 1 in the body."""
        return (
            _WEIGHTS["title"] * self.count(row.title or "")
            + _WEIGHTS["tags"] * self.count(row.tags_text or "")
            + _WEIGHTS["body"] * self.count(row.body or "")
        )

    def snippet(self, body: str) -> str:
        """Return about :data:`SNIPPET_WORDS` words of ``body`` from just before its first match,
        marked."""
        anchor = self.first(body) or 0
        # A few words of lead-in; only the text near the match is scanned, however long the body.
        lead_in = [m.start() for m in WORD.finditer(body, max(0, anchor - 200), anchor)]
        lead = lead_in[-(SNIPPET_WORDS // 4) :]
        start = lead[0] if lead else anchor
        ends = [m.end() for m in itertools.islice(WORD.finditer(body, start), SNIPPET_WORDS)]
        end = ends[-1] if ends else len(body)
        cut_before = WORD.search(body, 0, start) is not None
        cut_after = WORD.search(body, end) is not None
        # Whole-body edges keep leading and trailing punctuation (markup typed as text, say).
        start = start if cut_before else 0
        end = end if cut_after else len(body)
        marked = self.mark(body, start, end)
        return ("…" if cut_before else "") + marked + ("…" if cut_after else "")
