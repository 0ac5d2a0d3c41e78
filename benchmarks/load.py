"""Load benchmark: the real service (several uvicorn workers) on PostgreSQL with the large demo
data set, driven by wrk from a second process through the main flows (incident submission, the
unit leaders' and HR's dashboards and front pages), next to two baselines served the same way in
the same run (benchmarks/baseline_app.py): a bare Litestar route doing one indexed PostgreSQL read,
and per flow a bare route replaying the SQL statements and commits the flow sent, recorded from the
product before the run (benchmarks/replay.py).

Part 1 runs every flow with N users sending without pause: throughput, its ratio to the one-read
baseline, and its ratio to its own replay (what share of the database's pace our code keeps; the
target is at least 50 %), the flow and its replay taking turns in slices (--slices); part 2 has the
users pause between requests as people do (latency p50/p95/p99 at N concurrent users). Prints errors
(any answer but the expected one), the acknowledged reports against those stored, and the memory of
each worker. With --restart-postgres, PostgreSQL is restarted a third into the submission run: the
service must recover by itself and every acknowledged report must be stored.

Run:  make bench-load   (installs Debian's wrk)
or    .venv/bin/python benchmarks/load.py [--workers 2] [--users 50] [--seconds 20] [--think-ms 1000]
      [--hr-users 5] [--slices 3] [--restart-postgres] [--flows "front page" ...]
Either generates the 209,000-episode database of benchmarks/dashboards.py once, if it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "hr_bench_dashboards"
DSN = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
MARK = "Belastningstest"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, port: int, workers: int, **extra_env: str) -> subprocess.Popen:
    env = {**os.environ, "HR_DATABASE_URL": DSN, "HR_SCHEDULER": "off",
           "HR_REPORTS_PER_HOUR": "100000", "PYTHONPATH": str(ROOT), **extra_env}
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if target.endswith("create_app"):
        args.append("--factory")
    # The request log (a JSON line per request) is written as in production, but not to the terminal.
    return subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True, stderr=subprocess.DEVNULL)


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


async def remove_marked() -> int:
    """Deletes the reports this benchmark submitted and returns how many the service stored. Removed after
    each submission run (and its replay), so that the flows after it (the leaders' worklists) meet the data set as
    generated, not the thousands of open reports the run just made in a few units."""
    import asyncpg

    for _ in range(50):
        try:
            conn = await asyncpg.connect(DSN)
            break
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.5)
    submitted = await conn.fetchval("SELECT count(*) FROM workenv_incident WHERE description LIKE $1 "
                                    "AND status = 'submitted'", f"{MARK}%")
    await conn.execute("DELETE FROM workenv_incident WHERE description LIKE $1", f"{MARK}%")  # staff etc. cascade
    # Vacuumed now, so that the next flow meets neither the dead rows nor an autovacuum run on them.
    await conn.execute("VACUUM (ANALYZE) workenv_incident")
    await conn.close()
    return submitted


WRK_SCRIPT = Path(__file__).resolve().parent / "load.lua"


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(url: str, sessions: list[dict], users: int, seconds: float, flow: str = "get",
        think: tuple[int, int] = (0, 0)) -> dict:
    """One wrk run: `users` threads with one connection each (one user per thread); wrk runs in its
    own process on the same machine. Returns its counts, rate and p50/p95/p99."""
    import tempfile
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    lines = ["sessions = {"]
    for s in sessions:
        lines.append("  {cookie = %s, csrf = %s, body = %s}," % (
            lua_string(s.get("cookie", "")), lua_string(s.get("csrf", "")), lua_string(s.get("body", ""))))
    lines.append("}")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines.append(f"flow = {lua_string(flow)}; path = {lua_string(target)}")
    lines.append(f"think_min, think_max = {think[0]}, {think[1]}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n" + WRK_SCRIPT.read_text())
    try:
        out = subprocess.run(["wrk", "-t", str(users), "-c", str(users), "-d", f"{seconds:.0f}s", "--timeout", "10s",
                              "-s", script.name, f"{parts.scheme}://{parts.netloc}"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    result["rate"] = result["ok"] / result["seconds"]
    return result


def merged(slices: list[dict]) -> dict:
    """Runs in slices as one: the counts and seconds added up, the percentiles the slices' median."""
    import statistics

    result = {key: sum(s[key] for s in slices) for key in ("requests", "seconds", "ok", "bad", "acknowledged",
                                                           "socket_errors")}
    result.update({key: statistics.median(s[key] for s in slices) for key in ("p50", "p95", "p99")})
    result["rate"] = result["ok"] / result["seconds"]
    return result


def show(name: str, result: dict, baseline: float | None = None, replayed: float | None = None) -> dict:
    ratio = f"{100 * result['rate'] / baseline:5.0f} %" if baseline else "     -"
    own = f"{100 * result['rate'] / replayed:5.0f} %" if replayed else "     -"
    print(f"{name:<34} {result['rate']:8.1f}/s {ratio} {own}  p50 {result['p50']:7.1f} ms  "
          f"p95 {result['p95']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
          f"errors {result['bad'] + result['socket_errors']}", flush=True)
    return result


def run_wrk(name: str, url: str, sessions: list[dict], users: int, seconds: float, flow: str = "get",
            think: tuple[int, int] = (0, 0)) -> dict:
    """One wrk run, printed."""
    return show(name, wrk(url, sessions, users, seconds, flow, think))


async def login(client, base: str, email: str) -> dict:
    """Logs in (hashing a password is not what is measured) and returns the cookies wrk sends."""
    from hr.demo import DEMO_PASSWORD

    await client.get(f"{base}/login")
    response = await client.post(f"{base}/login", data={"email": email, "password": DEMO_PASSWORD,
                                                         "_csrf_token": client.cookies.get("csrftoken")},
                                 follow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login failed for {email}: {response.status_code}")
    csrf = client.cookies.get("csrftoken")
    return {"cookie": f"hr_session={client.cookies.get('hr_session')}; csrftoken={csrf}", "csrf_token": csrf}


async def sessions_for(base: str, emails: list[str]) -> list[dict]:
    import httpx

    gate = asyncio.Semaphore(4)

    async def one(email: str) -> dict:
        async with gate, httpx.AsyncClient(timeout=30) as client:
            return await login(client, base, email)

    return await asyncio.gather(*(one(email) for email in emails))


def report_form(unit: int, n: int, csrf: str) -> str:
    from datetime import datetime, timedelta
    from urllib.parse import urlencode

    when = datetime.now() - timedelta(hours=1)
    return urlencode({"kind": "near_miss", "occurred_date": when.date().isoformat(),
                      "occurred_time": when.strftime("%H:%M"), "unit": str(unit), "place_type": "common",
                      "description": f"{MARK} {n}: vaad flise i gangen", "severity": "1", "action": "submit",
                      "_csrf_token": csrf})


async def accounts_with(sql: str, count: int) -> list:
    import asyncpg

    conn = await asyncpg.connect(DSN)
    rows = await conn.fetch(sql, count)
    await conn.close()
    return rows


async def record_flows(staff: tuple[str, int], leader: str, hr: str) -> dict:
    """Each flow once through the application in this process, its SQL kept for the replay baseline.
    A page is recorded on its second request, as the users of the run mostly meet it (the
    dashboards' short cache filled). Returns the recordings by flow name."""
    from litestar.testing import AsyncTestClient

    from benchmarks.replay import record
    from hr.app import create_app

    recordings = {}
    async with AsyncTestClient(create_app()) as client:
        async def as_user(email: str) -> None:
            client.cookies.clear()
            await login(client, "", email)

        await as_user(staff[0])

        async def submission() -> None:
            csrf = client.cookies.get("csrftoken")
            draft = await client.post("/arbejdsmiljoe/haendelser", data={"_csrf_token": csrf}, follow_redirects=False)
            body = report_form(staff[1], 0, csrf)
            submitted = await client.post(draft.headers["location"], content=body, follow_redirects=False,
                                          headers={"content-type": "application/x-www-form-urlencoded"})
            assert "indsendt=1" in submitted.headers.get("location", ""), submitted.status_code

        recordings["incident submission"] = await record(submission)
        for name, email, path in (("dashboard, unit leaders", leader, "/arbejdsmiljoe/analyse"),
                                  ("front page, unit leaders", leader, "/"),
                                  ("dashboard, HR region", hr, "/arbejdsmiljoe/analyse"),
                                  ("front page, HR region", hr, "/")):
            await as_user(email)
            await client.get(path)

            async def page(path=path) -> None:
                assert (await client.get(path)).status_code == 200

            recordings[name] = await record(page)
    return recordings


async def drive(args) -> None:
    import tempfile

    from benchmarks.dashboards import prepare
    from benchmarks.replay import save

    await prepare(reuse=True)  # the ten-year data set, generated first on a machine that lacks it
    subprocess.run([sys.executable, "-m", "hr.cli", "migrate"], env={**os.environ, "HR_DATABASE_URL": DSN},
                   cwd=ROOT, check=True, capture_output=True)
    staff = await staff_accounts(args.users)
    leaders = await accounts_with(
        "SELECT a.email FROM auth_account a JOIN auth_role_assignment r ON r.account = a.id "
        "WHERE a.active AND r.role = 'leader' AND r.unit IS NOT NULL ORDER BY a.id LIMIT $1", args.users)
    hr_email = "hr@socialomraadet.example"
    recordings = await record_flows(staff[0], leaders[0]["email"], hr_email)
    replay_file = Path(tempfile.mkstemp(prefix="hr-replay-", suffix=".pickle")[1])
    save(recordings, replay_file)
    print("recorded per flow (statements, commits): " + "; ".join(
        f"{name} {r.statements}, {r.commits}" for name, r in recordings.items()))
    service_port, baseline_port = free_port(), free_port()
    service = serve("hr.app:create_app", service_port, args.workers)
    baseline = serve("benchmarks.baseline_app:app", baseline_port, args.workers, HR_REPLAY_FILE=str(replay_file))
    base, base0 = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{baseline_port}"
    try:
        await asyncio.gather(wait_up(f"{base}/health"), wait_up(f"{base0}/baseline"))
        staff_sessions = await sessions_for(base, [email for email, _ in staff])
        for n, (session, (_, unit)) in enumerate(zip(staff_sessions, staff, strict=True)):
            session["csrf"] = f"_csrf_token={session['csrf_token']}"
            session["body"] = report_form(unit, n, session["csrf_token"])
        leader_sessions = await sessions_for(base, [r["email"] for r in leaders])
        hr_sessions = await sessions_for(base, [hr_email])
        analysis = f"{base}/arbejdsmiljoe/analyse"
        await remove_marked()  # the recording's report, and any left by an interrupted run
        stored = 0

        flows = [  # name, url, sessions, flow, users in part 2, requests per replay
            ("incident submission", f"{base}/arbejdsmiljoe/haendelser", staff_sessions, "submit", args.users, 2),
            ("dashboard, unit leaders", analysis, leader_sessions, "get", args.users, 1),
            ("front page, unit leaders", f"{base}/", leader_sessions, "get", args.users, 1),
            ("dashboard, HR region", analysis, hr_sessions, "get", args.hr_users, 1),
            ("front page, HR region", f"{base}/", hr_sessions, "get", args.hr_users, 1),
        ]
        if args.flows:
            flows = [flow for flow in flows if any(part in flow[0] for part in args.flows)]
        print(f"\nworkers: {args.workers}; wrk, one connection per user; {args.seconds:.0f} s per flow")
        print(f"\n1. Throughput, {args.users} users without pause; ratios: to the one-read baseline, and to the "
              "flow's own SQL replayed on a bare route (target >= 50 %)")
        top = run_wrk("baseline (1 indexed read)", f"{base0}/baseline", [{}], args.users, args.seconds)
        saturated = {}
        restart = None
        # A flow and its replay take turns in slices, so that a change in the machine's pace during the
        # run (other work on a shared host) falls on both and not on the ratio between them.
        part = args.seconds / args.slices
        for name, url, sessions, flow, _, steps in flows:
            replays, runs = [], []
            for n in range(args.slices):
                replays.append(wrk(f"{base0}/replay/{quote(name)}", [{}], args.users, part))
                if flow == "submit":
                    await remove_marked()  # the replay's reports: only the service's are counted as stored
                if flow == "submit" and args.restart_postgres and n == 0:
                    restart = asyncio.create_task(restart_postgres_after(part / 3))
                runs.append(await asyncio.to_thread(wrk, url, sessions, args.users, part, flow))
                if restart:
                    await restart
                    restart = None
                    around = runs[-1]
                    print(f"error pages around the PostgreSQL restart: {around['bad'] + around['socket_errors']} "
                          f"of {around['requests']} requests in that slice ({part:.0f} s)", flush=True)
                if flow == "submit":
                    stored += await remove_marked()
            replayed = show(f"  replay: {name}", merged(replays))
            saturated[name] = show(name, merged(runs), top["rate"], replayed["rate"] * steps)
        think = (args.think_ms // 2, args.think_ms * 3 // 2)
        print(f"\n2. Latency, users pausing {think[0]}-{think[1]} ms between requests")
        run_wrk(f"baseline (1 indexed read), {args.users} users", f"{base0}/baseline", [{}], args.users,
                args.seconds, think=think)
        paced = {}
        for name, url, sessions, flow, users, _ in flows:
            paced[name] = await asyncio.to_thread(run_wrk, f"{name}, {users} users", url, sessions, users,
                                                  args.seconds, flow, think)
            if flow == "submit":
                stored += await remove_marked()
        if "incident submission" in paced:
            acknowledged = sum(r["acknowledged"] for r in (saturated["incident submission"],
                                                            paced["incident submission"]))
            print(f"\nreports acknowledged: {acknowledged}, stored: {stored} "
                  f"({'none lost' if stored >= acknowledged else 'LOST REPORTS'})")
        print(f"memory per worker (MB): service {worker_memory(service)}, baseline {worker_memory(baseline)}")
    finally:
        for proc in (service, baseline):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        replay_file.unlink(missing_ok=True)


async def restart_postgres_after(seconds: float) -> None:
    await asyncio.sleep(seconds)
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    await asyncio.to_thread(subprocess.run, ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                                             "restart"], check=True)
    print(f"(PostgreSQL {version} restarted at t={seconds:.0f} s)", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--slices", type=int, default=3, help="turns a flow and its replay take in part 1")
    parser.add_argument("--hr-users", type=int, default=5, help="concurrent HR users on the region dashboard")
    parser.add_argument("--think-ms", type=int, default=1000, help="mean pause between a user's requests in part 2")
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--flows", nargs="*", help="run only the flows whose names contain one of these words")
    sys.path.insert(0, str(ROOT))
    os.environ["HR_DATABASE_URL"] = DSN
    # No scheduler in the process that records the flows: a job's statements (the mail outbox every
    # 30 s) would be recorded into whichever flow was running and replayed by 50 users on one row.
    os.environ["HR_SCHEDULER"] = "off"
    # Measured as deployed (production settings: templates not checked for changes on every page).
    os.environ.update(HR_MODE="production", HR_SECRET_KEY=secrets.token_hex(32))
    asyncio.run(drive(parser.parse_args()))
