"""`proxy.toml`: loading, `${ENV}` interpolation and validation.

Every error names the TOML key path (`providers.primary.timeouts.idle: ...`). Plugin sections
(`[plugins.<name>]`) are validated by each plugin's own Config model when the chain is built
(`proxy.registry`), so this module never imports plugins.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-(.*?))?\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=256)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    # Seconds to let in-flight requests and streams finish after SIGTERM.
    shutdown_grace_seconds: float = Field(25.0, ge=0)
    # Add `x-bulwark-*` debug headers (decisions) to answers.
    debug_headers: bool = False
    access_log: bool = False
    # Global cap on concurrent requests; past it Bulwark answers 503 with retry-after.
    max_concurrent_requests: int = Field(1024, ge=1)
    # Global cap on concurrent streamed answers (each holds a connection upstream).
    max_concurrent_streams: int = Field(768, ge=1)
    # Other /v1 paths forwarded as they are, to the default provider. Limits, budgets (from the
    # usage an answer reports) and abuse scoring apply to them; JSON bodies are model-checked.
    # The default is inference only. Paths that act on the organisation's account (files,
    # batches, fine-tuning, vector stores, /organization...) need a per-key grant in managed
    # mode: `[[auth.keys]] paths = ["/files"]`; "*" here forwards everything to every key.
    passthrough_paths: list[str] = ["/responses", "/audio/speech", "/audio/transcriptions", "/audio/translations",
                                    "/images/generations", "/images/edits", "/images/variations", "/moderations"]
    # Reload proxy.toml when the file changes (ConfigMaps update in place); SIGHUP always works.
    watch_config: bool = False
    # Token encodings built at startup. Each costs resident memory for as long as the process
    # lives (o200k_base ~46 MB, cl100k_base ~23 MB: tiktoken's own tables). Any other one is
    # built in a background thread the first time a model needs it (the process slows once for
    # ~0.2 s: the build holds the GIL); until then its counts come from a loaded encoding
    # (within 0.5 % on English text and code). o200k_base serves
    # gpt-4o/4.1/5, o1/o3/o4 and the estimated families (Claude, Llama, Mistral, Gemini);
    # add "cl100k_base" when most traffic is gpt-4 / gpt-3.5-turbo / embeddings.
    token_encodings: list[Literal["o200k_base", "cl100k_base"]] = ["o200k_base"]


class KeyConfig(_Strict):
    """A client (virtual) key. Give `key` (plain, fine for demos) or `key_sha256`."""

    name: str
    key: str | None = None
    key_sha256: str | None = None
    tier: Literal["new", "standard", "trusted"] = "standard"
    team: str | None = None
    allowed_models: list[str] | None = None
    # Per-key overrides read by plugins (e.g. rpm, tpm, max_concurrent, budget_usd_day, budget_usd_month).
    limits: dict[str, float] = {}
    # Forwarded /v1 paths beyond server.passthrough_paths this key may use with the provider's
    # key (managed mode), e.g. ["/files", "/batches"]. Nothing else of the account is reachable.
    paths: list[str] = []

    @model_validator(mode="after")
    def _one_secret(self) -> "KeyConfig":
        if not self.key and not self.key_sha256:
            raise ValueError("give `key` or `key_sha256`")
        if self.key_sha256 and not re.fullmatch(r"[0-9a-f]{64}", self.key_sha256):
            raise ValueError("`key_sha256` must be 64 lowercase hex characters")
        return self


class AuthConfig(_Strict):
    # managed: Bulwark holds provider keys, clients present Bulwark client keys.
    # passthrough: the client's Authorization header goes upstream unchanged.
    mode: Literal["managed", "passthrough"] = "managed"
    allow_anonymous: bool = False
    # Header that names the end user when the body has no `user` / `safety_identifier`.
    user_header: str = "x-bulwark-user"
    # Environment variable holding the admin key for /admin endpoints.
    admin_key_env: str = "BULWARK_ADMIN_KEY"
    # The dashboard signs in once (POST /admin/login) and gets a signed, expiring session cookie.
    admin_session_ttl_seconds: float = Field(8 * 3600, ge=60, le=30 * 86400)
    # Environment variable with the cookie-signing secret (share it across replicas; rotate it to
    # end every session). Unset: derived from the admin key, so every worker and replica agrees.
    admin_session_secret_env: str = "BULWARK_ADMIN_SESSION_SECRET"
    # Secure cookie flag: auto = when the request came over https (or X-Forwarded-Proto: https).
    admin_cookie_secure: Literal["auto", "always", "never"] = "auto"
    keys: list[KeyConfig] = []
    # Load balancers / reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; the
    # client IP is then the right-most address in it that is not one of them. Empty: the TCP
    # peer is the client and X-Forwarded-For is ignored (anyone can write it).
    trusted_proxies: list[str] = []

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, v: list[str]) -> list[str]:
        import ipaddress

        for i, net in enumerate(v):
            try:
                ipaddress.ip_network(net.strip(), strict=False)
            except ValueError:
                raise ValueError(f"[{i}] {net!r} is not an IP address or CIDR (e.g. 10.0.0.0/8)") from None
        return v


class Timeouts(_Strict):
    connect: float = Field(5.0, gt=0)
    first_byte: float = Field(60.0, gt=0)  # until response headers arrive
    idle: float = Field(30.0, gt=0)  # max gap between stream chunks
    total: float = Field(600.0, gt=0)


class ProviderConfig(_Strict):
    type: Literal["openai", "anthropic", "rules", "human"] = "openai"
    base_url: str | None = None
    # Name of the environment variable that holds the API key (managed mode).
    api_key_env: str | None = None
    headers: dict[str, str] = {}
    # Rewrite the request's model: {"gpt-4" = "gpt-4o"}; "*" matches any.
    model_map: dict[str, str] = {}
    timeouts: Timeouts = Timeouts()
    # Azure OpenAI: api-version query parameter and `api-key` header instead of bearer.
    api_version: str | None = None
    azure: bool = False
    # Max pooled connections to this provider.
    max_connections: int = Field(256, ge=1)
    # Largest answer (plain or streamed, bytes) Bulwark reads from this provider; past it: 502.
    max_response_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    # Wire APIs the upstream serves natively, of those the type can speak (openai: chat_completions,
    # responses; anthropic: messages). Requests in another API are translated through chat
    # completions. Default: openai ["chat_completions", "responses"], anthropic ["messages"];
    # set ["chat_completions"] for servers without /v1/responses (older vLLM, llama.cpp...).
    apis: list[Literal["chat_completions", "responses", "messages"]] | None = None
    # Everything else is provider-specific (rules, tickets, anthropic version...).
    options: dict[str, Any] = {}

    @model_validator(mode="after")
    def _needs_url(self) -> "ProviderConfig":
        if self.type in ("openai", "anthropic") and not self.base_url:
            raise ValueError(f"a provider of type {self.type!r} needs `base_url`")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("`base_url` must start with http:// or https://")
        return self


class RouteConfig(_Strict):
    provider: str
    model: str | None = None


class ModelsConfig(_Strict):
    default_provider: str | None = None
    # When set, only these models (and route aliases) are served; others -> 404 model_not_found.
    allow: list[str] = []
    # Model alias -> provider (and optional upstream model): {"gpt-4" = {provider = "primary", model = "gpt-4o"}}
    routes: dict[str, RouteConfig] = {}


class StateConfig(_Strict):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    key_prefix: str = "bulwark"
    timeout_ms: int = Field(250, ge=1)
    # Settles made after the answer (rate-limit slot and tokens, spend, breaker outcomes) wait up
    # to this long to share a round trip with each other or the next request's (0: never wait).
    write_behind_ms: float = Field(5.0, ge=0, le=100)
    # What a Redis failure does: fall back to local state (fail_open) or refuse with 503 (fail_closed).
    on_failure: Literal["fail_open", "fail_closed"] = "fail_open"
    # Where the in-memory backend keeps journals (review queue, tickets) when Redis is off.
    data_dir: str = "./var"
    memory_max_keys: int = Field(100_000, ge=100)  # evictable entries (cache, stats) of the embedded store
    # Live spend / rate-limit / block records it keeps (never evicted; they expire with their
    # period); past this, new identities are refused rather than an existing budget forgotten.
    memory_max_durable_keys: int = Field(1_000_000, ge=1000)
    # Redis Cluster: `redis_url` names one node, `cluster_nodes` ("host:port") more seeds; every
    # multi-key operation's keys share a hash tag, so scripts run on one slot.
    cluster: bool = False
    cluster_nodes: list[str] = []
    # Redis Sentinel: the primary of `sentinel_service` is found through `sentinels` ("host:port")
    # and found again after a failover; `redis_url` then gives only the data nodes' password,
    # database and TLS. `sentinel_password_env` names the variable holding the sentinels' own.
    sentinels: list[str] = []
    sentinel_service: str = "mymaster"
    sentinel_password_env: str = ""

    @field_validator("cluster_nodes", "sentinels")
    @classmethod
    def _host_ports(cls, v: list[str]) -> list[str]:
        for node in v:
            host, _, port = node.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{node!r} is not host:port")
        return v

    @model_validator(mode="after")
    def _one_topology(self) -> "StateConfig":
        if self.cluster and self.sentinels:
            raise ValueError("`cluster = true` and `sentinels` exclude each other: a Redis Cluster fails over by itself")
        return self


class ChainConfig(_Strict):
    # Plugin names in order; the first is the outermost layer.
    plugins: list[str] = []


class Config(_Strict):
    server: ServerConfig = ServerConfig()
    auth: AuthConfig = AuthConfig()
    providers: dict[str, ProviderConfig] = {}
    models: ModelsConfig = ModelsConfig()
    state: StateConfig = StateConfig()
    chain: ChainConfig = ChainConfig()
    # Raw plugin sections, validated by each plugin's Config when the chain is built.
    plugins: dict[str, dict[str, Any]] = {}
    # Sections owned by core modules added later (pricing, telemetry...) are free-form here
    # and validated by their module.
    pricing: dict[str, Any] = {}
    telemetry: dict[str, Any] = {}
    admin: dict[str, Any] = {}
    source: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _references(self) -> "Config":
        names = set(self.providers)
        if not names:
            raise ValueError("configure at least one provider under [providers.<name>]")
        if self.models.default_provider is None:
            self.models.default_provider = next(iter(self.providers))
        if self.models.default_provider not in names:
            raise ValueError(f"models.default_provider: no provider named {self.models.default_provider!r} (have: {sorted(names)})")
        for alias, route in self.models.routes.items():
            if route.provider not in names:
                raise ValueError(f"models.routes.{alias}.provider: no provider named {route.provider!r} (have: {sorted(names)})")
        seen: set[str] = set()
        for name in self.chain.plugins:
            if name in seen:
                raise ValueError(f"chain.plugins: {name!r} is listed twice")
            seen.add(name)
        return self


def interpolate(value: Any, path: str = "") -> Any:
    """Replace `${VAR}` / `${VAR:-default}` in every string; a missing variable is an error."""
    if isinstance(value, str):
        def sub(m: re.Match[str]) -> str:
            var, default = m.group(1), m.group(2)
            if var in os.environ:
                return os.environ[var]
            if default is not None:
                return default
            raise ConfigError(f"{path or '<root>'}: environment variable {var} is not set (write ${{{var}:-default}} for a default)")
        return _ENV.sub(sub, value)
    if isinstance(value, dict):
        return {k: interpolate(v, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def format_validation_error(exc: ValidationError, prefix: str = "") -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p not in ("function-after",))
        key = ".".join(x for x in (prefix, loc) if x) or "<root>"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown setting (check the spelling; see proxy.toml for the documented keys)"
        lines.append(f"{key}: {msg}")
    return "\n".join(lines)


def parse_config(data: dict[str, Any], source: str | None = None) -> Config:
    data = interpolate(data)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc)) from exc
    cfg.source = source
    return cfg


def load_config(path: str | os.PathLike[str]) -> Config:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
    cfg = parse_config(data, str(p))
    resolve_paths(cfg, p.absolute().parent)
    return cfg


# Settings that name a file or directory. A relative value is relative to the config file's
# directory, not to wherever a command happens to run (`bulwark review list --config
# deploy/proxy.toml` must see the queue `bulwark serve --config deploy/proxy.toml` writes).
PATH_SETTINGS = (("state", "data_dir"),)


def resolve_paths(cfg: Config, base: Path) -> None:
    # `base` is not symlink-resolved: a Kubernetes ConfigMap's file is a symlink into a dated
    # directory that changes on every update.
    for section, name in PATH_SETTINGS:
        owner = getattr(cfg, section)
        value = os.path.expanduser(getattr(owner, name))
        if value and not os.path.isabs(value):
            value = os.path.normpath(base / value)
        setattr(owner, name, value)
