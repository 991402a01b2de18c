"""Tokens that travel in URLs never reach the logs."""

import logging

from careteam.db.tokens import new_token
from careteam.web.logredact import RedactTokensFilter, redact


def test_redact_replaces_every_token_shaped_run():
    token = new_token()
    line = f'127.0.0.1 - - "GET /verify/{token} HTTP/1.1" 200 -'
    cleaned = redact(line)
    assert token not in cleaned
    assert "/verify/[redacted]" in cleaned
    assert redact("GET /circles/abc123/notes HTTP/1.1") == "GET /circles/abc123/notes HTTP/1.1"


def test_werkzeug_request_lines_are_redacted(app, caplog):
    token = new_token()
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactTokensFilter) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - "%s" %s', "127.0.0.1", f"GET /reset-password/{token} HTTP/1.1", 200)
    assert caplog.records
    assert token not in caplog.text
    assert "[redacted]" in caplog.text
