"""The wheel is complete: installed into a new virtual environment it initialises and serves.

The wheel is installed without its dependencies, which the new environment borrows from the
one running the tests through a ``.pth`` file.  Only directories are borrowed, not their own
``.pth`` files, so the editable checkout's import hook stays out and ``careteam`` can only come
from the wheel (asserted below).
"""

from __future__ import annotations

import os
import site
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def _pins() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (CHECKOUT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def test_constraints_pin_every_dependency_and_what_it_needs():
    import tomllib
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _pins()
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), requirement
    # What the pinned packages need must be pinned too (checked where the pinned version is
    # the one installed, as in the virtual environment the README makes).
    for name, version in pins.items():
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        for raw in dist.requires or []:
            requirement = Requirement(raw)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            assert canonicalize_name(requirement.name) in pins, f"{name} needs {raw}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the wheel and install it into a fresh virtual environment."""
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(CHECKOUT)])
    (wheel,) = dist.glob("careteam-*.whl")

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    borrowed = {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}
    borrowed.discard(str(CHECKOUT))
    (purelib / "careteam_test_borrowed_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    return {"venv": venv, "python": python, "work": work, "wheel": wheel}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CARETEAM_") and k not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    env.update(extra)
    return env


@pytest.mark.slow
def test_the_installed_package_comes_from_the_wheel(installed):
    where = installed["work"] / "elsewhere"
    where.mkdir(exist_ok=True)
    probe = (
        "import careteam, careteam.paths as p; "
        "print(careteam.__file__); print(p.TEMPLATES_DIR); print(p.MIGRATIONS_DIR)"
    )
    lines = _run(
        [str(installed["python"]), "-c", probe], cwd=where, env=_clean_env()
    ).stdout.split()
    venv = str(installed["venv"].resolve())
    assert all(line.startswith(venv) for line in lines), lines
    package_file, templates, migrations = map(Path, lines)
    assert (templates / "base.html").is_file() and (templates / "admin" / "users.html").is_file()
    assert (migrations / "env.py").is_file() and any((migrations / "versions").glob("0001_*.py"))
    assert (package_file.parent / "static" / "css" / "app.css").is_file()
    # careteam new-plugin's templates are package data.
    templates = package_file.parent / "scaffold" / "template"
    assert (templates / "plugin.py.tmpl").is_file() and (templates / "index.html.tmpl").is_file()


@pytest.mark.slow
def test_careteam_init_then_gunicorn_serves_pages_and_static_files(installed):
    where = installed["work"] / "site"
    where.mkdir(exist_ok=True)
    database = where / "careteam.sqlite3"
    env = _clean_env(CARETEAM_DATABASE_URL=f"sqlite:///{database}")
    init = _run([str(installed["venv"] / "bin" / "careteam"), "init"], cwd=where, env=env)
    assert "Database is up to date." in init.stdout
    assert database.is_file()
    # An installed app keeps its instance folder (development secret) under the environment.
    assert (installed["venv"] / "var" / "careteam-instance" / "secret_key").is_file()

    port = _free_port()
    server = subprocess.Popen(
        [
            str(installed["python"]),
            "-m",
            "gunicorn",
            # The production settings and app module ship inside the wheel.
            "-c",
            "python:careteam.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "careteam.wsgi:app",
        ],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, content_type, html = _get(f"{base}/login")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.25)
        assert status == 200
        assert content_type.startswith("text/html")
        assert '<form method="post"' in html and 'name="password"' in html
        assert 'name="csrf_token"' in html
        status, content_type, css = _get(f"{base}/static/css/app.css")
        assert status == 200 and content_type.startswith("text/css") and "--brand" in css
        assert _get(f"{base}/healthz")[0] == 200
        assert _get(f"{base}/no-such-page")[0] == 404
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output
