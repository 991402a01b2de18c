"""Response headers and per-request ids that every page gets."""

from __future__ import annotations

import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        g.request_id = uuid.uuid4().hex

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Personal data must not linger in shared or back-button caches.
        if not request.path.startswith("/static/") and (
            current_user.is_authenticated or g.get("personal_data")
        ):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if request.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "public, max-age=3600")
        headers["X-Request-ID"] = g.get("request_id", "")
        return response
