"""Attachments: stored outside the database rows, content-addressed by sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype  # type: ignore[import-untyped]

from balcao._domain.text import visible

__all__ = ["DEFAULT_TYPES", "AttachmentRejected", "FileStore", "safe_filename", "sniff"]

DEFAULT_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "text/plain",
        "audio/mpeg",
        "audio/ogg",
        "video/mp4",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "image/webp",
    }
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class AttachmentRejected(ValueError):
    """A file refused, with a reason a citizen can act on."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


def safe_filename(name: str) -> str:
    """A name safe to store and show: no path, no control characters, bounded length."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = visible(re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", base)).strip(" .")
    return (base or "arquivo")[:150]


def sniff(content: bytes) -> str | None:
    """The type the bytes really are; the declared type is not trusted."""
    kind = filetype.guess(content)
    if kind is not None:
        return str(kind.mime)
    if content.startswith(_OLE):
        return "application/msword"
    return "text/plain" if _is_text(content) else None


def _is_text(content: bytes) -> bool:
    sample = content[:4096]
    if b"\x00" in sample or re.search(rb"<\s*(html|svg|script|!doctype)", sample, re.I):
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4  # a character cut at the sample's end
    return True


@dataclass(frozen=True)
class FileStore:
    """Files on disk under ``root/ab/abcdef...``; writes are atomic."""

    root: Path

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        # Only the balcão's own user may list or read citizens' files (mkstemp makes 0600).
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
