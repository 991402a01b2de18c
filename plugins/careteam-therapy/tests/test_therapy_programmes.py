"""Programmes: prescribing from the library, the pages, versions, copy, archive, bad input."""

from __future__ import annotations

import re

from careteam_therapy.testing import make_programme


def test_smoke(app, client_as, circle_with_roles):
    client = client_as("therapist")
    c = circle_with_roles
    assert client.get(c.url("/therapy")).status_code == 200
    page = client.get(c.url("/therapy/new"))
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    r = client.post_form(c.url("/therapy/new"), {"title": "Walk", "sources": ["library:sit-to-stand", "library:cooling"]})
    assert r.status_code == 302, r.get_data(as_text=True)[:5000]
    url = r.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    html = page.get_data(as_text=True)
    assert "Sit" in html
    e = client.get(url + "/edit")
    assert e.status_code == 200, e.get_data(as_text=True)[:3000]
    for p in ("/history", "/versions/1/sheet", "/copy"):
        assert client.get(url + p).status_code == 200, p
    assert client.get("/therapy/templates").status_code == 200
