"""Command line of the harness: ``python -m bench {seed,run,all,compare}``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .servers import ROOT

RESULTS_DIR = ROOT / "bench" / "results"
DIALECTS = ("sqlite", "postgresql")
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def default_database_url(dialect: str, scale: str) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{RESULTS_DIR / 'db' / f'{scale}.sqlite3'}"
    return f"{POSTGRES_SERVER}/careteam_bench_{scale}"


def manifest_path(dialect: str, scale: str) -> Path:
    return RESULTS_DIR / f"seed-{scale}-{dialect}.json"


def _dialects(choice: str) -> tuple[str, ...]:
    return DIALECTS if choice == "both" else (choice,)


def _seed(args: argparse.Namespace) -> None:
    from .seed import seed

    for dialect in _dialects(args.db):
        url = args.database_url or default_database_url(dialect, args.scale)
        (RESULTS_DIR / "db").mkdir(parents=True, exist_ok=True)
        manifest = seed(url, args.scale, manifest_path(dialect, args.scale))
        print(
            f"seeded {dialect} ({args.scale}) in {manifest['seconds']:.0f} s: {manifest['counts']}"
        )


def _run(args: argparse.Namespace) -> None:
    from .report import compare, load, table
    from .run import run_once

    for dialect in _dialects(args.db):
        path = manifest_path(dialect, args.scale)
        if not path.exists():
            sys.exit(
                f"no seeded {dialect} database at scale {args.scale}: run `python -m bench seed`"
            )
        manifest = json.loads(path.read_text())
        results = run_once(manifest, args.seconds, RESULTS_DIR)
        print(table(results))
        print(f"(saved to {results['path']})\n")
        if args.compare:
            print(compare(load(args.compare), results))


def _all(args: argparse.Namespace) -> None:
    _seed(args)
    _run(args)


def _compare(args: argparse.Namespace) -> None:
    from .report import compare, load

    print(compare(load(args.old), load(args.new)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--scale", default="large", help="tiny, small, large (default) or xl")
        sub.add_argument("--db", choices=(*DIALECTS, "both"), default="both")

    seed = commands.add_parser("seed", help="create and fill a database at a scale")
    common(seed)
    seed.add_argument("--database-url", help="instead of bench/results/db or careteam_bench_*")
    seed.set_defaults(handler=_seed)

    run = commands.add_parser("run", help="serve a seeded database and load every scenario")
    common(run)
    run.add_argument("--seconds", type=float, default=10.0, help="length of each wrk load")
    run.add_argument("--compare", type=Path, help="an earlier results file to compare with")
    run.set_defaults(handler=_run)

    everything = commands.add_parser("all", help="seed, then run")
    common(everything)
    everything.add_argument("--database-url")
    everything.add_argument("--seconds", type=float, default=10.0)
    everything.add_argument("--compare", type=Path)
    everything.set_defaults(handler=_all)

    comparison = commands.add_parser("compare", help="the change from one results file to another")
    comparison.add_argument("old", type=Path)
    comparison.add_argument("new", type=Path)
    comparison.set_defaults(handler=_compare)

    args = parser.parse_args(argv)
    if getattr(args, "database_url", None) and args.db == "both":
        parser.error("--database-url needs --db sqlite or --db postgresql")
    args.handler(args)
    return 0
