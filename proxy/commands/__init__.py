"""CLI subcommand modules. Each defines `register(subparsers)` that adds one subcommand
whose handler is set with `parser.set_defaults(func=handler)`; `handler(args) -> int`.
`proxy.cli` loads the modules `command_modules()` finds: the core's own (COMMAND_MODULES,
those that exist) and `plugins.<name>.commands` of every plugin package that has one
(found by name, like `proxy.registry` finds plugins, so the core imports no plugin).

The helpers below are what every command needs: the config named by `--config` (or
$BULWARK_CONFIG, or ./proxy.toml) and the state backend it points at.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from types import ModuleType
from typing import Any

from .. import config as config_file
from ..errors import ConfigError

COMMAND_MODULES = ["keys", "tickets", "costs"]

DEFAULT_CONFIG = "proxy.toml"


def config_path(args: argparse.Namespace) -> str:
    return args.config or os.environ.get("BULWARK_CONFIG") or DEFAULT_CONFIG


def load_or_exit(path: str) -> config_file.Config:
    try:
        return config_file.load_config(path)
    except ConfigError as exc:
        print(f"bulwark: invalid configuration in {path}:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None


def load_config(args: argparse.Namespace) -> Any:
    """The validated config of `--config` for an admin command; exits with status 2 and the
    error on a bad file. When a proxy serving this config is running (its `serve.json` in
    state.data_dir, `proxy.commands.running`), `server.host`/`server.port` are where it
    actually listens (`serve --port` may differ from the file), and the command says so."""
    cfg = load_or_exit(config_path(args))
    from . import running

    rec = running.read(cfg.state.data_dir)
    if rec is not None and (rec["port"] != cfg.server.port or rec.get("host") != cfg.server.host):
        print(f"bulwark: note: the proxy using {cfg.state.data_dir} listens on {rec.get('host')}:{rec['port']} "
              f"(pid {rec['pid']}), not server.port {cfg.server.port}; asking it there", file=sys.stderr)
        cfg.server.port = rec["port"]
        if isinstance(rec.get("host"), str) and rec["host"]:
            cfg.server.host = rec["host"]
    return cfg


def admin_state(cfg: Any) -> Any:
    """The configured state backend, unwrapped from the fail-open wrapper: an admin command
    must see Redis errors, never read or write a silent local fallback."""
    from ..state.factory import create_state

    state = create_state(cfg.state)
    return getattr(state, "primary", state)


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def command_modules() -> list[ModuleType]:
    """The core's command modules, then each plugin package's `commands` module (by name)."""
    out = [m for m in (_optional(f"proxy.commands.{name}") for name in COMMAND_MODULES) if m is not None]
    package = _optional("plugins")
    if package is None:
        return out
    for base in package.__path__:
        for info in sorted(pkgutil.iter_modules([base]), key=lambda i: i.name):
            # Only packages that ship a `commands` module are imported (a plugin's CLI costs nothing otherwise).
            if info.ispkg and any(m.name == "commands" for m in pkgutil.iter_modules([os.path.join(base, info.name)])):
                module = _optional(f"plugins.{info.name}.commands")
                if module is not None:
                    out.append(module)
    return out
