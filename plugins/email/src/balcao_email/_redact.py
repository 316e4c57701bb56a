"""Mail server texts shown on the timeline without the addresses they quote: staff who may
not see a denunciante's identity read delivery errors too."""

from __future__ import annotations

import re

__all__ = ["without_addresses"]

_ADDRESS = re.compile(r"<?[\w.+'-]+@[\w-]+(\.[\w-]+)+>?")


def without_addresses(text: str) -> str:
    return _ADDRESS.sub("<endereço>", text)
