"""The nightly payroll file from a drop folder (issue 18): imported by the scheduler's job with
the upload's rules, idempotent, moved aside, reported to HR and in the metrics, and refused whole
when invalid or when it would mark too many active employees as leavers."""

import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from hr.notify import scheduler
from hr.notify.tables import JobRun, OutboxMessage
from hr.ops import metrics
from hr.org.tables import Employee, PayrollFile
from hr.settings import Settings, SettingsError, get_settings, set_settings
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.org.test_import import VALID, csv_bytes

# The world's five employees as the payroll system knows them, in unit A1, A2 and B1.
WORLD_ROWS = [
    "900;Lene Leder;leader@test.example;Afdelingsleder;1;;;A1;Afdeling A1;A;",
    "901;Søren Ståbi;staff@test.example;Socialpædagog;1;;;A1;Afdeling A1;A;900",
    "902;Åse Amr;amr@test.example;Socialpædagog;1;;;A2;Afdeling A2;A;",
    "903;Bo Andetsted;other@test.example;Afdelingsleder;1;;;B1;Afdeling B1;B;",
    "904;Ib Kollega;ib@test.example;Socialpædagog;1;;;A2;Afdeling A2;A;",
]


@pytest.fixture
def drop(tmp_path):
    before = get_settings()
    set_settings(replace(before, payroll_drop=str(tmp_path), payroll_max_deactivate_percent=25))
    yield tmp_path
    set_settings(before)


def put(folder, name: str, content: bytes, age_seconds: int = 600):
    path = folder / name
    path.write_bytes(content)
    written = time.time() - age_seconds
    os.utime(path, (written, written))
    return path


async def active_numbers() -> set[str]:
    return {r["employee_number"] for r in await Employee.select(Employee.employee_number).where(
        Employee.active.eq(True)).run()}


async def runs() -> list[dict]:
    return await JobRun.select().where(JobRun.job == "payroll").order_by(JobRun.id).run()


async def test_a_full_export_is_imported_moved_aside_and_reported(world, drop):
    put(drop, "sd-loen-2026-12-03.csv", csv_bytes(*WORLD_ROWS[:4], "905;Nina Ny;nina@test.example;"
                                                  "Socialpædagog;0,8;;;A1;Afdeling A1;A;900"))
    result = await scheduler.payroll()
    assert result["status"] == "ok" and result["problems"] == []
    # 904 is not in the full export: a leaver; 905 is new. One of five is within 25 %.
    assert await active_numbers() == {"900", "901", "902", "903", "905"}
    assert list(drop.glob("*.csv")) == []
    [moved] = (drop / "indlaest").iterdir()
    assert moved.name.endswith("-sd-loen-2026-12-03.csv")
    [run] = await runs()
    assert run["status"] == "ok" and "sd-loen-2026-12-03.csv: indlæst" in run["detail"]
    assert "1 er oprettet" in run["detail"] and "1 er markeret fratrådt" in run["detail"]

    # Nothing waiting: nothing recorded. The same export again changes nothing.
    assert (await scheduler.payroll())["status"] == "idle" and len(await runs()) == 1
    before = await Employee.select().order_by(Employee.id).run()
    put(drop, "sd-loen-igen.csv", moved.read_bytes())
    assert (await scheduler.payroll())["problems"] == []
    assert await Employee.select().order_by(Employee.id).run() == before
    assert "0 er oprettet, 0 er opdateret, 0 er markeret fratrådt" in (await runs())[-1]["detail"]

    text = (await metrics.exposition()).decode()
    assert 'hr_job_seconds_since_success{job="payroll"}' in text
    assert 'hr_job_problems_last_run{job="payroll"} 0.0' in text


async def test_a_truncated_export_is_refused_whole_and_hr_is_told(world, drop):
    put(drop, "afkortet.csv", csv_bytes(*WORLD_ROWS[:2]))  # three of five would leave: 60 % > 25 %
    result = await scheduler.payroll()
    assert await active_numbers() == {"900", "901", "902", "903", "904"}
    [problem] = result["problems"]
    assert problem["item"] == "fil:afkortet.csv"
    assert "3 af 5 aktive medarbejdere fratrådt (60 %)" in problem["error"] and "25 %" in problem["error"]
    refused = sorted((drop / "afvist").iterdir())
    assert [p.suffix for p in refused] == [".csv", ".txt"]
    assert "Er udtrækket afkortet?" in refused[1].read_text()
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "org.payroll_refused").run()
    assert mail["to_address"] == World.HR and "afkortet.csv" in mail["subject"]
    assert "3 af 5 aktive" in mail["text_body"] and "/admin/import" in mail["text_body"]
    text = (await metrics.exposition()).decode()
    assert 'hr_job_problems_last_run{job="payroll"} 1.0' in text


async def test_a_bad_file_does_not_stop_the_next_and_nothing_of_it_is_written(world, drop):
    put(drop, "1-fejl.csv", csv_bytes(*WORLD_ROWS, "906;;;Socialpædagog;1;;;A1;Afdeling A1;A;"), age_seconds=900)
    put(drop, "2-ikke-excel.xlsx", b"dette er ikke et regneark", age_seconds=800)
    put(drop, "3-god.csv", csv_bytes(*WORLD_ROWS, "907;Ole Ok;;Socialpædagog;1;;;A1;Afdeling A1;A;"))
    put(drop, "4-skrives-endnu.csv", VALID, age_seconds=10)  # being written: waits for the next run
    put(drop, "noter.txt", b"ikke en eksport")
    result = await scheduler.payroll()
    assert [p["item"] for p in result["problems"]] == ["fil:1-fejl.csv", "fil:2-ikke-excel.xlsx"]
    assert "række 7, Navn: Skal udfyldes" in result["problems"][0]["error"]
    assert await active_numbers() == {"900", "901", "902", "903", "904", "907"}
    assert sorted(p.name for p in drop.iterdir() if p.is_file()) == ["4-skrives-endnu.csv", "noter.txt"]
    assert len(list((drop / "indlaest").iterdir())) == 1 and len(list((drop / "afvist").iterdir())) == 4
    assert await OutboxMessage.count().where(OutboxMessage.kind == "org.payroll_refused").run() == 2


async def test_a_missing_folder_is_a_failed_run_hr_and_the_monitoring_see(world, drop):
    set_settings(replace(get_settings(), payroll_drop=str(drop / "ikke-monteret")))
    with pytest.raises(FileNotFoundError):
        await scheduler.payroll()
    [run] = await runs()
    assert run["status"] == "failed" and "Mappen til lønfiler findes ikke" in run["detail"]


def test_the_share_is_a_percentage():
    assert Settings.from_env({"HR_PAYROLL_MAX_DEACTIVATE_PERCENT": "5"}).payroll_max_deactivate_percent == 5
    assert Settings.from_env({}).payroll_max_deactivate_percent == 10
    for wrong in ("101", "-1", "ti"):
        with pytest.raises(SettingsError, match="HR_PAYROLL_MAX_DEACTIVATE_PERCENT"):
            Settings.from_env({"HR_PAYROLL_MAX_DEACTIVATE_PERCENT": wrong})


async def test_the_command_imports_the_folder_now(world, tmp_path):
    put(tmp_path, "eksport.csv", csv_bytes(*WORLD_ROWS))
    env = {**os.environ, "HR_PAYROLL_DROP": str(tmp_path), "HR_LOG_FORMAT": "text"}
    done = subprocess.run([sys.executable, "-m", "hr.cli", "import", "drop-folder"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "eksport.csv: indlæst" in done.stdout
    again = subprocess.run([sys.executable, "-m", "hr.cli", "import", "drop-folder"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert "ingen lønfiler" in again.stdout


async def test_the_leaver_limit_counts_every_file_of_a_run_and_the_last_day_and_hr_sees_a_refusal(
        client, world, drop):
    """Found by trying: two files each leaving out 9 % deactivated 17 % of the region in one run."""
    put(drop, "1-mandag.csv", csv_bytes(*[r for r in WORLD_ROWS if not r.startswith("904;")]), age_seconds=900)
    put(drop, "2-mandag.csv", csv_bytes(*[r for r in WORLD_ROWS if not r.startswith(("904;", "902;"))]))
    result = await scheduler.payroll()  # each leaves out one of five (20 % < 25 %); together 40 %
    assert await active_numbers() == {"900", "901", "902", "903"}
    [problem] = result["problems"]
    assert problem["item"] == "fil:2-mandag.csv"
    assert "sammen med de 1 fra døgnets tidligere lønfiler bliver det 2 af 5" in problem["error"]
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "org.payroll_refused").run()
    assert "Det ville filen have ændret" in mail["text_body"] and "902 Åse Amr" in mail["text_body"]
    # The next run the same day still counts the first file's leaver.
    put(drop, "3-mandag-aften.csv", csv_bytes(*[r for r in WORLD_ROWS if not r.startswith(("904;", "903;"))]))
    assert [p["item"] for p in (await scheduler.payroll())["problems"]] == ["fil:3-mandag-aften.csv"]
    assert await active_numbers() == {"900", "901", "902", "903"}

    await login(client, World.HR)
    front = await client.get("/")
    assert "Lønfiler, der ikke blev indlæst" in front.text and "Lønfilen 2-mandag.csv blev afvist" in front.text
    page = await client.get("/admin/import")
    assert "902 Åse Amr" in page.text and "3-mandag-aften.csv" in page.text
    file_id = (await PayrollFile.select(PayrollFile.id).where(PayrollFile.name == "2-mandag.csv").first().run())["id"]
    seen = await post_form(client, f"/admin/import/loenfiler/{file_id}/set", token_from="/admin/import")
    await confirmed(client, seen, "markeret som set")
    assert "Lønfilen 2-mandag.csv" not in (await client.get("/")).text
    assert "Lønfilen 3-mandag-aften.csv" in (await client.get("/")).text


async def test_a_link_out_of_the_folder_is_refused_and_never_followed(world, drop, tmp_path_factory):
    outside = tmp_path_factory.mktemp("andetsteds") / "hemmelig.csv"
    outside.write_bytes(csv_bytes(*WORLD_ROWS, "907;Ole Udefra;;Socialpædagog;1;;;A1;Afdeling A1;A;"))
    link = drop / "genvej.csv"
    link.symlink_to(outside)
    written = time.time() - 600
    os.utime(link, (written, written), follow_symlinks=False)
    result = await scheduler.payroll()
    assert [p["item"] for p in result["problems"]] == ["fil:genvej.csv"]
    assert "genvej (symlink)" in result["problems"][0]["error"]
    assert "907" not in await active_numbers()
    assert outside.read_bytes().startswith(b"Medarbejdernummer") and not link.exists()
    assert [p.name.endswith("genvej.csv") for p in (drop / "afvist").iterdir() if p.suffix == ".csv"] == [True]


async def test_a_linked_refusal_folder_is_not_written_into(world, drop, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("andetsteds")
    (drop / "afvist").symlink_to(elsewhere, target_is_directory=True)
    put(drop, "fejl.csv", csv_bytes("906;;;Socialpædagog;1;;;A1;Afdeling A1;A;"))
    result = await scheduler.payroll()
    assert [p["item"] for p in result["problems"]] == ["fil:fejl.csv"]
    assert "ikke en almindelig mappe" in result["problems"][0]["error"]
    assert list(elsewhere.iterdir()) == [] and (drop / "fejl.csv").exists()


async def test_a_huge_file_is_refused_by_its_size_before_it_is_read(world, drop):
    import tracemalloc

    huge = drop / "kaempe.csv"
    with huge.open("wb") as file:
        file.truncate(400 * 1024 * 1024)  # sparse: no disk used, but 400 MB to read
    written = time.time() - 600
    os.utime(huge, (written, written))
    tracemalloc.start()
    try:
        result = await scheduler.payroll()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "mere end grænsen på 5 MB" in result["problems"][0]["error"]
    assert peak < 50 * 1024 * 1024, peak
