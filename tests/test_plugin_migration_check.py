"""The kit's check_plugin_migrations passes a sound plugin and names the fault of a broken one.

The plugins are written into a temporary folder with their own ``.dist-info`` (what ``pip
install`` leaves), and the check runs in a separate pytest process: their models would otherwise
join this run's metadata for good, and every later test would meet tables that do not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COLUMNS = """\
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("circle_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["circle_id"], ["circles.id"], name=op.f("fk_{t}_circle_id_circles"),
                            ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_{t}")),
"""

MODEL = """
class {cls}(db.Model):
    __tablename__ = "{t}"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
{extra}
"""


def _create(table: str) -> str:
    return f'    op.create_table("{table}",\n{COLUMNS.format(t=table)}    )\n'


def write_plugin(
    root: Path,
    name: str,
    *,
    models: dict[str, str],
    created: list[str],
    dropped: list[str],
    label: str | None = None,
) -> None:
    """Write plugin ``name`` into ``root`` as an installed distribution.

    ``models`` maps each model's table to extra column lines; the revision creates ``created``
    and its downgrade drops ``dropped``; its branch is labelled ``label`` (default ``name``).
    """
    package = root / f"careteam_{name}"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(
        textwrap.dedent(f"""\
        from pathlib import Path

        from careteam.api import PluginManifest, hookimpl

        from . import models  # noqa: F401  (the tables join the metadata)


        @hookimpl
        def careteam_plugin_manifest():
            return PluginManifest(
                name="{name}", label="{name.title()}", requires_api=">=1.0,<2",
                migrations=Path(__file__).parent / "migrations",
            )
        """)
    )
    (package / "models.py").write_text(
        "from sqlalchemy import ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from careteam.api import db\n"
        + "".join(
            MODEL.format(cls=f"Model{i}", t=table, extra=extra)
            for i, (table, extra) in enumerate(models.items())
        )
    )
    upgrade = "".join(_create(t) for t in created) or "    pass\n"
    downgrade = "".join(f'    op.drop_table("{t}")\n' for t in dropped) or "    pass\n"
    (package / "migrations" / f"{name}_0001_first.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "{name}_0001"\ndown_revision = None\n'
        f'branch_labels = ("{label or name}",)\ndepends_on = "0002"\n\n\n'
        f"def upgrade():\n{upgrade}\n\ndef downgrade():\n{downgrade}"
    )
    info = root / f"careteam_{name}-0.1.0.dist-info"
    info.mkdir()
    info.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: careteam-{name}\nVersion: 0.1.0\n"
    )
    info.joinpath("entry_points.txt").write_text(
        f"[careteam.plugins]\n{name} = careteam_{name}.plugin\n"
    )


CHECKS = """
import pytest

from careteam.testing import check_plugin_migrations

EXPECTED = {expected!r}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check(name, empty_database_url, tmp_path):
    if EXPECTED[name] is None:
        check_plugin_migrations(name, empty_database_url, tmp_path)
    else:
        with pytest.raises(AssertionError) as failure:
            check_plugin_migrations(name, empty_database_url, tmp_path)
        for words in EXPECTED[name]:
            assert words in str(failure.value)
"""


@pytest.mark.slow
def test_the_check_passes_a_sound_plugin_and_explains_each_broken_one(tmp_path):
    plugins = tmp_path / "site-packages"
    write_plugin(
        plugins,
        "mood",
        models={"mood_entries": "    feeling: Mapped[str] = mapped_column(String(40))"},
        created=[],  # written below: this one has the column
        dropped=["mood_entries"],
    )
    # The sound plugin's revision has the model's extra column.
    revision = plugins / "careteam_mood" / "migrations" / "mood_0001_first.py"
    revision.write_text(
        revision.read_text().replace(
            "def upgrade():\n    pass\n",
            "def upgrade():\n"
            + _create("mood_entries").replace(
                "nullable=False),\n",
                'nullable=False),\n    sa.Column("feeling", '
                "sa.String(length=40), nullable=False),\n",
                1,
            ),
        )
    )
    # The model has a column its migration never adds.
    write_plugin(
        plugins,
        "drift",
        models={"drift_notes": "    body: Mapped[str] = mapped_column(String(200))"},
        created=["drift_notes"],
        dropped=["drift_notes"],
    )
    # downgrade() forgets a table.
    write_plugin(
        plugins,
        "leaky",
        models={"leaky_things": ""},
        created=["leaky_things"],
        dropped=[],
    )
    # The revision creates a table outside the plugin's prefix.
    write_plugin(
        plugins,
        "stray",
        models={"stray_things": ""},
        created=["stray_things", "widgets"],
        dropped=["widgets", "stray_things"],
    )
    # A model maps a table outside the prefix.
    write_plugin(
        plugins, "misnamed", models={"gadgets": ""}, created=["gadgets"], dropped=["gadgets"]
    )
    # The branch is labelled with something other than the plugin's name.
    write_plugin(
        plugins,
        "unlabelled",
        models={"unlabelled_rows": ""},
        created=["unlabelled_rows"],
        dropped=["unlabelled_rows"],
        label="other",
    )
    expected = {
        "mood": None,
        "drift": ["models and migrations disagree", "add_column", "body", "Add a revision"],
        "leaky": ["these tables remain: ['leaky_things']", "downgrade() must drop"],
        "stray": ["do not start with 'stray_'", "['widgets']", "rename them"],
        "misnamed": ["map tables whose names do not start with 'misnamed_'", "['gadgets']"],
        "unlabelled": ["No Alembic branch is labelled 'unlabelled'", "branch_labels"],
        "absent": ["No installed plugin is named 'absent'", "entry-points"],
    }
    checks = tmp_path / "checks" / "test_checks.py"
    checks.parent.mkdir()
    checks.write_text(CHECKS.format(expected=expected))

    env = {**os.environ, "PYTHONPATH": str(plugins)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(checks)],
        cwd=checks.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert f"{len(expected)} passed" in result.stdout
