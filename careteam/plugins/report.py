"""What operators see of plugins: ``careteam plugins`` and the site admin's plugin page."""

from __future__ import annotations

from dataclasses import dataclass, field

from .enablement import circle_counts, plugin_host


@dataclass(frozen=True)
class PluginRow:
    name: str
    status: str  # "loaded", "blocked" or "failed"
    label: str = ""
    description: str = ""
    version: str = ""
    distribution: str = ""
    circles: int = 0
    hooks: list[str] = field(default_factory=list)
    error: str = ""


def plugin_report() -> list[PluginRow]:
    """Return one row per installed plugin, loaded or not, by name."""
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
    return sorted(rows, key=lambda r: r.name)
