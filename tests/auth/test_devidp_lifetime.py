"""The local stand-in for Entra ID (hr demo's, the tests') ends with the process that started it,
however that process ends: stopping `hr demo` with a closed terminal (SIGHUP) left it running,
holding its port."""

import signal
import subprocess
import sys
import time

import httpx
import pytest

STARTER = """
import time
from hr.devidp import DevIdentityProvider, Person
provider = DevIdentityProvider([Person("s", "Nina", "nina@test.example", "1")],
                               redirect_uri="http://127.0.0.1:9/svar").start()
print(provider.issuer, flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("how", [signal.SIGHUP, signal.SIGKILL])
def test_the_identity_provider_ends_with_the_process_that_started_it(how):
    starter = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    try:
        issuer = starter.stdout.readline().strip()
        assert httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=5).status_code == 200
    finally:
        starter.send_signal(how)
        starter.wait(timeout=10)
    for _ in range(100):
        try:
            httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
        except httpx.TransportError:
            return
        time.sleep(0.1)
    pytest.fail(f"the identity provider at {issuer} outlived the process that started it")
