"""The notes pages in a real Chromium: keyboard-usable flows, 44 px targets, zero axe violations."""

from __future__ import annotations

import pytest

from careteam.notes.testing import circle_with_every_role, write_note
from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser

# Everything a person clicks or types into, outside running text.


def test_notes_pages_are_accessible(app, make_user, live_url, browser):
    setup = circle_with_every_role(app, make_user)
    handoff = write_note(
        app,
        setup,
        "caregiver",
        title="Evening handoff",
        body="Ate well. **Check the AFO strap** in the morning.\n\n- stretches done",
        category="shift_handoff",
        tags=["handoff", "AFO"],
    )
    write_note(app, setup, "family", title="Heat and fatigue", body="Weak left leg after heat.")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#email", setup.people["coordinator"].email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")

    base = f"{live_url}{setup.url()}"
    page.goto(base)
    page.click("summary")  # open the filters so they are checked too
    check_accessible(page, "feed")

    page.goto(f"{base}/new")
    page.click("text=Save note")  # nothing typed: errors tied to fields
    assert page.locator("#body[aria-invalid=true]").count() == 1
    check_accessible(page, "new note with errors")

    # Write a note with the keyboard only.
    page.goto(f"{base}/new")
    page.focus("#title")
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("Weakness in the *left leg* after the heat.")
    page.check("#audience-0")
    page.click("text=Save note")
    page.wait_for_selector("h1:has-text('Typed with the keyboard')")
    assert page.locator(".note-body em").inner_text() == "left leg"
    check_accessible(page, "detail")

    page.goto(f"{base}/{handoff}")
    page.click("text=Acknowledge: I have read this handoff")
    page.wait_for_selector(".seen-by")
    page.fill("#body", "Thanks, will check the strap.")
    page.click("text=Add comment")
    page.wait_for_selector(".comment-body")
    check_accessible(page, "handoff with comment")

    # Open the edit form, let someone else save first, then save: the conflict page.
    page.goto(f"{base}/{handoff}/edit")
    other = browser.new_page()
    other.goto(f"{live_url}/login")
    other.fill("#email", setup.people["caregiver"].email)
    other.fill("#password", TEST_PASSWORD)
    other.keyboard.press("Enter")
    other.wait_for_url("**/home")
    other.goto(f"{base}/{handoff}/edit")
    other.fill("#body", "Their newer text")
    other.click("text=Save note")
    other.wait_for_selector("h1:has-text('Evening handoff')")
    page.fill("#body", "My text that must not be lost")
    page.click("text=Save note")
    page.wait_for_selector("h1:has-text('changed while you were editing')")
    assert page.input_value("#body") == "My text that must not be lost"
    assert "Their newer text" in page.inner_text("#their-text")
    check_accessible(page, "conflict")

    page.goto(f"{base}/{handoff}/history")
    check_accessible(page, "history")
    page.goto(f"{base}/search?q=weakness")
    assert page.locator(".snippet mark").count() >= 1
    check_accessible(page, "search")
    page.goto(f"{base}/settings")
    check_accessible(page, "settings")
    page.goto(f"{base}/{handoff}")
    page.click("text=Move to trash")
    page.goto(f"{base}/trash")
    check_accessible(page, "trash")
    page.goto(base)
    check_accessible(page, "feed after changes")
