"""Settings read from environment variables, with defaults that are safe for a developer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from ipaddress import ip_network
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Copenhagen")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODES = ("dev", "demo", "production")


class SettingsError(RuntimeError):
    """Raised when the service must not start with the configuration it was given."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name) or default)
    except ValueError as exc:
        raise SettingsError(f"{name} skal være et helt tal") from exc


@dataclass(frozen=True)
class Settings:
    mode: str = "dev"
    database_url: str = field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'hr.sqlite'}")
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Empty: mail stays in the outbox (dev and demo), readable on the HR page.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Seconds to wait for the mail server to connect or answer a command.
    smtp_timeout_seconds: int = 10
    mail_from: str = "HR Socialområdet <hr-noreply@example.invalid>"
    session_hours: int = 10
    # How close to the start a leader may still move or cancel a supervision session.
    supervision_cutoff_hours: int = 24
    # Run the reminder and mail jobs inside the service process (off: run `hr scheduler` separately).
    scheduler: bool = True
    # Work-environment episodes older than this are anonymised (not deleted).
    retention_years: int = 10
    # New reports one person may start per hour; far above a real shift.
    reports_per_hour: int = 30
    # How old a dashboard page may be (seconds; 0 computes every request).
    dashboard_cache_seconds: int = 60
    # How long a mail refused temporarily (4xx, no answer) is retried before it is marked failed.
    mail_retry_hours: int = 48
    # HR is warned when the oldest mail waiting for delivery is older than this.
    mail_warn_minutes: int = 30
    # An interrupted mail that may have arrived is resent (same Message-ID) after this; 0: never.
    mail_uncertain_resend_minutes: int = 30
    # Sign-in with the region's work accounts (OpenID Connect; Entra ID in production). Off while
    # the issuer is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # The ID-token claim that carries the employee number (empty: match by e-mail only), the one
    # that carries the work e-mail, and the one that carries the app roles.
    oidc_employee_claim: str = "employee_number"
    oidc_email_claim: str = "email"
    oidc_roles_claim: str = "roles"
    # Entra app roles that grant one of ours at each sign-in ("HR=hr,Supervisor=supervisor"); the
    # role goes again when the directory no longer sends it. AMR needs an institution: HR grants it.
    oidc_role_map: tuple[tuple[str, str], ...] = (("HR", "hr"), ("Supervisor", "supervisor"))
    # Roles whose accounts may not sign in with a local password once work accounts are on.
    local_login_off_for: frozenset[str] = frozenset()
    # Prometheus scrapes /metrics with this bearer token.
    metrics_token: str = ""
    # Whether a scrape from the machine itself (loopback, no forwarding headers) needs no token:
    # on outside production, off in production unless the operator says so (HR_METRICS_ALLOW_LOOPBACK).
    metrics_allow_loopback: bool = True
    # The reverse proxies whose Forwarded/X-Forwarded-For headers name the client (HR_TRUSTED_PROXIES,
    # addresses or networks); a request from anyone else is judged by its own address.
    trusted_proxies: tuple = ()
    # json: one JSON object per log line (production); text: plain lines for a developer.
    log_format: str = "json"
    timezone: ZoneInfo = TIMEZONE
    # The folder the payroll system writes its nightly export to ("" : no drop folder).
    payroll_drop: str = ""
    payroll_max_deactivate_percent: int = 10

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> str:
        if self.is_postgres:
            raise SettingsError("Databasen er PostgreSQL, ikke SQLite")
        return self.database_url.removeprefix("sqlite:///")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        mode = env.get("HR_MODE", "dev").strip().lower()
        if mode not in MODES:
            raise SettingsError(f"HR_MODE skal være en af {', '.join(MODES)} (fik {mode!r})")
        secret = env.get("HR_SECRET_KEY", "")
        if not secret:
            if mode == "production":
                raise SettingsError(
                    "HR_SECRET_KEY mangler: tjenesten starter ikke i produktion uden en hemmelig nøgle"
                )
            # A fixed development key: sessions survive restarts in dev, and
            # production can never run with it (checked above).
            secret = "dev-only-secret-key-not-for-production-000000"
        if mode == "production" and len(secret) < 32:
            raise SettingsError("HR_SECRET_KEY skal være mindst 32 tegn i produktion")
        url = env.get("HR_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'hr.sqlite'}"
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError(
                "HR_DATABASE_URL skal begynde med sqlite:/// eller postgresql://"
            )
        smtp_port = _int(env, "HR_SMTP_PORT", 25)
        if not 1 <= _int(env, "HR_RETENTION_YEARS", 10) <= 100:
            raise SettingsError("HR_RETENTION_YEARS skal være mellem 1 og 100")
        issuer = env.get("HR_OIDC_ISSUER", "").strip().rstrip("/")
        if issuer and not (env.get("HR_OIDC_CLIENT_ID") and env.get("HR_OIDC_CLIENT_SECRET")):
            raise SettingsError("HR_OIDC_ISSUER er sat: HR_OIDC_CLIENT_ID og HR_OIDC_CLIENT_SECRET skal også sættes")
        if issuer and mode == "production" and not issuer.startswith("https://"):
            raise SettingsError("HR_OIDC_ISSUER skal være en https-adresse i produktion")
        role_map = []
        for pair in env.get("HR_OIDC_ROLE_MAP", "HR=hr,Supervisor=supervisor").split(","):
            if not pair.strip():
                continue
            app_role, _, role = pair.partition("=")
            if role.strip().lower() not in {"hr", "supervisor"} or not app_role.strip():
                raise SettingsError("HR_OIDC_ROLE_MAP skal være par som HR=hr,Supervisor=supervisor "
                                    "(rollerne hr og supervisor)")
            role_map.append((app_role.strip(), role.strip().lower()))
        off_for = frozenset(r.strip().lower() for r in env.get("HR_LOCAL_LOGIN_OFF_FOR", "").split(",") if r.strip())
        unknown = off_for - {"staff", "leader", "hr", "amr", "supervisor"}
        if unknown:
            raise SettingsError(f"HR_LOCAL_LOGIN_OFF_FOR kender ikke rollen {', '.join(sorted(unknown))}")
        metrics_token = env.get("HR_METRICS_TOKEN", "").strip()
        if metrics_token and mode == "production" and len(metrics_token) < 32:
            raise SettingsError("HR_METRICS_TOKEN skal være mindst 32 tegn i produktion")
        try:
            trusted_proxies = tuple(ip_network(part.strip(), strict=False)
                                    for part in env.get("HR_TRUSTED_PROXIES", "").split(",") if part.strip())
        except ValueError as exc:
            raise SettingsError("HR_TRUSTED_PROXIES skal være adresser eller net adskilt af komma, fx "
                                "127.0.0.1,10.0.0.0/24") from exc
        log_format = (env.get("HR_LOG_FORMAT") or "json").strip().lower()
        if log_format not in ("json", "text"):
            raise SettingsError("HR_LOG_FORMAT skal være json eller text")
        max_deactivate = _int(env, "HR_PAYROLL_MAX_DEACTIVATE_PERCENT", 10)
        if not 0 <= max_deactivate <= 100:
            raise SettingsError("HR_PAYROLL_MAX_DEACTIVATE_PERCENT skal være mellem 0 og 100")
        return cls(
            mode=mode,
            payroll_drop=env.get("HR_PAYROLL_DROP", "").strip(),
            payroll_max_deactivate_percent=max_deactivate,
            metrics_token=metrics_token,
            metrics_allow_loopback=_bool(env.get("HR_METRICS_ALLOW_LOOPBACK"), mode != "production"),
            trusted_proxies=trusted_proxies,
            log_format=log_format,
            database_url=url,
            secret_key=secret,
            base_url=env.get("HR_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            smtp_host=env.get("HR_SMTP_HOST", "").strip(),
            smtp_port=smtp_port,
            smtp_username=env.get("HR_SMTP_USERNAME", ""),
            smtp_password=env.get("HR_SMTP_PASSWORD", ""),
            smtp_starttls=_bool(env.get("HR_SMTP_STARTTLS"), False),
            smtp_timeout_seconds=min(max(1, _int(env, "HR_SMTP_TIMEOUT", 10)), 120),
            mail_from=env.get("HR_MAIL_FROM", cls.mail_from),
            session_hours=_int(env, "HR_SESSION_HOURS", 10),
            supervision_cutoff_hours=_int(env, "HR_SUPERVISION_CUTOFF_HOURS", 24),
            scheduler=_bool(env.get("HR_SCHEDULER"), True),
            retention_years=_int(env, "HR_RETENTION_YEARS", 10),
            reports_per_hour=_int(env, "HR_REPORTS_PER_HOUR", 30),
            dashboard_cache_seconds=max(0, _int(env, "HR_DASHBOARD_CACHE_SECONDS", 60)),
            mail_retry_hours=min(max(1, _int(env, "HR_MAIL_RETRY_HOURS", 48)), 24 * 14),
            mail_warn_minutes=max(1, _int(env, "HR_MAIL_WARN_MINUTES", 30)),
            mail_uncertain_resend_minutes=max(0, _int(env, "HR_MAIL_UNCERTAIN_RESEND_MINUTES", 30)),
            oidc_issuer=issuer,
            oidc_client_id=env.get("HR_OIDC_CLIENT_ID", "").strip(),
            oidc_client_secret=env.get("HR_OIDC_CLIENT_SECRET", ""),
            oidc_employee_claim=env.get("HR_OIDC_EMPLOYEE_CLAIM", cls.oidc_employee_claim).strip(),
            oidc_email_claim=env.get("HR_OIDC_EMAIL_CLAIM", cls.oidc_email_claim).strip() or "email",
            oidc_roles_claim=env.get("HR_OIDC_ROLES_CLAIM", cls.oidc_roles_claim).strip() or "roles",
            local_login_off_for=off_for,
            oidc_role_map=tuple(role_map),
        )


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def set_settings(settings: Settings) -> None:
    global _current
    _current = settings
