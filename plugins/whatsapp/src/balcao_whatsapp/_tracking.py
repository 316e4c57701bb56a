"""Tracking in the chat: the number's own cases without a code, any other with protocol and
access code, under the same hourly limit as the web tracking."""

from __future__ import annotations

from balcao import Manifestation, PluginDesk, Purpose, RateLimited
from balcao_whatsapp import _flow as flow
from balcao_whatsapp import _wording as wording
from balcao_whatsapp._store import address_hash
from balcao_whatsapp._texts import Catalogue

__all__ = ["Tracking"]

CHANNEL = "whatsapp"


class Tracking:
    def __init__(self, desk: PluginDesk, texts: Catalogue) -> None:
        self.desk = desk
        self.texts = texts

    async def own_cases(self, address: str) -> str | None:
        """The list of the cases this number registered, or None."""
        cases = await self.desk.cases_by_address(CHANNEL, address)
        if not cases:
            return None
        lines = [await self._line("track_line", case) for case in cases]
        return self.texts.say("track_own", cases="\n".join(lines))

    async def answer(self, address: str, text: str) -> str | None:
        """What to answer a message naming a protocol; None when a code is still needed."""
        found = flow.protocol_in(text)
        if found is None:
            return None
        protocol, code = found
        own = {c.protocol: c for c in await self.desk.cases_by_address(CHANNEL, address)}
        if protocol in own:
            return await self._line("track_case", own[protocol])
        if code is None:
            return None
        client = "whatsapp:" + address_hash(self.desk, address)
        try:
            case = await self.desk.track(protocol, code, client)
        except RateLimited:
            return self.texts.say("track_limited")
        if case is None:
            return self.texts.say("track_wrong")
        return await self._line("track_case", case)

    async def _line(self, key: str, case: Manifestation) -> str:
        due = ""
        if case.state.is_open:
            deadlines = await self.desk.deadlines(case.protocol)
            response = [d for d in deadlines if d.purpose == Purpose.RESPONSE]
            if response:
                due = self.texts.say("track_due", due=wording.day_text(response[0].due_on))
        return self.texts.say(
            key,
            protocol=case.protocol,
            kind=case.kind.label,
            state=case.state.label.lower(),
            due=due,
        )
