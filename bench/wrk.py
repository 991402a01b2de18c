"""Drive wrk (Debian's ``wrk`` package) against one URL and read back its totals."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

REPORT_SCRIPT = Path(__file__).with_name("report.lua")


class WrkMissing(RuntimeError):
    """wrk is not installed."""


@dataclass(frozen=True)
class LoadResult:
    connections: int
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    first_bad: str

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.non_2xx == 0 and self.socket_errors == 0 and self.requests > 0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "requests_per_second": round(self.requests_per_second, 1)}


def parse_report(output: str, connections: int) -> LoadResult:
    """Read the ``BENCH name value`` lines that report.lua prints at the end of a run."""
    values: dict[str, str] = {}
    for line in output.splitlines():
        if line.startswith("BENCH "):
            _, name, *rest = line.split(" ", 2)
            values[name] = rest[0].strip() if rest else ""
    if "requests" not in values:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    return LoadResult(
        connections=connections,
        requests=int(values["requests"]),
        seconds=int(values["duration_us"]) / 1e6,
        non_2xx=int(values["non_2xx"]),
        socket_errors=int(values["socket_errors"]),
        p50_ms=int(values["p50_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        first_bad=values.get("first_bad", ""),
    )


def run_wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    cookie: str | None = None,
    rotate_paths: list[str] | None = None,
) -> LoadResult:
    """Load ``url`` for ``seconds`` with ``connections`` keep-alive connections.

    One wrk thread per connection up to two (this machine has two cores, and the server needs
    them too).  With ``rotate_paths``, the requests take turns over those paths on ``url``'s
    server instead of asking for ``url`` itself.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkMissing("wrk is not installed: apt-get install -y wrk")
    threads = max(1, min(2, connections))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(REPORT_SCRIPT),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    env = {**os.environ, "BENCH_PATHS": " ".join(rotate_paths or [])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_report(done.stdout, connections)
