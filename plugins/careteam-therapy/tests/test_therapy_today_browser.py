"""Today in a real Chromium on a 390 x 844 phone screen: Maya logs by keyboard (one "Done",
one "Partly" with a reason), Ana logs fatigue 8, Dr. Lee sees the alert; the pause and settings
pages too.  Zero axe violations and 44 px targets on every page visited."""

from __future__ import annotations

import re

import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme

from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _sign_in(page, live_url, email):
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def _press(page, locator, key="Enter"):
    """Reach a control by focus and use it from the keyboard, as a person without a mouse."""
    locator.focus()
    page.keyboard.press(key)


def test_maya_and_ana_log_today_on_a_phone(app, circle_with_roles, live_url, browser):
    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Seated marching", sets=2, reps=20, keep_in_flare=True),
            TaskSpec("Rollator walk", kind="activity", minutes=10, per_week=5),
        ],
    )
    base = f"{live_url}{circle_with_roles.url()}"
    maya = browser.new_page(viewport=PHONE)
    _sign_in(maya, live_url, circle_with_roles.people["care_recipient"].email)
    maya.goto(base)
    check_accessible(maya, "therapy home panel")
    _press(maya, maya.get_by_role("link", name="Log today's therapy"))
    maya.wait_for_url("**/therapy/today")
    check_accessible(maya, "therapy today")
    # The phone's width fits the page: nothing scrolls sideways.
    assert maya.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    _press(maya, maya.get_by_role("button", name=re.compile(r"^Done.*Sit to stand")))
    maya.wait_for_selector("text=Saved.")
    assert maya.locator("text=1 of 3 logged today").count() == 1
    check_accessible(maya, "therapy today after one tap")
    # Checking a page twice without loading it again finds empty style="" attributes on its
    # hidden inputs (left by the kit's check itself, it seems): load it again, as a person
    # would see it after saving anyway.
    maya.reload()

    _press(maya, maya.locator("summary", has_text="Partly, skipped").first)
    form = maya.locator("details[open] form")
    form.locator("input[type=radio][value=partly]").focus()
    maya.keyboard.press("Space")
    form.locator("input[name=reason]").focus()
    maya.keyboard.type("Legs heavy after ten")
    form.locator("input[name=reps]").focus()
    maya.keyboard.type("10")
    check_accessible(maya, "therapy today partly open")
    maya.keyboard.press("Enter")  # Enter in a field sends the form
    maya.wait_for_selector("text=Saved.")
    assert maya.locator("text=Legs heavy after ten").count() == 1

    ana = browser.new_page(viewport=PHONE)
    _sign_in(ana, live_url, circle_with_roles.people["caregiver"].email)
    ana.goto(f"{base}/therapy/today")
    _press(ana, ana.locator("summary", has_text="Partly, skipped").first)
    form = ana.locator("details[open] form")
    form.locator("input[type=radio][value=partly]").focus()
    ana.keyboard.press("Space")
    form.locator("input[name=reason]").fill("Very tired today")
    form.locator("input[name=fatigue]").fill("8.5")
    _press(ana, form.get_by_role("button", name="Save"))
    ana.wait_for_selector("input[name=fatigue][aria-invalid=true]")
    check_accessible(ana, "therapy today with an error")
    form = ana.locator("details[open] form")
    form.locator("input[name=fatigue]").fill("8")
    _press(ana, form.get_by_role("button", name="Save"))
    ana.wait_for_selector("text=Saved.")
    assert ana.locator("text=3 of 3 logged today").count() == 1

    _press(ana, ana.get_by_role("link", name="Pause for a flare-up"))
    ana.wait_for_selector("h1:has-text('Pause for a flare-up')")
    check_accessible(ana, "therapy pause")
    ana.goto(f"{base}/therapy/settings")
    check_accessible(ana, "therapy settings")

    lee = browser.new_page(viewport=PHONE)
    _sign_in(lee, live_url, circle_with_roles.people["therapist"].email)
    lee.goto(base)
    assert lee.locator("text=Therapy alert: Walking and balance").count() == 1
    lee.goto(f"{base}/therapy/alerts")
    assert lee.locator("strong", has_text="Fatigue 8").count() == 1
    check_accessible(lee, "therapy alerts")
    _press(lee, lee.get_by_role("button", name=re.compile(r"^Mark seen")))
    lee.wait_for_selector("text=Marked seen.")
    check_accessible(lee, "therapy alerts after marking seen")
