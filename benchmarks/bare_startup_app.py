"""The baseline of ``startup_memory.py``: a bare Litestar app with one small HTML page."""

from __future__ import annotations

from litestar import Litestar, MediaType, get

PAGE = "<!doctype html><html lang=pt-BR><title>Ouvidoria</title><h1>Ouvidoria</h1></html>"


@get("/", media_type=MediaType.HTML)
async def home() -> str:
    return PAGE


app = Litestar([home])
