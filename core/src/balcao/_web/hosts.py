"""Allowed hosts: the Host header's name is checked with or without its port, so a load
balancer's health check on ``127.0.0.1:8000`` passes ``allowed_hosts = ["127.0.0.1"]``."""

from __future__ import annotations

from litestar.types import Scope

__all__ = ["REFUSED", "AllowedHosts", "host_name"]

REFUSED = b'{"status_code":400,"detail":"cabe\xc3\xa7alho Host n\xc3\xa3o permitido"}'


def host_name(header: str) -> str:
    """``example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class AllowedHosts:
    """The configured names, normalised once; ``*`` in the list allows every host."""

    def __init__(self, allowed: list[str]) -> None:
        self.every = "*" in allowed
        names = [host_name(a) for a in allowed]
        self.exact = frozenset(n for n in names if not n.startswith("*."))
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))

    def allow(self, scope: Scope) -> bool:
        if self.every:
            return True
        header = next((v for k, v in scope["headers"] if k.lower() == b"host"), b"")
        name = host_name(header.decode("latin-1"))
        return bool(name) and (name in self.exact or name.endswith(self.suffixes))
