"""Friendly error pages: a plain explanation, a way back, and never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db
from .outage import answer_outage, outage_seen

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        "This request could not be handled",
        "Something in the request was not right. "
        "If you were filling in a form, go back, reload the page and try again.",
    ),
    403: ("You can't do that here", "Your account does not have permission for this action."),
    404: ("Page not found", "This page does not exist, or you do not have access to it."),
    405: ("That action isn't available here", "This page cannot be used that way."),
    413: (
        "That was too large",
        "What you sent is larger than this site accepts. Try a shorter text or a smaller file.",
    ),
    429: (
        "Please slow down",
        "There were too many attempts in a short time. Wait a minute, then try again.",
    ),
    500: (
        "Something went wrong on our side",
        "The problem has been logged. Please try again in a moment.",
    ),
}


def _render(code: int, detail: str | None = None) -> ResponseReturnValue:
    title, text = MESSAGES.get(code, MESSAGES[500])
    try:
        page = render_template("errors/error.html", code=code, title=title, text=detail or text)
    except Exception as error:
        # The page's header asks who is signed in, which reads the database.
        if not outage_seen(error):
            raise
        return answer_outage(error)
    return page, code


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
        return _render(
            400,
            "This form had expired or was sent from somewhere else, so nothing was changed. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code not in MESSAGES:
            code = 400 if 400 <= code < 500 else 500
        return _render(code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return _http_error(error)
        if outage_seen(error):
            return answer_outage(error)
        log.exception("Unhandled error", exc_info=error)
        # The failed transaction must not break the error page itself (its navigation reads
        # the database), so it is rolled back first.
        db.session.rollback()
        return _render(InternalServerError.code)
