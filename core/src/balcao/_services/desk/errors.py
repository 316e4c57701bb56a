"""The desk's errors, public as ``balcao.RateLimited`` and the others."""

from __future__ import annotations

__all__ = ["DuplicateMessage", "RateLimited", "TransitionConflict", "TransitionRefused"]


class RateLimited(Exception):
    """A counter given to :meth:`Desk.intake` in ``limits`` was exceeded; ``key`` names it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"limite de envios excedido: {key}")
        self.key = key


class TransitionRefused(ValueError):
    """A plugin vetoed a transition; the message names the plugin and its reason."""


class TransitionConflict(TransitionRefused):
    """The case changed while the plugins' vetoes were asked (another person moved it):
    nothing was recorded; load the case again and decide anew."""

    def __init__(self, protocol: str, expected: str, found: str) -> None:
        super().__init__(
            f"a manifestação {protocol} mudou de situação ({expected} → {found}) enquanto a"
            " transição era verificada; recarregue e tente de novo"
        )
        self.protocol = protocol


class DuplicateMessage(Exception):
    """``intake`` was given an ``external_id`` already recorded on that channel: the message
    was registered before (a redelivery), as the manifestation ``protocol``. Nothing new was
    registered; a channel acknowledges the redelivery and moves on.

    Example::

        try:
            receipt = await desk.intake(new)
        except DuplicateMessage as duplicate:
            log.info("já registrada como %s", duplicate.protocol)
    """

    def __init__(self, channel: str, external_id: str, protocol: str | None) -> None:
        super().__init__(
            f"mensagem {external_id} do canal {channel} já registrada"
            + (f" na manifestação {protocol}" if protocol else "")
        )
        self.channel, self.external_id, self.protocol = channel, external_id, protocol
