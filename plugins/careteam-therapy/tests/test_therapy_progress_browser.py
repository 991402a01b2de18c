"""Progress, the overview and the home panel in a real Chromium: zero axe violations, 44 px
targets, the chart drawn, and the "older weeks" link reached by keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from careteam_therapy.schedule import monday_of

from careteam.api import Circle, circle_zone, db, utcnow
from careteam.testing import TEST_PASSWORD, check_accessible

from .progress_factories import add_alert, add_logs, add_pause, add_programme, task

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, email):
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def test_the_therapist_follows_progress_from_the_overview(app, make_circle, live_url, browser):
    maya = make_circle(members={"therapist": "dr-lee", "family": "ana"}, name="Maya's circle")
    make_circle(members={"therapist": "dr-lee"}, name="Joe's circle")
    therapist = maya.people["therapist"]
    with app.app_context():
        today = utcnow().astimezone(circle_zone(db.session.get(Circle, maya.id))).date()
    start = monday_of(today) - timedelta(weeks=14)
    v2 = monday_of(today) - timedelta(weeks=5) + timedelta(days=2)
    made = add_programme(
        app,
        maya.id,
        therapist.id,
        [
            (start, [task("walk", start), task("balance", start, per_week=3)]),
            (v2, [task("walk", start, times_per_day=2), task("balance", start, per_week=3)]),
        ],
    )
    add_logs(
        app,
        made,
        [
            {"key": "walk", "day": start + timedelta(days=n), "pain": n % 6, "fatigue": n % 9}
            for n in range(0, (today - start).days, 3)
        ],
    )
    add_pause(app, made, monday_of(today) - timedelta(weeks=2), monday_of(today) - timedelta(10))
    add_alert(app, made, "fatigue", 8)

    page = browser.new_page(viewport={"width": 1024, "height": 900})
    _sign_in(page, live_url, therapist.email)
    assert page.locator("text=1 needs attention").count() == 1
    check_accessible(page, "therapy home panel")
    page.get_by_role("link", name="See every programme").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/therapy")
    assert page.locator("text=Fatigue 8").count() == 1
    check_accessible(page, "therapy overview")

    page.get_by_role("link", name="Progress of Walking and balance in Maya's circle").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/progress")
    assert page.locator("svg[role=img] title").count() == 1
    assert page.locator("table tbody tr").count() == 12
    check_accessible(page, "therapy progress")
    page.get_by_role("link", name="Older weeks").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/progress?before=*")
    assert page.locator("table tbody tr").count() == 3
    check_accessible(page, "therapy progress older")

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    _sign_in(phone, live_url, therapist.email)
    phone.goto(f"{live_url}{maya.url(f'/therapy/{made.public_id}/progress')}")
    check_accessible(phone, "therapy progress on a phone")
