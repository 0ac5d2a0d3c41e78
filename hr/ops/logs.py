"""Structured logs: one JSON object per line, and one line per request with its request id,
route template, method, status, duration and account id. Nothing else of the request is written:
no path values, query, form values, names or e-mail addresses, and every record passes through
hr.logsafe's masking of secrets. The request id is sent back (X-Request-ID) and shown on the
error page, so a person's report of an error leads to its log lines."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
ACCESS = logging.getLogger("hr.access")
# An id from a proxy in front is kept when it looks like one; anything else is replaced.
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
REQUEST_FIELDS = ("route", "method", "status", "duration_ms", "account_id")


def current_request_id() -> str:
    return REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _OurHandler(logging.StreamHandler):
    """Marks the handler this module installed, so configuring twice replaces it."""


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root logger writes JSON lines (or plain text) to standard error; uvicorn's loggers
    propagate to it when it is started with log_config=None (hr serve)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)
    handler = _OurHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def route_of(scope: Scope) -> str:
    """The route template ("/arbejdsmiljoe/haendelser/{incident_id}"), never the path itself:
    a path holds ids and, in a few routes, secrets."""
    template = scope.get("path_template")
    if template:
        return template
    return "/static" if scope.get("path", "").startswith("/static/") else "(ingen rute)"


class RequestLog:
    """The outermost layer of the application: sees every answer, the router's own 404 and 405
    included, times it, counts it in the metrics and writes its log line."""

    def __init__(self, app: ASGIApp, observe) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_of(scope), scope.get("method", "")
            user = scope.get("user")
            self.observe(route, method, status, seconds)
            ms = round(seconds * 1000, 1)
            ACCESS.info("%s %s %s %.1f ms", method, route, status, ms,
                        extra={"route": route, "method": method, "status": status, "duration_ms": ms,
                               "account_id": getattr(user, "account_id", None)})
            REQUEST_ID.reset(token)
