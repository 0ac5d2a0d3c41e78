"""Choosing a password through a link in an e-mail (a real SMTP server on loopback): a forgotten
password and a new account's first one. Single use, 30 minutes, throttled, the same answer
whether or not the address has an account; HR never types anyone's password and cannot read the
link in the outbox. And login throttling per account and address: a wrong password elsewhere, or
a colleague behind the same NAT, does not lock the real person out; the link always works."""

import re
from datetime import timedelta

from hr.auth.tables import Account, LoginAttempt, PasswordLink, Session
from hr.db import now
from hr.notify import outbox
from hr.notify.tables import OutboxMessage
from tests.confirmations import confirmed
from tests.conftest import PASSWORD, World, login, post_form

NEW = "kaffe på altanen i april"


async def mailed_link(smtp) -> str:
    await outbox.deliver_due()
    message = smtp.messages()[-1]
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://[^/\s]+(/adgangskode/nulstil/[\w-]+)", text).group(1)


async def test_a_forgotten_password_is_chosen_again_through_the_mailed_link(client, new_client, world, smtp):
    other = new_client()
    await login(other, World.STAFF)
    asked = await post_form(client, "/adgangskode/glemt", {"email": World.STAFF})
    await confirmed(client, asked, "har vi sendt en mail")
    link = await mailed_link(smtp)
    assert smtp.messages()[-1]["To"] == World.STAFF
    page = await client.get(link)
    assert page.status_code == 200 and "Vælg en ny adgangskode" in page.text
    weak = await post_form(client, link, {"password": "password12345", "repeat": "password12345"})
    assert weak.status_code == 400 and "lækkede" in weak.text
    same = await post_form(client, link, {"password": PASSWORD, "repeat": PASSWORD})
    assert same.status_code == 400 and "forskellig fra den nuværende" in same.text
    differs = await post_form(client, link, {"password": NEW, "repeat": NEW + "!"})
    assert differs.status_code == 400 and "ikke ens" in differs.text
    chosen = await post_form(client, link, {"password": NEW, "repeat": NEW})
    await confirmed(client, chosen, "Din adgangskode er gemt. Log ind med den.")
    assert (await other.get("/profil")).status_code in (302, 303)  # every other session ended
    await login(new_client(), World.STAFF, NEW)
    used = await client.get(link)
    assert used.status_code == 410 and "udløbet eller allerede brugt" in used.text
    assert (await post_form(client, link, {"password": "te på altanen i maj", "repeat": "te på altanen i maj"})
            ).status_code == 410


async def test_the_answer_is_the_same_for_an_unknown_address_and_nothing_is_sent(client, world, smtp):
    known = await confirmed(client, await post_form(client, "/adgangskode/glemt", {"email": World.STAFF}),
                            "Hvis adressen hører til en konto")
    unknown = await confirmed(client, await post_form(client, "/adgangskode/glemt", {"email": "nobody@test.example"}),
                              "Hvis adressen hører til en konto")
    strip = re.compile(r"csrf[^\n]*")
    assert strip.sub("", unknown) == strip.sub("", known)
    await outbox.deliver_due()
    assert [m["To"] for m in smtp.messages()] == [World.STAFF]
    bad = await post_form(client, "/adgangskode/glemt", {"email": "ikke en adresse"})
    assert bad.status_code == 400 and "gyldig e-mailadresse" in bad.text


async def test_links_are_throttled_and_expire_after_thirty_minutes(client, world, smtp):
    for _ in range(5):
        await post_form(client, "/adgangskode/glemt", {"email": World.STAFF})
    assert await PasswordLink.count() == 3  # at most three a quarter of an hour; the answer never says so
    link = await mailed_link(smtp)
    await PasswordLink.update({PasswordLink.expires_at: now() - timedelta(seconds=1)}, force=True).run()
    expired = await client.get(link)
    assert expired.status_code == 410 and "Få et nyt link" in expired.text


async def test_hr_creates_an_account_without_typing_a_password_and_cannot_read_the_link(client, new_client, world,
                                                                                        smtp):
    await login(client, World.HR)
    made = await post_form(client, "/admin/brugere", {"name": "Eva Ekstern", "email": "Eva@Ekstern.example"},
                           token_from="/admin/brugere")
    page = await confirmed(client, made, "har fået en mail med et link")
    assert "Ikke sat op endnu" in page
    message = await OutboxMessage.select().where(OutboxMessage.kind == "account.password_link").first().run()
    shown = await client.get(f"/admin/post/{message['id']}")
    assert "/adgangskode/nulstil/" not in shown.text and "Indholdet vises ikke" in shown.text
    link = await mailed_link(smtp)
    assert "vælg din adgangskode" in smtp.messages()[-1]["Subject"]
    stored = await OutboxMessage.select().where(OutboxMessage.id == message["id"]).first().run()
    assert "/adgangskode/nulstil/" not in stored["text_body"] + stored["html_body"]  # scrubbed once sent
    eva = new_client()
    assert "Vælg din adgangskode" in (await eva.get(link)).text
    await post_form(eva, link, {"password": NEW, "repeat": NEW})
    await login(eva, "eva@ekstern.example", NEW)
    resent = await post_form(client, f"{made.headers['location']}/adgangskode")
    await confirmed(client, resent, "Et link til at vælge en ny adgangskode er sendt")


async def test_throttling_is_per_account_and_address_and_the_link_lifts_it(client, new_client, world, smtp):
    attacker = new_client("203.0.113.9")
    for _ in range(5):
        await post_form(attacker, "/login", {"email": World.STAFF, "password": "forkert-forkert"})
    waits = await post_form(attacker, "/login", {"email": World.STAFF, "password": PASSWORD})
    assert waits.status_code == 429 and "Vent" in waits.text  # even the right password waits there
    await login(new_client("198.51.100.7"), World.STAFF)  # the real person elsewhere is not locked out
    colleague = new_client("203.0.113.9")  # and a colleague behind the same address is not either
    await login(colleague, World.LEADER)
    await post_form(attacker, "/adgangskode/glemt", {"email": World.STAFF})
    link = await mailed_link(smtp)
    await post_form(attacker, link, {"password": NEW, "repeat": NEW})
    await login(attacker, World.STAFF, NEW)  # the link lifted the back-off
    assert await Session.count().where(Session.account == world.accounts["staff"]) == 1


async def test_a_flood_slows_addresses_the_account_never_used_but_not_its_own(new_client, world):
    await login(new_client("198.51.100.7"), World.STAFF)  # the person's usual address
    stamp = now()
    await LoginAttempt.insert(*[LoginAttempt(email=World.STAFF, ip=f"192.0.2.{n}", success=False, at=stamp)
                                for n in range(60)]).run()  # a spread-out attack on the account
    stranger = await post_form(new_client("192.0.2.200"), "/login", {"email": World.STAFF, "password": "forkert-ja"})
    assert stranger.status_code == 400
    again = await post_form(new_client("192.0.2.200"), "/login", {"email": World.STAFF, "password": PASSWORD})
    assert again.status_code == 429  # one failure from an unknown address during a flood: it waits
    await login(new_client("198.51.100.7"), World.STAFF)  # the person's own address still gets in
    assert await Account.exists().where(Account.email == World.STAFF).run()
