"""The production gunicorn settings: sync workers, and the allocator tuning each worker gets."""

from __future__ import annotations

import platform

import pytest

from careteam import gunicorn_conf


def test_workers_are_sync() -> None:
    assert gunicorn_conf.worker_class == "sync"
    assert gunicorn_conf.workers >= 1


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_takes_the_fixed_mmap_threshold() -> None:
    assert gunicorn_conf.fix_mmap_threshold() is True
