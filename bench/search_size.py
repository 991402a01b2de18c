"""The search's SQL time in one circle of a given size: ``python -m bench.search_size``.

Seeds a database whose busy circle holds ``--notes`` notes (a decade of daily notes is about
20,000), then prints the p50/p95 of the search's own SQL for the manifest's common, medium and
rare words (:func:`bench.inprocess.search_sql_ms`), to check against the 2 ms search budget.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .cli import RESULTS_DIR
from .inprocess import open_app, search_sql_ms
from .seed import SCALES, seed
from .seed_world import Scale

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/careteam_bench_search_size"


def busy_circle_scale(notes: int) -> Scale:
    """A small site whose busy circle (a tenth of all notes) holds ``notes`` notes."""
    return Scale(
        circles=20,
        users=200,
        notes=notes * 10,
        comments=200,
        appointments=100,
        busy_appointments=20,
        busy_series=5,
        calendar_appointments=20,
        busy_supporters=4,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_size", description=__doc__)
    parser.add_argument("--notes", type=int, default=20_000, help="notes in the busy circle")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="measure an earlier seed again")
    args = parser.parse_args(argv)
    name = f"busy{args.notes}"
    manifest_file = Path(RESULTS_DIR) / f"seed-{name}-search.json"
    if args.reuse and manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
    else:
        SCALES[name] = busy_circle_scale(args.notes)
        manifest = seed(args.database_url, name, manifest_file)
    figures = search_sql_ms(open_app(args.database_url), manifest)
    print(json.dumps({"busy_circle_notes": args.notes, "search_sql": figures}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
