"""The core's sealed columns: identities, TOTP secrets, outbox payloads, raw inbound events."""

from __future__ import annotations

from balcao._sealing import LookupColumn, SealedColumn
from balcao._services.identity import ADDRESS, IDENTITY

__all__ = ["CORE_COLUMNS", "INBOUND", "OUTBOX", "TOTP"]

TOTP = SealedColumn("core.totp", "staff_logins", "totp_sealed", ("user_id",))
# The outbox row's whole payload: a confirmation carries the citizen's access code.
OUTBOX = SealedColumn("core.outbox", "outbox", "payload", ("idempotency_key",), form="json")
# What a channel stored before acknowledging, until the retention purge empties it.
INBOUND = SealedColumn(
    "core.inbound", "inbound_events", "body", ("channel", "external_id"), form="bytes"
)
CORE_COLUMNS: tuple[SealedColumn | LookupColumn, ...] = (IDENTITY, ADDRESS, TOTP, OUTBOX, INBOUND)
