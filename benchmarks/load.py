"""Load benchmark: the real service (several uvicorn workers) on PostgreSQL with the large demo
data set, driven from a second process through the main flows, next to a bare Litestar route
doing one indexed PostgreSQL read (benchmarks/baseline_app.py) served the same way in the same
run. Prints throughput and p50/p95/p99 per flow, the ratio to the baseline, errors, and the
memory of each worker. With --restart-postgres, PostgreSQL is restarted in the middle of the
report flow: the service must recover by itself and every acknowledged report must be stored.

Run:  .venv/bin/python benchmarks/load.py [--workers 2] [--users 50] [--seconds 20] [--restart-postgres]
(It uses the database benchmarks/dashboards.py generates; run that once first.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "hr_bench_dashboards"
DSN = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
MARK = "Belastningstest"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "HR_DATABASE_URL": DSN, "HR_SCHEDULER": "off", "HR_MODE": "dev",
           "HR_REPORTS_PER_HOUR": "100000", "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if target.endswith("create_app"):
        args.append("--factory")
    return subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)


async def wait_up(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def worker_memory(proc: subprocess.Popen) -> list[int]:
    """Resident memory (MB) of the uvicorn worker processes under `proc`."""
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    return [int(line.split()[1]) // 1024 for line in out.strip().splitlines() if line.strip()]


async def staff_accounts(count: int) -> list[tuple[str, int]]:
    """(e-mail, unit) for staff who can report."""
    import asyncpg

    conn = await asyncpg.connect(DSN)
    rows = await conn.fetch(
        "SELECT a.email, e.unit FROM auth_account a JOIN org_employee e ON e.id = a.employee "
        "WHERE a.active AND e.active AND e.unit IS NOT NULL ORDER BY a.id LIMIT $1", count)
    await conn.close()
    return [(r["email"], r["unit"]) for r in rows]


async def count_marked() -> int:
    import asyncpg

    for _ in range(50):
        try:
            conn = await asyncpg.connect(DSN)
            break
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.5)
    value = await conn.fetchval("SELECT count(*) FROM workenv_incident WHERE description LIKE $1 "
                                "AND status = 'submitted'", f"{MARK}%")
    await conn.close()
    return value


class Flow:
    def __init__(self, name: str):
        self.name, self.latencies, self.errors, self.acknowledged = name, [], 0, 0

    def report(self, seconds: float, baseline: float | None) -> str:
        ok = len(self.latencies)
        if not ok:
            return f"{self.name:<28} no successful requests, {self.errors} errors"
        qs = statistics.quantiles(self.latencies, n=100)
        rate = ok / seconds
        ratio = f"{100 * rate / baseline:5.0f} %" if baseline else "     -"
        return (f"{self.name:<28} {rate:8.1f}/s {ratio} p50 {qs[49]:6.1f} ms  p95 {qs[94]:6.1f} ms  "
                f"p99 {qs[98]:6.1f} ms  errors {self.errors}")


async def login(client, base: str, email: str) -> None:
    from hr.demo import DEMO_PASSWORD

    await client.get(f"{base}/login")
    response = await client.post(f"{base}/login", data={"email": email, "password": DEMO_PASSWORD,
                                                         "_csrf_token": client.cookies.get("csrftoken")})
    if response.status_code != 302:
        raise RuntimeError(f"login failed for {email}: {response.status_code}")


def report_form(unit: int, n: int) -> dict:
    from datetime import datetime, timedelta

    when = datetime.now() - timedelta(hours=1)
    return {"kind": "near_miss", "occurred_date": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"),
            "unit": str(unit), "place_type": "common", "description": f"{MARK} {n}: våd flise i gangen",
            "severity": "1", "action": "submit"}


async def run_flow(name: str, users: int, seconds: float, make_user, step) -> Flow:
    """Sets up every user first (logging in hashes a password: not what is measured), then runs
    the step in a loop for each user until the time is up."""
    flow = Flow(name)
    gate = asyncio.Semaphore(4)

    async def setup(n: int):
        async with gate:
            return await make_user(n)

    states = await asyncio.gather(*(setup(n) for n in range(users)))
    deadline = time.monotonic() + seconds

    async def user(n: int) -> None:
        state = states[n]
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                ok = await step(state, n)
            except Exception:  # a refused connection or a timeout while the database restarts
                ok = False
            if ok:
                flow.latencies.append((time.perf_counter() - started) * 1000)
            else:
                flow.errors += 1
                await asyncio.sleep(0.05)

    await asyncio.gather(*(user(n) for n in range(users)))
    return flow


async def drive(args) -> None:
    import httpx

    limits = httpx.Limits(max_connections=args.users * 2, max_keepalive_connections=args.users * 2)
    service_port, baseline_port = free_port(), free_port()
    service = serve("hr.app:create_app", service_port, args.workers)
    baseline = serve("benchmarks.baseline_app:app", baseline_port, args.workers)
    base, base0 = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{baseline_port}"
    try:
        subprocess.run([sys.executable, "-m", "hr.cli", "migrate"], env={**os.environ, "HR_DATABASE_URL": DSN},
                       cwd=ROOT, check=True, capture_output=True)
        await asyncio.gather(wait_up(f"{base}/health"), wait_up(f"{base0}/baseline"))
        accounts = await staff_accounts(args.users)
        shared = httpx.AsyncClient(limits=limits, timeout=10)

        async def no_user(n):
            return shared

        async def baseline_step(client, n):
            return (await client.get(f"{base0}/baseline")).status_code == 200

        async def staff_user(n):
            client = httpx.AsyncClient(limits=limits, timeout=30)
            await login(client, base, accounts[n % len(accounts)][0])
            return {"client": client, "unit": accounts[n % len(accounts)][1], "count": 0}

        async def leader_user(n):
            client = httpx.AsyncClient(limits=limits, timeout=30)
            await login(client, base, "leder@socialomraadet.example" if n % 2 else "leder2@socialomraadet.example")
            return client

        async def hr_user(n):
            client = httpx.AsyncClient(limits=limits, timeout=30)
            await login(client, base, "hr@socialomraadet.example")
            return client

        flows = []
        flows.append(await run_flow("baseline (1 indexed read)", args.users, args.seconds, no_user, baseline_step))
        before = await count_marked()
        submit = Flow("incident submission")

        async def submit_step(state, n):
            client = state["client"]
            token = client.cookies.get("csrftoken")
            created = await client.post(f"{base}/arbejdsmiljoe/haendelser", data={"_csrf_token": token})
            if created.status_code != 302:
                return False
            path = created.headers["location"]
            state["count"] += 1
            sent = await client.post(f"{base}{path}", data={**report_form(state["unit"], state["count"]),
                                                           "_csrf_token": token})
            if sent.status_code == 302 and "indsendt=1" in sent.headers.get("location", ""):
                submit.acknowledged += 1
                return True
            return False

        restart = None
        if args.restart_postgres:
            async def restart_later():
                await asyncio.sleep(args.seconds / 3)
                version = sorted(os.listdir("/etc/postgresql"))[-1]
                await asyncio.to_thread(subprocess.run, ["pg_ctlcluster", "--skip-systemctl-redirect", version,
                                                         "main", "restart"], check=True)
                print(f"(PostgreSQL {version} restarted at t={args.seconds / 3:.0f} s)")
            restart = asyncio.create_task(restart_later())
        measured = await run_flow("incident submission", args.users, args.seconds, staff_user, submit_step)
        measured.acknowledged = submit.acknowledged
        if restart:
            await restart
        flows.append(measured)

        async def dashboard_step(client, n):
            return (await client.get(f"{base}/arbejdsmiljoe/analyse")).status_code == 200

        flows.append(await run_flow("dashboard, unit leaders", args.users, args.seconds, leader_user,
                                    dashboard_step))
        flows.append(await run_flow(f"dashboard, HR region ({args.hr_users})", args.hr_users, args.seconds, hr_user,
                                    dashboard_step))
        stored = await count_marked() - before
        baseline_rate = len(flows[0].latencies) / args.seconds
        print(f"\nworkers: {args.workers}, concurrent users: {args.users}, {args.seconds:.0f} s per flow")
        for flow in flows:
            print(flow.report(args.seconds, None if flow is flows[0] else baseline_rate))
        print(f"reports acknowledged: {measured.acknowledged}, stored: {stored} "
              f"({'none lost' if stored >= measured.acknowledged else 'LOST REPORTS'})")
        print(f"memory per worker (MB): service {worker_memory(service)}, baseline {worker_memory(baseline)}")
    finally:
        for proc in (service, baseline):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--hr-users", type=int, default=5, help="concurrent HR users on the region dashboard")
    parser.add_argument("--restart-postgres", action="store_true")
    sys.path.insert(0, str(ROOT))
    os.environ["HR_DATABASE_URL"] = DSN
    asyncio.run(drive(parser.parse_args()))
