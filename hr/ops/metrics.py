"""Prometheus metrics (prometheus-client). Request counts and latencies are kept per process
and, when PROMETHEUS_MULTIPROC_DIR names a folder (set by the container's entrypoint for the
web workers), summed across the workers at each scrape. What lives in the database (the outbox,
the jobs, the reminders, the scheduler's heartbeat) is read at scrape time, so every worker
answers the same whichever process did the work."""

from __future__ import annotations

import math
import os
from datetime import datetime

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from hr.db import as_utc, now

CONTENT_TYPE = "text/plain; version=0.0.4"  # Litestar adds "; charset=utf-8" to text/ types
disable_created_metrics()  # the *_created series double the output and nobody alerts on them

REQUESTS = Counter("hr_http_requests", "Forespørgsler efter rute, metode og status", ["route", "method", "status"])
LATENCY = Histogram("hr_http_request_duration_seconds", "Svartid efter rute og metode", ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def observe(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


class _Families:
    """A collector that hands over families already read (the database is read before)."""

    def __init__(self, families: list) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)


def _age(moment: datetime | None, at: datetime) -> float:
    return (at - as_utc(moment)).total_seconds() if moment is not None else math.inf


async def _database_families() -> list:
    from hr.notify.health import oldest_waiting
    from hr.notify.tables import JobRun, OutboxMessage, ReminderLog
    from hr.ops.health import last_heartbeat

    at = now()
    outbox = GaugeMetricFamily("hr_outbox_messages", "Mails i udbakken efter status", labels=["status"])
    for row in await OutboxMessage.raw("SELECT status, COUNT(*) AS n FROM notify_outbox GROUP BY status").run():
        outbox.add_metric([row["status"]], row["n"])
    oldest = await oldest_waiting()
    waiting = GaugeMetricFamily("hr_outbox_oldest_waiting_seconds",
                                "Alder af den ældste mail, der venter på at blive sendt (0: ingen venter)")
    waiting.add_metric([], _age(oldest, at) if oldest else 0.0)

    last = {}
    for row in await JobRun.raw("SELECT job, MAX(finished_at) AS finished FROM notify_job_run WHERE status = 'ok' "
                                "GROUP BY job").run():
        last[row["job"]] = as_utc(row["finished"])
    since = GaugeMetricFamily("hr_job_seconds_since_success", "Sekunder siden jobbets seneste vellykkede kørsel",
                              labels=["job"])
    for job, finished in sorted(last.items()):
        since.add_metric([job], _age(finished, at))
    sweep = GaugeMetricFamily("hr_reminder_sweep_seconds_since_success",
                              "Sekunder siden seneste vellykkede gennemgang af påmindelser (+Inf: aldrig)")
    sweep.add_metric([], _age(last.get("sweep"), at))
    heartbeat = GaugeMetricFamily("hr_scheduler_heartbeat_seconds", "Sekunder siden planlæggerens seneste livstegn")
    heartbeat.add_metric([], _age(await last_heartbeat(), at))

    failed = GaugeMetricFamily("hr_job_problems_last_run", "Emner, som jobbets seneste kørsel ikke kunne klare",
                               labels=["job"])
    for row in await JobRun.raw(
            "SELECT r.job, r.problem_count FROM notify_job_run r JOIN (SELECT job, MAX(started_at) AS started "
            "FROM notify_job_run GROUP BY job) latest ON latest.job = r.job AND latest.started = r.started_at").run():
        failed.add_metric([row["job"]], row["problem_count"] or 0)

    sent = CounterMetricFamily("hr_reminders", "Påmindelser efter slags (mail med det samme eller i samlemailen)",
                               labels=["kind"])
    for row in await ReminderLog.raw("SELECT kind, COUNT(*) AS n FROM notify_reminder WHERE delivery != 'off' "
                                     "GROUP BY kind").run():
        sent.add_metric([row["kind"]], row["n"])
    return [outbox, waiting, since, sweep, heartbeat, failed, sent]


async def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(_Families(await _database_families()))
    return generate_latest(registry) + generate_latest(database)
