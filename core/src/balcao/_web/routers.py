"""Routers made for one app and mounted once."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.exceptions import ImproperlyConfiguredException

__all__ = ["AppRouter"]


class AppRouter(Router):
    """A router that one app mounts as it is.

    Litestar deep-copies every router it mounts, so that one instance may be mounted in two
    places; the copy (every handler, its options, guards and dependencies) was a tenth of
    building the app. Ours are built afresh for each app, so the copy buys nothing; mounting
    one twice is a mistake, refused at start."""

    def __deepcopy__(self, memo: dict[int, Any]) -> AppRouter:
        if self.owner is not None:
            raise ImproperlyConfiguredException(f"router {self.path!r} is already mounted")
        return self
