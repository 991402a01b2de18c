"""The plugin's Alembic branch, checked by the kit: named tables, models agree, down and up."""

from __future__ import annotations

from careteam.testing import check_plugin_migrations


def test_migrations(empty_database_url, tmp_path):
    check_plugin_migrations("therapy", empty_database_url, tmp_path)
