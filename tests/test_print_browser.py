"""Printing a page keeps its content and leaves out the site's header, navigation, footer,
forms and buttons (Chromium with print media emulated)."""

from __future__ import annotations

import pytest

from careteam.circles.testing import build_circle, people_for_every_role
from careteam.testing import sign_in_page

pytestmark = pytest.mark.browser

LEFT_OUT = (".site-header", ".site-footer", "nav", "form", "button", ".skip-link")


def _shown(page, selector: str) -> int:
    return page.locator(selector).evaluate_all(
        "nodes => nodes.filter(n => getComputedStyle(n).display !== 'none'"
        " && n.getClientRects().length > 0).length"
    )


def test_a_printed_circle_page_keeps_the_content_alone(app, make_user, live_url, browser):
    people = people_for_every_role(make_user)
    setup = build_circle(app, people, name="Maya's circle")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    sign_in_page(page, live_url, people["coordinator"].email)
    page.goto(f"{live_url}{setup.url('/notes')}")

    on_screen = {selector: _shown(page, selector) for selector in LEFT_OUT}
    assert on_screen[".site-header"] and on_screen["nav"] >= 2 and on_screen["form"]
    page.emulate_media(media="print")
    assert {selector: _shown(page, selector) for selector in LEFT_OUT} == dict.fromkeys(LEFT_OUT, 0)
    assert page.locator("main h1").is_visible()
    pdf = page.pdf()  # the page prints (Chromium renders it to paper)
    assert pdf.startswith(b"%PDF")
