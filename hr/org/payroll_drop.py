"""The nightly payroll file: the payroll system (SD Løn, KMD OPUS) writes a full export of the
region's employees into a folder (HR_PAYROLL_DROP); the scheduler imports each file there with
the same rules as HR's upload (hr.org.importer, employees not in the file marked as leavers),
then moves it aside: to `indlaest/` when imported, to `afvist/` with a note why when not.

A file is refused whole when a row is invalid, and when it would mark more than
HR_PAYROLL_MAX_DEACTIVATE_PERCENT of the active employees as leavers: a truncated export must not
lock the region out. HR is mailed about every refused file; if the file is right after all (a
large reorganisation), HR uploads it by hand on the import page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.db import now
from hr.notify.outbox import Mail, enqueue
from hr.org.importer import ImportFileError, ImportResult, run_import
from hr.org.tables import Employee
from hr.settings import Settings

SUFFIXES = (".csv", ".xlsx")
IMPORTED, REFUSED = "indlaest", "afvist"
# A file written in the last two minutes may still be being written: it waits for the next run.
SETTLE = timedelta(minutes=2)
MAIL_KIND = "org.payroll_refused"


@dataclass(frozen=True)
class FileOutcome:
    name: str
    imported: bool
    detail: str  # the import's summary, or why the file was refused
    moved_to: Path | None


def waiting_files(folder: Path, moment: datetime | None = None) -> list[Path]:
    """The exports ready to import, oldest first (a later export then has the last word)."""
    moment = moment or now()
    if not folder.is_dir():
        raise FileNotFoundError(f"Mappen til lønfiler findes ikke: {folder} (HR_PAYROLL_DROP)")
    ready = []
    for path in folder.iterdir():
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
            continue
        written = datetime.fromtimestamp(path.stat().st_mtime, moment.tzinfo)
        if moment - written >= SETTLE:
            ready.append(path)
    return sorted(ready, key=lambda p: (p.stat().st_mtime, p.name))


def _refusal(preview: ImportResult, active: set[str], max_percent: int) -> str:
    if preview.errors:
        first = preview.errors[0]
        return (f"{len(preview.errors)} række(r) med fejl; intet er indlæst. Første: række {first.row}, "
                f"{first.field}: {first.message}")
    leaving = [n for n in preview.deactivated if n in active]
    if active and len(leaving) * 100 > max_percent * len(active):
        share = len(leaving) * 100 / len(active)
        return (f"Filen ville markere {len(leaving)} af {len(active)} aktive medarbejdere fratrådt "
                f"({share:.0f} %), mere end grænsen på {max_percent} % (HR_PAYROLL_MAX_DEACTIVATE_PERCENT). "
                "Er udtrækket afkortet? Er filen rigtig, kan HR indlæse den under Import af medarbejdere.")
    return ""


def _move_aside(path: Path, where: str, moment: datetime, note: str = "") -> Path:
    folder = path.parent / where
    folder.mkdir(exist_ok=True)
    target = folder / f"{moment:%Y%m%dT%H%M%S}-{path.name}"
    os.replace(path, target)
    if note:
        target.with_name(target.name + ".txt").write_text(note + "\n", encoding="utf-8")
    return target


async def import_file(path: Path, max_percent: int, moment: datetime | None = None) -> FileOutcome:
    moment = moment or now()
    content = path.read_bytes()
    try:
        preview = await run_import(path.name, content, dry_run=True, mark_missing=True, principal=None)
        active = {r["employee_number"] for r in await Employee.select(Employee.employee_number).where(
            Employee.active.eq(True)).run()}
        reason = _refusal(preview, active, max_percent)
    except ImportFileError as exc:
        reason = str(exc)
    if reason:
        return FileOutcome(path.name, False, reason, _move_aside(path, REFUSED, moment, reason))
    result = await run_import(path.name, content, dry_run=False, mark_missing=True, principal=None)
    return FileOutcome(path.name, True, result.describe(), _move_aside(path, IMPORTED, moment))


async def _hr_addresses() -> list[dict]:
    return await Account.select(Account.id, Account.email, Account.name).where(
        Account.active.eq(True) & Account.id.is_in(RoleAssignment.select(RoleAssignment.account).where(
            RoleAssignment.role == Role.HR))).run()


async def tell_hr(refused: list[FileOutcome], moment: datetime) -> int:
    """One mail per refused file to each HR administrator."""
    people = await _hr_addresses()
    return await enqueue(*[Mail(key=f"payroll-refused|{moment:%Y%m%dT%H%M%S}|{outcome.name}|{person['id']}",
                                kind=MAIL_KIND, to_address=person["email"], account_id=person["id"],
                                template="payroll_refused", context={
                                    "name": person["name"], "file": outcome.name, "reason": outcome.detail,
                                    "moved_to": str(outcome.moved_to or "")})
                           for outcome in refused for person in people])


def configured(settings: Settings) -> Path | None:
    return Path(settings.payroll_drop) if settings.payroll_drop else None
