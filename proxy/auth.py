"""Who is calling: client keys (managed mode) or the client's own provider key (passthrough).

Managed: the client presents a Bulwark client key (`Authorization: Bearer sk-...`, or
`api-key` / `x-api-key`); unknown or missing -> 401 `invalid_api_key`, unless
`auth.allow_anonymous`. Passthrough: the client's key goes upstream unchanged and Bulwark
identifies the caller by a hash of it (limits still apply per key).

The client IP (abuse scoring, anonymous limits) is the TCP peer, unless the peer is one of
`auth.trusted_proxies`: then it is the right-most `X-Forwarded-For` address that is not a
trusted proxy itself (each trusted hop appends the address it saw; anything left of the
first untrusted hop was written by the client and is not believed).
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping

from .config import AuthConfig
from .context import Identity
from .errors import Unauthorized
from .keys import KeyStore, hash_key, key_id_for


def presented_key(headers: Mapping[str, str]) -> str | None:
    auth = headers.get("Authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None
    return headers.get("api-key") or headers.get("x-api-key") or None


_Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_Addr = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse_ip(text: str) -> _Addr | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:567`, `[2001:db8::1]:443`, `2001:db8::1`."""
    t = text.strip().strip('"')
    if t.startswith("["):
        t = t[1:].partition("]")[0]
    elif t.count(":") == 1:
        t = t.partition(":")[0]
    try:
        a = ipaddress.ip_address(t)
    except ValueError:
        return None
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped is not None:
        return a.ipv4_mapped
    return a


class ClientIP:
    """Resolves the client IP from the TCP peer and, behind trusted proxies, X-Forwarded-For."""

    def __init__(self, trusted: list[str]) -> None:
        self.nets: list[_Net] = [ipaddress.ip_network(n.strip(), strict=False) for n in trusted]

    def trusted(self, addr: _Addr | None) -> bool:
        return addr is not None and any(addr.version == n.version and addr in n for n in self.nets)

    def resolve(self, peer: str | None, headers: Mapping[str, str]) -> str | None:
        if not self.nets or peer is None:
            return peer
        addr = _parse_ip(peer)
        if not self.trusted(addr):
            return peer  # an untrusted peer's X-Forwarded-For is whatever it chose to write
        getall = getattr(headers, "getall", None)
        values = getall("X-Forwarded-For", []) if getall is not None else [headers.get("X-Forwarded-For") or ""]
        hops = [h for v in values for h in v.split(",") if h.strip()]
        client = addr
        for hop in reversed(hops):
            a = _parse_ip(hop)
            if a is None:
                break  # garbage: keep the last address a trusted hop vouched for
            client = a
            if not self.trusted(a):
                break
        return str(client) if client is not None else peer


class Authenticator:
    def __init__(self, auth: AuthConfig, state: Any) -> None:
        self.config = auth
        self.keys = KeyStore(auth, state)
        self.client_ip = ClientIP(auth.trusted_proxies)

    async def identify(self, headers: Mapping[str, str], ip: str | None) -> tuple[Identity, str | None]:
        ip = self.client_ip.resolve(ip, headers)
        key = presented_key(headers)
        if self.config.mode == "passthrough":
            if key is None:
                if not self.config.allow_anonymous:
                    raise Unauthorized(_MISSING)
                return Identity(key_id="anonymous", ip=ip), None
            known = await self.keys.lookup(key)
            if known is not None:
                known.ip = ip
                return known, key
            return Identity(key_id=key_id_for(hash_key(key)), key_name="passthrough", ip=ip), key
        if key is None:
            if self.config.allow_anonymous:
                return Identity(key_id="anonymous", ip=ip), None
            raise Unauthorized(_MISSING)
        identity = await self.keys.lookup(key)
        if identity is None:
            if self.config.allow_anonymous:
                return Identity(key_id="anonymous", ip=ip), None
            raise Unauthorized(
                "Incorrect API key provided. Use a Bulwark client key (ask your operator, or `bulwark keys create`); "
                "provider keys are held by Bulwark in managed mode."
            )
        identity.ip = ip
        return identity, key


_MISSING = (
    "You didn't provide an API key. Send your Bulwark client key as `Authorization: Bearer <key>` "
    "(the OpenAI SDK does this when you pass api_key=...)."
)
