"""Files that passed the checks survive an error page: the citizen does not choose them again."""

from __future__ import annotations

import hashlib
import re

from balcao.testing import Balcao

from .conftest import PDF, PNG, Citizen, error_of, hidden, identified

MB = 1024 * 1024


def _stored(app: Balcao, content: bytes) -> bool:
    digest = hashlib.sha256(content).hexdigest()
    return (app.settings.attachments_dir / digest[:2] / digest).is_file()


async def test_accepted_files_are_kept_when_another_is_refused(
    app: Balcao, citizen: Citizen
) -> None:
    files = [("grande.pdf", PDF + b"0" * MB, "application/pdf"), ("foto.png", PNG, "image/png")]
    refused = await citizen.submit(identified(description=""), files)
    assert refused.status_code == 422
    assert "“grande.pdf”" in error_of(refused.text, "attachments")
    assert re.search(r'id="keep-0" checked>\s*<label for="keep-0">foto.png \(1 KB\)', refused.text)
    assert not _stored(app, PNG)  # nothing registered yet
    fixed = identified(description="O restaurante fechou sem aviso.")
    done = await citizen.submit(
        fixed, page=refused.text, kept=hidden(refused.text, "kept"), keep="0"
    )
    assert done.status_code == 200
    assert _stored(app, PNG)


async def test_unticked_kept_file_is_left_out(app: Balcao, citizen: Citizen) -> None:
    refused = await citizen.submit(identified(name=""), [("nota.pdf", PDF, "application/pdf")])
    assert 'for="keep-0">nota.pdf' in refused.text
    done = await citizen.submit(identified(), page=refused.text, kept=hidden(refused.text, "kept"))
    assert done.status_code == 200
    assert not _stored(app, PDF)


async def test_forged_kept_list_is_ignored(app: Balcao, citizen: Citizen) -> None:
    refused = await citizen.submit(identified(name=""), [("nota.pdf", PDF, "application/pdf")])
    token = hidden(refused.text, "kept")
    payload, _, _ = token.partition(".")
    forged = f"{payload}.{'0' * 32}"
    done = await citizen.submit(identified(), page=refused.text, kept=forged, keep="0")
    assert done.status_code == 200
    assert not _stored(app, PDF)


async def test_kept_files_still_count_toward_the_limit(app: Balcao, citizen: Citizen) -> None:
    first = [(f"{n}.pdf", PDF + bytes([n]), "application/pdf") for n in range(3)]
    refused = await citizen.submit(identified(name=""), first)
    assert refused.text.count('name="keep"') == 3
    more = [("3.pdf", PDF + b"3", "application/pdf")]
    again = await citizen.submit(
        identified(),
        more,
        page=refused.text,
        kept=hidden(refused.text, "kept"),
        keep=["0", "1", "2"],  # type: ignore[arg-type]
    )
    assert again.status_code == 422
    assert "no máximo 3 arquivos (foram 4)" in error_of(again.text, "attachments")
    assert again.text.count('name="keep"') == 4  # untick one and send again
