"""The calendar pages in a real Chromium: keyboard use, 44 px targets, zero axe violations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from careteam.appointments.models import Appointment
from careteam.appointments.testing import calendar_circle, make_appointment
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def frozen_clock():
    set_clock(lambda: datetime(2030, 1, 7, 12, 0, tzinfo=UTC))
    yield
    set_clock(None)


def test_calendar_pages_are_accessible(app, make_user, live_url, browser):
    setup = calendar_circle(app, make_user)
    series = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        title="Physical therapy",
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
        start_date=date(2030, 1, 8),
        audience="everyone",
        help={"ride_there": 1},
        location="Riverside Physio",
    )
    make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        title="MRI scan",
        all_day=True,
        start_time=None,
        end_time=None,
        start_date=date(2030, 1, 10),
    )
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#email", setup.people["family"].email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    base = f"{live_url}/circles/{setup.public_id}/appointments"

    page.goto(base)
    check_accessible(page, "agenda")
    page.goto(f"{base}/month?month=2030-01")
    assert page.locator("table caption").inner_text() == "Appointments in January 2030"
    check_accessible(page, "month")
    # Keyboard: the "next month" link is reachable and works with Enter.
    page.focus("a:has-text('February 2030')")
    page.keyboard.press("Enter")
    page.wait_for_url("**month=2030-02")

    page.goto(f"{base}/new")
    page.click("text=Save appointment")  # nothing typed: errors tied to fields
    assert page.locator("#title[aria-invalid=true]").count() == 1
    assert page.locator("#title").get_attribute("aria-describedby") == "title-hint title-errors"
    check_accessible(page, "new appointment with errors")

    # Schedule a weekly series with the keyboard and the builder.
    page.goto(f"{base}/new")
    page.focus("#title")
    page.keyboard.type("Occupational therapy")
    page.fill("#start_date", "2030-01-09")
    page.fill("#start_time", "14:00")
    page.fill("#end_time", "15:00")
    page.check("#repeat-1")
    page.check("label:has-text('Wednesday')")
    page.check("label:has-text('Friday')")
    page.click("text=Save appointment")
    page.wait_for_selector("h1:has-text('Occupational therapy')")
    assert "Every Wednesday and Friday" in page.inner_text("main")
    check_accessible(page, "series")
    with app.app_context():
        rule = db.session.scalar(
            select(Appointment.rrule).where(Appointment.title == "Occupational therapy")
        )
    assert rule == "FREQ=WEEKLY;BYDAY=WE,FR"

    page.goto(f"{base}/{series}/on/20300108T1000")
    page.click("text=I can help: a ride there")
    page.wait_for_selector("text=Thank you! You are signed up.")
    check_accessible(page, "occurrence with help")
    page.goto(f"{base}/{series}/on/20300110T1000/edit")
    check_accessible(page, "change one date")
    page.goto(f"{base}/reminders")
    check_accessible(page, "reminders")
    page.goto(f"{base}/subscribe")
    page.click("text=Make my calendar link")
    assert page.locator("#feed-url").input_value().startswith("http://careteam.test/feeds/")
    check_accessible(page, "feed link")
    page.goto(f"{live_url}/calendar")
    check_accessible(page, "my calendar")
    page.goto(f"{live_url}/circles/{setup.public_id}")
    assert page.locator("#section-whats-next + ul, .whats-next").count() >= 1
    assert "Physical therapy" in page.inner_text("main")
    page.close()


def test_time_inputs_are_native(app, make_user, live_url, browser):
    setup = calendar_circle(app, make_user)
    page = browser.new_page()
    page.goto(f"{live_url}/login")
    page.fill("#email", setup.people["coordinator"].email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    page.goto(f"{live_url}/circles/{setup.public_id}/appointments/new")
    for field, kind in (("start_date", "date"), ("start_time", "time"), ("end_time", "time")):
        assert page.locator(f"#{field}").get_attribute("type") == kind
    assert (
        page.locator("fieldset.checkbox-group:has(#weekdays-0) > legend").inner_text()
        == "On these days"
    )
    page.close()
