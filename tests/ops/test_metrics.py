"""/metrics in Prometheus' format (issue 18): requests by route template and status, latency,
the outbox, the jobs, the scheduler's heartbeat and the reminders by kind; only with the token
or from the machine itself."""

from dataclasses import replace

from prometheus_client.parser import text_string_to_metric_families

from hr.db import now
from hr.notify import engine, scheduler
from hr.notify.tables import OutboxMessage, ReminderLog
from hr.settings import get_settings, set_settings
from tests.conftest import World, login


def _samples(text: str) -> dict:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def test_metrics_count_requests_by_route_template_and_read_the_database(client, world):
    await login(client, World.LEADER)
    for _ in range(3):
        assert (await client.get(f"/organisation/afdelinger/{world.unit_a1}")).status_code == 200
    assert (await client.get("/findes-ikke")).status_code == 404
    await OutboxMessage.insert(OutboxMessage(key="m1", kind="test", to_address="a@example.invalid", subject="s",
                                             text_body="b", status="pending", created_at=now())).run()
    await ReminderLog.insert(*[ReminderLog(key=f"r{n}", kind="workenv.action.soon", account=world.accounts["staff"],
                                           title="t") for n in range(2)]).run()
    await scheduler.heartbeat()
    await engine.sweep()

    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    unit_page = ("hr_http_requests_total", (("method", "GET"), ("route", "/organisation/afdelinger/{unit_id}"),
                                            ("status", "200")))
    assert samples[unit_page] >= 3
    assert samples[("hr_http_requests_total", (("method", "GET"), ("route", "(ingen rute)"), ("status", "404")))] >= 1
    assert samples[("hr_http_request_duration_seconds_count", (("method", "GET"), (
        "route", "/organisation/afdelinger/{unit_id}")))] >= 3
    routes = {dict(labels)["route"] for name, labels in samples if name == "hr_http_requests_total"}
    assert f"/organisation/afdelinger/{world.unit_a1}" not in routes  # the template, never the path
    assert samples[("hr_outbox_messages", (("status", "pending"),))] >= 1
    assert samples[("hr_outbox_oldest_waiting_seconds", ())] >= 0
    assert samples[("hr_reminders_total", (("kind", "workenv.action.soon"),))] >= 2
    assert samples[("hr_reminder_sweep_seconds_since_success", ())] < 60
    assert samples[("hr_scheduler_heartbeat_seconds", ())] < 60
    assert ("hr_job_seconds_since_success", (("job", "sweep"),)) in samples


async def test_metrics_need_the_token_from_anywhere_else(new_client, world):
    elsewhere = new_client(ip="10.20.30.40")
    refused = await elsewhere.get("/metrics")
    assert refused.status_code == 403 and "HR_METRICS_TOKEN" in refused.text
    original = get_settings()
    set_settings(replace(original, metrics_token="t" * 40))
    try:
        assert (await elsewhere.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 403
        allowed = await elsewhere.get("/metrics", headers={"Authorization": f"Bearer {'t' * 40}"})
        assert allowed.status_code == 200 and "hr_http_requests_total" in allowed.text
    finally:
        set_settings(original)
