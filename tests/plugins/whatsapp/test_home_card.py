"""The home page's WhatsApp card: the number people read, a link that opens a chat with that
number (international form), and no card when no number is configured."""

from __future__ import annotations

import re
from typing import Any

import pytest

from balcao_whatsapp import international_digits


def _card(page: str) -> str:
    found = re.search(r'<li class="cartao">\s*<h3>WhatsApp</h3>.*?</li>', page, re.S)
    return found.group(0) if found else ""


async def test_the_card_shows_the_number_and_links_to_it_with_brazil_s_code(
    make_whatsapp: Any,
) -> None:
    wa = await make_whatsapp(display_number="(65) 3313-7210")
    card = _card((await wa.b.client.get("/")).text)
    assert "(65) 3313-7210" in card
    assert 'href="https://wa.me/556533137210"' in card


async def test_without_a_number_the_home_page_offers_no_whatsapp_card(
    make_whatsapp: Any,
) -> None:
    wa = await make_whatsapp(display_number="")
    page = (await wa.b.client.get("/")).text
    assert _card(page) == ""
    assert "wa.me" not in page and "Abrir conversa" not in page


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("(65) 3313-7210", "556533137210"),
        ("65 99999-0000", "5565999990000"),
        ("0 65 3313-7210", "556533137210"),
        ("+55 65 3313-7210", "556533137210"),
        ("55 65 3313-7210", "556533137210"),
        ("+351 21 000 0000", "351210000000"),
        ("", ""),
    ],
)
def test_a_number_is_put_in_international_form(written: str, digits: str) -> None:
    assert international_digits(written) == digits
