"""Rendering helpers: selects escape what people typed; the fast URL builders give exactly what
url_for gives."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask, url_for
from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms import Form

from careteam.appointments.display import occurrence_url
from careteam.web.forms import SelectField
from careteam.web.forms import choices as to_choices
from careteam.web.links import repeated_url, site_wide_url

# Text a person could type: quotes, ampersands, angle brackets, spaces, slashes, non-Latin.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)


def test_select_escapes_labels_and_values() -> None:
    class Pick(Form):
        field = SelectField("Pick", choices=to_choices([('"><script>', "<b>&</b>")]))

    html = str(Pick(data={"field": '"><script>'}).field())
    assert "<script>" not in html and "<b>" not in html
    assert (
        '<option selected value="&#34;&gt;&lt;script&gt;">&lt;b&gt;&amp;&lt;/b&gt;</option>' in html
    )


@pytest.fixture(scope="module")
def link_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/c/<circle_id>/notes", "feed", lambda circle_id: "")
    app.add_url_rule("/c/<circle_id>/notes/<note_id>", "detail", lambda circle_id, note_id: "")
    return app


@settings(max_examples=200, deadline=None)
@given(circle=texts.filter(bool), value=texts.filter(bool))
def test_repeated_url_builds_what_url_for_builds(link_app: Flask, circle: str, value: str) -> None:
    with link_app.test_request_context("/"):
        for _ in range(2):  # the second call reuses the request's pattern
            assert repeated_url("feed", "tag", value, circle_id=circle) == url_for(
                "feed", circle_id=circle, tag=value
            )
            assert repeated_url("detail", "note_id", value, circle_id=circle) == url_for(
                "detail", circle_id=circle, note_id=value
            )


def test_repeated_url_keeps_patterns_apart(link_app: Flask) -> None:
    with link_app.test_request_context("/"):
        assert repeated_url("feed", "tag", "pt", circle_id="a") == "/c/a/notes?tag=pt"
        assert repeated_url("feed", "tag", "pt", circle_id="b") == "/c/b/notes?tag=pt"
        assert repeated_url("detail", "note_id", "n1", circle_id="a") == "/c/a/notes/n1"
        assert repeated_url("feed", "tag", "a b&c", circle_id="a") == "/c/a/notes?tag=a+b%26c"


@settings(max_examples=100, deadline=None)
@given(circle=st.from_regex(r"[A-Za-z0-9_-]{1,16}", fullmatch=True))
def test_site_wide_url_builds_what_url_for_builds_under_any_script_root(
    link_app: Flask, circle: str
) -> None:
    """Kept across requests, per script root: an app mounted under a prefix gets its own."""
    for root in ("", "/careteam", "/other/place"):
        with link_app.test_request_context("/", environ_base={"SCRIPT_NAME": root}):
            for _ in range(2):
                assert site_wide_url("feed", "circle_id", circle) == url_for(
                    "feed", circle_id=circle
                )
                assert site_wide_url("feed", "circle_id", circle, tag="x y") == url_for(
                    "feed", circle_id=circle, tag="x y"
                )


@pytest.fixture(scope="module")
def calendar_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/c/<circle_id>/a/<appointment_id>", "appointments.detail", lambda **_: "")
    app.add_url_rule(
        "/c/<circle_id>/a/<appointment_id>/on/<occurrence>",
        "appointments.occurrence",
        lambda **_: "",
    )
    return app


@settings(max_examples=100, deadline=None)
@given(
    circle=st.from_regex(r"[A-Za-z0-9_-]{1,16}", fullmatch=True),
    appointment=st.from_regex(r"[A-Za-z0-9_-]{1,16}", fullmatch=True),
    key=st.from_regex(r"[0-9]{8}(T[0-9]{4})?", fullmatch=True),
    recurring=st.booleans(),
    root=st.sampled_from(["", "/careteam"]),
)
def test_occurrence_links_build_what_url_for_builds(
    calendar_app: Flask, circle: str, appointment: str, key: str, recurring: bool, root: str
) -> None:
    """Public ids and occurrence keys are URL-safe as they are: replacing markers is enough."""
    occurrence = SimpleNamespace(
        appointment=SimpleNamespace(public_id=appointment, recurring=recurring), key=key
    )
    with calendar_app.test_request_context("/", environ_base={"SCRIPT_NAME": root}):
        if recurring:
            expected = url_for(
                "appointments.occurrence",
                circle_id=circle,
                appointment_id=appointment,
                occurrence=key,
            )
        else:
            expected = url_for("appointments.detail", circle_id=circle, appointment_id=appointment)
        for _ in range(2):  # the second call uses the request's patterns
            assert occurrence_url(SimpleNamespace(public_id=circle), occurrence) == expected
