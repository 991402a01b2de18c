"""Markdown for note bodies: markdown-it-py with raw HTML off, then nh3 as the last word.

markdown-it already refuses raw HTML and ``javascript:`` links; nh3 still cleans its output so a
renderer bug or plugin can never put script, styles or event handlers on a care page.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
# Remote images would track readers (and the CSP blocks them anyway); the alt text stays.
_md.disable("image")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
_SPACES = re.compile(r"\s+")


def render_markdown(text: str) -> Markup:
    """Render Markdown (a note body, a plugin's instructions) to safe HTML: cleaned with nh3,
    so raw HTML, scripts and images are left out and links open only http(s) and mailto."""
    raw = _md.render(text or "")
    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        url_relative="deny",
        link_rel="noopener nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - nh3 output is the sanitised HTML


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def literal_markdown(text: str) -> str:
    """Return ``text`` escaped so that Markdown shows it exactly as typed: put what a person
    typed (a name, a comment) into Markdown that a program writes (CommonMark lets a backslash
    escape any ASCII punctuation)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def plain_text(text: str) -> str:
    """Return a note body as one line of plain text (Markdown syntax removed)."""
    stripped = nh3.clean(_md.render(text or ""), tags=set(), clean_content_tags={"script", "style"})
    return _SPACES.sub(" ", html.unescape(stripped)).strip()


def excerpt(text: str, limit: int = 280) -> str:
    """Return the start of a note body as plain text, cut at a word boundary."""
    flat = plain_text(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,.;:") + "…"
