"""Invitation pages in a real Chromium: zero axe violations, 44 px targets, keyboard use, and
the copy-link button (JavaScript from a file; the page works without it)."""

from __future__ import annotations

import pytest

from careteam.circles.testing import build_circle, people_for_every_role
from careteam.invitations.testing import make_invitation, make_outsider
from careteam.testing import TEST_PASSWORD, check_accessible, sign_in_page

pytestmark = pytest.mark.browser


def test_invitation_pages_are_accessible(app, mail, make_user, live_url, browser):
    people = people_for_every_role(make_user)
    setup = build_circle(app, people, name="Maya's circle")
    make_invitation(
        app,
        setup.id,
        people["coordinator"].id,
        kind="email",
        email="waiting@example.org",
        claimed_by_id=make_outsider(app, "Alex Other"),
    )
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors include CSP refusals; a 422 answer is logged too and is expected here.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    sign_in_page(page, live_url, people["coordinator"].email)
    manage = f"{live_url}{setup.url('/invitations')}"
    page.goto(manage)
    check_accessible(page, "invitations page")

    # A first try with nothing filled in: errors tied to their fields.
    page.click("button:has-text('Send the invitation')")
    assert page.locator("#email[aria-invalid=true]").count() == 1
    assert page.locator("#role[aria-invalid=true]").count() == 1
    check_accessible(page, "invitations page with errors")

    # Invite by email with the keyboard only.
    page.focus("#email")
    page.keyboard.type("sam@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.select_option("#role", "caregiver")
    page.focus("#message")
    page.keyboard.type("Hello Sam,\nthanks for helping on Tuesdays. <i>Maya</i>")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Invitation sent to sam@example.org")
    assert page.locator(".invitation-message", has_text="<i>Maya</i>").count() == 1
    check_accessible(page, "invitations page with a pending invitation")
    assert "sam@example.org" in str(mail.last_to("sam@example.org")["To"])

    # A copied link: shown once, with a working copy button.
    page.select_option("#link_role", "supporter")
    page.click("button:has-text('Make a link')")
    page.wait_for_selector("#invitation-link")
    link = page.input_value("#invitation-link")
    assert "/invite/" in link
    assert page.get_attribute("#invitation-link", "readonly") is not None
    page.click("button:has-text('Copy link')")
    page.wait_for_selector("text=Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    check_accessible(page, "link created")
    assert errors == []

    # The invitee's side, signed out: choices, then registration with errors.
    guest = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    path = "/invite/" + link.rsplit("/invite/", 1)[1]
    guest.goto(live_url + path)
    check_accessible(guest, "invitation (signed out)")
    guest.click("a:has-text('Create an account')")
    guest.click("button:has-text('Create my account and join')")
    assert guest.locator("#display_name[aria-invalid=true]").count() == 1
    check_accessible(guest, "register from invitation with errors")
    guest.fill("#display_name", "Jo Friend")
    guest.fill("#email", "jo@example.org")
    guest.fill("#password", TEST_PASSWORD)
    guest.click("button:has-text('Create my account and join')")
    # The same answer whether or not the address has an account: check your inbox.
    guest.wait_for_url("**/check-inbox?reason=invite")
    check_accessible(guest, "check your inbox after joining")
    sign_in_page(guest, live_url, "jo@example.org")
    guest.goto(live_url + setup.url())
    check_accessible(guest, "circle home after joining")

    guest.goto(live_url + path)
    assert guest.locator("text=This invitation no longer works").count() == 1
    check_accessible(guest, "used invitation")

    # A page without JavaScript still offers the link as selectable text.
    no_js = browser.new_context(java_script_enabled=False).new_page()
    sign_in_page(no_js, live_url, people["care_recipient"].email)
    no_js.goto(manage)
    no_js.select_option("#link_role", "family")
    no_js.click("button:has-text('Make a link')")
    no_js.wait_for_selector("#invitation-link")
    assert no_js.locator("button:has-text('Copy link')").is_visible() is False
    assert "/invite/" in no_js.input_value("#invitation-link")
    context.close()
