"""CLI subcommand modules. Each defines `register(subparsers)` that adds one subcommand
whose handler is set with `parser.set_defaults(func=handler)`; `handler(args) -> int`.
`proxy.cli` loads the modules named in COMMAND_MODULES that exist.

The helpers below are what every admin command needs: the config named by `--config`
(or $BULWARK_CONFIG, or ./proxy.toml) and the state backend it points at.
"""
from __future__ import annotations

import argparse
from typing import Any

COMMAND_MODULES = ["keys", "tickets", "review", "cache", "costs"]


def load_config(args: argparse.Namespace) -> Any:
    """The validated config of `--config`; exits with status 2 and the error on a bad file."""
    from ..cli import config_path, load_or_exit

    return load_or_exit(config_path(args))


def admin_state(cfg: Any) -> Any:
    """The configured state backend, unwrapped from the fail-open wrapper: an admin command
    must see Redis errors, never read or write a silent local fallback."""
    from ..state.factory import create_state

    state = create_state(cfg.state)
    return getattr(state, "primary", state)
