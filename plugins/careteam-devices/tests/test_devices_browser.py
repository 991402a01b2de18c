"""The devices flow in a real Chromium: add a device from its checklist, run a check with one
problem, see it on the circle's home page, resolve it; zero axe violations on every page."""

from __future__ import annotations

import pytest

from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, email):
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def test_add_a_device_check_it_and_resolve_the_problem(circle_with_roles, live_url, browser):
    base = f"{live_url}{circle_with_roles.url()}"
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    _sign_in(page, live_url, circle_with_roles.people["therapist"].email)

    page.goto(base)
    page.locator("nav.circle-nav").get_by_role("link", name="Devices").click()
    page.wait_for_url("**/devices")
    check_accessible(page, "devices empty")
    page.get_by_role("link", name="Add a device").click()
    page.get_by_role("button", name="Add the device").click()  # nothing typed: errors
    assert page.locator("#name[aria-invalid=true]").count() == 1
    check_accessible(page, "add device with errors")
    page.select_option("#kind", "rollator")
    page.fill("#name", "Hall rollator")
    page.fill("#make_model", "Four-wheel rollator with seat")
    page.get_by_role("button", name="Add the device").click()
    page.wait_for_selector("h1:has-text('Hall rollator')")
    assert page.locator("text=Brakes stop the wheels").count() == 1
    check_accessible(page, "device page")

    page.get_by_role("button", name="Start a check").click()
    page.wait_for_selector("h1:has-text('Check of Hall rollator')")
    check_accessible(page, "running check")
    # By keyboard: the first item's "Needs attention", a comment, then OK for the rest.
    radios = page.locator("input[type=radio][value=attention]")
    radios.first.focus()
    page.keyboard.press("Space")
    page.locator("input[id^=comment_]").first.fill("Left brake does not hold on the slope")
    for n in range(1, page.locator("input[type=radio][value=ok]").count()):
        page.locator("input[type=radio][value=ok]").nth(n).check()
    page.get_by_role("button", name="Finish the check").click()
    page.wait_for_selector("text=1 problem(s) recorded")
    check_accessible(page, "device after the check")

    page.goto(base)
    panel = page.locator("#section-device-checks").locator("xpath=..")
    assert panel.locator("text=Left brake does not hold on the slope").count() == 1
    check_accessible(page, "home with the devices panel")

    page.goto(f"{base}/devices")
    page.get_by_role("link", name="Mark resolved").first.click()
    check_accessible(page, "resolve a problem")
    page.fill("#resolution", "Brake cable tightened by the supplier")
    page.get_by_role("button", name="Mark resolved").click()
    page.wait_for_selector("text=The problem is marked resolved.")
    page.goto(base)
    assert page.locator("text=Left brake does not hold on the slope").count() == 0

    page.goto(f"{base}/devices/checklists")
    check_accessible(page, "checklists")
