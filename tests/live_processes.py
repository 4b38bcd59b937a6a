"""Our own processes as production runs them (gunicorn, the scheduler), for tests that kill them with -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from config import ROOT

BIN = Path(sys.executable).parent
WARM = "worker warmed up"  # what gunicorn.conf.py logs when a worker takes requests
START_SECONDS = 180  # a worker warms up in ~8 s alone; beside the rest of the suite on 2 cores, far longer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A process of ours in a process group of its own, its output in a log file; stop() kills the group."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                command,
                env={**os.environ, **env},
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        """The process's children (gunicorn's workers), from /proc."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the process alone, as the kernel's OOM killer or a power cut would."""
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def app_env(database_url: str, redis_url: str, wechat_url: str) -> dict[str, str]:
    """The environment our processes read their settings from (the suite's keys are the development ones)."""
    return {"APP_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "WECHAT_API_BASE_URL": wechat_url}  # fmt: skip


def gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> tuple[Process, str]:
    """Serve wsgi:app as production does (gunicorn.conf.py warms each worker up); return it and its URL.

    It returns once every worker is warm, so that the test's requests do not wait for a worker's start.
    """
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    process = Process(command, env, log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{process.output()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310  (loopback)
                if process.output().count(WARM) >= workers:
                    return process, url
        except OSError:
            pass
        time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"gunicorn's workers were not warm in {START_SECONDS} s:\n{process.output()[-3000:]}")
