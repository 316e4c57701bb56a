import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, text

from balcao import (
    Actor,
    Citizen,
    IncomingFile,
    InvalidManifestation,
    Kind,
    NewManifestation,
    NotFound,
    RateLimited,
    State,
)
from balcao.testing import Balcao


async def test_intake_gives_protocol_and_access_code(balcao: Balcao) -> None:
    receipt = await balcao.manifestation("O ônibus do campus atrasou.")
    assert receipt.protocol == "2026-000001"
    assert receipt.access_code is not None
    found = await balcao.desk.get(receipt.protocol)
    assert found.state is State.TRIAGE
    assert found.routed_by == "fallback"
    assert found.pseudonym.startswith("Manifestante ")


async def test_fifty_concurrent_intakes_get_unique_gap_free_protocols(balcao: Balcao) -> None:
    receipts = await asyncio.gather(*(balcao.manifestation(f"caso {i}") for i in range(50)))
    numbers = sorted(int(r.protocol.split("-")[1]) for r in receipts)
    assert numbers == list(range(1, 51))


async def test_protocol_sequence_restarts_each_year(balcao: Balcao) -> None:
    await balcao.manifestation("dezembro")
    balcao.clock.set(balcao.clock.now().replace(year=2027, month=1, day=11))
    receipt = await balcao.manifestation("janeiro")
    assert receipt.protocol == "2027-000001"


async def test_anonymous_denuncia_becomes_comunicacao_without_access_code(balcao: Balcao) -> None:
    receipt = await balcao.manifestation(
        "Desvio de material.", kind=Kind.DENUNCIA, anonymous=True, citizen=None
    )
    assert receipt.access_code is None
    assert (await balcao.desk.get(receipt.protocol)).kind is Kind.COMUNICACAO


async def test_only_a_denuncia_may_be_anonymous(balcao: Balcao) -> None:
    with pytest.raises(InvalidManifestation) as error:
        await balcao.manifestation("x", kind=Kind.ELOGIO, anonymous=True, citizen=None)
    assert error.value.field == "anonymous"


async def test_empty_description_is_refused(balcao: Balcao) -> None:
    with pytest.raises(InvalidManifestation, match="descreva"):
        await balcao.manifestation("   ")


async def test_identity_is_encrypted_at_rest(balcao: Balcao) -> None:
    await balcao.manifestation("texto", citizen=Citizen(name="Joana Quitéria", cpf="52998224725"))
    async with balcao.desk.database.read() as session:
        rows = (await session.execute(text("SELECT sealed FROM identities"))).all()
    dump = repr(rows)
    assert "Joana" not in dump and "52998224725" not in dump


async def test_attachment_is_stored_by_hash_with_sniffed_type(balcao: Balcao) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    receipt = await balcao.desk.intake(
        NewManifestation(
            kind=Kind.RECLAMACAO,
            channel="fake",
            description="foto anexa",
            files=(
                IncomingFile(
                    filename="../../etc/foto.png", content=png, declared_type="application/pdf"
                ),
            ),
        )
    )
    async with balcao.desk.database.read() as session:
        row = (
            await session.execute(
                text("SELECT filename, media_type, size, sha256 FROM attachments")
            )
        ).one()
    assert row.filename == "foto.png"
    assert row.media_type == "image/png"
    assert row.size == len(png)
    assert balcao.desk.files.read(row.sha256) == png
    assert receipt.protocol


async def test_html_disguised_as_text_is_refused(balcao: Balcao) -> None:
    from balcao import AttachmentRejected

    hostile = IncomingFile(filename="nota.txt", content=b"<html><script>alert(1)</script>")
    with pytest.raises(AttachmentRejected, match="tipo de arquivo"):
        await balcao.desk.intake(
            NewManifestation(
                kind=Kind.RECLAMACAO, channel="fake", description="x", files=(hostile,)
            )
        )


async def test_oversized_attachment_is_refused(make_balcao) -> None:  # type: ignore[no-untyped-def]
    from balcao import AttachmentRejected

    b = await make_balcao(settings={"max_attachment_mb": 1})
    big = IncomingFile(filename="grande.txt", content=b"a" * (1024 * 1024 + 1))
    with pytest.raises(AttachmentRejected, match="1 MB"):
        await b.desk.intake(
            NewManifestation(kind=Kind.RECLAMACAO, channel="fake", description="x", files=(big,))
        )


async def test_key_rotation_keeps_identities_tokens_and_contacts_readable(balcao: Balcao) -> None:
    from balcao._keys import KeyRing

    receipt = await balcao.desk.intake(
        NewManifestation(
            kind=Kind.RECLAMACAO,
            channel="fake",
            description="x",
            channel_address="5565900001111",
            citizen=Citizen(name="Joana"),
        )
    )
    _, headers = await balcao.user("ouvidor")
    old = "test-secret-key-that-is-long-enough-000"
    balcao.desk.keys = KeyRing("a-brand-new-secret-key-of-48-characters-xxxxxxxx", (old,))
    assert (await balcao.client.get("/api/v1/plugins", headers=headers)).status_code == 200
    assert await balcao.desk.find_open_by_address("fake", "5565900001111") is not None
    assert await balcao.desk.verify_access(receipt.protocol, receipt.access_code or "")
    assert (await balcao.desk.reseal()).changed["identities"] == 1
    assert (await balcao.desk.reseal()).total == 0
    balcao.desk.keys = KeyRing("a-brand-new-secret-key-of-48-characters-xxxxxxxx")
    from balcao import Actor

    ouvidor = Actor(kind="user", name="o", role="ouvidor")
    shown = await balcao.desk.reveal_identity(receipt.protocol, ouvidor, "teste")
    assert shown is not None and shown.name == "Joana"


async def test_allowed_attachment_types_are_configurable(make_balcao) -> None:  # type: ignore[no-untyped-def]
    from balcao import AttachmentRejected

    b = await make_balcao(settings={"allowed_attachment_types": ["application/pdf"]})
    png = IncomingFile(filename="foto.png", content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(AttachmentRejected, match=r"foto\.png"):
        await b.desk.intake(
            NewManifestation(kind=Kind.RECLAMACAO, channel="fake", description="x", files=(png,))
        )


async def test_attachments_are_listed_and_read_back_through_the_desk(balcao: Balcao) -> None:
    pdf = b"%PDF-1.4\nrelatorio"
    receipt = await balcao.desk.intake(
        NewManifestation(
            kind=Kind.RECLAMACAO,
            channel="fake",
            description="anexo",
            files=(IncomingFile(filename="relatorio.pdf", content=pdf),),
        )
    )
    [attachment] = await balcao.desk.attachments(receipt.protocol)
    assert (attachment.filename, attachment.media_type, attachment.size) == (
        "relatorio.pdf",
        "application/pdf",
        len(pdf),
    )
    assert balcao.desk.read_attachment(attachment) == pdf
    balcao.desk.files.path_for(attachment.sha256 or "").write_bytes(b"adulterado")
    with pytest.raises(NotFound, match="corrompido"):
        balcao.desk.read_attachment(attachment)


def _identity_statements(balcao: Balcao) -> list[int]:
    """How many identity inserts the shared transactions ran."""
    database = balcao.desk.database
    engine = (database._group_engine or database._write_engine).sync_engine
    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(*args: Any) -> None:
        count[0] += "INSERT INTO identities" in args[2]

    return count


async def test_concurrent_intakes_share_statements_and_keep_their_own_rows(
    balcao: Balcao,
) -> None:
    """Registrations that share a transaction write each table's rows in one statement:
    each case still gets its own text, identity and access code."""
    await balcao.manifestation("o primeiro carrega as regras de roteamento")
    statements = _identity_statements(balcao)
    ouvidor = Actor(kind="user", name="o", role="ouvidor")
    names = [f"Pessoa {n}" for n in range(12)]
    receipts = await asyncio.gather(
        *(balcao.manifestation(f"relato de {name}", citizen=Citizen(name=name)) for name in names)
    )
    assert statements[0] < len(names)
    for name, receipt in zip(names, receipts, strict=True):
        case = await balcao.desk.get(receipt.protocol)
        assert case.description == f"relato de {name}"
        shown = await balcao.desk.reveal_identity(receipt.protocol, ouvidor, "teste")
        assert shown is not None and shown.name == name
        assert receipt.access_code is not None and receipt.deadline is not None
        assert await balcao.desk.verify_access(receipt.protocol, receipt.access_code) is not None


async def test_a_refused_intake_among_concurrent_ones_fails_only_its_caller(
    balcao: Balcao,
) -> None:
    await balcao.manifestation("o primeiro carrega as regras de roteamento")
    limit = [("limite:teste", 1, dt.timedelta(hours=1))]
    new = [
        NewManifestation(kind=Kind.RECLAMACAO, channel="fake", description=f"caso {n}")
        for n in range(8)
    ]
    results = await asyncio.gather(
        *(balcao.desk.intake(m, limits=limit if n in (2, 5) else ()) for n, m in enumerate(new)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, RateLimited)]
    receipts = [r for r in results if not isinstance(r, BaseException)]
    assert len(refused) == 1 and len(receipts) == 7
    assert sorted(r.protocol for r in receipts) == [f"2026-{n:06d}" for n in range(2, 9)]
    for receipt in receipts:
        case = await balcao.desk.get(receipt.protocol)
        assert case.description in {m.description for m in new}
