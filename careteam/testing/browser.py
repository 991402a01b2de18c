"""A real browser for the tests: Debian's Chromium through Playwright, and axe-core checks."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from .clients import TEST_PASSWORD

# --- a real browser ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# What this machine's Chromium needs headless, and no calls home (the network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Everything a person clicks or types into: each must be at least 44 px tall.
TARGETS = (
    "button, .button, .link-target, .note-title a, select, textarea, .radio label, "
    ".checkbox label, "
    "input[type=text], input[type=email], input[type=password], input[type=search], "
    "input[type=date], input[type=time], input[type=number], input[type=url]"
)


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """Serve the test app on a free local port for a real browser; yield its base URL."""
    server = make_server("127.0.0.1", 0, _closed_once_built(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _closed_once_built(app: Flask) -> Any:
    """Close each response as soon as its body is built.

    werkzeug's development server reads the socket dry before it closes a response, and with
    a browser's connection still open that can outlast a test, so work the app does after the
    response (queued mail) would not run in time; gunicorn closes right after the body.
    """

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return serve


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (skipped without it, unless CI requires it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CARETEAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing")
    # start-up: the kit loads in every pytest run; only browser tests need Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def check_accessible(page: Any, label: str, targets: str = TARGETS) -> None:
    """Assert zero axe-core violations, 44 px targets and no inline styles on ``page``."""
    from axe_playwright_python.sync_playwright import Axe  # start-up: as Playwright above

    results = Axe().run(
        page,
        options={"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}},
    )
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"
    sizes = page.eval_on_selector_all(
        targets,
        """els => els.filter(e => e.offsetParent !== null)
                    .map(e => { const r = e.getBoundingClientRect();
                                return [e.outerHTML.slice(0, 80), r.width, r.height]; })""",
    )
    # 44 x 44 CSS px, both ways (WCAG 2.5.5): people with tremor or weak hands miss less.
    small = [(html, w, h) for html, w, h in sizes if w < 44 or h < 44]
    assert small == [], f"{label}: targets under 44 x 44 px: {small}"
    assert page.locator("[style]").count() == 0, f"{label}: inline style"
    _screenshot(page, label)


def sign_in_page(page: Any, live_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real form in a browser page, and wait for the home page."""
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def _screenshot(page: Any, label: str) -> None:
    # Kept for people reviewing a run (tests/artifacts/ is git-ignored).
    folder = Path.cwd() / "tests" / "artifacts"
    if folder.parent.is_dir():
        folder.mkdir(exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "page"
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
