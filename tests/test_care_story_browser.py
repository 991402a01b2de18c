"""The journal and calendar story from the issue, in Chromium: a caregiver writes a symptoms note
for the care team that a supporter cannot see, though the supporter sees an update for everyone;
a family member schedules weekly PT; a friend volunteers for a ride and the agenda shows it; the
feed link is shown and its calendar downloads; "add to my calendar" gives an .ics.  Zero axe
violations on every page visited."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest

from careteam.circles.testing import build_circle, people_for_every_role
from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


def _page_as(browser, live_url, person, width=1024):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_url}/login")
    page.fill("#email", person.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    return page


def _write_note(page, base, title, body, category, audience):
    page.goto(f"{base}/notes/new")
    page.fill("#title", title)
    page.fill("#body", body)
    page.select_option("#category", category)
    page.check(f"input[name=audience][value={audience}]")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector(f"h1:has-text('{title}')")


def test_the_journal_and_calendar_story(app, make_user, live_url, browser):
    people = people_for_every_role(make_user)
    setup = build_circle(app, people, name="Maya's circle", time_zone="Europe/London")
    base = f"{live_url}{setup.url()}"

    caregiver = _page_as(browser, live_url, people["caregiver"])
    _write_note(
        caregiver,
        base,
        "Weakness after the heat",
        "Left leg weaker after the afternoon heat; rested, better by evening.",
        "symptoms",
        "care_team",
    )
    check_accessible(caregiver, "symptoms note")
    family = _page_as(browser, live_url, people["family"])
    _write_note(
        family, base, "Thank you all", "Maya enjoyed the garden visit.", "update", "everyone"
    )

    friend = _page_as(browser, live_url, people["supporter"], width=390)
    friend.goto(f"{base}/notes")
    check_accessible(friend, "feed as a friend")
    assert friend.locator("text=Thank you all").count() == 1
    assert friend.locator("text=Weakness after the heat").count() == 0

    # Family schedules physical therapy every Tuesday, asking for a ride there.
    family.goto(f"{base}/appointments/new")
    family.fill("#title", "Physical therapy")
    family.select_option("#kind", "physical_therapy")
    today = date.today()
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    family.fill("#start_date", next_tuesday.isoformat())
    family.fill("#start_time", "10:00")
    family.fill("#end_time", "11:00")
    family.check("input[name=repeat][value=weekly]")
    family.check("input[name=weekdays][value=TU]")
    family.fill("#help_ride_there", "1")
    family.check("input[name=audience][value=everyone]")
    family.get_by_role("button", name="Save appointment").click()
    family.wait_for_selector("h1:has-text('Physical therapy')")
    check_accessible(family, "weekly PT")
    series_url = family.url

    # The friend volunteers for the first ride.
    friend.goto(f"{base}/appointments")
    friend.get_by_role("link", name="Physical therapy").first.click()
    friend.get_by_role("button", name="I can help: a ride there").click()
    friend.wait_for_selector("text=Signed up: Supporter Person")
    check_accessible(friend, "signed up for a ride")
    family.goto(f"{base}/appointments")
    assert family.locator("text=Physical therapy").count() >= 1
    check_accessible(family, "agenda")
    family.get_by_role("link", name="Physical therapy").first.click()
    assert family.locator("text=Signed up: Supporter Person").count() == 1

    # The feed link is shown once, and the calendar it gives holds the series.
    family.goto(f"{base}/appointments/subscribe")
    check_accessible(family, "subscribe")
    family.get_by_role("button", name="Make my calendar link").click()
    link = family.input_value("#feed-url")
    assert link.startswith("http://careteam.test/")
    feed = family.request.get(live_url + link.removeprefix("http://careteam.test"))
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.body())
    [event] = [e for e in calendar.walk("VEVENT") if str(e["summary"]) == "Physical therapy"]
    assert "BYDAY" in event["rrule"] and event["rrule"]["BYDAY"] == ["TU"]

    # "Add to my calendar" downloads the one event.
    family.goto(series_url)
    with family.expect_download() as download:
        family.get_by_role("link", name="Add the series to my calendar (.ics)").click()
    with open(download.value.path(), "rb") as downloaded:
        single = icalendar.Calendar.from_ical(downloaded.read())
    assert [str(e["summary"]) for e in single.walk("VEVENT")] == ["Physical therapy"]
