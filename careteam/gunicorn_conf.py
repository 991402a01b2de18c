"""Production settings for gunicorn: ``gunicorn -c python:careteam.gunicorn_conf wsgi:app``.

Sync workers, because every page is a short database-bound request: measured on a 2-core box,
sync workers served more requests per second than gthread ones.  ``CARETEAM_BIND`` and
``WEB_CONCURRENCY`` (gunicorn's own variable) choose the address and the number of workers.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from careteam import allocator
from careteam.config import proxy_settings
from careteam.proxies import gunicorn_forwarded_allow_ips

bind = os.environ.get("CARETEAM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Behind a reverse proxy that buffers slow clients, a sync worker is never held by one.
keepalive = 2
timeout = 30

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
    """Move everything built at start-up out of the garbage collector's sight.

    The app, its templates and the ORM mappers are long-lived; without this, each full
    collection walks all of them again, which showed up as ~20 ms pauses in single-connection
    p99 latency.  Then fix the C allocator's mmap threshold, before the first big feed.
    """
    gc.freeze()
    allocator.fix_mmap_threshold()


_trimmer = allocator.HeapTrimmer()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """Hand the heap's free pages back now and then (the answer has been sent by now)."""
    _trimmer.request_done()
