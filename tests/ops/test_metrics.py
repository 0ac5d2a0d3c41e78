"""/metrics in Prometheus' format (issue 18): requests by route template and status, latency,
the outbox, the jobs, the scheduler's heartbeat and the reminders by kind; only with the token
or from the machine itself."""

from dataclasses import replace
from ipaddress import ip_network

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hr.db import now
from hr.notify import engine, scheduler
from hr.notify.tables import OutboxMessage, ReminderLog
from hr.settings import Settings, SettingsError, get_settings, set_settings
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


async def test_behind_a_proxy_on_the_machine_metrics_need_the_token(new_client, world):
    """Found by trying: behind a proxy on the same host every request came from 127.0.0.1, and
    /metrics answered anyone; `Forwarded` was ignored."""
    original = get_settings()
    through_proxy = new_client(ip="127.0.0.1")
    for header in ({"Forwarded": "for=203.0.113.7;proto=https"}, {"X-Forwarded-For": "203.0.113.7"},
                   {"Forwarded": 'for="[2001:db8::7]:4711"'}):
        assert (await through_proxy.get("/metrics", headers=header)).status_code == 403, header
        set_settings(replace(original, trusted_proxies=(ip_network("127.0.0.1/32"),)))
        try:
            assert (await through_proxy.get("/metrics", headers=header)).status_code == 403, header
        finally:
            set_settings(original)
    assert (await through_proxy.get("/metrics")).status_code == 200  # the machine itself, outside production


async def test_in_production_even_the_machine_itself_needs_the_token_unless_allowed():
    production = Settings.from_env({"HR_MODE": "production", "HR_SECRET_KEY": "k" * 40,
                                    "HR_DATABASE_URL": "postgresql://hr@127.0.0.1/hr"})
    assert production.metrics_allow_loopback is False
    allowed = Settings.from_env({"HR_MODE": "production", "HR_SECRET_KEY": "k" * 40, "HR_METRICS_ALLOW_LOOPBACK": "1",
                                 "HR_DATABASE_URL": "postgresql://hr@127.0.0.1/hr"})
    assert allowed.metrics_allow_loopback is True
    with pytest.raises(SettingsError, match="HR_TRUSTED_PROXIES"):
        Settings.from_env({"HR_TRUSTED_PROXIES": "proxy.region.dk"})


async def test_the_client_behind_a_trusted_proxy_is_judged_by_its_own_address(new_client, world):
    from hr.auth.tables import LoginAttempt
    from tests.conftest import World, post_form

    original = get_settings()
    set_settings(replace(original, trusted_proxies=(ip_network("10.0.0.0/8"),), metrics_allow_loopback=False))
    try:
        proxy = new_client(ip="10.1.2.3")
        await post_form(proxy, "/login", {"email": World.STAFF, "password": "forkert-123"})
        await proxy.post("/login", headers={"X-Forwarded-For": "198.51.100.9, 10.1.2.4"},
                         data={"email": World.STAFF, "password": "forkert-123",
                               "_csrf_token": proxy.cookies.get("csrftoken")})
        await proxy.post("/login", headers={"Forwarded": "for=198.51.100.10"},
                         data={"email": World.STAFF, "password": "forkert-123",
                               "_csrf_token": proxy.cookies.get("csrftoken")})
        untrusted = new_client(ip="192.0.2.50")
        await post_form(untrusted, "/login", {"email": World.STAFF, "password": "forkert-123"})
        await untrusted.post("/login", headers={"X-Forwarded-For": "198.51.100.11"},
                             data={"email": World.STAFF, "password": "forkert-123",
                                   "_csrf_token": untrusted.cookies.get("csrftoken")})
        local = new_client(ip="127.0.0.1")
        assert (await local.get("/metrics")).status_code == 403  # loopback not allowed: the token only
    finally:
        set_settings(original)
    addresses = [r["ip"] for r in await LoginAttempt.select(LoginAttempt.ip).order_by(LoginAttempt.id).run()]
    assert addresses == ["10.1.2.3", "198.51.100.9", "198.51.100.10", "192.0.2.50", "192.0.2.50"]
