"""A local stand-in for the region's Entra ID: the real OpenID provider in `devidp/` (panva's
oidc-provider on Node.js), started on loopback with its own signing keys and a list of people.
Used by the demo (`hr demo --arbejdskonto`) and by the tests; never in production."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from joserfc.jwk import RSAKey

from hr.settings import PROJECT_ROOT

PROVIDER = PROJECT_ROOT / "devidp" / "provider.mjs"
CLIENT_ID = "hr-socialomraadet"


@dataclass
class Person:
    sub: str
    name: str
    email: str = ""
    employee_number: str = ""
    email_verified: bool = True
    roles: list[str] = field(default_factory=list)
    description: str = ""

    def claims(self) -> dict:
        return {"sub": self.sub, "name": self.name, "email": self.email, "email_verified": self.email_verified,
                "employee_number": self.employee_number, "roles": self.roles, "description": self.description}


def new_signing_key(kid: str | None = None) -> dict:
    key = RSAKey.generate_key(2048, parameters={"kid": kid or secrets.token_hex(8), "use": "sig", "alg": "RS256"},
                              private=True)
    return key.as_dict(private=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevIdentityProvider:
    """Start with `start()`, stop with `stop()`; `issuer`, `client_id` and `client_secret` are what
    the service's HR_OIDC_* settings must say."""

    def __init__(self, people: list[Person], redirect_uri: str, post_logout_uri: str = "",
                 port: int | None = None, faults: bool = False, keys: list[dict] | None = None):
        self.people, self.redirect_uri, self.post_logout_uri = people, redirect_uri, post_logout_uri
        self.port = port or _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id, self.client_secret = CLIENT_ID, secrets.token_urlsafe(32)
        self.faults = faults
        self.keys = keys or [new_signing_key()]
        self.process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="hr-devidp-")

    def _config(self) -> dict:
        return {"issuer": self.issuer, "port": self.port, "faults": self.faults,
                "cookie_key": secrets.token_urlsafe(16),
                "clients": [{"client_id": self.client_id, "client_secret": self.client_secret,
                             "token_endpoint_auth_method": "client_secret_post",
                             "redirect_uris": [self.redirect_uri],
                             "post_logout_redirect_uris": [self.post_logout_uri] if self.post_logout_uri else []}],
                "jwks": {"keys": self.keys}, "people": [p.claims() for p in self.people]}

    def start(self, timeout: float = 20) -> "DevIdentityProvider":
        if not (PROVIDER.parent / "node_modules" / "oidc-provider").exists():
            raise RuntimeError("devidp/node_modules mangler: kør `make setup`")
        path = Path(self._dir.name) / "config.json"
        path.write_text(json.dumps(self._config()))
        os.chmod(path, 0o600)  # it holds the private signing keys
        env = {**os.environ, "NODE_ENV": "development", "NODE_NO_WARNINGS": "1"}
        # Its stdin is a pipe only this process holds: the provider ends when this process does,
        # however it ends (provider.mjs).
        self.process = subprocess.Popen(["node", str(PROVIDER), str(path)], env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"devidp stoppede med kode {self.process.returncode}")
            try:
                if httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("devidp svarede ikke")

    def stop(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, keys: list[dict] | None = None) -> None:
        """The provider comes back (on the same address), optionally with other signing keys."""
        self.stop()
        if keys is not None:
            self.keys = keys
        self.start()

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()
