"""CLI subcommand modules. Each defines `register(subparsers)` that adds one subcommand
whose handler is set with `parser.set_defaults(func=handler)`; `handler(args) -> int`.
`proxy.cli` loads the modules named in COMMAND_MODULES that exist."""

COMMAND_MODULES = ["keys", "tickets", "review", "cache", "costs"]
