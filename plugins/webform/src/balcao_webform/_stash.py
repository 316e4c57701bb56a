"""Files that passed the checks on a submission refused for another reason: kept on the
server, so the citizen does not choose them again. The form carries a signed list of them;
kept files older than the form's maximum age are swept away."""

from __future__ import annotations

import base64
import contextlib
import hmac
import secrets
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from balcao import IncomingFile, PluginDesk

__all__ = ["Kept", "discard", "keep", "kept", "restore"]

_FOLDER = "webform-pending"


class Kept(msgspec.Struct, frozen=True, array_like=True):
    """One kept file: its name, where it is, its size and the type it was declared as."""

    name: str
    key: str
    size: int
    declared: str | None = None

    @property
    def size_text(self) -> str:
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / (1024 * 1024):.1f} MB".replace(".", ",")


def _folder(desk: PluginDesk) -> Path:
    return Path(desk.settings.attachments_dir) / _FOLDER


def _sign(desk: PluginDesk, payload: str) -> str:
    return desk.sealer("webform.kept").sign(payload.encode())[:32]


def keep(
    desk: PluginDesk, files: Sequence[IncomingFile], max_age_hours: int
) -> tuple[str, list[Kept]]:
    """Store ``files``; the signed list to put in the form ("" for none) and its items."""
    if not files:
        return "", []
    folder = _folder(desk)
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder, max_age_hours)
    items = []
    for incoming in files:
        key = secrets.token_urlsafe(18)
        (folder / key).write_bytes(incoming.content)
        items.append(Kept(incoming.filename, key, len(incoming.content), incoming.declared_type))
    payload = base64.urlsafe_b64encode(msgspec.json.encode(items)).decode()
    return f"{payload}.{_sign(desk, payload)}", items


def kept(desk: PluginDesk, token: str) -> list[Kept]:
    """The files a signed list names; [] when it is absent or was tampered with."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(desk, payload)):
        return []
    try:
        return msgspec.json.decode(base64.urlsafe_b64decode(payload), type=list[Kept])
    except (ValueError, msgspec.DecodeError):
        return []


def restore(desk: PluginDesk, items: Iterable[Kept]) -> list[IncomingFile]:
    """The kept files still on the server, ready to submit again."""
    found = []
    for item in items:
        path = _folder(desk) / item.key
        if path.is_file():
            content = path.read_bytes()
            found.append(
                IncomingFile(filename=item.name, content=content, declared_type=item.declared)
            )
    return found


def discard(desk: PluginDesk, items: Iterable[Kept]) -> None:
    """Remove kept files once they were registered (or kept again under new keys)."""
    for item in items:
        with contextlib.suppress(FileNotFoundError):
            (_folder(desk) / item.key).unlink()


def _sweep(folder: Path, max_age_hours: int) -> None:
    oldest = time.time() - max_age_hours * 3600
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < oldest:
                path.unlink()
