"""The circle export's therapy section (programmes, versions, tasks, pauses, logs) and the CSV
of a programme's logs, spreadsheet formulas escaped; a v1 log keeps v1's dose after v2."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

from careteam_therapy import programmes
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import select


def _today(app, setup):
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        return today_in(db.session.get(Circle, setup.id))


def _log(client, setup, day, **answer):
    url = setup.url(f"/therapy/today?day={day}")
    html = client.get(url).get_data(as_text=True)
    block = re.search(r'/therapy/today/log" class="inline-form">(.*?)</form>', html, re.S).group(1)
    fields = dict(re.findall(r'name="(programme|task|day|slot|token)" value="([^"]*)"', block))
    response = client.post_form(
        setup.url("/therapy/today/log"), {**fields, "status": "done", **answer}, page=url
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _two_versions(app, setup):
    """A programme whose sit to stand went from 8 to 12 repetitions today; logs on each side."""
    from careteam_therapy.demo import write_version
    from careteam_therapy.models import Task

    from careteam.api import Circle, db

    today = _today(app, setup)
    start = today - timedelta(days=7)
    public_id = make_programme(app, setup, [TaskSpec("Sit to stand", sets=2, reps=8)], start=start)
    with app.app_context():
        programme = programmes.get_programme(db.session.get(Circle, setup.id), public_id)
        key = db.session.scalar(select(Task.key).where(Task.programme_id == programme.id))
        write_version(
            programme,
            [(key, TaskSpec("Sit to stand", sets=2, reps=12))],
            effective_from=today,
            start=start,
            author_id=setup.people["therapist"].id,
            note="More repetitions",
        )
        db.session.commit()
    return public_id, today


def test_the_export_has_programmes_versions_tasks_pauses_and_logs(
    app, client_as, circle_with_roles
):
    public_id, today = _two_versions(app, circle_with_roles)
    client = client_as("caregiver")
    _log(client, circle_with_roles, today - timedelta(days=1), comment='=HYPERLINK("http://x")')
    _log(client, circle_with_roles, today)
    client.post_form(
        circle_with_roles.url(f"/therapy/{public_id}/pause"),
        {"start_date": str(today + timedelta(days=2)), "note": "Flare"},
    )
    response = client_as("coordinator").post_form(circle_with_roles.url("/export"), {})
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))["therapy"]
    [programme] = data["programmes"]
    assert programme["id"] == public_id and programme["current_version"] == 2
    assert [v["number"] for v in programme["versions"]] == [1, 2]
    assert [v["tasks"][0]["reps"] for v in programme["versions"]] == [8, 12]
    assert programme["versions"][1]["change_note"] == "More repetitions"
    # Each log names the version it answered, so its dose is the one asked that day.
    assert [(entry["day"], entry["version"]) for entry in data["logs"]] == [
        (str(today - timedelta(days=1)), 1),
        (str(today), 2),
    ]
    assert data["pauses"][0]["note"] == "Flare" and data["pauses"][0]["to"] is None
    rows = list(
        csv.reader(
            io.StringIO(
                archive.read(
                    next(n for n in archive.namelist() if n.endswith("therapy_logs.csv"))
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows[1][rows[0].index("comment")].startswith("'=")


def test_the_csv_of_a_programmes_logs(app, client_as, circle_with_roles):

    public_id, today = _two_versions(app, circle_with_roles)
    client = client_as("family")
    _log(
        client,
        circle_with_roles,
        today - timedelta(days=1),
        reason="",
        comment="@SUM(1+1)",
        fatigue="8",
        pain="2",
    )
    response = client.get(circle_with_roles.url(f"/therapy/{public_id}/logs.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"therapy-logs-{public_id}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    [row] = rows
    assert row["comment"] == "'@SUM(1+1)" and row["version"] == "1" and row["fatigue"] == "8"
    assert row["logged_by"] and row["day"] == str(today - timedelta(days=1))
    audit = client_as("coordinator").get(circle_with_roles.url("/audit")).get_data(as_text=True)
    assert "Downloaded a therapy programme&#39;s logs" in audit
    assert (
        client_as("supporter")
        .get(circle_with_roles.url(f"/therapy/{public_id}/logs.csv"))
        .status_code
        == 403
    )
    assert client.get(circle_with_roles.url("/therapy/nosuch/logs.csv")).status_code == 404


def test_supporters_export_nothing_of_therapy(app, client_as, circle_with_roles):
    make_programme(app, circle_with_roles)
    from careteam_therapy.export import build_section

    from careteam.api import Circle, db, membership_of

    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        supporter = membership_of(circle, circle_with_roles.people["supporter"].id)
        content = build_section(circle=circle, membership=supporter)
        assert content.data is None and content.tables == {}
