"""The Litestar application: core routes, every plugin's routes under its own prefix."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import NamedDependency, Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from balcao._clock import Clock
from balcao._config import Settings
from balcao._desk import Desk
from balcao._logging import framework_logging
from balcao._routing.api import routing_router
from balcao._runtime import Runtime, build_runtime, template_directories
from balcao._staff import staff_routers
from balcao._staff._menu import count_overdue, staff_menu
from balcao._transparency.routes import TRANSPARENCY_ROUTES
from balcao._web.accessibility import ACCESSIBILITY_ROUTES, VLibrasPolicy, preferences
from balcao._web.api import api_router
from balcao._web.auth import staff_guard
from balcao._web.csrf import CsrfMiddleware, CsrfPolicy
from balcao._web.errors import EXCEPTION_HANDLERS
from balcao._web.hosts import AllowedHosts
from balcao._web.labels import Labels, cpf_text
from balcao._web.metrics import Metrics, metrics_endpoint
from balcao._web.observe import Gate
from balcao._web.openapi import documented_plugins
from balcao._web.public import PUBLIC_ROUTES
from balcao._web.readiness import liveness, ready
from balcao._web.routers import AppRouter
from balcao._web.survey import SURVEY_ROUTES
from balcao._web.webhooks import Lane, lanes

__all__ = ["create_app", "create_app_from_runtime"]

_CSRF_FREE = ["^/api/", "^/schema", "^/health"]


def _provide(value: Any) -> Provide:
    def dependency() -> Any:
        return value

    return Provide(dependency, use_cache=True, sync_to_thread=False)


def _provide_config(value: Any) -> Provide:
    """A plugin's config, after the desk: two dependencies resolved side by side cost a task
    group per request (Litestar runs each batch of independent dependencies concurrently),
    while one after the other they are plain calls."""

    def dependency(desk: NamedDependency[Any]) -> Any:
        return value

    return Provide(dependency, use_cache=True, sync_to_thread=False)


def _plugin_routers(runtime: Runtime, webhooks: dict[str, Lane]) -> list[AppRouter]:
    routes: dict[str, list[Any]] = {
        name: list(c.spec.route_handlers) for name, c in runtime.desk.channels.items()
    }
    for lane in webhooks.values():  # listed in the schema; the gate answers them first
        routes[lane.channel].append(lane.route())
    routers = [
        AppRouter(
            path=f"/channels/{name}",
            route_handlers=handlers,
            dependencies={"config": _provide_config(runtime.desk.channels[name].config)},
            tags=[name],
        )
        for name, handlers in routes.items()
        if handlers
    ]
    routers += [
        AppRouter(
            path=f"/exports/{e.spec.name}",
            route_handlers=list(e.spec.route_handlers),
            dependencies={"config": _provide_config(e.config)},
            guards=[staff_guard],
            tags=[e.spec.name],
        )
        for e in runtime.exporters
        if e.spec.route_handlers
    ]
    return routers


def _lifespan(runtime: Runtime, embedded_worker: bool):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # the holiday tables load on first use (most of a second): not on a citizen's request
        runtime.desk.calendar.holiday_name(runtime.desk.today())
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.worker.run_forever(stop)) if embedded_worker else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await runtime.close()

    return lifespan


def create_app_from_runtime(
    runtime: Runtime, *, embedded_worker: bool = False, debug: bool = False
) -> Litestar:
    settings = runtime.settings
    metrics = Metrics() if settings.metrics_enabled else None
    webhooks = lanes(runtime.desk.channels.values(), runtime.desk)
    csrf = CSRFConfig(
        secret=runtime.desk.keys.signing_key.hex(),
        exclude=_CSRF_FREE,
        cookie_secure=settings.public_url.startswith("https"),
        cookie_httponly=True,
    )
    app = Litestar(
        route_handlers=[
            *PUBLIC_ROUTES,
            liveness(runtime.desk),
            ready,
            metrics_endpoint,
            *SURVEY_ROUTES,
            *TRANSPARENCY_ROUTES,
            *ACCESSIBILITY_ROUTES,
            api_router(),
            routing_router(),
            *staff_routers(),
            *_plugin_routers(runtime, webhooks),
            create_static_files_router(
                "/static", [Path(__file__).parent / "static"], include_in_schema=False
            ),
        ],
        dependencies={"desk": _provide(runtime.desk)},
        signature_types=[Desk],
        template_config=TemplateConfig(
            directory=list[Any](template_directories(runtime)), engine=JinjaTemplateEngine
        ),
        # our CSRF middleware, not Litestar's (given a csrf_config, it would add its own)
        middleware=[DefineMiddleware(CsrfMiddleware, policy=CsrfPolicy.of(csrf))],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Balcão",
            version="1",
            description="API do balcão virtual da ouvidoria",
            render_plugins=documented_plugins(),
        ),
        lifespan=[_lifespan(runtime, embedded_worker)],
        before_request=count_overdue,
        logging_config=framework_logging(),
        debug=debug,
    )
    _front(app, settings, metrics, webhooks)
    app.state.desk = runtime.desk
    app.state.csrf_config = csrf
    app.state.runtime = runtime
    app.state.metrics = metrics
    app.state.staff_actions = [a.spec for a in runtime.host.collect("balcao_register_actions")]
    _template_globals(app, runtime)
    return app


def _front(
    app: Litestar, settings: Settings, metrics: Metrics | None, webhooks: dict[str, Lane]
) -> None:
    """Our layer goes around Litestar's own handler, in front of the router, so that an
    unmatched path's 404 also gets the security headers and a request id (a middleware
    given to Litestar runs only once a route matched)."""
    hosts = AllowedHosts(settings.allowed_hosts)
    gate = Gate(app.asgi_handler, hosts, settings.access_log, metrics, webhooks)
    # VLibrasPolicy wraps the gate: it widens the policy the gate sets
    app.asgi_handler = VLibrasPolicy(gate) if settings.vlibras else gate


def _template_globals(app: Litestar, runtime: Runtime) -> None:
    engine = app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)
    engine.engine.globals.update(
        ouvidoria_name=runtime.settings.ouvidoria_name,
        falabr_url=runtime.settings.falabr_url,
        a11y=preferences,
        vlibras=runtime.settings.vlibras,
        labels=Labels.of(runtime.desk.channels),
        staff_menu=staff_menu,
    )
    engine.engine.filters["cpf"] = cpf_text
    calendar = runtime.desk.calendar
    # Times are stored in UTC and shown in the balcão's own time zone.
    engine.engine.filters["local"] = lambda at: calendar.local(at).strftime("%d/%m/%Y %H:%M")


def create_app(
    settings: Settings | None = None,
    *,
    plugins: Sequence[tuple[str, object]] = (),
    load_entrypoints: bool = True,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    embedded_worker: bool = False,
) -> Litestar:
    """The app; refuses to build when a plugin failed to load (the error names it)."""
    runtime = build_runtime(
        settings, plugins=plugins, load_entrypoints=load_entrypoints, environ=environ, clock=clock
    )
    return create_app_from_runtime(runtime, embedded_worker=embedded_worker)
