"""Every conversation in transcripts/*.txt, replayed against the fake Graph API (the format
is described in whatsapp_transcript.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whatsapp_transcript import parse, replay

HERE = Path(__file__).parent / "transcripts"
FILES = sorted(HERE.glob("*.txt"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_transcript(path: Path, make_whatsapp: Any) -> None:
    transcript = parse(path)
    # a person types slowly; a burst test sets the real per-person limit itself
    config = {"recipient_messages_per_minute": 1000, "timeout_seconds": 5, **transcript.config}
    wa = await make_whatsapp(**config, core_settings=transcript.settings)
    await replay(wa, transcript)
