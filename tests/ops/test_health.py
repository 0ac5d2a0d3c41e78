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


async def test_ready_waits_for_a_scheduler_heartbeat_and_says_why(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    waiting = await client.get("/health/ready")
    assert waiting.status_code == 503
    body = waiting.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert not body["checks"]["scheduler"]["ok"] and "start hr scheduler" in body["checks"]["scheduler"]["detail"]

    await scheduler.heartbeat()  # what the scheduler's job does every half minute
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"

    await SchedulerHeartbeat.update({SchedulerHeartbeat.beat_at: now() - health.HEARTBEAT_FRESH
                                     - timedelta(seconds=5)}, force=True).run()
    stale = await client.get("/health/ready")
    assert stale.status_code == 503 and "sekunder gammelt" in stale.json()["checks"]["scheduler"]["detail"]


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
