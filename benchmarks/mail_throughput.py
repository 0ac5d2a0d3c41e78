"""Benchmark: the Monday digest for the whole region, 1,800 mails, delivered to a local SMTP server.

Writes 1,800 digest mails (each with a week of reminders) to the outbox of a temporary SQLite
database, starts aiosmtpd on loopback, and runs delivery as the scheduler does (one run a minute,
each run as long as there is mail due). Prints the time to deliver them all and mails per second
(target: under 5 minutes). Also prints the time a run takes against a server that accepts the
connection and never answers (the breaker: one try, then a pause). It never asserts.

Run:  .venv/bin/python benchmarks/mail_throughput.py [--mails 1800]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


async def main(mails: int) -> None:
    os.environ["HR_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='hr-bench-mail-')}/bench.sqlite"
    os.environ["HR_SCHEDULER"] = "off"
    from aiosmtpd.controller import Controller

    from hr import db
    from hr.db import transaction
    from hr.migrate import migrate
    from hr.notify import outbox
    from hr.notify.outbox import Mail, enqueue
    from hr.settings import get_settings, set_settings

    await db.start()
    await migrate()
    items = [{"id": n, "kind": "supervision.overdue", "title": f"Medarbejder {n} har overskredet supervision",
              "link": f"/medarbejdere/{n}", "deadline": "01.12.2026"} for n in range(12)]
    started = time.perf_counter()
    async with transaction():
        await enqueue(*[Mail(key=f"digest|{n}", kind="digest", to_address=f"leder{n}@region.example",
                             template="digest",
                             context={"items": items, "name": f"Leder {n}", "duties": [], "duty_count": 0})
                        for n in range(mails)])
    print(f"{mails} digest mails written to the outbox in {time.perf_counter() - started:.1f} s")

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    set_settings(replace(get_settings(), smtp_host="127.0.0.1", smtp_port=controller.port))
    started = time.perf_counter()
    runs = 0
    while sink.received < mails and time.perf_counter() - started < 900:
        runs += 1
        await outbox.deliver_due()
    seconds = time.perf_counter() - started
    controller.stop()
    print(f"delivered {sink.received} of {mails} in {seconds:.1f} s ({sink.received / seconds:.0f} mails/s, "
          f"{runs} delivery runs, {outbox.CONNECTIONS} connections)")

    # A server that accepts the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(100)
    set_settings(replace(get_settings(), smtp_port=silent.getsockname()[1], smtp_timeout_seconds=5))
    async with transaction():
        await enqueue(*[Mail(key=f"hang|{n}", kind="digest", to_address=f"x{n}@region.example", template="digest",
                             context={"items": items, "name": "X", "duties": [], "duty_count": 0})
                        for n in range(100)])
    started = time.perf_counter()
    counts = await outbox.deliver_due()
    print(f"against a server that never answers: one run of 100 due mails took {time.perf_counter() - started:.1f} s"
          f" and tried {counts['retry'] + counts['failed']} (then delivery pauses for the back-off step)")
    silent.close()
    await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=1800)
    asyncio.run(main(parser.parse_args().mails))
