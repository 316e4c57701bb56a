"""The survey example of docs/hooks.md, run as a plugin: asked through its own channel on
conclusion, the citizen's reply stored."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

from balcao import Attended
from balcao.testing import RecordingChannel

from .common import concluded

HOOKS = Path(__file__).parents[3] / "docs" / "hooks.md"


def example_plugin() -> types.ModuleType:
    text = HOOKS.read_text()
    section = text[text.index("#### The satisfaction survey") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code
    module = types.ModuleType("survey_example")
    exec(compile(code.group(1), str(HOOKS), "exec"), module.__dict__)  # noqa: S102 - our own docs
    return module


async def test_hook_example_asks_through_its_channel_and_stores_the_reply(make_balcao: Any) -> None:
    sms = RecordingChannel(name="sms")
    example = example_plugin()
    app = await make_balcao(plugins=[("sms", sms), ("example", example)])
    receipt = await concluded(app, channel="sms", channel_address="+5565999990000")
    await app.run_worker(2)
    asked = [m for m in sms.sent if m.kind == "survey"]
    assert [m.protocol for m in asked] == [receipt.protocol]
    assert "Sua demanda foi atendida?" in asked[0].text
    assert "Não entendi" in await example.on_survey_reply(app.desk, receipt.protocol, ["talvez"])
    reply = await example.on_survey_reply(app.desk, receipt.protocol, ["parcialmente", "4"])
    assert reply == "Obrigado pela resposta!"
    view = await app.desk.survey(receipt.protocol)
    assert (view.attended, view.rating, view.channel) == (Attended.PARTLY, 4, "sms")
