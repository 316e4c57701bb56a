"""Every core table on ``Base.metadata``: what ``balcao.Base`` loads, since a plugin may read
the core's tables from it (``Base.metadata.tables["manifestations"]``)."""

from __future__ import annotations

from balcao._db import models, public_service
from balcao._db.types import Base
from balcao._delivery import outcome

__all__ = ["Base"]

_DEFINING = (models, public_service, outcome)
