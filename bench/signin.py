"""Sign in through CareTeam's real login form, as a person would, and keep the session cookie."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class SignInFailed(RuntimeError):
    pass


def csrf_token(html: str) -> str:
    """Return the CSRF token of the form on a page, or raise :class:`SignInFailed`."""
    token = _CSRF.search(html)
    if token is None:
        raise SignInFailed("the login page has no CSRF token")
    return token[1]


def _browser() -> tuple[http.cookiejar.CookieJar, urllib.request.OpenerDirector]:
    """A cookie jar and an opener that keeps cookies in it, as a browser would."""
    jar = http.cookiejar.CookieJar()
    return jar, urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _cookie_header(jar: http.cookiejar.CookieJar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def sign_in(base_url: str, email: str, password: str) -> str:
    """Return the ``Cookie`` header value of a signed-in session."""
    jar, opener = _browser()
    with opener.open(base_url + "/login", timeout=30) as page:
        html = page.read().decode()
    form = urllib.parse.urlencode(
        {"csrf_token": csrf_token(html), "email": email, "password": password}
    ).encode()
    with opener.open(base_url + "/login", data=form, timeout=30) as answer:
        landed = urllib.parse.urlsplit(answer.geturl()).path
        body = answer.read().decode(errors="replace")
    if landed == "/login" or "Sign out" not in body:
        raise SignInFailed(f"sign-in as {email} did not succeed (landed on {landed})")
    return _cookie_header(jar)


def sign_in_plain(base_url: str, email: str, password: str) -> str:
    """Sign in to the calibration app's bare form (no CSRF token); return the Cookie value."""
    jar, opener = _browser()
    form = urllib.parse.urlencode({"email": email, "password": password}).encode()
    with opener.open(base_url + "/login", data=form, timeout=30):
        pass
    if not any(c.name == "session" for c in jar):
        raise SignInFailed(f"the calibration app did not sign {email} in")
    return _cookie_header(jar)
