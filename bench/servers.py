"""Start and stop gunicorn servers for a run, and read their workers' memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = "python:careteam.gunicorn_conf"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, in MiB (from /proc/<pid>/status)."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes


def production_environment(database_url: str, port: int) -> dict[str, str]:
    """The settings a real site runs with, plus rate limits switched off for the load."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    env.update(
        {
            "CARETEAM_ENV": "production",
            "CARETEAM_SECRET_KEY": secrets.token_urlsafe(32),
            "CARETEAM_DATABASE_URL": database_url,
            "CARETEAM_BASE_URL": f"http://127.0.0.1:{port}",
            # Nothing in the scenarios sends mail; production only insists that a server is set.
            "CARETEAM_SMTP_HOST": "127.0.0.1",
            "CARETEAM_BIND": f"127.0.0.1:{port}",
            "CARETEAM_RATELIMIT_ENABLED": "0",
            "WEB_CONCURRENCY": str(WORKERS),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _wait_until_answering(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited at start-up; see {server.log_path}:\n"
                + server.log_path.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(server.base_url + "/", timeout=2):
                pass
        except urllib.error.HTTPError:
            pass  # any HTTP answer means a worker is up
        except OSError:
            time.sleep(0.2)
            continue
        if len(server.worker_pids()) >= WORKERS:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


@contextmanager
def gunicorn(name: str, app: str, env: dict[str, str], log_dir: Path) -> Iterator[Server]:
    """Run ``gunicorn <app>`` with CareTeam's production config until the block ends."""
    port = int(env["CARETEAM_BIND"].rsplit(":", 1)[1])
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, app]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        server = Server(name=name, port=port, process=process, log_path=log_path)
        try:
            _wait_until_answering(server)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
