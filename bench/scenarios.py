"""The pages a run loads, and the budget each must meet.

Throughput is reported as a ratio to a bare Flask "hello" app but is no longer a target: the
budgets are latency with one connection, the feeds' server time, the search's SQL, worker memory
and (in the query-budget tests) statements per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Targets:
    """What a scenario must reach; ``None`` means the issue sets no figure for it."""

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
    # Another person to sign in as (their email) when the page is theirs and not the bench
    # user's: the therapist's overview across circles.  None: the bench user.
    person: str | None = None


# List and detail pages answer one connection within 15 ms at the 99th percentile, the month
# grid within 30 ms.  The search's own SQL budget (2 ms) is checked on the service call: see
# inprocess.search_sql_ms.
PAGE = Targets(single_p99_ms=15.0)
MONTH_GRID = Targets(single_p99_ms=30.0)
# The therapist's overview reads every programme of every circle they serve (40 at "large").
OVERVIEW = Targets(single_p99_ms=25.0)


def scenarios(manifest: dict[str, Any], deep_cursor: str) -> list[Scenario]:
    """Build the list of scenarios for a seeded database described by ``manifest``."""
    circle = f"/circles/{manifest['busy_circle']}"
    terms = manifest["search_terms"]
    feeds = manifest["feeds"]
    found: list[Scenario] = [
        Scenario("circle_home", circle, PAGE),
        Scenario("feed_page_1", f"{circle}/notes", PAGE),
        Scenario("feed_deep", f"{circle}/notes?after={quote(deep_cursor)}", PAGE),
        Scenario("note_detail", f"{circle}/notes/{manifest['busy_note']}", PAGE),
    ]
    for kind in ("rare", "medium", "common", "absent"):
        found.append(
            Scenario(f"search_{kind}", f"{circle}/notes/search?q={quote(terms[kind])}", PAGE)
        )
    found += [
        Scenario("agenda", f"{circle}/appointments", PAGE),
        Scenario(
            "month_grid",
            f"{circle}/appointments/month?month={manifest['month']}",
            MONTH_GRID,
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
        found.append(Scenario("devices", f"{circle}/devices", PAGE, plugin="devices"))
    if "hello" in plugins:
        found.append(Scenario("hello_plugin", f"{circle}/hello", PAGE, plugin="hello"))
    if "therapy" in plugins and "therapy" in manifest:
        found += _therapy(manifest["therapy"], circle)
    return found


def _therapy(therapy: dict[str, Any], circle: str) -> list[Scenario]:
    """The therapy pages, from what the seeder wrote under ``manifest["therapy"]``:
    ``busy_programme`` (a programme of the busy circle with weeks of logs) and
    ``therapist_email`` (the therapist who prescribes in many circles)."""
    found = [Scenario("therapy_today", f"{circle}/therapy/today", PAGE, plugin="therapy")]
    if therapy.get("busy_programme"):
        found.append(
            Scenario(
                "therapy_progress",
                f"{circle}/therapy/{therapy['busy_programme']}/progress",
                PAGE,
                plugin="therapy",
            )
        )
    if therapy.get("therapist_email"):
        found.append(
            Scenario(
                "therapy_overview",
                "/therapy",
                OVERVIEW,
                plugin="therapy",
                person=therapy["therapist_email"],
            )
        )
    return found
