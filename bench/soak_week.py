"""A week of a county's traffic in a few minutes, with faults injected midway, and a reconciliation at the end.

    .venv/bin/python bench/soak_week.py [--workers 20000] [--messages 6000] [--registrations 400]
        [--grievances 300] [--clients 8] [--faults redis,postgres,web] [--database-url URL] [--keep]

On PostgreSQL (a throwaway cluster of its own, initdb'd in a temp dir, unless --database-url) and one
redis-server on TCP, it loads the demo data and `--workers` workers of 新乡县 (members of 七里营镇工会, each a
mini-program user; the even ones follow the service account, the odd ones granted the news template), and starts what
production runs: gunicorn (2 sync workers) serving wsgi:app, the scheduler (`python -m jobs`), one
`rq worker`, and the WeChat simulator (gunicorn, gevent) with 20 ms per call.

`--clients` threads then play the week, as fast as the servers take it: workers' texts to /wechat pushed like
WeChat's servers (signed, 3 tries with the same signature, the next one on no answer within 5 s or a broken
connection), and mini-program calls (log in, register a child for a winter session, file a grievance; a
call that fails is not repeated, as a phone on a bad network would not). One broadcast to everyone goes out
through the push engine meanwhile. Faults are injected one after another at 25/50/75% of the chat traffic:
Redis killed with -9 and restarted empty after 2 s, PostgreSQL restarted (`pg_ctl restart -m immediate`), one
gunicorn worker killed with -9. Each fault's window lasts until /healthz answers 200 again, plus 5 s.

Reported: requests served, p50/p99 latency, errors and 5xx inside and outside the windows, then the
reconciliation, from the database and the simulator's record: every message WeChat had an answer for is stored
exactly once and answered; every registration and grievance the client was told about exists exactly once,
and those whose answer was lost are counted; every push recipient got exactly one copy. Exit status 1 when
anything was lost or doubled, or a 5xx came outside the windows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from push_fanout import PREFIX, free_port, spawn  # noqa: E402

BIN = Path(sys.executable).parent
TEXTS = ("你好", "我想给孩子报名寒假托管", "培训菜单", "我要维权，单位拖欠工资三个月", "手机报", "加班费怎么算",
         "快递员怎么入会", "案件查询", "转人工", "取消")  # fmt: skip
MP_PREFIX = "o-soak-"
TOWNSHIP = "新乡县七里营镇工会"  # its members may use 新乡县总工会's childcare
EMPLOYERS = ("新乡县华兴食品有限公司", "新乡县七里营镇某建筑工地", "新乡县顺达物流有限公司")


def simulator_app():
    """The simulator for gunicorn: users who follow the account, messaged it lately, half granted the news."""
    from app.wechat.simulator.api import create_simulator
    from app.wechat.simulator.state import SimulatorState
    from models.push_audience import NEWS_TEMPLATE

    state = SimulatorState()
    state.default_quota = 10_000_000
    users = int(os.environ["SOAK_USERS"])
    state.add_followers([f"{MP_PREFIX}{n}" for n in range(0, users, 2)])  # the others use the mini-program
    for n in range(users):
        state.record_interaction(f"{MP_PREFIX}{n}")
        if n % 2:
            state.grants[(f"{PREFIX}{n}", NEWS_TEMPLATE)] = 1
    state.set_faults(latency_ms=20)
    return create_simulator(state)


# -- servers ----------------------------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster owned by the postgres user (PostgreSQL refuses root), restartable."""

    def __init__(self, work: Path):
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        home, self.port = work / "postgres", free_port()  # the cluster, its socket and log, the postgres user's
        home.mkdir()
        work.chmod(0o755)
        shutil.chown(home, "postgres")
        self.dir = home / "data"
        self._as_postgres("initdb", "-D", str(self.dir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--locale=C.UTF-8")  # fmt: skip
        self.start()
        self._as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "gonghui")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/gonghui"

    def _as_postgres(self, tool: str, *args: str) -> None:
        command = [shutil.which("runuser"), "-u", "postgres", "--", str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603  (fixed commands)

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir.parent} -c max_connections=200"
        self._as_postgres("pg_ctl", "-D", str(self.dir), "-l", str(self.dir.parent / "pg.log"), "-w", "-o", options,
                          "start")  # fmt: skip

    def restart(self) -> None:
        """Stop without a clean shutdown (as a crash would) and start again."""
        self._as_postgres("pg_ctl", "-D", str(self.dir), "-m", "immediate", "stop")
        self.start()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres("pg_ctl", "-D", str(self.dir), "-m", "fast", "stop")


class Redis:
    """redis-server on a TCP port, without persistence: a restart loses everything, as a crash would."""

    def __init__(self, work: Path):
        self.port, self.work = free_port(), work
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = spawn([shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
        _wait(lambda: _redis_up(self.port), 10, "redis-server")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _redis_up(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port).ping())
    except redis.exceptions.ConnectionError:
        return False


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready in {seconds} s")


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


# -- traffic ----------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw, under a lock."""

    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (time answered, seconds, kind)
    statuses: list[tuple[float, int, str]] = field(default_factory=list)  # (time answered, status or 0, kind)
    acknowledged: set[str] = field(default_factory=set)  # msg ids WeChat got an answer for
    given_up: set[str] = field(default_factory=set)  # msg ids all 3 tries failed
    registered: list[int] = field(default_factory=list)
    filed: list[int] = field(default_factory=list)
    unknown_posts: Counter = field(default_factory=Counter)  # POSTs whose answer was lost twice, by kind
    registered_before_retry: int = 0  # a retry answered 409: the first try had registered the child
    logins_failed: Counter = field(default_factory=Counter)  # by status (0: no answer)
    refused: Counter = field(default_factory=Counter)  # (kind, status, message) of 4xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, started: float, status: int, kind: str) -> None:
        """Count a request by when its answer came: one sent just before a fault is cut by it."""
        ended = time.monotonic()
        with self.lock:
            self.latencies.append((ended, ended - started, kind))
            self.statuses.append((ended, status, kind))


class Traffic:
    """The week's work items, shared by the client threads."""

    def __init__(self, args: argparse.Namespace, url: str, sessions: list[int]):
        from app.wechat.simulator.pusher import Pusher
        from config import DEV_DEFAULTS

        self.url, self.sessions, self.tally = url, sessions, Tally()
        self.pusher = Pusher(DEV_DEFAULTS["WECHAT_TOKEN"], DEV_DEFAULTS["WECHAT_APPID"], DEV_DEFAULTS["WECHAT_AES_KEY"])
        rng = random.Random(2026)  # noqa: S311  (the same week every run, not a secret)
        items = [("chat", n) for n in range(args.messages)]
        items += [("register", n) for n in range(args.registrations)]
        items += [("grievance", n) for n in range(args.grievances)]
        rng.shuffle(items)
        self.items, self.workers, self.rng = items, args.workers, rng
        self.chats_done, self._next, self._lock = 0, 0, threading.Lock()

    def take(self):
        with self._lock:
            if self._next >= len(self.items):
                return None
            self._next += 1
            return self.items[self._next - 1]

    def run(self) -> None:
        http = requests.Session()
        while (item := self.take()) is not None:
            kind, n = item
            if kind == "chat":
                self.chat(http, n)
            else:
                self.mini_program(http, kind, n)

    def send(self, http: requests.Session, kind: str, url: str, **options) -> tuple[requests.Response | None, int]:
        """POST once and note the status (0: no answer) and the latency."""
        started = time.monotonic()
        try:
            response = http.post(url, **options)
        except requests.RequestException:
            response = None
        status = 0 if response is None else response.status_code
        self.tally.note(started, status, kind)
        return response, status

    def chat(self, http: requests.Session, n: int) -> None:
        from app.wechat.simulator.pusher import text_xml

        msg_id = str(8_000_000_000_000_000_000 + n)
        worker = self.rng.randrange(self.workers)
        params, body = self.pusher.push(text_xml(f"{MP_PREFIX}{worker}", TEXTS[n % len(TEXTS)], int(msg_id)))
        for _ in range(3):  # WeChat: the same push again on no answer, 3 tries in all
            _, status = self.send(http, "wechat", f"{self.url}/wechat", params=params, data=body, timeout=5)
            if status == 200:
                with self.tally.lock:
                    self.tally.acknowledged.add(msg_id)
                break
            time.sleep(0.5)
        else:
            with self.tally.lock:
                self.tally.given_up.add(msg_id)
        with self._lock:
            self.chats_done += 1

    def mini_program(self, http: requests.Session, kind: str, n: int) -> None:
        worker = (n * 7919 + (0 if kind == "register" else 1)) % self.workers
        login, status = self.send(
            http, "api", f"{self.url}/api/login", json={"code": f"sim:{PREFIX}{worker}"}, timeout=10
        )
        if status != 200:
            with self.tally.lock:
                self.tally.logins_failed[status] += 1
            return
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        if kind == "register":
            path, payload = "/api/registrations", {
                "session_id": self.sessions[n % len(self.sessions)],
                "child": {"name": f"孩子{n}号", "birth_date": f"{2014 + n % 6}-0{1 + n % 9}-1{n % 9}",
                          "gender": "男女"[n % 2]},
                "guardian_phone": f"139{worker:08d}", "emergency_contact": f"奶奶 138{worker:08d}", "consent": True,
            }  # fmt: skip
        else:
            path, payload = "/api/grievances", {
                "category": "unpaid_wages", "employer": EMPLOYERS[n % len(EMPLOYERS)], "name": f"职工{worker}",
                "facts": f"单位拖欠{1 + n % 5}个月工资，共{3000 + n}元，多次讨要未果。", "amount_owed": str(3000 + n),
                "county": "新乡县", "township": "七里营镇",
            }  # fmt: skip
        if kind == "grievance":
            payload["client_key"] = f"soak-grievance-{n:06d}"  # one per submission, sent again with a retry
        for attempt in (1, 2):  # a lost answer is tried once more, as the mini-program does
            response, status = self.send(http, "api", f"{self.url}{path}", json=payload, headers=headers, timeout=10)
            if status and status < 500:
                break
            if attempt == 2:
                with self.tally.lock:
                    self.tally.unknown_posts[kind] += 1
                return
            time.sleep(1)
        if status == 201:
            with self.tally.lock:
                (self.tally.registered if kind == "register" else self.tally.filed).append(response.json()["id"])
        elif kind == "register" and status == 409 and attempt == 2:
            with self.tally.lock:  # the first try had registered the child: its answer was lost
                self.tally.registered_before_retry += 1
        else:
            message = (response.json().get("error") or {}).get("message") if response.content else None
            with self.tally.lock:
                self.tally.refused[(kind, status, message)] += 1


# -- the run ----------------------------------------------------------------------------------------------


class Soak:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="gonghui-soak-"))
        self.processes: list[subprocess.Popen] = []
        self.windows: list[tuple[str, float, float]] = []
        self.postgres = None if args.database_url else Postgres(self.work)
        self.database_url = args.database_url or self.postgres.url
        self.redis = Redis(self.work)
        self.sim_port = free_port()
        self.env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": self.database_url,
                    "REDIS_URL": self.redis.url, "WECHAT_API_BASE_URL": f"http://127.0.0.1:{self.sim_port}",
                    "PUSH_WORKERS": "0", "SCHEDULER_LOCK_SECONDS": "10"}  # fmt: skip

    def log(self, name: str):
        return open(self.work / f"{name}.log", "ab")

    def prepare(self) -> list[int]:
        """Migrate, load the demo and the workers; return the ids of the winter sessions they may use."""
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from sqlalchemy import insert, select

        from app import create_app
        from app.extensions import db
        from config import Config
        from models.childcare import CareSession, Program
        from models.database import make_engine
        from models.demo import load_demo
        from models.notifications import SubscriptionGrant
        from models.push_audience import NEWS_TEMPLATE
        from models.unions import TradeUnion, subtree_ids
        from models.workers import Worker

        engine = make_engine(self.database_url)
        with engine.begin() as connection:
            alembic = AlembicConfig(str(ROOT / "alembic.ini"))
            alembic.attributes.update(connection=connection, configure_logger=False)
            command.upgrade(alembic, "head")
        engine.dispose()
        self.app = create_app(Config.from_env(self.env))
        with self.app.app_context():
            session = db.session
            load_demo(session)
            session.commit()
            township = session.scalars(select(TradeUnion).where(TradeUnion.name == TOWNSHIP)).one()
            for first in range(0, self.args.workers, 5000):
                numbers = range(first, min(first + 5000, self.args.workers))
                rows = [{"name": f"职工{n}", "openid": f"{MP_PREFIX}{n}", "miniapp_openid": f"{PREFIX}{n}",
                         "subscribed": n % 2 == 0, "union_id": township.id, "member_since": date(2020, 1, 1)}
                        for n in numbers]  # fmt: skip
                session.execute(insert(Worker.__table__), rows)
                granted = [f"{PREFIX}{n}" for n in numbers if n % 2]
                ids = session.scalars(select(Worker.id).where(Worker.miniapp_openid.in_(granted)))
                grants = [{"worker_id": i, "template_id": NEWS_TEMPLATE, "remaining": 1} for i in ids]
                session.execute(insert(SubscriptionGrant.__table__), grants)
                session.commit()
            county = session.scalars(select(TradeUnion).where(TradeUnion.name == "新乡县总工会")).one()
            sessions = session.scalars(
                select(CareSession.id).join(Program).where(Program.union_id.in_(subtree_ids(session, county.id)),
                                                          Program.season == "winter")
            ).all()  # fmt: skip
            self.county_id = county.id
        return list(sessions)

    def start(self) -> str:
        # --timeout: listing every message sent (GET /sim/sent) takes a while at the end.
        simulator = spawn([str(BIN / "gunicorn"), "--worker-class", "gevent", "--worker-connections", "2048",
                           "--timeout", "300", "--bind", f"127.0.0.1:{self.sim_port}", "soak_week:simulator_app()"],
                          env={**self.env, "SOAK_USERS": str(self.args.workers)}, cwd=ROOT / "bench",
                          stdout=self.log("simulator"), stderr=subprocess.STDOUT)  # fmt: skip
        self.processes.append(simulator)
        self.web_port = free_port()
        self.web = spawn([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.web_port}", "wsgi:app"],
                         env=self.env, cwd=ROOT, stdout=self.log("web"), stderr=subprocess.STDOUT)  # fmt: skip
        self.processes.append(self.web)
        url = f"http://127.0.0.1:{self.web_port}"
        _wait(lambda: _healthy(url), 60, "gunicorn")
        _wait(lambda: _up(f"http://127.0.0.1:{self.sim_port}/sim/calls"), 60, "the simulator")
        for command, name in (([sys.executable, "-m", "jobs"], "scheduler"),
                              ([str(BIN / "rq"), "worker", "--url", self.redis.url, "--worker-class",
                                "rq.worker.SimpleWorker", "--path", str(ROOT), "gonghui-push"], "rq")):  # fmt: skip
            self.processes.append(
                spawn(command, env=self.env, cwd=ROOT, stdout=self.log(name), stderr=subprocess.STDOUT)
            )
        return url

    def fault(self, name: str, url: str) -> None:
        started = time.monotonic()
        print(f"  fault: {name}", flush=True)
        if name == "redis":
            self.redis.kill()
            time.sleep(2)
            self.redis.start()
        elif name == "postgres":
            self.postgres.restart()
        elif name == "web":
            os.kill(_children(self.web.pid)[0], signal.SIGKILL)
        _wait(lambda: _healthy(url), 120, f"recovery from {name}")
        time.sleep(5)  # a request sent in the window may still be answered after health returns
        self.windows.append((name, started, time.monotonic()))

    def broadcast(self) -> int:
        from sqlalchemy import select

        from app.extensions import db
        from models.access import Actor
        from models.officials import Official
        from models.push_ledger import create_push, schedule_push

        with self.app.app_context():
            official = db.session.scalars(select(Official).where(Official.username == "xinxiang-admin")).one()
            actor = Actor.of(db.session, official)
            text = "新乡工会手机报第32期已发布，请在公众号回复“手机报”阅读。"
            audience = {"unions": [self.county_id]}
            push = create_push(db.session, actor, kind="broadcast", title="新乡工会手机报 第32期",
                               message={"type": "text", "text": text}, audience=audience)  # fmt: skip
            schedule_push(db.session, actor, push.id)
            db.session.commit()
            return push.id

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        if self.redis.process.poll() is None:
            self.redis.kill()
        if self.postgres:
            self.postgres.stop()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def reconcile(soak: Soak, traffic: Traffic, push_id: int) -> dict:
    """Count from the database and the simulator what was lost or doubled."""
    from sqlalchemy import func, select

    from app.extensions import db
    from models.childcare import Registration
    from models.grievances import GrievanceCase
    from models.inbound import InboundMessage
    from models.pushes import SENT, Delivery, Push
    from models.workers import Worker

    tally = traffic.tally
    with soak.app.app_context():
        session = db.session
        rows = session.execute(select(InboundMessage.dedup_key, InboundMessage.answered_at, InboundMessage.delivery)
                               .where(InboundMessage.openid.like(f"{MP_PREFIX}%"))).all()  # fmt: skip
        stored = Counter(key.rsplit(":", 1)[-1] for key, _, _ in rows)
        registrations = Counter(session.scalars(select(Registration.id).where(Registration.id.in_(tally.registered))))
        cases = Counter(session.scalars(select(GrievanceCase.id).where(GrievanceCase.id.in_(tally.filed))))
        soak_registrations = session.scalar(
            select(func.count()).select_from(Registration).join(Worker, Registration.guardian_id == Worker.id)
            .where(Worker.openid.like(f"{MP_PREFIX}%"))
        )  # fmt: skip
        soak_cases = session.scalar(
            select(func.count()).select_from(GrievanceCase).join(Worker).where(Worker.openid.like(f"{MP_PREFIX}%"))
        )
        push = session.get(Push, push_id)
        ledger = Counter(
            f"{status}: {reason}" if reason else status
            for status, reason in session.execute(
                select(Delivery.status, Delivery.reason).where(Delivery.push_id == push_id)
            )
        )
    # Subscribe messages have no idempotency key at WeChat: the ones that could be doubled. (A mass batch sent
    # again carries its clientmsgid, which the simulator refuses like WeChat: 45065.)
    sent = requests.get(f"http://127.0.0.1:{soak.sim_port}/sim/sent", params={"kind": "subscribe"}, timeout=300)
    per_user = Counter(item["openid"] for item in json.loads(sent.text)["sent"])
    return {
        "messages acknowledged": len(tally.acknowledged),
        "  stored": sum(1 for m in tally.acknowledged if stored.get(m)),
        "  lost (acknowledged, not stored)": sum(1 for m in tally.acknowledged if not stored.get(m)),
        "  doubled (stored twice)": sum(1 for count in stored.values() if count > 1),
        "  unanswered at the end": sum(1 for _, answered, _ in rows if answered is None),
        "  answered by": dict(Counter(delivery for _, _, delivery in rows)),
        "messages WeChat gave up on (3 failed tries)": len(tally.given_up),
        "  of which stored anyway": sum(1 for m in tally.given_up if stored.get(m)),
        "registrations confirmed to the client": len(tally.registered),
        "  registrations missing": len(set(tally.registered) - set(registrations)),
        "  found registered by a retry (409)": tally.registered_before_retry,
        "registrations of the soak in the database": soak_registrations,
        "grievances confirmed to the client": len(tally.filed),
        "  grievances missing": len(set(tally.filed) - set(cases)),
        "grievance cases of the soak in the database": soak_cases,
        "POSTs whose answer was lost twice": dict(tally.unknown_posts),
        "POSTs refused (kind, status, message)": dict(tally.refused),
        "push status": push.status,
        "push ledger": dict(ledger),
        "push: subscribe messages delivered": sum(per_user.values()),
        "push: recipients reached twice": sum(1 for count in per_user.values() if count > 1),
        "push: ledger sent": ledger.get(SENT, 0),
        "mini-program logins that failed (the call then not made)": dict(tally.logins_failed),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--registrations", type=int, default=400)
    parser.add_argument("--grievances", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--faults", default="redis,postgres,web")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    soak = Soak(args)
    try:
        started = time.monotonic()
        sessions = soak.prepare()
        print(f"loaded the demo and {args.workers} workers in {time.monotonic() - started:.0f} s", flush=True)
        url = soak.start()
        traffic = Traffic(args, url, sessions)
        clients = [threading.Thread(target=traffic.run) for _ in range(args.clients)]
        t0 = time.monotonic()
        for client in clients:
            client.start()
        push_id = None
        faults = [f for f in args.faults.split(",") if f]
        marks = [args.messages * (i + 1) // (len(faults) + 1) for i in range(len(faults))]
        for fault, mark in zip(faults, marks, strict=True):
            while traffic.chats_done < mark and any(c.is_alive() for c in clients):
                time.sleep(0.05)
            if push_id is None:
                push_id = soak.broadcast()
            soak.fault(fault, url)
        for client in clients:
            client.join()
        push_id = push_id or soak.broadcast()
        played = time.monotonic() - t0
        print(f"traffic played in {played:.0f} s; waiting for the push and the recovery job", flush=True)
        _settle(soak, push_id)
        result = reconcile(soak, traffic, push_id)
        failed = report(args, traffic.tally, soak.windows, t0, played, result)
        return 1 if failed else 0
    finally:
        soak.close()


def _settle(soak: Soak, push_id: int, seconds: float = 240) -> None:
    """Wait until the push is done and no stored message is left unanswered (the recovery job runs every 15 s)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from models.inbound import InboundMessage
    from models.pushes import DONE, Push

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with soak.app.app_context():
            db.session.expire_all()
            done = db.session.get(Push, push_id).status == DONE
            open_ = db.session.scalar(select(func.count()).where(InboundMessage.answered_at.is_(None)))
        if done and not open_:
            return
        time.sleep(2)


def report(args, tally: Tally, windows, t0: float, played: float, result: dict) -> bool:
    def inside(at: float) -> bool:
        return any(start <= at <= end for _, start, end in windows)

    print(f"\n== soak: {args.workers} workers, {args.messages} texts, {args.registrations} registrations, "
          f"{args.grievances} grievances, {args.clients} clients, faults {args.faults} ==")  # fmt: skip
    print(f"played in {played:.0f} s: {len(tally.statuses)} requests, {len(tally.statuses) / played:.0f}/s")
    for kind in ("wechat", "api"):
        outside = [s for at, s, k in tally.latencies if k == kind and not inside(at)]
        print(f"{kind:7} latency outside the windows: p50 {percentile(outside, 0.5):.0f} ms, "
              f"p99 {percentile(outside, 0.99):.0f} ms")  # fmt: skip
    for name, start, end in windows:
        print(f"window {name}: {start - t0:.1f}–{end - t0:.1f} s")
    errors_in = Counter(s for at, s, _ in tally.statuses if inside(at) and (s == 0 or s >= 500))
    errors_out = Counter(s for at, s, _ in tally.statuses if not inside(at) and (s == 0 or s >= 500))
    print(f"errors inside the windows (0 = no answer): {dict(errors_in)}")
    print(f"errors outside the windows: {dict(errors_out)}")
    for key, value in result.items():
        print(f"{key:50} {value}")
    lost = result["  lost (acknowledged, not stored)"] + result["  unanswered at the end"]
    lost += result["  registrations missing"] + result["  grievances missing"]
    doubled = result["  doubled (stored twice)"] + result["push: recipients reached twice"]
    return bool(lost or doubled or errors_out or result["push status"] != "done")


if __name__ == "__main__":
    raise SystemExit(main())
