"""Client IPs behind load balancers: X-Forwarded-For is believed only from `auth.trusted_proxies`.

Through the proxy (the TCP peer is always 127.0.0.1 on loopback): anonymous callers are
limited per client IP, so whether two requests with different X-Forwarded-For share one
limit shows which IP Bulwark used."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from proxy.auth import ClientIP
from proxy.config import parse_config
from proxy.errors import ConfigError
from tests.helpers import base_config, start_proxy

BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}


def test_resolution_rules() -> None:
    r = ClientIP(["10.0.0.0/8", "2001:db8:ffff::/48"])
    h = CIMultiDict({"X-Forwarded-For": "198.51.100.7, 10.0.0.9"})
    assert r.resolve("10.0.0.2", h) == "198.51.100.7"  # two trusted hops, then the client
    assert r.resolve("203.0.113.5", h) == "203.0.113.5"  # untrusted peer: XFF ignored
    spoof = CIMultiDict({"X-Forwarded-For": "1.1.1.1, 198.51.100.7"})
    assert r.resolve("10.0.0.2", spoof) == "198.51.100.7"  # the client's own prefix is not believed
    assert r.resolve("10.0.0.2", CIMultiDict()) == "10.0.0.2"  # no header: the balancer itself
    assert r.resolve("10.0.0.2", CIMultiDict({"X-Forwarded-For": "not-an-ip, 198.51.100.8:4431"})) == "198.51.100.8"
    two = CIMultiDict([("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "10.1.1.1")])
    assert r.resolve("10.0.0.2", two) == "192.0.2.1"  # repeated headers are one list
    v6 = CIMultiDict({"X-Forwarded-For": "[2001:db8:1::5]:443"})
    assert r.resolve("2001:db8:ffff::1", v6) == "2001:db8:1::5"
    assert ClientIP([]).resolve("10.0.0.2", h) == "10.0.0.2"  # nothing trusted: the peer


def test_bad_trusted_proxy_names_the_setting(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match=r"auth.trusted_proxies: \[1\] .lb.internal. is not an IP address or CIDR"):
        parse_config({"auth": {"trusted_proxies": ["10.0.0.0/8", "lb.internal"]},
                      "providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:9/v1"}}})


async def _statuses(sim: Any, trusted: list[str], xffs: list[str]) -> list[int]:
    cfg = base_config(sim.url, ["ratelimit"], {"ratelimit": {"key": {"rpm": 1}, "user": {"rpm": 0}}},
                      auth={"allow_anonymous": True, "keys": [], "trusted_proxies": trusted})
    proxy = await start_proxy(cfg)
    out = []
    try:
        async with aiohttp.ClientSession() as s:
            for x in xffs:
                async with s.post(proxy.url + "/chat/completions", json=BODY, headers={"X-Forwarded-For": x}) as r:
                    out.append(r.status)
    finally:
        await proxy.aclose()
    return out


async def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(sim: Any) -> None:
    # The peer (127.0.0.1) is not a trusted proxy: both requests are one anonymous client.
    assert await _statuses(sim, ["10.0.0.0/8"], ["198.51.100.1", "198.51.100.2"]) == [200, 429]
    assert await _statuses(sim, [], ["198.51.100.1", "198.51.100.2"]) == [200, 429]


async def test_forwarded_for_from_a_trusted_peer_names_the_client(sim: Any) -> None:
    # The peer is the trusted balancer: two clients behind it get a limit each.
    assert await _statuses(sim, ["127.0.0.1"], ["198.51.100.1", "198.51.100.2", "198.51.100.1"]) == [200, 200, 429]
