"""Documents on orders (issue 17): the inspectorate's letter, the reply and the evidence, kept on
the order with the same upload rules as certificates (type by content, 5 MB, a safe name), read
by everyone who sees the order (the AMO too), added only by those who manage it."""

from datetime import date

from hr.audit import AuditEvent
from hr.workenv.tables import Order, OrderDocument
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_amo import order_form

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def an_order(world) -> int:
    values = order_form(world)
    rows = await Order.insert(Order(
        case_number=values["case_number"], order_type=values["order_type"],
        received_on=date.fromisoformat(values["received_on"]),
        institution=world.inst_a, unit=world.unit_a1, description=values["description"],
        responsible=world.accounts["leader"])).returning(Order.id).run()
    return rows[0]["id"]


async def upload(client, order_id: int, name: str, content: bytes, content_type="application/pdf"):
    return await post_form(client, f"/arbejdsmiljoe/paabud/{order_id}/dokumenter",
                           files={"document": (name, content, content_type)},
                           token_from=f"/arbejdsmiljoe/paabud/{order_id}")


async def test_the_leader_keeps_the_letters_on_the_order_and_the_amr_reads_them(client, new_client, world):
    order_id = await an_order(world)
    await login(client, World.LEADER)
    for name, content, message in (("brev.pdf", b"", "Vælg en fil"),
                                   ("brev.pdf", b"<html><script>alert(1)</script>", "PDF-, PNG- eller JPEG"),
                                   ("stort.pdf", PDF + b"0" * (5 * 1024 * 1024), "større end 5 MB")):
        refused = await upload(client, order_id, name, content)
        assert refused.status_code == 400 and message in refused.text and 'id="document-error"' in refused.text
    assert await OrderDocument.count().run() == 0

    page = await confirmed(client, await upload(client, order_id, "../Påbud AT-2026-0042.exe", PDF),
                           "Dokumentet Påbud AT-2026-0042.pdf er gemt på påbuddet.")
    assert "Påbud AT-2026-0042.pdf" in page and "Lene Leder" in page
    await confirmed(client, await upload(client, order_id, "foto af stigen.png", PNG, "image/png"),
                    "Dokumentet foto af stigen.png er gemt")
    documents = await OrderDocument.select().order_by(OrderDocument.id).run()
    assert [(d["filename"], d["content_type"]) for d in documents] == [("Påbud AT-2026-0042.pdf", "application/pdf"),
                                                                       ("foto af stigen.png", "image/png")]

    amr = new_client()
    await login(amr, World.AMR)
    got = await amr.get(f"/arbejdsmiljoe/paabud/{order_id}/dokumenter/{documents[0]['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff" and "attachment" in got.headers["content-disposition"]
    assert await AuditEvent.count().where((AuditEvent.entity == "order_document")
                                          & (AuditEvent.action == "read")).run() == 1
    # The AMR reads but does not add; another institution's leader does not see the order at all.
    assert (await upload(amr, order_id, "svar.pdf", PDF)).status_code == 403
    other = new_client()
    await login(other, World.OTHER)
    assert (await other.get(f"/arbejdsmiljoe/paabud/{order_id}/dokumenter/{documents[0]['id']}")).status_code == 404
    assert (await upload(other, order_id, "svar.pdf", PDF)).status_code == 404
    # A document is found only under its own order.
    second = await an_order(world)
    assert (await amr.get(f"/arbejdsmiljoe/paabud/{second}/dokumenter/{documents[0]['id']}")).status_code == 404
    assert await OrderDocument.count().run() == 2
