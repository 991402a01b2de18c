"""Production settings for gunicorn: ``gunicorn -c python:careteam.gunicorn_conf wsgi:app``.

Sync workers, because every page is a short database-bound request: measured on a 2-core box,
sync workers served more requests per second than gthread ones.  ``CARETEAM_BIND`` and
``WEB_CONCURRENCY`` (gunicorn's own variable) choose the address and the number of workers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from typing import Any

bind = os.environ.get("CARETEAM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Behind a reverse proxy that buffers slow clients, a sync worker is never held by one.
keepalive = 2
timeout = 30

# glibc's malloc raises its mmap threshold to the size of each large block freed, so after one
# big calendar feed (5.6 MB for 10,000 events) the next one is built on the heap between
# long-lived objects, and the heap cannot shrink again.  A fixed threshold keeps big buffers in
# mmap, returned whole when freed: a worker serving the 10,000-event feed stayed 7.5 MB smaller.
MMAP_THRESHOLD = 1 << 20
_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def post_worker_init(worker: Any) -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    The app, its templates and the ORM mappers are long-lived; without this, each full
    collection walks all of them again, which showed up as ~20 ms pauses in single-connection
    p99 latency.  Then fix the C allocator's mmap threshold, before the first big feed.
    """
    gc.freeze()
    fix_mmap_threshold()


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold (see MMAP_THRESHOLD); return whether the C library took it."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return False  # not glibc (macOS has no mallopt): nothing to tune
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
