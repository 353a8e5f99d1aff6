"""Find plugins by name and build them with validated config.

A plugin named `foo` is the module `plugins.foo`, a file `plugins/foo.py` or a package
`plugins/foo/`, and defines one `Plugin` subclass whose `name` is "foo" (a package keeps it,
or imports it, in its `__init__.py`). Its section `[plugins.foo]` is validated by that
class's `Config`; errors name the key path (`plugins.foo.limit: ...`). Plugins with
`enabled = false` are left out of the chain.
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any

from pydantic import ValidationError

from .config import Config, format_validation_error
from .errors import ConfigError
from .plugin import Plugin


def plugin_class(name: str) -> type[Plugin]:
    if not name.isidentifier():
        raise ConfigError(f"chain.plugins: {name!r} is not a valid plugin name")
    try:
        module = importlib.import_module(f"plugins.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"plugins.{name}", "plugins"):
            raise ConfigError(f"chain.plugins: no plugin named {name!r} (expected plugins/{name}.py or plugins/{name}/__init__.py)") from None
        raise
    for obj in vars(module).values():
        if inspect.isclass(obj) and issubclass(obj, Plugin) and obj is not Plugin and obj.name == name:
            return obj
    raise ConfigError(f"chain.plugins: plugins.{name} defines no Plugin subclass with name = {name!r}")


def build_plugins(config: Config, services: Any) -> list[Plugin]:
    plugins: list[Plugin] = []
    for section in config.plugins:
        if section not in config.chain.plugins:
            raise ConfigError(f"plugins.{section}: configured but not listed in chain.plugins (add it there or remove the section)")
    for name in config.chain.plugins:
        cls = plugin_class(name)
        raw = config.plugins.get(name, {})
        try:
            cfg = cls.Config.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, prefix=f"plugins.{name}")) from exc
        if not cfg.enabled:
            continue
        try:
            plugins.append(cls(cfg, services))
        except ConfigError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"plugins.{name}: {exc}") from exc
    return plugins
