"""The plugin's configuration: ``[plugins.falabr_export]`` in ``balcao.toml``."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["ENCODINGS", "PRODUCTION_URL", "TRAINING_URL", "FalabrConfig", "Format"]

PRODUCTION_URL = "https://falabr.cgu.gov.br"
TRAINING_URL = "https://treinafalabr.cgu.gov.br"
# the text encodings the export writes (an open-data CSV is often wanted in Latin-1)
ENCODINGS = {"utf-8": "utf-8", "latin-1": "latin-1"}
Format = Literal["csv", "json"]
_SECRETS = frozenset({"client_secret", "password"})


class FalabrConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Me-OUV access and the data the reports need about the órgão.

    ``client_secret`` and ``password`` never appear in ``repr`` (and so never in logs).
    """

    base_url: str = PRODUCTION_URL
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""
    ouvidoria_id: int | None = None
    entry_channel_id: int | None = None
    citizen_form_url: str = (
        "https://falabr.cgu.gov.br/publico/Manifestacao/SelecionarTipoManifestacao.aspx"
    )
    timeout_seconds: float = 30.0
    poll_every_minutes: int = 360
    retry_max_attempts: int = 8
    orgao_name: str = ""
    orgao_city: str = ""
    orgao_state: str = ""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"base_url deve começar com https:// (recebido {self.base_url!r})")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds deve ser maior que zero")
        if self.poll_every_minutes < 1:
            raise ValueError("poll_every_minutes deve ser pelo menos 1")

    def __repr__(self) -> str:
        shown = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            shown.append(f"{name}={'***' if name in _SECRETS and value else value!r}")
        return f"FalabrConfig({', '.join(shown)})"

    @property
    def api_ready(self) -> bool:
        """Whether the WebService credentials are all set."""
        return all((self.client_id, self.client_secret, self.username, self.password))

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/")
