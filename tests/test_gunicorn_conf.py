"""The production gunicorn settings: sync workers, and the allocator tuning each worker gets."""

from __future__ import annotations

import importlib
import platform
import runpy
from pathlib import Path

import pytest

from careteam import allocator, gunicorn_conf

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator")


def test_workers_are_sync_and_counted_from_web_concurrency(monkeypatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("CARETEAM_BIND", "127.0.0.1:8123")
    try:
        settings = importlib.reload(gunicorn_conf)
        assert (settings.worker_class, settings.workers, settings.bind) == (
            "sync",
            3,
            "127.0.0.1:8123",
        )
        monkeypatch.delenv("WEB_CONCURRENCY")
        monkeypatch.delenv("CARETEAM_BIND")
        settings = importlib.reload(gunicorn_conf)
        assert (settings.workers, settings.bind) == (2, "127.0.0.1:8000")
    finally:
        importlib.reload(gunicorn_conf)


@glibc_only
def test_glibc_takes_the_fixed_mmap_threshold() -> None:
    assert allocator.fix_mmap_threshold() is True


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


@glibc_only
def test_trimming_hands_freed_heap_pages_back() -> None:
    # 2 KiB blocks come from the heap, not mmap; keeping every 64th pins the heap's top, so
    # free() alone cannot shrink it and only malloc_trim can give the pages between back.
    blocks = [bytes(2048) for _ in range(20_000)]
    kept = blocks[::64]
    del blocks
    before = _resident_mb()
    assert allocator.trim_heap() is True
    after = _resident_mb()
    assert before - after > 20, (before, after)
    assert len(kept) == 313


def test_the_trimmer_trims_after_every_nth_request() -> None:
    trimmer = allocator.HeapTrimmer(every=3)
    assert [trimmer.request_done() for _ in range(7)] == [False, False, True] * 2 + [False]
    with pytest.raises(ValueError):
        allocator.HeapTrimmer(every=0)


def test_the_post_request_hook_counts_each_request() -> None:
    before = gunicorn_conf._trimmer.served
    gunicorn_conf.post_request(None, None, {}, None)
    assert gunicorn_conf._trimmer.served == before + 1


@pytest.mark.parametrize(
    ("settings", "allowed", "scheme_headers_kept"),
    [
        ({}, "", False),
        ({"CARETEAM_PROXY_COUNT": "0", "CARETEAM_TRUSTED_PROXIES": "10.0.0.0/8"}, "", False),
        ({"CARETEAM_PROXY_COUNT": "1"}, "127.0.0.1,::1", True),
        (
            {"CARETEAM_PROXY_COUNT": "2", "CARETEAM_TRUSTED_PROXIES": "10.0.0.0/8"},
            "10.0.0.0/8",
            True,
        ),
    ],
)
def test_forwarded_allow_ips_follow_the_proxy_settings(
    monkeypatch, settings, allowed, scheme_headers_kept
) -> None:
    for name in ("CARETEAM_PROXY_COUNT", "CARETEAM_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(gunicorn_conf.__file__)  # a fresh namespace, as gunicorn reads it
    assert conf["forwarded_allow_ips"] == allowed
    # Without a proxy, not even a UNIX-socket peer (always trusted by gunicorn) is believed.
    assert ("secure_scheme_headers" in conf) is not scheme_headers_kept
    if not scheme_headers_kept:
        assert conf["secure_scheme_headers"] == {} and conf["forwarder_headers"] == ""
