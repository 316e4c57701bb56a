"""``balcao keys reseal``: every registered sealed column and lookup hash moved to the
current key (and to the current format), row by row."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._keys import UnreadableSecret
from balcao._sealing import LookupColumn, Row, SealedColumn, SealRegistry, is_sealed

__all__ = ["ResealReport", "reseal_all", "sealed_value", "stored_plaintext"]

_TYPES: dict[str, Any] = {"text": sa.Text, "bytes": sa.LargeBinary, "json": sa.JSON}


@dataclass
class ResealReport:
    changed: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def stored_plaintext(
    registry: SealRegistry, column: SealedColumn, value: Any, row: Row
) -> bytes | None:
    """The plaintext behind a stored value of ``column`` (None when empty or purged);
    bytes and JSON columns written before sealing hold their plaintext as is."""
    if value is None or value in (b"", "", {}):
        return None
    sealer = registry.sealer(column.purpose)
    if column.form == "json":
        if isinstance(value, dict) and set(value) == {"sealed"}:
            return sealer.open(value["sealed"], row)
        return json.dumps(value).encode()
    if column.form == "bytes" and not is_sealed(value):
        return bytes(value)
    return sealer.open(value, row)


def sealed_value(registry: SealRegistry, column: SealedColumn, plaintext: bytes, row: Row) -> Any:
    """What the column stores for ``plaintext`` sealed for ``row``."""
    token = registry.sealer(column.purpose).seal(plaintext, row)
    if column.form == "json":
        return {"sealed": token}
    return token.encode() if column.form == "bytes" else token


def _current(registry: SealRegistry, column: SealedColumn, value: Any) -> bool:
    if value is None or value in (b"", "", {}):
        return True
    token = value.get("sealed") if isinstance(value, dict) else value
    return token is not None and registry.sealer(column.purpose).is_current(token)


async def reseal_all(session: AsyncSession, registry: SealRegistry) -> ResealReport:
    """Re-encrypt every registered column and re-key every lookup hash; rows already
    current are left alone."""
    report = ResealReport()
    for name, (columns, lookups) in sorted(registry.tables().items()):
        if columns:
            report.changed[name] = await _table(session, registry, name, columns, lookups, report)
    return report


async def _table(
    session: AsyncSession,
    registry: SealRegistry,
    name: str,
    columns: list[SealedColumn],
    lookups: list[LookupColumn],
    report: ResealReport,
) -> int:
    row_id = columns[0].row_id
    cols = [sa.column(c, sa.Text) for c in row_id if c not in {lk.column for lk in lookups}]
    cols += [sa.column(c.column, _TYPES[c.form]) for c in columns]
    cols += [sa.column(lk.column, sa.Text) for lk in lookups]
    table = sa.table(name, *cols)
    rows = (await session.execute(sa.select(*table.c))).mappings().all()
    changed = 0
    for row in rows:
        try:
            values = _resealed(registry, columns, lookups, dict(row))
        except UnreadableSecret as exc:
            report.unreadable.append(f"{name} {[row[c] for c in row_id]}: {exc}")
            continue
        if values:
            where = [table.c[c] == row[c] for c in row_id]
            await session.execute(sa.update(table).where(*where).values(**values))
            changed += 1
    return changed


def _resealed(
    registry: SealRegistry,
    columns: list[SealedColumn],
    lookups: list[LookupColumn],
    row: dict[str, Any],
) -> dict[str, Any]:
    """The new values of ``row``'s sealed and lookup columns; empty when all are current."""
    old_id = tuple(row[c] for c in columns[0].row_id)
    plains = {c.purpose: stored_plaintext(registry, c, row[c.column], old_id) for c in columns}
    hashes = _rekeyed(registry, lookups, plains)
    stale = {k: v for k, v in hashes.items() if v != row[k]}
    if not stale and all(_current(registry, c, row[c.column]) for c in columns):
        return {}
    new_id = tuple(hashes.get(c, row[c]) for c in columns[0].row_id)
    values: dict[str, Any] = dict(stale)
    for column in columns:
        plain = plains[column.purpose]
        if plain is not None:
            values[column.column] = sealed_value(registry, column, plain, new_id)
    return values


def _rekeyed(
    registry: SealRegistry, lookups: list[LookupColumn], plains: dict[str, bytes | None]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for lookup in lookups:
        plain = plains.get(lookup.source)
        text = lookup.derive(plain) if plain is not None else None
        if text is not None:
            found[lookup.column] = registry.sealer(lookup.purpose).digest(text)
    return found
