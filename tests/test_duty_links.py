"""Every duty on a front page can be done where its link lands: the demo's personas, each duty
(a few of each kind and step), its link followed as that persona, and on the page the form that
completes it. A kind of duty the table below does not know fails the walk, so a new kind must say
where it is done."""

import re
from collections import Counter

from hr.auth.services import load_principal
from hr.auth.tables import Account
from hr.demo import DEMO_PASSWORD, PERSONAS, load_demo
from hr.duties import duties_for, group_pages
from tests.conftest import login

# kind (or "kind:step") -> the form's action on the page the link opens ({link}: the link's path;
# a tuple: any of these, as the person's role decides)
COMPLETED_BY = {
    "workenv.followup:violence_defusing": "{link}/stoette",
    "workenv.followup:violence_debriefing": "{link}/stoette",
    "workenv.followup:accident_easy": "{link}/eksternt",
    "workenv.followup:accident_insurer": "{link}/eksternt",
    "workenv.followup:force_registration": "{link}/eksternt",
    "workenv.followup:force_preapproved": "{link}/eksternt",
    "workenv.followup:force_parents": "{link}/eksternt",
    "workenv.followup:force_municipality": "{link}/eksternt",
    "workenv.followup:force_supervisory": "{link}/eksternt",
    "workenv.followup:followup_review": "{link}/gennemgang",
    "workenv.followup:": "{link}/afslut",
    "workenv.draft": "/arbejdsmiljoe/haendelser/{id}/rediger",
    "workenv.action": "/arbejdsmiljoe/handlinger/{id}/luk",
    "workenv.order": "{link}",
    "workenv.apv": "/arbejdsmiljoe/apv",
    "workenv.discussion": "/arbejdsmiljoe/droeftelser",
    "supervision.overdue": "/supervision/bookinger/ny",
    "supervision.due_soon": "/supervision/bookinger/ny",
    "supervision.attendance": "{link}/fremmoede",
    # A leader books their own; anyone else asks their leader, who gets a link to book them.
    "supervision.own": ("/supervision/kalender/bed-om-tid", "/supervision/bookinger/ny"),
    "competence.nomination": "{link}/indstil",
    "notify.failed": "/admin/post/{any}/send-igen",  # each failed mail in the filtered outbox
    "auth.sign_in_conflict": "/admin/arbejdskonti/{any}",
    "org.payroll_refused": "{link}",
}
# Duties whose page is where the thing happens, with nothing to submit (a coming session).
READ_ONLY = {"supervision.coming"}
EACH = 2  # of each kind and step per persona: the links of one kind are made alike


def _expected(duty) -> list[str] | None:
    key = f"{duty.kind}:{duty.step}"
    patterns = COMPLETED_BY.get(key) or COMPLETED_BY.get(duty.kind)
    if patterns is None:
        return None
    path = duty.link.split("#")[0].split("?")[0]
    number = re.search(r"(\d+)$", duty.link.split("#")[0])
    return [pattern.format(link=path, id=number.group(1) if number else "")
            for pattern in ((patterns,) if isinstance(patterns, str) else patterns)]


async def test_every_duty_of_every_demo_persona_can_be_done_where_its_link_lands(new_client):
    await load_demo()
    walked: Counter = Counter()
    for _, email in PERSONAS:
        account = await Account.select(Account.id).where(Account.email == email).first().run()
        principal = await load_principal(account["id"])
        found = await duties_for(principal)
        duties = found.items
        seen: Counter = Counter()
        async with new_client() as client:
            await login(client, email, DEMO_PASSWORD)
            pages = group_pages(principal)
            for group, _ in found.counts:  # each kind's count links to its whole list
                listing = await client.get(pages[group])
                assert listing.status_code == 200, (email, group, pages[group], listing.status_code)
                assert "ingen kompetenceprofil" not in listing.text.lower(), (email, group)
            for duty in duties:
                key = f"{duty.kind}:{duty.step}"
                seen[key] += 1
                if seen[key] > EACH:
                    continue
                page = await client.get(duty.link)
                assert page.status_code == 200, (email, duty.kind, duty.link, page.status_code)
                walked[key] += 1
                if duty.kind in READ_ONLY:
                    continue
                actions = _expected(duty)
                assert actions is not None, f"{duty.kind} ({duty.step}): say where it is done in COMPLETED_BY"
                forms = [re.escape(f'action="{a}').replace(r"\{any\}", r"\d+") for a in actions]
                assert any(re.search(f + '"', page.text) for f in forms), (email, duty.title, duty.link, actions)
    assert walked, "the demo gives its personas duties"
