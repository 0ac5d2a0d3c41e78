"""The container (issue 18). These machines have no Docker daemon, so the image's entrypoint
script is run directly, as the container runs it: the web role with several workers whose
metrics are summed, never a scheduler; the scheduler role that makes the service ready; hr
commands passed through; signals reaching the processes. Where a daemon answers, the image is
built and the compose file started."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from hr.notify.tables import SchedulerHeartbeat
from hr.settings import PROJECT_ROOT
from tests.conftest import free_port

ENTRYPOINT = PROJECT_ROOT / "deploy" / "entrypoint.sh"
LOGS = PROJECT_ROOT / "test-artifacts" / "server-logs"


def role_env(**extra: str) -> dict[str, str]:
    # The `hr` command beside this Python, as the image's PATH has it.
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **extra}


def start(role: str, log_name: str, **extra: str) -> subprocess.Popen:
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / log_name).open("wb") as log:
        return subprocess.Popen(["sh", str(ENTRYPOINT), role], env=role_env(**extra), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)  # what `docker stop` sends to the container's first process
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


def requests_counted(url: str, route: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        if family.name == "hr_http_requests":
            return sum(s.value for s in family.samples if s.name == "hr_http_requests_total"
                       and s.labels["route"] == route and s.labels["status"] == "200")
    return 0.0


async def test_the_web_role_runs_workers_without_a_scheduler_and_the_scheduler_role_makes_it_ready(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_4242.db").write_bytes(b"from a worker before the restart")
    (metrics_dir / "andet.txt").write_text("not ours to delete")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web = start("web", f"entrypoint-web-{port}.log", HR_HOST="127.0.0.1", HR_PORT=str(port), HR_WORKERS="2",
                PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), HR_SCHEDULER="on", HR_LOG_FORMAT="json")
    scheduler = None
    try:
        answered = 0
        deadline = time.monotonic() + 60
        while not answered and time.monotonic() < deadline:
            try:
                answered += httpx.get(f"{url}/health/live", timeout=1).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answered, (LOGS / f"entrypoint-web-{port}.log").read_text()[-2000:]
        with httpx.Client(base_url=url, headers={"Connection": "close"}) as client:  # spread over the workers
            for _ in range(30):
                answered += client.get("/health/live").status_code == 200
        # Every worker's requests, whichever worker answers the scrape; the stale file is gone.
        assert requests_counted(url, "/health/live") == answered
        assert sorted(p.name for p in metrics_dir.iterdir() if not p.name.startswith(("counter_", "histogram_"))) \
            == ["andet.txt"]
        assert not (metrics_dir / "counter_4242.db").exists()

        time.sleep(2)  # a scheduler would have beaten at once
        assert await SchedulerHeartbeat.count().run() == 0
        # No scheduler: the web tier serves and is ready; the scheduler's own health check fails.
        assert httpx.get(f"{url}/health/ready", timeout=10).status_code == 200
        unhealthy = subprocess.run(["sh", str(ENTRYPOINT), "health"], env=role_env(), capture_output=True,
                                   text=True, timeout=60)
        assert unhealthy.returncode == 1 and "FEJL  scheduler" in unhealthy.stdout

        scheduler = start("scheduler", f"entrypoint-scheduler-{port}.log")
        deadline = time.monotonic() + 60
        while True:
            health = subprocess.run(["sh", str(ENTRYPOINT), "health"], env=role_env(), capture_output=True,
                                    text=True, timeout=60)
            if health.returncode == 0:
                break
            assert time.monotonic() < deadline, (LOGS / f"entrypoint-scheduler-{port}.log").read_text()[-2000:]
            time.sleep(0.5)
        assert "ok  scheduler: planlæggeren gav livstegn" in health.stdout
    finally:
        stopped = [stop(p) for p in (scheduler, web) if p is not None]
    # exec: the signal reached hr itself, which stopped in order.
    assert stopped == [0, 0]
    assert "Planlæggeren er stoppet." in (LOGS / f"entrypoint-scheduler-{port}.log").read_text()


def test_other_roles_are_hr_commands(tmp_path):
    migrated = subprocess.run(["sh", str(ENTRYPOINT), "migrate"], env=role_env(HR_LOG_FORMAT="text"),
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0 and "Migreret:" in migrated.stdout, migrated.stderr
    backup = subprocess.run(["sh", str(ENTRYPOINT), "backup", str(tmp_path / "hr.backup")],
                            env=role_env(HR_LOG_FORMAT="text"), capture_output=True, text=True, timeout=120)
    assert backup.returncode == 0 and "Backup skrevet" in backup.stdout, backup.stderr
    unknown = subprocess.run(["sh", str(ENTRYPOINT), "findes-ikke"], env=role_env(), capture_output=True, text=True,
                             timeout=60)
    assert unknown.returncode == 2 and "No such command 'findes-ikke'" in unknown.stderr


def test_the_compose_file_runs_one_scheduler_beside_several_web_workers():
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "web", "scheduler"}
    assert services["web"]["command"] == ["web"] and services["scheduler"]["command"] == ["scheduler"]
    assert int(services["web"]["environment"]["HR_WORKERS"].split(":-")[1].rstrip("}")) > 1
    assert "replicas" not in services["scheduler"].get("deploy", {})
    for name in ("db", "web", "scheduler"):
        assert services[name]["healthcheck"]["test"], name
    assert "/health/ready" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}

    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 3 and stages[-1] == "FROM python:3.11-slim-bookworm"
    final = dockerfile.rpartition(stages[-1] + "\n")[2]
    assert "USER hr" in final and "[test]" not in dockerfile and "npm ci --omit=dev" in dockerfile
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in final


def docker_daemon() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(not docker_daemon(), reason="no Docker daemon on this machine: the entrypoint is tested directly")
def test_the_image_builds_and_the_compose_file_becomes_ready():
    port = free_port()
    env = {**os.environ, "POSTGRES_PASSWORD": "compose-test-password", "HR_SECRET_KEY": "k" * 40,
           "HR_PUBLISH": f"127.0.0.1:{port}", "COMPOSE_PROJECT_NAME": f"hrtest{port}"}
    up = subprocess.run(["docker", "compose", "up", "--build", "--detach", "--wait", "--wait-timeout", "300"],
                        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1200)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 200
        user = subprocess.run(["docker", "compose", "exec", "web", "id", "-u"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert user.stdout.strip() != "0"
    finally:
        subprocess.run(["docker", "compose", "down", "--volumes"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                       timeout=300)
