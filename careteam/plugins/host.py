"""One plugin manager per app: discovery, the setup hooks, and fault-isolated calls.

Discovery walks the ``careteam.plugins`` entry points itself instead of pluggy's
``load_setuptools_entrypoints``, because that stops at the first plugin that fails to import;
here a broken plugin is reported and skipped, and the site starts without it.  Everything else
(registration, spec validation, blocking, call order) is pluggy's.

Calls made while serving a circle go through :meth:`PluginHost.call`, which asks only plugins
switched on in that circle and calls each one on its own, so one plugin's exception is logged
with its name and the others (and core) carry on.  pluggy's own hook call would stop at the
first exception, which is right for a test runner but not for a care team's home page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from .. import hookspecs
from .types import PluginManifest

log = logging.getLogger("careteam.plugins")

ENTRY_POINT_GROUP = "careteam.plugins"


@dataclass
class LoadedPlugin:
    """A plugin that loaded and passed its setup hooks."""

    name: str
    manifest: PluginManifest
    module: Any
    distribution: str = ""
    version: str = ""
    capabilities: list[str] = field(default_factory=list)
    settings_form: Any = None
    # Its revision folder (checked) and the heads of its branch; none for a plugin without tables.
    migrations: Path | None = None
    revision_heads: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return self.manifest.label


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be loaded, and why (shown to operators, never to members)."""

    name: str
    stage: str  # "import", "register", "setup" or "migrations" (its revision folder)
    error: str


@dataclass(frozen=True)
class Candidate:
    name: str
    load: Any  # a callable returning the plugin object
    distribution: str = ""
    version: str = ""
    module_name: str = ""


def entry_point_candidates() -> list[Candidate]:
    """Return every installed ``careteam.plugins`` entry point, by name (no code imported)."""
    found: dict[str, Candidate] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        found.setdefault(
            ep.name,
            Candidate(
                ep.name,
                ep.load,
                distribution=dist.metadata["Name"] if dist else "",
                version=dist.version if dist else "",
                module_name=ep.value.split(":")[0],
            ),
        )
    return [found[name] for name in sorted(found)]


class PluginHost:
    """Every plugin of one app, kept on ``app.extensions["careteam"]``."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("careteam")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        # Core's own hook implementations: always on, in every circle.
        self.core: set[str] = set()
        self.blocked: list[str] = []
        self.problems: list[PluginProblem] = []
        self.installed: list[Candidate] = []
        # Blueprint name -> plugin name, for the "switched off in this circle" 404.
        self.blueprint_owner: dict[str, str] = {}
        self.capability_owner: dict[str, str] = {}
        # Plugins that set up cleanly but are not served: their tables are not there
        # ("not migrated") or were set aside by `careteam plugins remove --keep-data`.
        self.held_back: dict[str, tuple[LoadedPlugin, str]] = {}

    # --- loading ----------------------------------------------------------------------------

    def register_core(self, name: str, obj: Any) -> None:
        self.pm.register(obj, name=name)
        self.core.add(name)

    def load(
        self, candidates: Iterable[Candidate], blocked: Iterable[str]
    ) -> Iterator[tuple[Candidate, Any]]:
        """Import and register each candidate; yield those that registered cleanly."""
        blocked = {b for b in blocked if b}
        for name in sorted(blocked):
            self.pm.set_blocked(name)
        for candidate in candidates:
            if candidate.name in blocked:
                self.blocked.append(candidate.name)
                continue
            if self.pm.has_plugin(candidate.name):
                continue
            try:
                obj = candidate.load()
            except Exception as error:  # any import-time failure: report it, start without it
                self._problem(candidate.name, "import", error)
                continue
            try:
                self.pm.register(obj, name=candidate.name)
                self._check_hook_names(obj)
            except Exception as error:
                self._drop(candidate.name)
                self._problem(candidate.name, "register", error)
                continue
            yield candidate, obj

    def _check_hook_names(self, obj: Any) -> None:
        # A misspelt hook would otherwise never be called and nobody would know why.
        known = {name for name in dir(hookspecs) if name.startswith("careteam_")}
        for attr in dir(obj):
            if attr.startswith("careteam_") and attr not in known:
                raise ValueError(f"{attr} is not a CareTeam hook")

    def _problem(self, name: str, stage: str, error: BaseException) -> None:
        problem = PluginProblem(name, stage, f"{type(error).__name__}: {error}")
        self.problems.append(problem)
        log.error("Plugin %s was not loaded (%s failed): %s", name, stage, problem.error)

    def _drop(self, name: str) -> None:
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin, name=name)
        self.plugins.pop(name, None)

    def fail_setup(self, name: str, error: BaseException, stage: str = "setup") -> None:
        """Unload a plugin whose setup hooks (or revision folder) failed, and report it."""
        self._drop(name)
        self._problem(name, stage, error)

    def hold_back(self, plugin: LoadedPlugin, status: str) -> None:
        """Unload a plugin whose tables are missing; ``careteam plugins`` shows ``status``."""
        self._drop(plugin.name)
        self.held_back[plugin.name] = (plugin, status)
        log.warning("Plugin %s is not served (%s): see `careteam plugins`.", plugin.name, status)

    def problem_stage(self, name: str) -> str | None:
        """Return the stage at which plugin ``name`` failed to load, if it did."""
        return next((p.stage for p in self.problems if p.name == name), None)

    # --- calling ----------------------------------------------------------------------------

    def impls(self, hook: str, names: set[str] | frozenset[str] | None = None) -> list[Any]:
        """Return the implementations of ``hook`` in call order, limited to plugin ``names``."""
        caller = getattr(self.pm.hook, hook)
        ordered = list(reversed(caller.get_hookimpls()))  # pluggy calls the last-added first
        if names is None:
            return ordered
        allowed = names | self.core
        return [impl for impl in ordered if impl.plugin_name in allowed]

    def call_plugin(self, name: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook`` (None if it has none); errors raise."""
        for impl in self.impls(hook):
            if impl.plugin_name == name:
                return impl.function(*[kwargs[arg] for arg in impl.argnames])
        return None

    def call(
        self, hook: str, *, enabled: set[str] | frozenset[str] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call ``hook`` on each plugin in ``enabled`` (all when None) and on core.

        Returns (plugin name, result) for every implementation that returned something other
        than None; one that raises is logged with its name and left out.
        """
        results = []
        for impl in self.impls(hook, enabled):
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception:  # a plugin's fault stays inside the plugin
                log.exception("Plugin %s failed in %s", impl.plugin_name, hook)
                continue
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def implements(self, hook: str) -> bool:
        return bool(getattr(self.pm.hook, hook).get_hookimpls())

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def owner_of_capability(self, capability: str) -> str | None:
        return self.capability_owner.get(capability)
