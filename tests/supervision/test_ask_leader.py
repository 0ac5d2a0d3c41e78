"""An employee whose supervision is overdue cannot book it (their leader does): their duty opens
their calendar, which asks the leader for them; the leader's mail opens booking with the employee
and a suited supervisor chosen. One mail a day per leader, however many clicks."""

from hr.notify.outbox import deliver_due
from hr.notify.tables import OutboxMessage
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def test_the_employee_asks_and_the_leader_gets_a_link_that_books_them(client, world, smtp):
    await login(client, World.STAFF)
    front = (await client.get("/")).text
    assert 'href="/supervision/kalender"' in front and "Din supervision er overskredet" in front
    page = (await client.get("/supervision/kalender")).text
    assert 'action="/supervision/kalender/bed-om-tid"' in page and "Din leder booker supervision" in page
    asked = await post_form(client, "/supervision/kalender/bed-om-tid", token_from="/supervision/kalender")
    await confirmed(client, asked, "Lene Leder har fået besked")
    await post_form(client, "/supervision/kalender/bed-om-tid")  # a second click the same day
    await deliver_due()
    mails = [m for m in smtp.messages() if m["To"] == World.LEADER]
    assert len(mails) == 1 and mails[0]["Subject"] == "Søren Ståbi beder om en tid til supervision"
    body = mails[0].get_body(("plain",)).get_content()
    assert f"/supervision/bookinger/ny?medarbejder={world.staff_employee}" in body


async def test_someone_without_an_employment_is_told_who_arranges_it(client, world):
    await login(client, World.HR)
    refused = await post_form(client, "/supervision/kalender/bed-om-tid", token_from="/supervision/kalender")
    assert refused.status_code == 400 and "HR aftaler din supervision med dig" in refused.text
    assert not await OutboxMessage.count().run()
