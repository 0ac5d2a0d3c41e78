"""The local OpenID provider for the sign-in tests: started once per module with that module's
people, and the service's settings pointed at it for a test."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from hr.auth import oidc
from hr.devidp import DevIdentityProvider, Person
from hr.settings import get_settings, set_settings


@contextmanager
def provider(people: list[Person], faults: bool = False) -> Iterator[DevIdentityProvider]:
    started = DevIdentityProvider(people, redirect_uri=get_settings().base_url + oidc.CALLBACK_PATH,
                                  faults=faults).start()
    try:
        yield started
    finally:
        started.close()


@contextmanager
def pointed_at(idp: DevIdentityProvider) -> Iterator[DevIdentityProvider]:
    before = get_settings()
    set_settings(replace(before, oidc_issuer=idp.issuer, oidc_client_id=idp.client_id,
                         oidc_client_secret=idp.client_secret))
    oidc.directory.reset()
    try:
        yield idp
    finally:
        set_settings(before)
        oidc.directory.reset()
