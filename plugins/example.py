"""A trivial example plugin: tags answers with a header and can pin a default.

It shows the whole contract in a few lines: act before the call (add a default field to
the request), after it (add a header), and around a stream (count events as they pass).
Copy it to start a new plugin.
"""
from __future__ import annotations

from typing import Any, AsyncIterator

from proxy.context import RequestContext
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent


class ExampleConfig(PluginConfig):
    header: str = "x-bulwark-example"
    value: str = "on"
    # Fields to add to the request body when the client left them out (a request rewrite).
    defaults: dict[str, Any] = {}


class Example(Plugin):
    name = "example"
    Config = ExampleConfig
    uses_tokens = False
    config: ExampleConfig

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        missing = {k: v for k, v in self.config.defaults.items() if k not in ctx.body}
        if missing:
            ctx.set_body({**ctx.body, **missing})
            ctx.record(self.name, added=sorted(missing))
        resp = await call_next(ctx)
        if self.shadow:
            return resp
        ctx.response_headers[self.config.header] = self.config.value
        if resp.stream is not None:
            resp.stream = self._count(ctx, resp.stream)
        return resp

    async def _count(self, ctx: RequestContext, events: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
        n = 0
        try:
            async for ev in events:
                n += 1
                yield ev
        finally:
            ctx.record(self.name, events=n)
