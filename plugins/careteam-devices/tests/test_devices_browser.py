"""The devices flow in a real Chromium: add a device from its checklist, run a check with one
problem, see it on the circle's home page, resolve it; mostly by keyboard, with zero axe
violations and 44 px targets on every page visited."""

from __future__ import annotations

import pytest

from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, email):
    page.goto(f"{live_url}/login")
    check_accessible(page, "devices sign in")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def _press(page, locator, key="Enter"):
    """Reach a control by focus and use it from the keyboard, as a person without a mouse."""
    locator.focus()
    page.keyboard.press(key)


def test_add_a_device_check_it_and_resolve_the_problem(circle_with_roles, live_url, browser):
    base = f"{live_url}{circle_with_roles.url()}"
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    _sign_in(page, live_url, circle_with_roles.people["therapist"].email)

    page.goto(base)
    check_accessible(page, "devices circle home before")
    _press(page, page.locator("nav.circle-nav").get_by_role("link", name="Devices"))
    page.wait_for_url("**/devices")
    check_accessible(page, "devices empty")
    _press(page, page.get_by_role("link", name="Add a device"))
    page.wait_for_url("**/devices/new")
    check_accessible(page, "devices add form")
    _press(page, page.get_by_role("button", name="Add the device"))  # nothing typed: errors
    page.wait_for_selector("#name[aria-invalid=true]")
    check_accessible(page, "devices add with errors")
    page.select_option("#kind", "rollator")
    page.fill("#name", "Hall rollator")
    page.fill("#make_model", "Four-wheel rollator with seat")
    page.focus("#make_model")
    page.keyboard.press("Enter")  # Enter in a field sends the form
    page.wait_for_selector("h1:has-text('Hall rollator')")
    assert page.locator("text=Brakes stop the wheels").count() == 1
    check_accessible(page, "devices device page")

    _press(page, page.get_by_role("button", name="Start a check"))
    page.wait_for_selector("h1:has-text('Check of Hall rollator')")
    check_accessible(page, "devices running check")
    # The first item "needs attention" (Space on its radio), a comment, then OK for the rest.
    _press(page, page.locator("input[type=radio][value=attention]").first, "Space")
    page.locator("input[id^=comment_]").first.fill("Left brake does not hold on the slope")
    for n in range(1, page.locator("input[type=radio][value=ok]").count()):
        _press(page, page.locator("input[type=radio][value=ok]").nth(n), "Space")
    _press(page, page.get_by_role("button", name="Finish the check"))
    page.wait_for_selector("text=1 problem(s) recorded")
    problems = page.locator("section[aria-labelledby=device-problems]")
    assert problems.locator("text=Left brake does not hold").count() == 1
    check_accessible(page, "devices device after the check")

    page.goto(base)
    panel = page.locator("#section-device-checks").locator("xpath=..")
    assert panel.locator("text=Left brake does not hold on the slope").count() == 1
    check_accessible(page, "devices home with the panel")

    _press(page, panel.get_by_role("link", name="All devices"))
    page.wait_for_url("**/devices")
    check_accessible(page, "devices list with a problem")
    page.go_back()
    _press(page, panel.get_by_role("link", name="Mark resolved").first)  # from the dashboard
    page.wait_for_selector("h1:has-text('Resolve a problem')")
    check_accessible(page, "devices resolve a problem")
    page.focus("#resolution")
    page.keyboard.type("Brake cable tightened by the supplier")
    page.keyboard.press("Tab")  # to "Mark resolved"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=The problem is marked resolved.")
    check_accessible(page, "devices list after resolving")

    page.goto(base)
    assert page.locator("text=Left brake does not hold on the slope").count() == 0
    check_accessible(page, "devices home after resolving")

    page.goto(f"{base}/devices")
    page.get_by_role("link", name="Hall rollator").click()
    _press(page, page.get_by_role("link", name="History of checks"))
    page.wait_for_selector("h1:has-text('History of Hall rollator')")
    assert page.locator("text=Brake cable tightened by the supplier").count() == 1
    check_accessible(page, "devices history")
    page.go_back()
    _press(page, page.get_by_role("link", name="Change the checklist"))
    page.wait_for_selector("h1:has-text('Checklist of Hall rollator')")
    check_accessible(page, "devices checklist editor")

    page.goto(f"{base}/devices/checklists")
    check_accessible(page, "devices checklists")
    _press(page, page.get_by_role("link", name="Make a checklist"))
    page.wait_for_selector("h1:has-text('Make a checklist')")
    check_accessible(page, "devices new checklist")
