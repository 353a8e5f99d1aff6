"""Who is calling: client keys (managed mode) or the client's own provider key (passthrough).

Managed: the client presents a Bulwark client key (`Authorization: Bearer sk-...`, or
`api-key` / `x-api-key`); unknown or missing -> 401 `invalid_api_key`, unless
`auth.allow_anonymous`. Passthrough: the client's key goes upstream unchanged and Bulwark
identifies the caller by a hash of it (limits still apply per key).
"""
from __future__ import annotations

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


class Authenticator:
    def __init__(self, auth: AuthConfig, state: Any) -> None:
        self.config = auth
        self.keys = KeyStore(auth, state)

    async def identify(self, headers: Mapping[str, str], ip: str | None) -> tuple[Identity, str | None]:
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
