"""The plugin's configuration: ``[plugins.whatsapp]`` in balcao.toml."""

from __future__ import annotations

import msgspec

from balcao_whatsapp._texts import check_overrides

__all__ = ["WhatsAppConfig", "international_digits"]

_BRAZIL = "55"
# a Brazilian number without the country code: area code (2 digits) and 8 or 9 digits
_NATIONAL_LENGTHS = (10, 11)


class WhatsAppConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of the WhatsApp Business Cloud API channel.

    Attributes:
        app_secret: the Meta app secret; signs every webhook POST (``X-Hub-Signature-256``).
        verify_token: the token typed in Meta's webhook settings for the GET handshake.
        access_token: the system-user token used to send messages and download media.
        phone_number_id: the business phone number id messages are sent from.
        graph_url: base URL of the Graph API (Meta's by default).
        api_version: Graph API version path segment, e.g. ``v25.0``.
        reply_template: approved template used outside the 24-hour window (empty: none).
        reply_template_language: language code of that template, e.g. ``pt_BR``.
        survey_template: approved template that asks the satisfaction survey outside the
            24-hour window (empty: the survey is asked there only inside the window).
        timeout_seconds: timeout of each Graph API request.
        max_media_mb: biggest inbound media file downloaded.
        messages_per_second: throughput limit of the business number.
        recipient_messages_per_minute: messages to one person per minute.
        interactive_menu: send the menu as an interactive list (else plain text).
        pause_seconds: how long deliveries pause after an invalid token (code 190).
        display_number: the public number as people write it, shown on the home page card,
            e.g. ``(65) 3313-7210``; without a ``+`` and country code it is a Brazilian
            number (the ``wa.me`` link gets 55 in front). Empty: no card.
        privacy_url: the privacy notice linked in the greeting (default: the web form's).
        burst_seconds: a prompt is not repeated within this time (a burst gets one answer).
        pause_minutes: a description left this long without "pronto" is registered.
        texts: the ouvidoria's wording, by catalogue key (see the plugin's documentation).
    """

    app_secret: str = ""
    verify_token: str = ""
    access_token: str = ""
    phone_number_id: str = ""
    graph_url: str = "https://graph.facebook.com"
    api_version: str = "v25.0"
    reply_template: str = ""
    reply_template_language: str = "pt_BR"
    survey_template: str = ""
    timeout_seconds: float = 10.0
    max_media_mb: int = 16
    messages_per_second: int = 80
    recipient_messages_per_minute: int = 10
    interactive_menu: bool = True
    pause_seconds: float = 300.0
    display_number: str = ""
    privacy_url: str = ""
    burst_seconds: float = 60.0
    pause_minutes: int = 10
    texts: dict[str, str] = {}

    def __post_init__(self) -> None:
        if not self.graph_url.startswith(("http://", "https://")):
            raise ValueError("graph_url deve começar com http:// ou https://")
        if self.timeout_seconds <= 0 or self.max_media_mb <= 0:
            raise ValueError("timeout_seconds and max_media_mb must be positive")
        if self.messages_per_second <= 0 or self.recipient_messages_per_minute <= 0:
            raise ValueError("rate limits must be positive")
        if self.burst_seconds < 0 or self.pause_minutes <= 0:
            raise ValueError("burst_seconds must not be negative, pause_minutes must be positive")
        check_overrides(self.texts)

    @property
    def base_url(self) -> str:
        return f"{self.graph_url.rstrip('/')}/{self.api_version.strip('/')}"

    @property
    def chat_url(self) -> str | None:
        """The ``wa.me`` link to the public number (international form), None without one."""
        digits = international_digits(self.display_number)
        return f"https://wa.me/{digits}" if digits else None

    @property
    def configured(self) -> bool:
        return bool(self.app_secret and self.access_token and self.phone_number_id)


def international_digits(number: str) -> str:
    """The digits of ``number`` in international form (country code first, no ``+``), as
    ``wa.me`` wants them. "(65) 3313-7210" is a Brazilian number written the national way:
    it becomes "556533137210"; "+55 65 3313-7210" and "+351 21 000 0000" keep their code."""
    digits = "".join(c for c in number if c.isdigit())
    if number.strip().startswith("+"):
        return digits
    national = digits.lstrip("0")  # a trunk prefix ("0 65 ...") is not part of the number
    return _BRAZIL + national if len(national) in _NATIONAL_LENGTHS else digits
