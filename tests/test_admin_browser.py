"""The site admin pages in a real Chromium: zero axe violations, 44 px targets, keyboard use."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from careteam.auth.models import User
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGETS = "button, .button, .link-target, input[type=search]"


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CARETEAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _check(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}},
    )
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"
    sizes = page.eval_on_selector_all(
        TARGETS,
        """els => els.filter(e => e.offsetParent !== null)
                    .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])""",
    )
    assert sizes, label
    assert [s for s in sizes if s[1] < 44] == [], label


def test_admin_pages_are_accessible_and_work_by_keyboard(app, make_user, live_url, browser):
    admin = make_user(email="admin@example.org", display_name="Ada Admin", is_site_admin=True)
    make_user(email="ruth@example.org", display_name="Ruth <b>Family</b>")
    make_user(email="off@example.org", display_name="Otto Off", active=False, verified=False)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#email", admin.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    page.get_by_role("link", name="Site admin").click()
    page.wait_for_url("**/admin/users")
    _check(page, "account list")
    assert page.get_by_role("row", name="Ruth <b>Family</b>").count() == 1

    # Search by keyboard only.
    page.focus("#q")
    page.keyboard.type("ru")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?q=ru")
    _check(page, "search results")
    assert page.locator("td.admin-email").all_inner_texts() == ["ruth@example.org"]

    # Switch Ruth off with the keyboard: focus the row's button and press Enter.
    page.get_by_role("button", name="ruth@example.org").focus()
    assert page.evaluate("document.activeElement.textContent").startswith("Switch off")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?q=ru")
    assert "switched off and signed out everywhere" in page.inner_text(".flashes")
    _check(page, "after switching off")
    with app.app_context():
        assert (
            db.session.scalar(select(User.active).where(User.email == "ruth@example.org")) is False
        )

    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(f"{live_url}/admin/users")
    _check(page, "account list, narrow screen")
    page.close()
