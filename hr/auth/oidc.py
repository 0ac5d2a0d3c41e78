"""Sign-in with the region's work accounts: OpenID Connect, authorization code flow with PKCE,
`state` and `nonce` (Entra ID in production; any conformant provider works).

authlib's OAuth 2.0 core builds the protocol's messages (the authorization request with its PKCE
challenge, the token request and its client authentication) and httpx carries them;
joserfc checks the ID token: its signature against the provider's published keys (fetched again
when a token names a key we do not have, so the provider can rotate its keys), then issuer,
audience, expiry and nonce. The pending sign-in is kept server-side, used once and only from the
browser that started it. Nothing here decides who may come in: that is `services.directory_sign_in`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidClaimError, JoseError
from joserfc.jwk import KeySet

from hr.auth.tables import PendingSignIn
from hr.auth.tokens import token_hash
from hr.db import now
from hr.settings import Settings, get_settings

log = logging.getLogger("hr.auth.oidc")

CALLBACK_PATH = "/login/arbejdskonto/svar"
SCOPES = "openid profile email"
ATTEMPT_LIFETIME = timedelta(minutes=10)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256"]
CLOCK_LEEWAY_SECONDS = 60
METADATA_MAX_AGE = 3600  # seconds
KEYS_REFETCH_AFTER = 60  # seconds: a token naming an unknown key fetches the keys again, once per key in this
TIMEOUT = httpx.Timeout(10.0)
# Sign-ins started and not yet back. Per address generous enough for a ward's shared NAT at a
# change of shift (a finished sign-in frees its place); in all, a bound on the table.
PENDING_PER_ADDRESS = 30
PENDING_IN_ALL = 20_000


class SignInRefused(Exception):
    """The directory's answer cannot be trusted or does not let the person in. `reason` is for the
    audit trail; `message` is what the person reads."""

    def __init__(self, reason: str, message: str, detail: dict | None = None):
        super().__init__(reason)
        self.reason, self.message, self.detail = reason, message, detail or {}


UNKNOWN_ATTEMPT = "Log-ind-forsøget er ukendt, allerede brugt eller udløbet. Start forfra."
NOT_COMPLETED = ("Log-ind med din arbejdskonto kunne ikke gennemføres. Prøv igen; sker det igen, så kontakt "
                 "IT-support.")


@dataclass(frozen=True)
class Identity:
    """Who the directory says the person is, from a checked ID token."""

    subject: str  # "issuer|sub": stable for the person in this application
    employee_number: str
    email: str
    email_trusted: bool  # verified by the provider, or the directory's own sign-in name
    name: str
    roles: tuple[str, ...]


class Directory:
    """The provider's published metadata and keys, cached."""

    def __init__(self) -> None:
        self._metadata: dict | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._unknown_kids: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def reset(self) -> None:
        self._metadata, self._keys, self._unknown_kids = None, None, {}

    async def metadata(self, settings: Settings) -> dict:
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_MAX_AGE:
            async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                response = await client.get(f"{settings.oidc_issuer}/.well-known/openid-configuration")
                response.raise_for_status()
                metadata = response.json()
            if metadata.get("issuer", "").rstrip("/") != settings.oidc_issuer:
                raise SignInRefused("metadata_issuer", NOT_COMPLETED, {"issuer": metadata.get("issuer")})
            self._metadata, self._metadata_at = metadata, time.monotonic()
        return self._metadata

    async def keys(self, settings: Settings, kid: str | None) -> KeySet:
        """The provider's keys, fetched again when `kid` is not among them (the provider rotated
        its keys); each unknown kid at most once a minute, so tokens naming made-up keys cannot
        make us hammer the provider."""
        async with self._lock:
            known = self._keys is not None and (kid is None or any(k.kid == kid for k in self._keys.keys))
            last_try = self._unknown_kids.get(kid or "", 0.0)
            if not known and (self._keys is None or time.monotonic() - last_try > KEYS_REFETCH_AFTER):
                metadata = await self.metadata(settings)
                async with httpx.AsyncClient(timeout=TIMEOUT) as client:
                    response = await client.get(metadata["jwks_uri"])
                    response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
                if len(self._unknown_kids) > 100:
                    self._unknown_kids.clear()
                self._unknown_kids[kid or ""] = time.monotonic()
            return self._keys


directory = Directory()


def _redirect_uri(settings: Settings) -> str:
    return settings.base_url + CALLBACK_PATH


async def _exchange(settings: Settings, token_endpoint: str, code: str, code_verifier: str) -> dict:
    """The authorization code for tokens (RFC 6749 4.1.3, with the PKCE verifier of RFC 7636)."""
    body = prepare_token_request("authorization_code", code=code, redirect_uri=_redirect_uri(settings),
                                 code_verifier=code_verifier)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    auth = ClientAuth(settings.oidc_client_id, settings.oidc_client_secret, "client_secret_post")
    uri, headers, body = auth.prepare("POST", token_endpoint, headers, body)
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.post(uri, content=body, headers=headers)
    answer = response.json()
    if response.status_code != 200 or "error" in answer:
        raise SignInRefused("token_endpoint", NOT_COMPLETED,
                            {"status": response.status_code, "error": str(answer.get("error", ""))[:100]})
    return answer


class TooManySignIns(SignInRefused):
    """Too many sign-ins started and not finished from one address (or in all): nothing stored."""


async def begin(next_path: str, settings: Settings | None = None, ip: str = "") -> tuple[str, str]:
    """Start a sign-in: returns the provider's address to send the browser to, and the value
    for the cookie that ties the answer to this browser. A pending sign-in is stored only within
    the limits: outstanding ones per address (a finished sign-in frees its place) and in all."""
    settings = settings or get_settings()
    try:
        metadata = await directory.metadata(settings)
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("provider_unreachable", "Regionens log-ind-tjeneste svarer ikke lige nu. Prøv igen om "
                            "lidt, eller log ind med adgangskode, hvis du har en.",
                            {"error": exc.__class__.__name__}) from exc
    await PendingSignIn.delete().where(PendingSignIn.created_at < now() - ATTEMPT_LIFETIME).run()
    if (await PendingSignIn.count().where(PendingSignIn.ip == ip[:64]).run() >= PENDING_PER_ADDRESS
            or await PendingSignIn.count().run() >= PENDING_IN_ALL):
        raise TooManySignIns("too_many_pending", "Der er påbegyndt for mange log-ind fra denne adresse, som ikke "
                             "er gjort færdige. Vent et par minutter, og prøv igen.")
    state, nonce, verifier, browser = (secrets.token_urlsafe(32), secrets.token_urlsafe(32), generate_token(64),
                                       secrets.token_urlsafe(32))
    await PendingSignIn.insert(PendingSignIn(state_hash=token_hash(state), browser_hash=token_hash(browser),
                                             nonce=nonce, code_verifier=verifier, next_path=next_path,
                                             ip=ip[:64])).run()
    url = prepare_grant_uri(metadata["authorization_endpoint"], settings.oidc_client_id, "code",
                            redirect_uri=_redirect_uri(settings), scope=SCOPES, state=state, nonce=nonce,
                            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
    return url, browser


async def finish(params: dict[str, str], browser: str, settings: Settings | None = None) -> tuple[Identity, str]:
    """Check the provider's answer (the query of the redirect back) and the ID token it leads to.
    Returns who signed in and where they were going. The pending sign-in is used up only by the
    browser that started it: someone else holding its `state` cannot cancel it."""
    settings = settings or get_settings()
    state = params.get("state", "")
    if not state:
        raise SignInRefused("state", UNKNOWN_ATTEMPT)
    pending = await PendingSignIn.delete().where(
        (PendingSignIn.state_hash == token_hash(state)) & (PendingSignIn.browser_hash == token_hash(browser))
    ).returning(*PendingSignIn.all_columns()).run() if browser else []
    if not pending:
        # Which of the two, for the person and the audit trail: asked only when it went wrong.
        if not await PendingSignIn.exists().where(PendingSignIn.state_hash == token_hash(state)).run():
            raise SignInRefused("state", UNKNOWN_ATTEMPT)
        raise SignInRefused("browser", "Log-ind-forsøget blev startet i en anden browser. Start forfra her.")
    attempt = pending[0]
    if now() - attempt["created_at"] > ATTEMPT_LIFETIME:
        raise SignInRefused("attempt_expired", "Log-ind-forsøget tog for lang tid. Start forfra.")
    if params.get("error"):
        raise SignInRefused("provider_error", NOT_COMPLETED, {"error": params["error"][:100]})
    try:
        metadata = await directory.metadata(settings)
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("provider_unreachable", NOT_COMPLETED, {"error": exc.__class__.__name__}) from exc
    # RFC 9207: an answer from another provider than the one we sent the person to (mix-up attack).
    if "iss" in params and params["iss"].rstrip("/") != settings.oidc_issuer:
        raise SignInRefused("response_issuer", NOT_COMPLETED, {"iss": params["iss"][:200]})
    if not params.get("code"):
        raise SignInRefused("no_code", NOT_COMPLETED)
    try:
        token = await _exchange(settings, metadata["token_endpoint"], params["code"], attempt["code_verifier"])
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("token_endpoint", NOT_COMPLETED, {"error": exc.__class__.__name__}) from exc
    if not token.get("id_token"):
        raise SignInRefused("no_id_token", NOT_COMPLETED)
    claims = await check_id_token(token["id_token"], attempt["nonce"], settings)
    return identity_from(claims, settings), attempt["next_path"]


async def check_id_token(id_token: str, nonce: str, settings: Settings) -> dict:
    try:
        header = jws.extract_compact(id_token.encode()).headers()
    except (JoseError, ValueError) as exc:
        raise SignInRefused("malformed_token", NOT_COMPLETED) from exc
    try:
        keys = await directory.keys(settings, header.get("kid"))
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("provider_unreachable", NOT_COMPLETED, {"error": exc.__class__.__name__}) from exc
    try:
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        # A bad signature, or a key the provider does not publish.
        raise SignInRefused("signature", NOT_COMPLETED, {"error": exc.__class__.__name__}) from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.oidc_issuer},
        aud={"essential": True, "value": settings.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(decoded.claims)
    except ExpiredTokenError as exc:
        raise SignInRefused("expired_token", NOT_COMPLETED) from exc
    except InvalidClaimError as exc:
        raise SignInRefused(f"claim_{exc.claim}", NOT_COMPLETED) from exc
    except ClaimError as exc:
        raise SignInRefused("claims", NOT_COMPLETED, {"error": str(exc)[:200]}) from exc
    audience = decoded.claims["aud"]
    # Several audiences: the token must have been issued to us (OpenID Connect Core 3.1.3.7).
    if isinstance(audience, list) and len(audience) > 1 and decoded.claims.get("azp") != settings.oidc_client_id:
        raise SignInRefused("claim_azp", NOT_COMPLETED)
    return decoded.claims


async def end_session_url(settings: Settings | None = None) -> str | None:
    """Where to send the browser so the directory's own session ends too (OpenID Connect
    RP-Initiated Logout), coming back to our login page; None when the provider has no such
    endpoint or does not answer (our own session has ended either way)."""
    settings = settings or get_settings()
    try:
        endpoint = (await directory.metadata(settings)).get("end_session_endpoint")
    except (httpx.HTTPError, ValueError, SignInRefused):
        return None
    if not endpoint:
        return None
    return add_params_to_uri(endpoint, [("client_id", settings.oidc_client_id),
                                        ("post_logout_redirect_uri", settings.base_url + "/login")])


def identity_from(claims: dict, settings: Settings) -> Identity:
    email_claim = settings.oidc_email_claim
    email = str(claims.get(email_claim) or "").strip().lower()
    # An "email" claim counts once the provider says it verified it; Entra's sign-in name
    # (preferred_username, upn) is the directory's own.
    trusted = bool(email) and (email_claim != "email" or claims.get("email_verified") is True)
    roles = claims.get(settings.oidc_roles_claim) or []
    return Identity(
        subject=f"{claims['iss']}|{claims['sub']}",
        employee_number=str(claims.get(settings.oidc_employee_claim) or "").strip()
        if settings.oidc_employee_claim else "",
        email=email, email_trusted=trusted, name=str(claims.get("name") or "").strip(),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
    )
