"""``careteam new-plugin``: its refusals, and a new plugin that installs, migrates and passes its
own tests; docs/plugins.md's tutorial shows the new plugin's files exactly.

The end-to-end test installs the new plugin into a fresh virtual environment that borrows this
environment's packages through a ``.pth`` file, never into the one running the tests: other test
processes would start loading the plugin.
"""

from __future__ import annotations

import os
import re
import site
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from careteam.api import API_VERSION
from careteam.cli import careteam_cli
from careteam.scaffold import ScaffoldRefused, new_plugin
from careteam.scaffold.files import plugin_files, requires_api_range
from careteam.scaffold.names import MAX_LENGTH, NAME_PATTERN, RESERVED_NAMES, check_name
from careteam.scaffold.writing import write_folder

CHECKOUT = Path(__file__).resolve().parents[1]


def _new_plugin(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(careteam_cli, ["new-plugin", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Mood", "not a plugin name"),
        ("9lives", "not a plugin name"),
        ("mood-log", "not a plugin name"),
        ("mood_", "not a plugin name"),
        ("_mood", "not a plugin name"),
        ("mööd", "not a plugin name"),
        ("", "not a plugin name"),
        ("mood log", "not a plugin name"),
        ("../mood", "not a plugin name"),
        ("m" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
        ("class", "Python keyword"),
        ("notes", "taken by CareTeam"),
        ("circle", "taken by CareTeam"),
        ("careteam", "taken by CareTeam"),
        ("admin", "taken by CareTeam"),
        ("members", "taken by CareTeam"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_written(tmp_path, name, reason):
    code, output = _new_plugin(name, "--dir", str(tmp_path / "plugin"))
    assert code == 1
    assert output.startswith("Error: ") and reason in output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_refused_and_left_as_it_was(tmp_path):
    folder = tmp_path / "careteam-mood"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    code, output = _new_plugin("mood", "--dir", str(folder))
    assert code == 1 and "already exists; nothing was written." in output
    assert [p.name for p in tmp_path.iterdir()] == ["careteam-mood"]
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_folder_in_a_missing_folder_is_refused(tmp_path):
    code, output = _new_plugin("mood", "--dir", str(tmp_path / "missing" / "careteam-mood"))
    assert code == 1 and "is not a folder; nothing was written." in output
    assert list(tmp_path.iterdir()) == []


def test_an_installed_plugins_name_or_one_sharing_its_table_prefix_is_refused():
    with pytest.raises(ScaffoldRefused, match="already installed"):
        check_name("mood", ["devices", "mood"])
    with pytest.raises(ScaffoldRefused, match="tables of 'mood_log' would start with 'mood_'"):
        check_name("mood_log", ["mood"])
    with pytest.raises(ScaffoldRefused, match="tables of 'mood_log' would start with 'mood_'"):
        check_name("mood", ["mood_log"])
    check_name("moods", ["mood", "mood_log_x"])  # no shared prefix: allowed


def test_a_name_whose_package_is_already_importable_is_refused(tmp_path, monkeypatch):
    (tmp_path / "careteam_zebra").mkdir()
    (tmp_path / "careteam_zebra" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ScaffoldRefused, match="package named careteam_zebra is already installed"):
        check_name("zebra", [])


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "careteam-mood"
    # The second file needs "a.txt" to be a folder, but it is a file by then.
    with pytest.raises(FileExistsError):
        write_folder(folder, {"a.txt": "first", "a.txt/b.txt": "second"})
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_careteam_name_in_the_current_folder(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as here:
        result = runner.invoke(careteam_cli, ["new-plugin", "mood_log"])
        assert result.exit_code == 0, result.output
        assert [p.name for p in Path(here).iterdir()] == ["careteam-mood-log"]
        package = Path(here, "careteam-mood-log", "careteam_mood_log")
    assert (package / "migrations" / "mood_log_0001_entries.py").is_file()
    assert "pip install -e ." in result.output


def test_the_console_command_needs_no_app_and_no_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    # Production settings without a secret key: making the app fails, and nothing listens on
    # port 9, so the command works only if it touches neither.
    env.update(
        CARETEAM_ENV="production", CARETEAM_DATABASE_URL="postgresql+psycopg://x@127.0.0.1:9/x"
    )

    def careteam(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "import careteam; careteam.main()", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)

    assert careteam("plugins").returncode != 0  # a command that needs the app cannot run here
    result = careteam("new-plugin", "mood")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "careteam-mood" / "careteam_mood" / "plugin.py").is_file()


def test_the_reserved_names_cover_cores_blueprints_capabilities_and_circle_pages(app):
    host = app.extensions["careteam"]
    blueprints = {name for name in app.blueprints if name not in host.blueprint_owner}
    prefixes = {
        capability.split(".")[0]
        for capability in app.extensions["careteam_capabilities"]
        if capability not in host.capability_owner
    }
    # A new plugin's pages are /circles/<circle_id>/<name>: core's own pages there are taken.
    segments = set()
    for rule in app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        owner = rule.endpoint.partition(".")[0]
        if parts[0] == "circles" and len(parts) > 2 and owner not in host.blueprint_owner:
            segments.add(parts[2])
    core = {n for n in blueprints | prefixes | segments if NAME_PATTERN.fullmatch(n)}
    assert {"notes", "circle", "circles", "admin", "members"} <= core
    assert core <= RESERVED_NAMES, sorted(core - RESERVED_NAMES)


# --- what it writes -------------------------------------------------------------------------------


def test_requires_api_runs_from_this_version_to_the_next_major_one():
    assert requires_api_range("1.0") == ">=1.0,<2"
    assert requires_api_range("2.3") == ">=2.3,<3"
    plugin = plugin_files("mood")["careteam_mood/plugin.py"]
    assert f'requires_api="{requires_api_range(API_VERSION)}"' in plugin


def test_the_new_plugin_carries_careteams_ruff_settings():
    ours = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["tool"]["ruff"]
    theirs = tomllib.loads(plugin_files("mood")["pyproject.toml"])["tool"]["ruff"]
    for key in ("line-length", "target-version"):
        assert theirs[key] == ours[key]
    for key in ("select", "ignore"):
        assert theirs["lint"][key] == ours["lint"][key]
    banned = "flake8-tidy-imports"
    assert set(theirs["lint"][banned]["banned-api"]) == set(ours["lint"][banned]["banned-api"])


def _code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced code blocks (``` or longer fences, for nested ones)."""
    blocks = []
    fence = None
    lines: list[str] = []
    for line in markdown.splitlines():
        if fence is None:
            opening = re.match(r"(`{3,}|~{3,})", line)
            if opening:
                fence, lines = opening.group(1), []
        elif line.strip() == fence:
            blocks.append("\n".join(lines) + "\n")
            fence = None
        else:
            lines.append(line)
    return blocks


def test_the_tutorial_shows_every_file_of_the_new_plugin_exactly():
    blocks = _code_blocks((CHECKOUT / "docs" / "plugins.md").read_text(encoding="utf-8"))
    missing = [path for path, text in plugin_files("mood").items() if text not in blocks]
    assert not missing, (
        "docs/plugins.md's tutorial must show these files of `careteam new-plugin mood` "
        f"exactly, each in a code block of its own: {missing}"
    )


# --- end to end -----------------------------------------------------------------------------------


def _borrowed_paths() -> list[str]:
    """This environment's package folders and the checkouts its editable installs point at
    (their .pth files are not read in a folder a .pth file adds, so they are listed here)."""
    folders = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    borrowed = list(dict.fromkeys(folders))
    for folder in folders:
        for pth in sorted(Path(folder).glob("*.pth")):
            for line in pth.read_text().splitlines():
                if line and not line.startswith(("#", "import")) and Path(line).is_dir():
                    borrowed.append(line)
    return list(dict.fromkeys(borrowed))


def _run(args: list[str], **kwargs) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_a_new_plugin_installs_migrates_and_passes_its_own_tests(tmp_path, empty_database_url):
    folder, _files = new_plugin("mood", tmp_path / "careteam-mood")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(venv / "bin" / "python")
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(purelib.strip()) / "borrowed.pth").write_text("\n".join(_borrowed_paths()) + "\n")
    # pip and hatchling come from this environment, through the .pth file.
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    _run([*pip, "-e", str(folder)])

    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    env.update(
        CARETEAM_DATABASE_URL=empty_database_url,
        CARETEAM_SECRET_KEY="new-plugin-test-" + "x" * 32,
        CARETEAM_MAIL_OUTBOX=str(tmp_path / "outbox"),
    )
    careteam = [python, "-c", "import careteam; careteam.main()"]
    assert "Database is up to date." in _run([*careteam, "init"], env=env)
    assert "mood 0.1.0 [loaded]" in _run([*careteam, "plugins"], env=env)

    # Now installed, the name (and any name sharing its table prefix) is taken.
    for name, reason in (("mood", "already installed"), ("mood_log", "would start with")):
        refused = subprocess.run(
            [*careteam, "new-plugin", name, "--dir", str(tmp_path / name)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert refused.returncode == 1 and reason in refused.stderr, refused.stderr
        assert not (tmp_path / name).exists()

    # The new plugin's own tests, run from its folder as its README says, on this run's backend.
    test_env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    # Not CARETEAM_BLNS: out of the box, the kit finds a list of naughty strings by itself.
    for key in ("CARETEAM_TEST_DATABASE_URL", "CARETEAM_TEST_REDIS_URL"):
        if key in os.environ:
            test_env[key] = os.environ[key]
    output = _run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder, env=test_env
    )
    summary = output.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed(, \d+ warnings?)? in .*", summary), output

    _run([sys.executable, "-m", "ruff", "check", "-q", "."], cwd=folder)
    _run([sys.executable, "-m", "ruff", "format", "-q", "--check", "."], cwd=folder)
