"""/health/live, /health/ready and /metrics, for the orchestrator and the monitoring."""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from litestar import Controller, Request, get
from litestar.response import Response

from hr.auth.middleware import client_ip, is_forwarded
from hr.auth.rules import PUBLIC, allow
from hr.ops import health, metrics
from hr.settings import get_settings


def _from_this_machine(request: Request) -> bool:
    """A scrape from the machine itself, when the operator allows those without the token: from
    a loopback address, and not passed on by a proxy (a proxy on the same machine makes every
    request come from 127.0.0.1)."""
    if not get_settings().metrics_allow_loopback or is_forwarded(request.scope):
        return False
    try:
        return ip_address(client_ip(request.scope)).is_loopback
    except ValueError:
        return False


def _has_token(request: Request) -> bool:
    expected = get_settings().metrics_token
    given = request.headers.get("authorization", "")
    return bool(expected) and given.lower().startswith("bearer ") and hmac.compare_digest(
        given[7:].strip().encode(), expected.encode())


class OpsController(Controller):
    include_in_schema = False

    @get("/health/live", opt=allow(PUBLIC), name="health_live", media_type="application/json")
    async def live(self) -> dict:
        return {"status": "ok"}

    @get("/health/ready", opt=allow(PUBLIC), name="health_ready")
    async def ready(self) -> Response:
        checks = await health.readiness()
        ok = all(c.ok for c in checks.values())
        return Response({"status": "ok" if ok else "ikke klar",
                         "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}},
                        status_code=200 if ok else 503, media_type="application/json")

    @get("/metrics", opt=allow(PUBLIC), name="metrics")
    async def metrics(self, request: Request) -> Response:
        # The token; or, where the operator allows it, a scrape from the machine itself.
        if not (_has_token(request) or _from_this_machine(request)):
            return Response({"status_code": 403, "detail": "Metrikker kræver nøglen (HR_METRICS_TOKEN)"},
                            status_code=403, media_type="application/json")
        return Response(await metrics.exposition(), media_type=metrics.CONTENT_TYPE)
