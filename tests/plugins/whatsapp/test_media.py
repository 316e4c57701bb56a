"""Inbound media: every type downloaded with the token, checked and stored; failures keep
the message and the file is fetched again later."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text
from whatsapp_payloads import WhatsApp

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x01" * 200
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead" + b"\x02" * 200
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x03" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x04" * 200


async def registered(wa: WhatsApp) -> str:
    await wa.send(wa.text("Oi"), wa.text("1"), wa.text("Goteira na sala 12."), wa.text("pronto"))
    found = re.search(r"Protocolo: (\S+)", wa.texts_sent()[-1])
    assert found
    return found.group(1)


async def stored_files(wa: WhatsApp) -> dict[str, tuple[str, str]]:
    """sha256 -> (media type, state) of the attachments the core stored."""
    async with wa.desk.database.read() as session:
        rows = await session.execute(text("SELECT sha256, media_type, state FROM attachments"))
        return {r[0]: (r[1], r[2]) for r in rows}


@pytest.mark.parametrize(
    ("kind", "content", "mime", "fields", "label"),
    [
        ("image", JPEG, "image/jpeg", {"caption": "A goteira"}, "[Imagem] A goteira"),
        ("audio", OGG, "audio/ogg; codecs=opus", {"voice": True}, "[Mensagem de voz]"),
        ("video", MP4, "video/mp4", {"caption": "Vídeo"}, "[Vídeo] Vídeo"),
        ("document", PDF, "application/pdf", {"filename": "laudo.pdf"}, "[Documento]"),
        ("sticker", WEBP, "image/webp", {"animated": False}, "[Figurinha]"),
    ],
)
async def test_every_media_type_is_stored_as_an_attachment(
    wa: WhatsApp, kind: str, content: bytes, mime: str, fields: dict, label: str
) -> None:
    protocol = await registered(wa)
    await wa.send(wa.media(kind, f"media-{kind}", content, mime, **fields))
    files = await stored_files(wa)
    assert files[hashlib.sha256(content).hexdigest()][1] == "stored"
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert texts[-1] == label
    assert wa.graph.downloads_without_token == 0


async def test_media_sent_during_the_menu_goes_with_the_new_manifestation(wa: WhatsApp) -> None:
    await wa.send(wa.media("image", "m-first", JPEG, "image/jpeg", caption="Olhem isso"))
    await wa.send(wa.text("1"), wa.text("Lixo acumulado atrás do RU."), wa.text("pronto"))
    protocol = re.search(r"Protocolo: (\S+)", wa.texts_sent()[-1]).group(1)  # type: ignore[union-attr]
    found = await wa.desk.get(protocol)
    assert "Olhem isso" in found.description
    assert hashlib.sha256(JPEG).hexdigest() in await stored_files(wa)


async def test_download_404_keeps_the_message_and_retries_later(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.media_failures["m-404"] = [404]
    await wa.send(wa.media("image", "m-404", JPEG, "image/jpeg", caption="Foto"))
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert "anexo pendente" in texts[-1]
    assert hashlib.sha256(JPEG).hexdigest() not in await stored_files(wa)
    wa.b.clock.advance(minutes=2)
    await wa.b.run_worker(2)
    assert await stored_files(wa) == {hashlib.sha256(JPEG).hexdigest(): ("image/jpeg", "stored")}
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert texts[-1] == "[Imagem] anexo recebido após nova tentativa"


async def test_media_info_errors_are_retried_until_the_id_expires(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.info_failures["m-503"] = [503] * 100
    await wa.send(wa.media("document", "m-503", PDF, "application/pdf", filename="a.pdf"))
    for _ in range(12):
        wa.b.clock.advance(hours=16)
        await wa.b.run_worker(2)
    notes = [m["text"] for m in await wa.messages(protocol, "internal")]
    assert any("Não foi possível baixar um anexo" in n for n in notes)
    assert await stored_files(wa) == {}


async def test_a_checksum_mismatch_is_not_stored(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    message = wa.media("image", "m-bad", JPEG, "image/jpeg")
    message["image"]["sha256"] = "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="
    await wa.send(message)
    assert await stored_files(wa) == {}
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert "anexo pendente" in texts[-1]


async def test_a_file_over_the_limit_is_refused_without_download(make_whatsapp) -> None:
    wa = await make_whatsapp(max_media_mb=1)
    protocol = await registered(wa)
    message = wa.media("video", "m-big", MP4, "video/mp4")
    wa.graph.declared_sizes["m-big"] = str(200 * 1024 * 1024)
    await wa.send(message)
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert "anexo não recebido: arquivo maior que 1 MB" in texts[-1]
    assert await stored_files(wa) == {}


async def test_a_type_the_balcao_does_not_accept_is_noted(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    await wa.send(
        wa.media(
            "document",
            "m-exe",
            b"MZ\x90\x00" + b"\x00" * 200,
            "application/pdf",
            filename="nota.pdf",
        )
    )
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert "anexo recusado" in texts[-1]


async def test_an_expired_token_leaves_the_media_pending_until_it_works(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.token = "renovado-na-meta"
    await wa.send(wa.media("audio", "m-401", OGG, "audio/ogg; codecs=opus", voice=False))
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert texts[-1] == "[Áudio]\n(anexo pendente: nova tentativa de download em breve)"
    wa.graph.token = "token-de-teste"
    wa.b.clock.advance(minutes=2)
    await wa.b.run_worker(2)
    assert hashlib.sha256(OGG).hexdigest() in await stored_files(wa)
