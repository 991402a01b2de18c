"""Dr. Lee, a therapist, builds Maya's programme from the library in a real Chromium, changes it
to version 2, reads its history, opens the printable sheet, keeps a task as a template and
looks at copying it; mostly by keyboard, with zero axe violations and 44 px targets on every
page visited."""

from __future__ import annotations

import pytest

from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


def _press(page, locator, key="Enter"):
    """Reach a control by focus and use it from the keyboard, as a person without a mouse."""
    locator.focus()
    page.keyboard.press(key)


@pytest.fixture
def maya(make_user, make_circle):
    lee = make_user(display_name="Dr. Lee")
    setup = make_circle(members={"therapist": lee}, name="Maya's circle")
    make_circle(members={"therapist": lee}, name="Joe's circle")  # a second circle to copy to
    return setup, lee


def test_dr_lee_builds_and_changes_mayas_programme(maya, live_url, browser):
    setup, lee = maya
    base = f"{live_url}{setup.url()}"
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#email", lee.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")

    page.goto(base)
    _press(page, page.locator("nav.circle-nav").get_by_role("link", name="Therapy"))
    page.wait_for_url("**/therapy")
    check_accessible(page, "therapy list, empty")
    _press(page, page.get_by_role("link", name="Prescribe a programme"))
    page.wait_for_selector("h1:has-text('Prescribe a programme')")
    check_accessible(page, "therapy new programme")
    _press(page, page.get_by_role("button", name="Prescribe version 1"))  # nothing chosen
    page.wait_for_selector("#title[aria-invalid=true]")
    check_accessible(page, "therapy new programme with errors")
    page.fill("#title", "Walking and balance")
    for value in ("library:sit-to-stand", "library:standing-balance", "library:rollator-walk"):
        _press(page, page.locator(f"input[value='{value}']"), "Space")
    page.focus("#title")
    page.keyboard.press("Enter")  # Enter in a field sends the form
    page.wait_for_selector("h1:has-text('Walking and balance')")
    assert page.locator("text=version 1").count() >= 1
    assert page.locator("img[alt]").count() == 3
    # The drawings are the plugin's static files, served by core.
    assert page.locator("img").first.evaluate("i => i.complete && i.naturalWidth > 0")
    check_accessible(page, "therapy programme v1")

    _press(page, page.get_by_role("link", name="Change the programme"))
    page.wait_for_selector("h1:has-text('Change')")
    check_accessible(page, "therapy editor")
    page.fill("#tasks-0-sets", "3")
    page.fill("#change_note", "Three sets of sit to stand; the walk first")
    move_up = page.locator("button[name=action][value='up-2']")
    _press(page, move_up)
    page.wait_for_selector("#tasks-2-title")
    assert page.input_value("#tasks-1-title") == "Walk with your rollator"
    assert page.input_value("#tasks-0-sets") == "3"  # what was typed stays
    assert page.input_value("#change_note") == "Three sets of sit to stand; the walk first"
    check_accessible(page, "therapy editor after a move")
    page.focus("#change_note")
    page.keyboard.press("Enter")  # Enter saves (the first button), it never moves a task
    page.wait_for_selector("text=Version 2 is saved.")
    assert page.locator("text=version 2").count() >= 1
    assert page.locator("text=3 sets of").count() == 1
    check_accessible(page, "therapy programme v2")

    _press(page, page.get_by_role("link", name="History of versions"))
    page.wait_for_selector("h1:has-text('History of')")
    assert page.locator("text=Three sets of sit to stand; the walk first").count() == 1
    check_accessible(page, "therapy history")
    page.go_back()

    _press(page, page.get_by_role("link", name="Printable sheet"))
    page.wait_for_selector("dt:has-text('Therapist')")
    assert page.locator("dd:has-text('Dr. Lee')").count() == 1
    check_accessible(page, "therapy printable sheet")
    page.emulate_media(media="print")
    assert not page.locator("nav.circle-nav").is_visible()  # paper keeps the content alone
    assert page.locator("h2:has-text('Sit to stand')").is_visible()
    page.emulate_media(media="screen")
    page.go_back()

    _press(page, page.locator("button", has_text="Save as my template").first)
    page.wait_for_selector("text=kept in your templates")
    check_accessible(page, "therapy programme after keeping a template")
    page.goto(f"{live_url}/therapy/templates")
    check_accessible(page, "therapy templates")
    _press(page, page.locator("a", has_text="Change").last)
    page.wait_for_selector("h1:has-text('Change the template')")
    check_accessible(page, "therapy template editor")

    page.goto(f"{base}/therapy")
    check_accessible(page, "therapy list with a programme")
    page.get_by_role("link", name="Walking and balance", exact=True).click()
    _press(page, page.get_by_role("link", name="Copy to another circle"))
    page.wait_for_selector("h1:has-text('to another circle')")
    assert page.locator('option:has-text("Joe\'s circle")').count() == 1
    check_accessible(page, "therapy copy")
