"""Liveness and readiness (issue 18): live answers without the database; ready says which of
the database, the migrations and the scheduler's heartbeat is missing, with 503."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
from piccolo.apps.migrations.tables import Migration

from hr.db import now
from hr.notify import scheduler
from hr.notify.tables import SchedulerHeartbeat
from hr.ops import health
from tests.conftest import free_port


async def test_a_web_worker_is_ready_without_a_scheduler_whose_health_check_says_why(client):
    """Found by trying: every web worker answered 503 when no scheduler had beaten lately, so a
    load balancer would have pulled the whole web tier because reminders were late."""
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    assert set(ready.json()["checks"]) == {"database", "migrations"}
    waiting = await health.scheduler_health()  # `hr health`: the scheduler container's check
    assert waiting["database"].ok and waiting["migrations"].ok
    assert not waiting["scheduler"].ok and "start hr scheduler" in waiting["scheduler"].detail

    await scheduler.heartbeat()  # what the scheduler's job does every half minute
    assert all(check.ok for check in (await health.scheduler_health()).values())

    await SchedulerHeartbeat.update({SchedulerHeartbeat.beat_at: now() - health.HEARTBEAT_FRESH
                                     - timedelta(seconds=5)}, force=True).run()
    assert "sekunder gammelt" in (await health.scheduler_health())["scheduler"].detail
    assert (await client.get("/health/ready")).status_code == 200


async def test_hr_is_warned_when_the_scheduler_stops_beating(client, world):
    from tests.conftest import World, login

    await scheduler.heartbeat()
    await SchedulerHeartbeat.update({SchedulerHeartbeat.beat_at: now() - health.HEARTBEAT_FRESH
                                     - timedelta(minutes=5)}, force=True).run()
    await login(client, World.HR)
    page = await client.get("/")
    assert "Planlæggeren har ikke givet livstegn siden" in page.text


async def test_ready_is_refused_while_a_migration_is_missing(client):
    await health.beat("test")
    latest = await Migration.select().order_by(Migration.id, ascending=False).first().run()
    await Migration.delete().where(Migration.id == latest["id"]).run()
    try:
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == {"ok": False,
                                                           "detail": "1 migrering(er) mangler: kør hr migrate"}
    finally:
        await Migration.insert(Migration(**{k: v for k, v in latest.items() if k != "id"})).run()
    assert (await client.get("/health/ready")).status_code == 200


async def test_a_worker_started_before_its_database_is_live_but_not_ready():
    port = free_port()
    nowhere = free_port()  # a port nobody listens on: the database is away
    env = {**os.environ, "HR_DATABASE_URL": f"postgresql://hr@127.0.0.1:{nowhere}/hr", "HR_SCHEDULER": "off"}
    server = subprocess.Popen([sys.executable, "-m", "hr.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                live = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert live.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10)
        assert ready.status_code == 503 and not ready.json()["checks"]["database"]["ok"]
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0].decode()
    assert "PostgreSQL svarer ikke" in output
