"""What operators see of plugins: ``careteam plugins`` and the site admin's plugin page."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..extensions import db
from .branches import removed_plugins
from .enablement import circle_counts, plugin_host
from .migration_state import NOT_MIGRATED

# What `careteam plugins` and the admin page call a plugin set aside with its data.
REMOVED_STATUS = "removed (data kept)"


@dataclass(frozen=True)
class PluginRow:
    name: str
    # "loaded", "blocked", "failed", "not migrated" or "removed (data kept)"
    status: str
    label: str = ""
    description: str = ""
    version: str = ""
    distribution: str = ""
    circles: int = 0
    hooks: list[str] = field(default_factory=list)
    error: str = ""
    # What the operator runs next, for a plugin that is not served.
    next_step: str = ""


def plugin_report() -> list[PluginRow]:
    """Return one row per installed plugin, loaded or not, and per plugin removed with its
    data kept, by name."""
    host = plugin_host()
    counts = circle_counts() if host.plugins else {}
    problems = {p.name: p for p in host.problems}
    rows = []
    for candidate in host.installed:
        name = candidate.name
        loaded = host.plugins.get(name)
        if loaded is not None:
            rows.append(
                PluginRow(
                    name,
                    "loaded",
                    label=loaded.label,
                    description=loaded.manifest.description,
                    version=loaded.version,
                    distribution=loaded.distribution,
                    circles=counts.get(name, 0),
                    hooks=host.hooks_of(name),
                )
            )
        elif name in host.held_back:
            plugin, why = host.held_back[name]
            rows.append(
                PluginRow(
                    name,
                    NOT_MIGRATED if why == NOT_MIGRATED else REMOVED_STATUS,
                    label=plugin.label,
                    description=plugin.manifest.description,
                    version=plugin.version,
                    distribution=plugin.distribution,
                    next_step="run `careteam init` to create its tables"
                    if why == NOT_MIGRATED
                    else f"`careteam plugins restore {name}` serves it again with its data",
                )
            )
        elif name in host.blocked:
            rows.append(PluginRow(name, "blocked", version=candidate.version))
        else:
            problem = problems.get(name)
            rows.append(
                PluginRow(
                    name,
                    "failed",
                    version=candidate.version,
                    error=problem.error if problem else "not loaded",
                )
            )
    installed = {candidate.name for candidate in host.installed}
    for name in sorted(removed_plugins(db.session.connection()) - installed):
        rows.append(
            PluginRow(
                name,
                REMOVED_STATUS,
                next_step=f"not installed: install it again, then `careteam plugins restore "
                f"{name}`; or `careteam plugins remove {name}` drops its tables",
            )
        )
    return sorted(rows, key=lambda r: r.name)
