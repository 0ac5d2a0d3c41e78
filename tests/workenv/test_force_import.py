"""Use-of-force registrations imported from the care-record system's export."""

from hr.workenv.tables import Incident
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

HEADER = "Blanketnummer;Dato;Klokkeslæt;Afdelingskode;Pseudonym;Lovgrundlag;Kategori;Registreret;Videresendt kommune"


def export(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


GOOD = export("MAG-1;2026-10-01;14:30;A1;BO-7;Voksne;§ 124 d;2026-10-01;2026-10-03",
              "MAG-2;02-10-2026;09:00;A1;BO-8;Børn;13;2026-10-02;")


async def upload(client, content, apply="1"):
    return await post_form(client, "/arbejdsmiljoe/magtanvendelser/import", {"apply": apply},
                           files={"file": ("udtraek.csv", content, "text/csv")},
                           token_from="/arbejdsmiljoe/magtanvendelser/import")


async def test_the_leader_imports_and_re_imports_without_duplicates(client, world):
    await login(client, World.LEADER)
    preview = await upload(client, GOOD, apply="0")
    assert "Prøvekørsel" in preview.text and await Incident.count().run() == 0
    await confirmed(client, await upload(client, GOOD), "Importen er gennemført", in_place=True)
    rows = {r["form_reference"]: r for r in await Incident.select().run()}
    assert rows["MAG-1"]["force_category"] == "124d" and rows["MAG-1"]["legal_framework"] == "adult"
    assert rows["MAG-2"]["legal_framework"] == "child" and rows["MAG-2"]["forwarded_municipality_on"] is None
    assert rows["MAG-1"]["kind"] == "use_of_force" and rows["MAG-1"]["status"] == "submitted"
    later = export("MAG-1;2026-10-01;14:30;A1;BO-7;Voksne;§ 124 d;2026-10-01;2026-10-03",
                   "MAG-2;02-10-2026;09:00;A1;BO-8;Børn;13;2026-10-02;2026-10-02")
    again = await upload(client, later)
    assert "0 er oprettet, 1 er opdateret, 1 uændrede" in again.text
    assert await Incident.count().run() == 2


async def test_an_invalid_export_writes_nothing(client, world):
    await login(client, World.LEADER)
    bad = export("MAG-1;2026-10-01;14:30;A1;Jens Hansen;Voksne;124d;;",
                 "MAG-3;2026-13-01;;B1;BO-9;Voksne;999;;",
                 "MAG-4;2026-10-01;;A1;010190-1234;Børn;13;;")
    response = await upload(client, bad)
    assert response.status_code == 400
    assert "<td>2</td><td>Pseudonym</td>" in response.text
    assert "<td>3</td><td>Dato</td>" in response.text
    assert "Ukendt afdeling" not in response.text and "Du kan ikke importere for den afdeling" in response.text
    assert "<td>4</td><td>Pseudonym</td>" in response.text
    assert await Incident.count().run() == 0
