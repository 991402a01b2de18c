"""The pages a run loads, and the budget each must meet (from issue 7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Targets:
    """What a scenario must reach; ``None`` means the issue sets no figure for it."""

    ratio: dict[str, float] = field(default_factory=dict)  # dialect -> minimum ratio to hello
    single_p99_ms: float | None = None
    server_ms: float | None = None  # in-process p50 of the whole request
    db_ms: float | None = None  # in-process p50 of the time spent in SQL


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    targets: Targets
    signed_in: bool = True
    plugin: str | None = None


LIST_PAGE = Targets(ratio={"sqlite": 0.20, "postgresql": 0.12}, single_p99_ms=15.0)
DETAIL_PAGE = Targets(ratio={"sqlite": 0.25, "postgresql": 0.15})
# The search's own SQL budget (2 ms) is checked on the service call: see inprocess.search_sql_ms.
SEARCH_PAGE = Targets(ratio={"sqlite": 0.15, "postgresql": 0.10})


def scenarios(manifest: dict[str, Any], deep_cursor: str) -> list[Scenario]:
    """Build the list of scenarios for a seeded database described by ``manifest``."""
    circle = f"/circles/{manifest['busy_circle']}"
    terms = manifest["search_terms"]
    feeds = manifest["feeds"]
    found: list[Scenario] = [
        Scenario("circle_home", circle, LIST_PAGE),
        Scenario("feed_page_1", f"{circle}/notes", LIST_PAGE),
        Scenario("feed_deep", f"{circle}/notes?after={quote(deep_cursor)}", LIST_PAGE),
        Scenario("note_detail", f"{circle}/notes/{manifest['busy_note']}", DETAIL_PAGE),
    ]
    for kind in ("rare", "medium", "common", "absent"):
        found.append(
            Scenario(f"search_{kind}", f"{circle}/notes/search?q={quote(terms[kind])}", SEARCH_PAGE)
        )
    found += [
        Scenario("agenda", f"{circle}/appointments", LIST_PAGE),
        Scenario(
            "month_grid",
            f"{circle}/appointments/month?month={manifest['month']}",
            Targets(server_ms=20.0),
        ),
        Scenario(
            "ical_1k", f"/feeds/{feeds['busy']}.ics", Targets(server_ms=50.0), signed_in=False
        ),
        Scenario(
            "ical_10k",
            f"/feeds/{feeds['calendar']}.ics",
            Targets(server_ms=500.0),
            signed_in=False,
        ),
    ]
    plugins = set(manifest.get("plugins", []))
    if "devices" in plugins:
        found.append(Scenario("devices", f"{circle}/devices", Targets(), plugin="devices"))
    if "hello" in plugins:
        found.append(Scenario("hello_plugin", f"{circle}/hello", Targets(), plugin="hello"))
    return found
