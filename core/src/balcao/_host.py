"""The plugin host: one pluggy manager per app, entry-point discovery with each plugin in
its own error boundary, per-plugin configuration, and calls that name the plugin."""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy

from balcao import hookspecs
from balcao._config import ConfigError, Settings, load_plugin_config
from balcao._specs import Registered

__all__ = ["PluginError", "PluginHost", "PluginRecord"]

log = logging.getLogger("balcao.plugins")
Status = Literal["active", "disabled", "failed"]
_CORE_PLUGIN = "core"


class PluginError(Exception):
    """A plugin that cannot be used; the message names it and says why."""


@dataclass
class PluginRecord:
    """What ``balcao plugins`` shows for one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    status: Status = "active"
    reason: str | None = None
    hooks: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.status, self.reason = "failed", reason


class PluginHost:
    """Loads plugins and calls their hooks one implementation at a time."""

    def __init__(
        self,
        settings: Settings,
        *,
        plugins: Sequence[tuple[str, object]] = (),
        load_entrypoints: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.configs: dict[str, Any] = {}
        self._blocked = self._disabled_names()
        self._register_builtin()
        for name, plugin in plugins:
            self._register(name, plugin, PluginRecord(name))
        if load_entrypoints:
            for entry_point in entry_points(group=hookspecs.PROJECT):
                self._load_entrypoint(entry_point)
        self._check_hooks()
        self._load_configs()

    # -- loading -----------------------------------------------------------------------

    def _disabled_names(self) -> set[str]:
        raw = self.environ.get("BALCAO_DISABLE_PLUGINS", "")
        return {n.strip() for n in raw.split(",") if n.strip()} | set(self.settings.disable_plugins)

    def _register_builtin(self) -> None:
        from balcao import _builtin

        self._register(_CORE_PLUGIN, _builtin, PluginRecord(_CORE_PLUGIN, "balcao", _version()))

    def _register(self, name: str, plugin: object, record: PluginRecord) -> None:
        self.records[name] = record
        if name in self._blocked:
            record.status, record.reason = "disabled", "BALCAO_DISABLE_PLUGINS"
            return
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            record.fail(f"registro falhou: {exc}")
            return
        record.hooks = sorted(i.name for i in self.pm.get_hookcallers(plugin) or ())

    def _load_entrypoint(self, entry_point: EntryPoint) -> None:
        dist = entry_point.dist
        record = PluginRecord(
            entry_point.name, dist.name if dist else None, dist.version if dist else None
        )
        if entry_point.name in self.records:
            record.fail(f"nome repetido: outro plugin já se chama '{entry_point.name}'")
            self.records[f"{entry_point.name} ({record.distribution})"] = record
            return
        if entry_point.name in self._blocked:
            self._register(entry_point.name, None, record)
            return
        try:
            module = entry_point.load()
        except Exception as exc:
            log.error("plugin %s failed to import: %r", entry_point.name, exc)
            self.records[entry_point.name] = record
            record.fail(f"falha ao importar {entry_point.value}: {exc!r}")
            return
        self._register(entry_point.name, module, record)

    def _check_hooks(self) -> None:
        for hook_name in dir(self.pm.hook):
            caller = getattr(self.pm.hook, hook_name)
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                self.pm.unregister(name=impl.plugin_name)
                self.records[impl.plugin_name].fail(
                    f"hook desconhecido '{hook_name}': confira o nome em docs/hooks.md"
                )
        self.pm.check_pending()

    def _load_configs(self) -> None:
        for name in self.active_names():
            try:
                self.configs[name] = self._config_for(name)
            except (ConfigError, PluginError) as exc:
                self.pm.unregister(name=name)
                self.records[name].fail(str(exc))

    def _config_for(self, name: str) -> Any:
        config_type = self._call_one(name, "balcao_config_type", {})
        if config_type is None:
            return None
        return load_plugin_config(name, config_type, self.settings, self.environ)

    # -- querying ----------------------------------------------------------------------

    def active_names(self) -> list[str]:
        """The names of the plugins that loaded and are active."""
        return [n for n, r in self.records.items() if r.status == "active"]

    def failures(self) -> list[PluginRecord]:
        """The records of the plugins that failed to load, each with its reason."""
        return [r for r in self.records.values() if r.status == "failed"]

    def require_healthy(self) -> None:
        """Raise :class:`PluginError` naming every plugin that failed to load."""
        failed = self.failures()
        if failed:
            lines = "; ".join(f"plugin '{r.name}': {r.reason}" for r in failed)
            raise PluginError(f"plugins com falha: {lines}")

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _call_one(self, plugin: str, hook: str, kwargs: Mapping[str, Any]) -> Any:
        for impl in self._impls(hook):
            if impl.plugin_name == plugin:
                return self._invoke(impl, kwargs)
        return None

    def _invoke(self, impl: pluggy.HookImpl, kwargs: Mapping[str, Any]) -> Any:
        args = {"settings": self.settings, "config": self.configs.get(impl.plugin_name), **kwargs}
        return impl.function(*(args[a] for a in impl.argnames))

    def collect(self, hook: str, **kwargs: Any) -> list[Registered[Any]]:
        """Every spec returned by every plugin's ``hook``, tagged with the plugin's name."""
        found: list[Registered[Any]] = []
        for impl in self._impls(hook):
            try:
                result = self._invoke(impl, kwargs)
            except Exception as exc:
                raise PluginError(f"plugin '{impl.plugin_name}': {hook} falhou: {exc!r}") from exc
            config = self.configs.get(impl.plugin_name)
            found.extend(Registered(impl.plugin_name, s, config) for s in _iterable(result))
        return found

    def implementers(self, hook: str) -> list[str]:
        """The plugins implementing ``hook``, in calling order."""
        return [impl.plugin_name for impl in self._impls(hook)]

    async def call_plugin(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's ``hook`` (awaited when async); its errors propagate. Nothing
        happens for a plugin that no longer implements it."""
        for impl in self._impls(hook):
            if impl.plugin_name == plugin:
                result = self._invoke(impl, kwargs)
                return await result if inspect.isawaitable(result) else result
        log.warning("plugin '%s' no longer implements %s: skipped", plugin, hook)
        return None

    async def notify(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation, awaiting async ones; errors are logged and skipped."""
        return await self._each(hook, kwargs, isolate=True)

    async def ask(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Like :meth:`notify` but errors propagate, wrapped in :class:`PluginError`."""
        return await self._each(hook, kwargs, isolate=False)

    async def _each(
        self, hook: str, kwargs: Mapping[str, Any], *, isolate: bool
    ) -> list[tuple[str, Any]]:
        results: list[tuple[str, Any]] = []
        for impl in self._impls(hook):
            try:
                result = self._invoke(impl, kwargs)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                if not isolate:
                    raise PluginError(
                        f"plugin '{impl.plugin_name}': {hook} falhou: {exc!r}"
                    ) from exc
                log.exception("plugin '%s' failed in %s", impl.plugin_name, hook)
                continue
            results.append((impl.plugin_name, result))
        return results


def _iterable(result: Any) -> Iterable[Any]:
    if result is None:
        return ()
    if isinstance(result, Iterable) and not isinstance(result, (str, bytes)):
        return result
    return (result,)


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("balcao")
    except PackageNotFoundError:
        return None
