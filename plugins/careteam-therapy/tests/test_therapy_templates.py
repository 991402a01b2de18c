"""A therapist's templates: kept from any task, holding no circle data, offered wherever they
prescribe, on a page of their own outside circles (404 for anyone who prescribes nowhere)."""

from __future__ import annotations

import re

import pytest
from careteam_therapy.models import Task, TaskTemplate
from careteam_therapy.tasks import TEMPLATE_FIELDS
from careteam_therapy.testing import form_fields, make_programme
from sqlalchemy import func, select

from careteam.api import db
from careteam.testing import login

# One exercise with sets and reps, one daily-living strategy.
TWO_ENTRIES = ("sit-to-stand", "planned-rests")


@pytest.fixture
def saved(app, client_as, circle_with_roles):
    """The therapist keeps the programme's first task as a template; returns its public id."""
    programme_id = make_programme(app, circle_with_roles, entries=TWO_ENTRIES)
    url = circle_with_roles.url(f"/therapy/{programme_id}")
    client = client_as("therapist")
    page = client.get(url).get_data(as_text=True)
    task_id = re.search(r'name="task" value="([^"]+)"', page).group(1)
    response = client.post_form(f"{url}/template", {"task": task_id}, page=url)
    assert response.status_code == 302
    assert "kept in your templates" in client.get(url).get_data(as_text=True)
    with app.app_context():
        template = db.session.scalar(select(TaskTemplate))
        task = db.session.scalar(select(Task).where(Task.public_id == task_id))
        assert template.owner_id == circle_with_roles.people["therapist"].id
        for name in TEMPLATE_FIELDS:
            assert getattr(template, name) == getattr(task, name), name
        # No circle data: the table has no column that could hold any.
        columns = {c.name for c in TaskTemplate.__table__.columns}
        assert not columns & {"circle_id", "programme_id", "start_date", "end_date", "version_id"}
        return template.public_id


def test_the_templates_page_lists_edits_and_deletes(app, client_as, saved):
    client = client_as("therapist")
    page = client.get("/therapy/templates").get_data(as_text=True)
    assert "Sit to stand" in page and f"/therapy/templates/{saved}" in page
    fields = form_fields(client.get(f"/therapy/templates/{saved}").get_data(as_text=True), saved)
    assert fields["title"] == ["Sit to stand"] and fields["reps"] == ["8"]
    fields.update({"title": ["Sit to stand, slower"], "reps": ["6"], "weekdays": ["1", "3"]})
    changed = client.post(f"/therapy/templates/{saved}", data=fields)
    assert changed.status_code == 302
    with app.app_context():
        template = db.session.scalar(select(TaskTemplate))
        assert (template.title, template.reps, template.weekdays) == ("Sit to stand, slower", 6, 10)
        # The programme's own copy is untouched.
        assert db.session.scalar(select(Task.reps).where(Task.title == "Sit to stand")) == 8
    deleted = client.post_form(f"/therapy/templates/{saved}/delete", {}, page="/therapy/templates")
    assert deleted.status_code == 302
    assert "No templates yet" in client.get("/therapy/templates").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(TaskTemplate.id))) == 0
        assert db.session.scalar(select(func.count(Task.id))) == 2


def test_bad_template_input_is_refused_at_the_field(client_as, saved):
    client = client_as("therapist")
    url = f"/therapy/templates/{saved}"
    fields = form_fields(client.get(url).get_data(as_text=True), saved)
    fields.update(
        {"sets": ["0"], "per_week": ["15"], "weekdays": [], "instructions": ["kept \u2713"]}
    )
    response = client.post(url, data=fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="sets-errors"' in html and 'id="per_week-errors"' in html and "kept \u2713" in html
    fields.update({"sets": ["2"], "per_week": [""], "weekdays": ["0"], "title": [""]})
    response = client.post(url, data=fields)
    assert response.status_code == 422 and 'id="title-errors"' in response.get_data(as_text=True)


def test_templates_are_offered_wherever_the_therapist_prescribes(
    app, client_as, make_circle, circle_with_roles, saved
):
    therapist = circle_with_roles.people["therapist"]
    joe = make_circle(members={"therapist": therapist}, name="Joe's circle")
    client = client_as("therapist")
    new = client.get(joe.url("/therapy/new")).get_data(as_text=True)
    assert "Your templates" in new and f'value="template:{saved}"' in new
    made = client.post_form(
        joe.url("/therapy/new"), {"title": "From my template", "sources": [f"template:{saved}"]}
    )
    assert made.status_code == 302
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Sit to stand" in page and "2 sets of 8" in page
    edit = client.get(f"{made.headers['Location']}/edit").get_data(as_text=True)
    assert f'value="template:{saved}"' in edit  # in the editor's add list too


def test_someone_elses_template_is_not_offered_or_usable(
    app, new_client, make_user, make_circle, circle_with_roles, saved
):
    other = make_user(display_name="Another therapist")
    joe = make_circle(members={"therapist": other}, name="Joe's circle")
    client = new_client()
    login(client, other.email)
    new = client.get(joe.url("/therapy/new")).get_data(as_text=True)
    assert saved not in new and "Your templates" not in new
    refused = client.post_form(
        joe.url("/therapy/new"), {"title": "Taken", "sources": [f"template:{saved}"]}
    )
    assert refused.status_code == 422
    assert client.get(f"/therapy/templates/{saved}").status_code == 404
    assert (
        client.post_form(
            f"/therapy/templates/{saved}/delete", {}, page="/therapy/templates"
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(TaskTemplate.id))) == 1


@pytest.mark.parametrize("role", ["coordinator", "family", "supporter", "care_recipient"])
def test_the_templates_pages_are_404_for_someone_who_prescribes_nowhere(client_as, saved, role):
    client = client_as(role)
    assert client.get("/therapy/templates").status_code == 404
    assert client.get(f"/therapy/templates/{saved}").status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, saved):
    for url in ("/therapy/templates", f"/therapy/templates/{saved}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_therapist_whose_circle_switched_therapy_off_prescribes_nowhere(
    client_as, circle_with_roles, saved
):
    coordinator = client_as("coordinator")
    plugins = circle_with_roles.url("/settings/plugins")
    switched = coordinator.post_form(plugins, {"plugin": "therapy", "enabled": "off"})
    assert switched.status_code in (302, 303)
    assert client_as("therapist").get("/therapy/templates").status_code == 404


def test_a_task_of_another_programme_cannot_be_kept_through_this_one(
    app, client_as, circle_with_roles
):
    first = make_programme(app, circle_with_roles, entries=TWO_ENTRIES)
    second = make_programme(app, circle_with_roles, title="Second", entries=TWO_ENTRIES)
    client = client_as("therapist")
    page = client.get(circle_with_roles.url(f"/therapy/{second}")).get_data(as_text=True)
    task_id = re.search(r'name="task" value="([^"]+)"', page).group(1)
    url = circle_with_roles.url(f"/therapy/{first}")
    assert client.post_form(f"{url}/template", {"task": task_id}, page=url).status_code == 404
    assert client.post_form(f"{url}/template", {}, page=url).status_code == 400
