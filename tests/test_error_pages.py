"""Error pages are friendly and never show a traceback or what went wrong inside."""

from __future__ import annotations

import pytest
from flask import abort


@pytest.fixture
def failing_app(app):
    @app.get("/test-only/boom")
    def boom():
        raise RuntimeError("internal detail: SELECT secret FROM somewhere")

    @app.get("/test-only/forbidden")
    def forbidden():
        abort(403)

    return app


def test_an_unexpected_error_is_a_plain_500_page(failing_app, caplog):
    client = failing_app.test_client()
    response = client.get("/test-only/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html and "internal detail" not in html and "RuntimeError" not in html
    assert "Unhandled error" in caplog.text  # the operator still learns what happened


def test_403_and_404_pages(failing_app):
    client = failing_app.test_client()
    forbidden = client.get("/test-only/forbidden")
    assert forbidden.status_code == 403 and "You can&#39;t do that here" in forbidden.get_data(
        as_text=True
    )
    missing = client.get("/nothing/here")
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)
