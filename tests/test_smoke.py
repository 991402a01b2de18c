"""The app starts, serves its public pages with security headers, and answers unknown URLs."""

import pytest


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/forgot-password"])
def test_public_pages_render_with_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"Traceback" not in response.data


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
