"""Keep secrets that travel in URLs (email links, calendar feed addresses) out of the logs.

Verification, reset, invitation and feed links carry a random token in the path.  Access logs
(werkzeug's development server, or anything else logging request lines through Python logging)
would otherwise record them.  Every token CareTeam makes is at least 32 URL-safe characters
(careteam.db.tokens.new_token), so any such run in a log line is replaced.
"""

from __future__ import annotations

import logging
import re

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Replace every token-shaped run of characters in ``text``."""
    return _TOKEN_RE.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    """A logging filter that rewrites a record's message with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction() -> None:
    """Attach the filter to the loggers that see request lines (idempotent)."""
    for name in ("werkzeug", "gunicorn.access", "careteam"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokensFilter) for f in logger.filters):
            logger.addFilter(RedactTokensFilter())
