"""The CPR guard in every kind of field that stores text, through the pages and imports people
use: free text, a CPR number split over two fields of one form, the citizen's pseudonym, names,
payroll rows and the care-record export. Nothing is stored; the field says why."""

from hr.auth.tables import Account
from hr.org.importer import run_import
from hr.org.tables import Employee
from hr.supervision.tables import Supervisor
from hr.workenv.tables import Incident
from tests.conftest import World, login, post_form
from tests.workenv.test_force_import import export, upload
from tests.workenv.test_reporting import new_draft, report, submit


async def test_a_cpr_number_split_over_two_fields_of_the_report_is_refused_and_dropped(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, description="Borgeren (født 010190",
                                                        antecedents="1234) slog ud."))
    assert response.status_code == 400 and "tilsammen ud til at indeholde et CPR-nummer" in response.text
    assert response.text.count('aria-invalid="true"') >= 2
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["status"] == "draft" and "010190" not in str(row) and "1234)" not in str(row)


async def test_a_pseudonym_with_a_four_digit_year_is_refused(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, citizen_pseudonym="01011990-1234"))
    assert response.status_code == 400 and "aldrig navn eller CPR-nummer" in response.text
    assert (await Incident.select().where(Incident.id == incident_id).first().run())["citizen_pseudonym"] == ""


async def test_a_name_and_a_split_over_two_fields_of_any_form_are_refused(client, world):
    await login(client, World.HR)
    named = await post_form(client, "/admin/brugere", {"email": "ny@test.example", "name": "Bo (010190)1234"},
                            token_from="/admin/brugere")
    assert named.status_code == 400 and "CPR-nummer" in named.text
    assert not await Account.exists().where(Account.email == "ny@test.example").run()
    split = await post_form(client, "/supervision/supervisorer", {"name": "Sif 01.01.1990",
                                                                  "organisation": "1234 Supervision ApS"},
                            token_from="/supervision/supervisorer")
    assert split.status_code == 400 and "tilsammen ud til at indeholde et CPR-nummer" in split.text
    assert await Supervisor.count().run() == 0
    innocent = await post_form(client, "/supervision/supervisorer", {"name": "Sif Sørensen",
                                                                     "organisation": "CVR 29190623"},
                               token_from="/supervision/supervisorer")
    assert "CPR-nummer" not in innocent.text  # the CVR number with its label stays


async def test_a_payroll_row_with_a_cpr_number_in_any_column_is_refused(world):
    content = ("Medarbejdernummer;Navn;E-mail;Afdelingskode;Afdeling;Tilbudskode;Stilling\n"
               "905;Nora Nyansat;nora@test.example;A1;Afdeling A1;A;Socialpædagog 0101-90-1234\n"
               "906;Ole 24.12.2001;ole@test.example;A1;Afdeling A1;A;-4321\n").encode()
    result = await run_import("loen.csv", content, dry_run=False, principal=None)
    assert {(e.row, e.field) for e in result.errors} == {(2, "Stilling"), (3, "Navn"), (3, "Stilling")}
    assert not await Employee.exists().where(Employee.employee_number.is_in(["905", "906"])).run()


async def test_the_care_record_export_with_a_cpr_pseudonym_writes_nothing(client, world):
    await login(client, World.LEADER)
    response = await upload(client, export("MAG-9;2026-10-01;14:30;A1;0101-90-1234;Voksne;§ 124 d;2026-10-01;"))
    assert "aldrig navn eller CPR" in response.text
    assert await Incident.count().run() == 0
