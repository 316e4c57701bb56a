"""Real-world-shaped messages, written out as mail programs write them."""

from __future__ import annotations

import base64
import itertools

OUVIDORIA = "ouvidoria@ufmt.example.br"
DENUNCIA = "denuncia@ufmt.example.br"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
_counter = itertools.count(1)


def _id(domain: str) -> str:
    return f"<CAF{next(_counter):06d}xYz.{domain}@mail.{domain}>"


def _b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def gmail(
    sender: str = "Maria da Silva <maria.silva@gmail.example>",
    subject: str = "Restaurante universitário fechado",
    text: str = "O restaurante universitário fechou às 11h sem aviso.",
    *,
    to: str = OUVIDORIA,
    message_id: str | None = None,
    headers: str = "",
) -> tuple[str, bytes]:
    """Gmail's multipart/alternative, UTF-8 quoted-printable text and an HTML twin."""
    mid = message_id or _id("gmail.example")
    html = '<div dir="ltr">' + text.replace("\n", "<br>") + "</div>"
    raw = f"""MIME-Version: 1.0
Date: Tue, 1 Dec 2026 10:00:00 -0400
Message-ID: {mid}
Subject: =?UTF-8?Q?{_q(subject)}?=
From: {sender}
To: {to}
{headers}Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{_b64(text.encode())}
--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64

{_b64(html.encode())}
--000000000000a1b2c3--
"""
    return mid.strip("<>"), _crlf(raw.replace("\n\n\n", "\n\n"))


def _q(text: str) -> str:
    return "".join(
        c if c.isascii() and c.isalnum() else "".join(f"={b:02X}" for b in c.encode()) for c in text
    )


def outlook_with_files() -> tuple[str, bytes]:
    """Outlook: multipart/mixed around multipart/related (HTML only, an inline image),
    a PDF attachment, a Latin-1 subject in an encoded-word."""
    mid = _id("outlook.example")
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Prezados,</p><p>Segue o comprovante &amp; a foto da fila.</p>"
        '<p><img src="cid:image001.png@01DB"></p></body></html>'
    )
    raw = f"""From: =?iso-8859-1?Q?Jo=E3o_Pereira?= <joao.pereira@outlook.example>
To: "Ouvidoria" <{OUVIDORIA}>
Subject: =?iso-8859-1?Q?Reclama=E7=E3o_sobre_a_matr=EDcula?=
Date: Tue, 1 Dec 2026 14:00:00 +0000
Message-ID: {mid}
Content-Language: pt-BR
X-MS-Has-Attach: yes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_004_mixed_"

--_004_mixed_
Content-Type: multipart/related; boundary="_003_related_"; type="text/html"

--_003_related_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: base64

{_b64(html.encode("latin-1"))}
--_003_related_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"
Content-ID: <image001.png@01DB>
Content-Transfer-Encoding: base64

{_b64(PNG)}
--_003_related_--

--_004_mixed_
Content-Type: application/pdf; name="comprovante.pdf"
Content-Disposition: attachment; filename="comprovante.pdf"
Content-Transfer-Encoding: base64

{_b64(PDF)}
--_004_mixed_--
"""
    return mid.strip("<>"), _crlf(raw)


def latin1() -> tuple[str, bytes]:
    """A plain Latin-1 body in 8 bits, as older clients send."""
    mid = _id("bol.example")
    head = f"""From: Ana <ana@bol.example>
To: {OUVIDORIA}
Subject: =?utf-8?B?{base64.b64encode("Elogio à biblioteca".encode()).decode()}?=
Message-ID: {mid}
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit

"""
    body = "Atendimento excelente na biblioteca, parabéns à equipe da seção de periódicos.\n"
    return mid.strip("<>"), _crlf(head) + body.encode("latin-1").replace(b"\n", b"\r\n")


def forwarded() -> tuple[str, bytes]:
    mid = _id("gmail.example")
    text = (
        "Encaminho a mensagem que recebi da coordenação, que não respondeu.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Coordenação <coord@ufmt.example.br>\n"
        "Date: seg., 30 de nov. de 2026 às 09:12\n"
        "Subject: Matrícula\n"
        "To: <carla@gmail.example>\n\n"
        "Sua matrícula foi indeferida por falta de documentos.\n"
    )
    return gmail("Carla <carla@gmail.example>", "Fwd: Matrícula", text, message_id=mid)


def auto_reply(to_message_id: str) -> tuple[str, bytes]:
    mid = _id("outlook.example")
    raw = f"""From: Maria da Silva <maria.silva@gmail.example>
To: {OUVIDORIA}
Subject: =?utf-8?Q?Resposta_autom=C3=A1tica:_[Protocolo_2026-000001]?=
Message-ID: {mid}
In-Reply-To: <{to_message_id}>
Auto-Submitted: auto-replied
X-Autoreply: yes
Content-Type: text/plain; charset=utf-8

Estou em férias até 10/01.
"""
    return mid.strip("<>"), _crlf(raw)


def bounce(original_message_id: str, recipient: str) -> tuple[str, bytes]:
    """A DSN (RFC 3464) from the ouvidoria's own server: our message could not be delivered."""
    mid = _id("ufmt.example.br")
    raw = f"""From: Mail Delivery System <MAILER-DAEMON@mail.ufmt.example.br>
To: {OUVIDORIA}
Subject: Undelivered Mail Returned to Sender
Message-ID: {mid}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN.b0und"

--DSN.b0und
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.ufmt.example.br.
I'm sorry to have to inform you that your message could not be delivered.

--DSN.b0und
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.ufmt.example.br

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown

--DSN.b0und
Content-Type: text/rfc822-headers

From: Ouvidoria <{OUVIDORIA}>
To: {recipient}
Subject: [Protocolo 2026-000001] Resposta da Ouvidoria
Message-ID: <{original_message_id}>

--DSN.b0und--
"""
    return mid.strip("<>"), _crlf(raw)


def big_attachment(megabytes: float = 10.5) -> tuple[str, bytes]:
    mid = _id("gmail.example")
    blob = PDF + b"0" * int(megabytes * 1024 * 1024)
    raw = f"""From: Pedro <pedro@gmail.example>
To: {OUVIDORIA}
Subject: Documentos do processo
Message-ID: {mid}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="zzz"

--zzz
Content-Type: text/plain; charset=utf-8

Seguem os documentos do processo de revalidação.
--zzz
Content-Type: application/pdf; name="processo.pdf"
Content-Disposition: attachment; filename="processo.pdf"
Content-Transfer-Encoding: base64

{_b64(blob)}
--zzz--
"""
    return mid.strip("<>"), _crlf(raw)


def no_text() -> tuple[str, bytes]:
    mid = _id("gmail.example")
    raw = f"""From: Lucas <lucas@gmail.example>
To: {OUVIDORIA}
Subject:
Message-ID: {mid}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="nnn"

--nnn
Content-Type: application/pdf; name="boleto.pdf"
Content-Disposition: attachment; filename="boleto.pdf"
Content-Transfer-Encoding: base64

{_b64(PDF)}
--nnn--
"""
    return mid.strip("<>"), _crlf(raw)


def reply(
    to_message_id: str,
    sender: str = "Maria da Silva <maria.silva@gmail.example>",
    subject: str = "Re: [Protocolo 2026-000001] Resposta da Ouvidoria",
    text: str = "Obrigada. Aconteceu de novo hoje, às 11h15.",
    *,
    references: bool = True,
) -> tuple[str, bytes]:
    """A citizen's reply as Gmail writes it: new text above the quoted answer."""
    quoted = (
        f"{text}\n\nEm ter., 1 de dez. de 2026 às 10:00, Ouvidoria <{OUVIDORIA}> escreveu:\n"
        "> Prezada, o restaurante abrirá até as 13h.\n> Ouvidoria\n"
    )
    thread = (
        f"In-Reply-To: <{to_message_id}>\nReferences: <{to_message_id}>\n" if references else ""
    )
    return gmail(
        sender, subject, quoted + "\n--\nMaria da Silva\nEstudante de Física\n", headers=thread
    )
