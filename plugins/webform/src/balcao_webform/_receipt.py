"""The receipt after a submission, in post/redirect/get: the POST answers with a redirect and
an encrypted cookie holding the receipt for a few minutes; the receipt page reads it. A reload
shows the code again, in the same browser only, and the server never keeps the code."""

from __future__ import annotations

import datetime as dt
import functools
import string
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect

from balcao import PluginDesk, Receipt

__all__ = ["COOKIE", "PATH", "ReceiptCard", "read_card", "redirect_with"]

COOKIE = "balcao_webform_recibo"
PATH = "/channels/webform/recibo"
LIFETIME = dt.timedelta(minutes=15)


_PURPOSE = "webform.receipt"
# what a cookie value may hold unquoted (as the standard library's cookies module has it)
_PLAIN = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:")


class ReceiptCard(msgspec.Struct, frozen=True):
    """What the receipt page shows."""

    protocol: str
    access_code: str | None
    anonymous: bool
    kind_label: str
    email: str
    until: float
    registered_at: dt.datetime | None = None
    deadline_text: str = ""


def redirect_with(desk: PluginDesk, receipt: Receipt, **shown: Any) -> Redirect:
    """303 to the receipt page, carrying the receipt in a short-lived encrypted cookie."""
    until = (desk.now() + LIFETIME).timestamp()
    card = ReceiptCard(
        receipt.protocol, receipt.access_code, until=until, registered_at=desk.now(), **shown
    )
    sealed = desk.sealer(_PURPOSE).seal_detached(msgspec.json.encode(card))
    # a sealed token is base64 after its prefix: quoted when it holds "/" or "=", the way a
    # cookie library would write it (and Litestar reads it back)
    value = sealed if _PLAIN.issuperset(sealed) else f'"{sealed}"'
    cookie = f"{COOKIE}={value}{_cookie_tail(desk.settings.public_url.startswith('https'))}"
    headers = {"cache-control": "no-store", "set-cookie": cookie}
    return Redirect(PATH, status_code=303, headers=headers)


@functools.cache
def _cookie_tail(secure: bool) -> str:
    """The cookie's attributes, formatted once (formatting a cookie on each submission cost
    more than sealing it): what follows ``name=value``."""
    model = Cookie(
        key=COOKIE,
        value="0",
        max_age=int(LIFETIME.total_seconds()),
        path=PATH,
        httponly=True,
        secure=secure,
        samesite="strict",
    )
    return model.to_header(header="")[len(COOKIE) + 2 :]


def read_card(desk: PluginDesk, request: Request[Any, Any, Any]) -> ReceiptCard | None:
    """The receipt in this browser's cookie, while it lasts; None otherwise."""
    sealed = request.cookies.get(COOKIE)
    if not sealed:
        return None
    try:
        card = msgspec.json.decode(desk.sealer(_PURPOSE).open_detached(sealed), type=ReceiptCard)
    except Exception:  # forged, corrupted, or sealed with a key no longer held
        return None
    return card if card.until > desk.now().timestamp() else None
