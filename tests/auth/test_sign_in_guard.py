"""Sign-in tells an attacker nothing and slows them, without locking the real person out: the
forgotten-password answer is given before anything is looked up, spraying one password over
many accounts from one address is slowed and then refused, a browser that has signed in before
is not locked out by others behind the same address, and an account that may not sign in gets
the same answer whatever the password."""

import httpx

from hr.auth.tables import Account, LoginAttempt, PasswordLink
from hr.db import watching_queries
from hr.org.tables import Employee
from tests.conftest import PASSWORD, World, post_form

WARD = "10.20.30.40"  # one address for a whole ward (NAT)


async def test_the_forgotten_password_answer_goes_before_anything_is_looked_up(app, world):
    events: list[str] = []

    async def recording(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                events.append("ANSWER")
            await send(message)

        await app(scope, receive, sending)

    def watch(engine, sql, values):
        events.append(sql)

    answers = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=recording), base_url="http://testserver") as c:
        for email in (World.STAFF, "ingen-konto@test.example"):
            await c.get("/adgangskode/glemt")
            events.clear()
            with watching_queries(watch):
                answer = await post_form(c, "/adgangskode/glemt", {"email": email}, token_from="/adgangskode/glemt")
            before = events[:events.index("ANSWER")]
            answers[email] = (answer.status_code, answer.headers["location"], before)
    known, unknown = answers[World.STAFF], answers["ingen-konto@test.example"]
    assert known == unknown  # the same answer, after the same work (none that reads an account)
    assert not any("auth_account" in sql for sql in known[2])
    assert await PasswordLink.count().where(PasswordLink.account == world.accounts["staff"]).run() == 1


async def test_spraying_one_password_over_many_accounts_is_slowed_then_refused(new_client, world):
    sprayer = new_client(ip=WARD)
    answers = [await post_form(sprayer, "/login", {"email": f"person{n}@test.example", "password": "Sommer2026!"})
               for n in range(25)]
    assert [a.status_code for a in answers[:20]] == [400] * 20
    assert 429 in [a.status_code for a in answers[20:]]  # slowed from the twentieth failure on
    fresh_account = await post_form(sprayer, "/login", {"email": World.AMR, "password": "Sommer2026!"})
    assert fresh_account.status_code == 429 and "Vent" in fresh_account.text
    # A hundred failures from the address in the window: refused for the rest of it.
    await LoginAttempt.insert(*[LoginAttempt(email=f"x{n}@test.example", ip=WARD, success=False)
                                for n in range(100)]).run()
    other_address = new_client(ip="10.99.99.99")
    assert (await post_form(other_address, "/login", {"email": World.AMR, "password": PASSWORD})).status_code == 302


async def test_a_browser_that_signed_in_before_is_not_locked_out_by_others_behind_the_same_address(
        new_client, world):
    person = new_client(ip=WARD)
    assert (await post_form(person, "/login", {"email": World.STAFF, "password": PASSWORD})).status_code == 302
    await post_form(person, "/logout")
    colleague = new_client(ip=WARD)
    for _ in range(7):
        await post_form(colleague, "/login", {"email": World.STAFF, "password": "forkert-123"})
    assert (await post_form(colleague, "/login", {"email": World.STAFF, "password": PASSWORD})).status_code == 429
    back = await post_form(person, "/login", {"email": World.STAFF, "password": PASSWORD})
    assert back.status_code == 302, back.text[:300]
    # The cookie is the account's own: it does not vouch for the browser at another account.
    forged = new_client(ip=WARD)
    forged.cookies.set("hr_device", person.cookies.get("hr_device"), path="/login")
    for _ in range(6):
        await post_form(forged, "/login", {"email": World.LEADER, "password": "forkert-123"})
    assert (await post_form(forged, "/login", {"email": World.LEADER, "password": PASSWORD})).status_code == 429


async def test_an_account_that_may_not_sign_in_gets_the_same_answer_whatever_the_password(new_client, world):
    await Account.update({Account.active: False}).where(Account.id == world.accounts["supervisor"]).run()
    await Employee.update({Employee.active: False}).where(Employee.id == world.staff_employee).run()
    answers = set()
    for email in (World.SUPERVISOR, World.STAFF, "ingen@test.example"):
        for password in (PASSWORD, "forkert-123"):
            response = await post_form(new_client(ip=f"10.0.0.{len(answers) + 1}"), "/login",
                                       {"email": email, "password": password})
            text = response.text.split('<div class="alert', 1)[1].split("</div>", 1)[0]
            answers.add((response.status_code, text))
    assert len(answers) == 1, answers


async def test_a_mailed_link_lets_the_person_in_from_an_address_that_sprayed(new_client, world, smtp):
    from tests.auth.test_password_links import NEW, mailed_link

    await LoginAttempt.insert(*[LoginAttempt(email=f"x{n}@test.example", ip=WARD, success=False)
                                for n in range(30)]).run()  # someone on the ward's address is spraying
    person = new_client(ip=WARD)
    assert (await post_form(person, "/login", {"email": World.STAFF, "password": PASSWORD})).status_code == 429
    await post_form(person, "/adgangskode/glemt", {"email": World.STAFF}, token_from="/adgangskode/glemt")
    link = await mailed_link(smtp)
    chosen = await post_form(person, link, {"password": NEW, "repeat": NEW}, token_from=link)
    assert chosen.status_code in (302, 303)
    assert (await post_form(person, "/login", {"email": World.STAFF, "password": NEW})).status_code == 302
