"""Production settings for gunicorn: ``gunicorn -c python:careteam.gunicorn_conf wsgi:app``.

Sync workers, because every page is a short database-bound request.  ``CARETEAM_BIND`` and
``WEB_CONCURRENCY`` (gunicorn's own variable) choose the address and the number of workers.
Each worker is replaced after a few thousand requests, so memory a big page or feed left behind
in a long-lived worker is given back to the system whole, with gunicorn's own settings.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask

from careteam.config import proxy_settings
from careteam.web.proxies import gunicorn_forwarded_allow_ips
from careteam.web.templating import compile_templates

bind = os.environ.get("CARETEAM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Behind a reverse proxy that buffers slow clients, a sync worker is never held by one.
keepalive = 2
timeout = 30
# A fresh worker starts from the app's working size; the jitter keeps the workers from being
# replaced at the same moment, so one is always serving.
max_requests = 5000
max_requests_jitter = 500

# Whose X-Forwarded-Proto (and SCRIPT_NAME headers) gunicorn believes: the app's own answer, not
# gunicorn's default of 127.0.0.1, which trusted any local client even with no proxy in front.
_proxy_count, _trusted_proxies = proxy_settings()
forwarded_allow_ips = gunicorn_forwarded_allow_ips(_proxy_count, _trusted_proxies)
if not forwarded_allow_ips:
    # gunicorn trusts a UNIX socket's peer whatever forwarded_allow_ips says: with no proxy in
    # front, there is nobody whose scheme or path headers to believe.
    secure_scheme_headers: dict[str, str] = {}
    forwarder_headers = ""


def post_worker_init(worker: Any) -> None:
    """Ready a new worker before it takes requests: compile the app's templates, then move
    everything built so far out of the garbage collector's sight.

    Workers are replaced every few thousand requests; a replacement that compiled its templates
    on its first requests answered them slowly.  The app, its templates and the ORM mappers are
    long-lived; without the freeze, each full collection walks all of them again, which shows as
    pauses in single-connection latency.
    """
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        compile_templates(app)
    gc.freeze()
