"""careteam.db.prebuilt: a statement is built once per shape, and kept per app."""

from __future__ import annotations

from flask import Flask

from careteam.db.prebuilt import prebuilt


def test_a_statement_is_built_once_per_shape() -> None:
    built: list[str] = []

    def build(name: str) -> object:
        built.append(name)
        return object()

    with Flask("one").app_context():
        first = prebuilt(("page", "coordinator"), lambda: build("coordinator"))
        again = prebuilt(("page", "coordinator"), lambda: build("coordinator"))
        other = prebuilt(("page", "supporter"), lambda: build("supporter"))
    assert again is first and other is not first
    assert built == ["coordinator", "supporter"]


def test_two_apps_in_one_process_do_not_share_statements() -> None:
    shape = ("page", "coordinator")
    with Flask("one").app_context():
        in_one = prebuilt(shape, object)
    with Flask("two").app_context():
        in_two = prebuilt(shape, object)
    assert in_one is not in_two
