"""The nightly payroll file: the payroll system (SD Løn, KMD OPUS) writes a full export of the
region's employees into a folder (HR_PAYROLL_DROP); the scheduler imports each file there with
the same rules as HR's upload (hr.org.importer, employees not in the file marked as leavers),
then moves it aside: to `indlaest/` when imported, to `afvist/` with a note why when not.

A file is refused whole when a row is invalid, and when it would bring the leavers of the last 24
hours' files (this run's earlier ones included) above HR_PAYROLL_MAX_DEACTIVATE_PERCENT of the
employees active before the first of them: a truncated export, or several, must not lock the
region out. HR is mailed about every refused file and sees it on the front page with what it would
have changed; if the file is right after all (a large reorganisation), HR uploads it by hand on
the import page.

Only regular files that lie in the folder itself are read: a link (symlink) is refused, never
followed, the size is checked before reading, and the folders files are moved to are checked the
same way. Whoever can write to the folder can still hand in an export; they cannot make the
service read a file elsewhere."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.db import now
from hr.notify.outbox import Mail, enqueue
from hr.org.importer import ImportFileError, ImportResult, run_import
from hr.org.tables import Employee, PayrollFile
from hr.settings import Settings
from hr.tabular import MAX_BYTES

SUFFIXES = (".csv", ".xlsx")
IMPORTED, REFUSED = "indlaest", "afvist"
# A file written in the last two minutes may still be being written: it waits for the next run.
SETTLE = timedelta(minutes=2)
MAIL_KIND = "org.payroll_refused"
WINDOW = timedelta(hours=24)  # the leavers of the files in it count together
LEAVERS_LISTED = 50


@dataclass(frozen=True)
class FileOutcome:
    name: str
    imported: bool
    detail: str  # the import's summary, or why the file was refused
    moved_to: Path | None
    would_change: str = ""  # a refused file: what importing it would have done


def waiting_files(folder: Path, moment: datetime | None = None) -> list[Path]:
    """The exports ready to import, oldest first (a later export then has the last word). Links
    are among them (they are refused and reported, not followed); other kinds of entry are not."""
    moment = moment or now()
    if not folder.is_dir():
        raise FileNotFoundError(f"Mappen til lønfiler findes ikke: {folder}. Driften skal oprette den eller "
                                "rette indstillingen")
    ready = []
    for path in folder.iterdir():
        if path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
            continue
        info = path.lstat()
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            continue
        if moment - datetime.fromtimestamp(info.st_mtime, moment.tzinfo) >= SETTLE:
            ready.append((info.st_mtime, path.name, path))
    return [path for _, _, path in sorted(ready)]


class Refused(Exception):
    """The file is not read: why, in Danish."""


def read_safely(path: Path, folder: Path) -> bytes:
    """The file's content when it is a regular file in the folder itself and within the size
    limit, checked on the open file (O_NOFOLLOW: a link is never followed)."""
    if path.resolve().parent != folder.resolve() or path.is_symlink():
        raise Refused("Filen er en genvej (symlink) til en anden placering og indlæses ikke. Læg selve filen i "
                      "mappen.")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Refused(f"Filen kunne ikke åbnes sikkert ({exc.strerror}) og indlæses ikke.") from exc
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused("Det er ikke en almindelig fil, og den indlæses ikke.")
        if info.st_size > MAX_BYTES:
            raise Refused(f"Filen fylder {info.st_size / 1_000_000:.0f} MB, mere end grænsen på "
                          f"{MAX_BYTES // (1024 * 1024)} MB. Intet er læst.")
        content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:  # it grew while we looked
        raise Refused(f"Filen er større end {MAX_BYTES // (1024 * 1024)} MB. Intet er læst.")
    return content


@dataclass(frozen=True)
class Window:
    """The leavers already marked by the last 24 hours' files, and the employees active before
    the first of them."""

    active_before: int
    already: int


async def _window(moment: datetime, active_now: int) -> Window:
    rows = await PayrollFile.select(PayrollFile.active_before, PayrollFile.deactivated).where(
        PayrollFile.imported.eq(True) & (PayrollFile.received_at > moment - WINDOW)).order_by(
        PayrollFile.received_at).run()
    if not rows:
        return Window(active_now, 0)
    return Window(rows[0]["active_before"], sum(r["deactivated"] for r in rows))


def _refusal(preview: ImportResult, leaving: list[str], window: Window, max_percent: int) -> str:
    if preview.errors:
        first = preview.errors[0]
        return (f"{len(preview.errors)} række(r) med fejl; intet er indlæst. Første: række {first.row}, "
                f"{first.field}: {first.message}")
    total = window.already + len(leaving)
    if window.active_before and leaving and total * 100 > max_percent * window.active_before:
        share = total * 100 / window.active_before
        what = (f"Filen ville markere {len(leaving)} medarbejdere fratrådt; sammen med de {window.already} fra "
                f"døgnets tidligere lønfiler bliver det {total} af {window.active_before} aktive medarbejdere "
                f"fratrådt ({share:.0f} %)" if window.already else
                f"Filen ville markere {total} af {window.active_before} aktive medarbejdere fratrådt ({share:.0f} %)")
        return (f"{what}, mere end grænsen på {max_percent} % for et døgn, som driften har sat. "
                "Er udtrækket afkortet? Er filen rigtig, kan HR indlæse den under Import af medarbejdere.")
    return ""


def _move_aside(path: Path, where: str, moment: datetime, note: str = "") -> Path:
    """Into `where` inside the folder, which must be a real folder there (not a link elsewhere).
    A link is moved as a link: what it points at is never touched."""
    folder = path.parent / where
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OSError(f"{folder} er ikke en almindelig mappe i lønmappen (en genvej?): filen er ikke flyttet")
    folder.mkdir(exist_ok=True, mode=0o700)
    if folder.resolve().parent != path.parent.resolve():
        raise OSError(f"{folder} ligger ikke i lønmappen: filen er ikke flyttet")
    target = folder / f"{moment:%Y%m%dT%H%M%S}-{path.name}"
    os.replace(path, target)
    if note:
        fd = os.open(target.with_name(target.name + ".txt"),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(note + "\n")
    return target


async def import_file(path: Path, max_percent: int, moment: datetime | None = None) -> FileOutcome:
    moment = moment or now()
    active = {r["employee_number"]: r["name"] for r in await Employee.select(
        Employee.employee_number, Employee.name).where(Employee.active.eq(True)).run()}
    preview, leaving = None, []
    try:
        content = read_safely(path, path.parent)
        preview = await run_import(path.name, content, dry_run=True, mark_missing=True, principal=None)
        leaving = [n for n in preview.deactivated if n in active]
        reason = _refusal(preview, leaving, await _window(moment, len(active)), max_percent)
    except (ImportFileError, Refused) as exc:
        reason = str(exc)
    if reason:
        moved = _move_aside(path, REFUSED, moment, reason)
        would_change = _would_change(preview, leaving, active)
        await PayrollFile.insert(PayrollFile(
            name=path.name[:300], received_at=moment, imported=False, active_before=len(active),
            deactivated=len(leaving), reason=reason, would_change=would_change)).run()
        return FileOutcome(path.name, False, reason, moved, would_change)
    result = await run_import(path.name, content, dry_run=False, mark_missing=True, principal=None)
    await PayrollFile.insert(PayrollFile(name=path.name[:300], received_at=moment, imported=True,
                                         active_before=len(active), deactivated=len(leaving))).run()
    return FileOutcome(path.name, True, result.describe(), _move_aside(path, IMPORTED, moment))


def _would_change(preview: ImportResult | None, leaving: list[str], names: dict[str, str]) -> str:
    if preview is None:
        return ""
    lines = [preview.summary("ville blive")]
    if leaving:
        lines.append("Ville blive markeret fratrådt: " + ", ".join(
            f"{number} {names.get(number, '')}".strip() for number in leaving[:LEAVERS_LISTED])
            + (f" og {len(leaving) - LEAVERS_LISTED} flere" if len(leaving) > LEAVERS_LISTED else ""))
    return "\n".join(lines)


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
                                    "moved_to": str(outcome.moved_to or ""),
                                    "would_change": outcome.would_change})
                           for outcome in refused for person in people])


def configured(settings: Settings) -> Path | None:
    return Path(settings.payroll_drop) if settings.payroll_drop else None


async def refused_unseen() -> list[dict]:
    """Refused files HR has not yet marked as seen, newest first (the import page, the front page)."""
    return await PayrollFile.select().where(
        PayrollFile.imported.eq(False) & PayrollFile.seen_at.is_null()).order_by(
        PayrollFile.received_at, ascending=False).limit(100).run()


async def mark_seen(principal, file_id: int) -> bool:
    from hr import audit

    rows = await PayrollFile.update({PayrollFile.seen_at: now(), PayrollFile.seen_by: principal.email}).where(
        (PayrollFile.id == file_id) & PayrollFile.seen_at.is_null()).returning(PayrollFile.name).run()
    if rows:
        await audit.record(principal, "confirm", "payroll_file", file_id, {"file": rows[0]["name"]})
    return bool(rows)
