"""The production gunicorn settings: sync workers, replaced now and then, behind which proxies."""

from __future__ import annotations

import gc
import importlib
import runpy

import pytest

from careteam import gunicorn_conf


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


def test_workers_are_replaced_now_and_then_but_not_together() -> None:
    conf = runpy.run_path(gunicorn_conf.__file__)
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]


def test_a_new_worker_compiles_every_template_before_taking_requests(app) -> None:
    class Worker:
        wsgi = app

    gc.unfreeze()
    try:
        assert app.jinja_env.cache is not None and len(app.jinja_env.cache) == 0
        gunicorn_conf.post_worker_init(Worker())
        compiled = {key[1] for key, _template in app.jinja_env.cache.items()}
        assert {"base.html", "circles/home.html", "notes/feed.html"} <= compiled
        if "devices" in app.extensions["careteam"].plugins:
            assert "devices/index.html" in compiled  # a plugin's templates too
    finally:
        gc.unfreeze()


def test_each_worker_freezes_what_start_up_built() -> None:
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


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
