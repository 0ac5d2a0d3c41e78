"""Enrolments: the state rules, who may change what, the profile that follows, certificates."""

import pytest

from hr.auth.services import load_principal
from hr.competence import enrolments, profile
from hr.competence.tables import Certificate, Enrolment, EnrolmentEvent
from hr.forms import ValidationError
from tests.competence.conftest import form
from tests.conftest import World, login, post_form

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


async def planned(world, catalogue, who="leader") -> int:
    principal = await load_principal(world.accounts[who])
    return await enrolments.plan(principal, world.staff_employee, form(module=catalogue["krap"], cost="12.500",
                                                                        funding="Kompetencefonden"))


async def test_an_enrolment_walks_through_its_states_and_the_profile_follows(world, catalogue):
    leader = await load_principal(world.accounts["leader"])
    enrolment = await planned(world, catalogue)
    for state, extra in (("applied", {"run": catalogue["run"]}), ("enrolled", {}), ("passed", {"grade": "10"})):
        await enrolments.change_state(leader, enrolment, form(state=state, **extra))
    row = await Enrolment.select().where(Enrolment.id == enrolment).first().run()
    assert row["state"] == "passed" and row["grade"] == "10" and row["completed_on"] is not None
    assert [e["to_state"] for e in await EnrolmentEvent.select().order_by(EnrolmentEvent.id).run()] == [
        "planned", "applied", "enrolled", "passed"]
    competence = (await profile.profile(world.staff_employee))["competence"]
    assert competence.passed_ects == 10 and competence.methods == {"KRAP"}


@pytest.mark.parametrize("path, target, message", [
    ((), "passed", "Mulige næste trin: ansøgt, afbrudt"),
    (("applied", "enrolled", "passed"), "withdrawn", "ingen (forløbet er afsluttet)"),
    (("applied",), "planned", "Mulige næste trin: optaget, afbrudt"),
])
async def test_invalid_transitions_are_refused_with_what_is_possible(world, catalogue, path, target, message):
    leader = await load_principal(world.accounts["leader"])
    enrolment = await planned(world, catalogue)
    for state in path:
        await enrolments.change_state(leader, enrolment, form(state=state, run=catalogue["run"], grade="7"))
    before = await Enrolment.select().where(Enrolment.id == enrolment).first().run()
    with pytest.raises(ValidationError) as refused:
        await enrolments.change_state(leader, enrolment, form(state=target, note="x", grade="7"))
    assert message in refused.value.errors["state"]
    assert await Enrolment.select().where(Enrolment.id == enrolment).first().run() == before


async def test_results_need_a_fitting_grade_and_withdrawal_a_reason(world, catalogue):
    leader = await load_principal(world.accounts["leader"])
    enrolment = await planned(world, catalogue)
    with pytest.raises(ValidationError, match="Vælg det hold"):
        await enrolments.change_state(leader, enrolment, form(state="applied"))
    await enrolments.change_state(leader, enrolment, form(state="applied", run=catalogue["run"]))
    await enrolments.change_state(leader, enrolment, form(state="enrolled"))
    with pytest.raises(ValidationError) as wrong:
        await enrolments.change_state(leader, enrolment, form(state="passed", grade="00"))
    assert wrong.value.errors["grade"] == "Karakteren passer ikke til resultatet"
    with pytest.raises(ValidationError, match="fremtiden"):
        await enrolments.change_state(leader, enrolment, form(state="passed", grade="7", on="2999-01-01"))
    await enrolments.change_state(leader, enrolment, form(state="failed", grade="00"))
    await enrolments.change_state(leader, enrolment, form(state="enrolled"))  # re-exam
    with pytest.raises(ValidationError) as no_reason:
        await enrolments.change_state(leader, enrolment, form(state="withdrawn"))
    assert "note" in no_reason.value.errors


async def test_only_the_units_leader_and_hr_manage_and_the_same_module_is_not_planned_twice(world, catalogue):
    other = await load_principal(world.accounts["other"])
    with pytest.raises(LookupError):
        await enrolments.plan(other, world.staff_employee, form(module=catalogue["krap"]))
    await planned(world, catalogue)
    with pytest.raises(ValidationError, match="allerede i gang"):
        await planned(world, catalogue, who="hr")
    with pytest.raises(ValidationError) as bad:
        await enrolments.plan(await load_principal(world.accounts["hr"]), world.staff_employee,
                              form(module=catalogue["dil1"], cost="mange penge", funding="Lotto"))
    assert set(bad.value.errors) == {"cost", "funding"}


async def test_certificates_are_checked_by_content_and_size_and_served_safely(client, world, catalogue):
    leader = await load_principal(world.accounts["leader"])
    enrolment = await planned(world, catalogue)
    with pytest.raises(ValidationError, match="bestået"):
        await enrolments.upload_certificate(leader, enrolment, "bevis.pdf", PDF)
    for state in ("applied", "enrolled", "passed"):
        await enrolments.change_state(leader, enrolment, form(state=state, run=catalogue["run"], grade="bestået"))
    with pytest.raises(ValidationError, match="PDF-, PNG- eller JPEG"):
        await enrolments.upload_certificate(leader, enrolment, "bevis.pdf", b"<html><script>alert(1)</script>")
    with pytest.raises(ValidationError, match="5 MB"):
        await enrolments.upload_certificate(leader, enrolment, "stor.pdf", PDF + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="CPR-nummer"):  # a file name people give a scan
        await enrolments.upload_certificate(leader, enrolment, "Bevis 0101 90-1234.pdf", PDF)
    assert await Certificate.count() == 0
    certificate = await enrolments.upload_certificate(leader, enrolment, "../../etc/passwd.exe", PDF)
    row = await Certificate.select().where(Certificate.id == certificate).first().run()
    assert row["filename"] == "passwd.pdf" and row["content_type"] == "application/pdf"
    await login(client, World.STAFF)
    response = await client.get(f"/kompetence/beviser/{certificate}")
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == 'attachment; filename="passwd.pdf"'


async def test_the_profile_page_shows_the_form_errors_and_keeps_the_database(client, world, catalogue):
    enrolment = await planned(world, catalogue)
    await login(client, World.LEADER)
    page = await client.get(f"/kompetence/medarbejdere/{world.staff_employee}")
    assert page.status_code == 200 and "KRAP i praksis" in page.text
    bad = await post_form(client, f"/kompetence/forloeb/{enrolment}/status", {"state": "passed", "grade": "12"})
    assert bad.status_code == 400 and "Mulige næste trin" in bad.text
    assert (await Enrolment.select().first().run())["state"] == "planned"
    upload = await post_form(client, f"/kompetence/forloeb/{enrolment}/bevis",
                             files={"file": ("bevis.pdf", PDF, "application/pdf")})
    assert upload.status_code == 400 and "bestået" in upload.text
    assert await Certificate.count() == 0
