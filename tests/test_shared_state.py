"""The shared in-memory state of `serve --workers N`: one MemoryState behind a Unix socket,
the same semantics as the embedded backend for plain ops, Scripts and journals."""
from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from plugins.budgets.scripts import BUDGET_RESERVE
from proxy.state.base import StateError
from proxy.state.memory import MemoryState
from proxy.state.shared import SharedState, StateServer


@pytest.fixture
def server(tmp_path: Path) -> StateServer:
    srv = StateServer(str(tmp_path / "state.sock"), MemoryState(data_dir=tmp_path))
    srv.start()
    yield srv
    srv.stop()


async def test_plain_ops_scripts_and_journals_are_shared(server: StateServer) -> None:
    a, b = SharedState(server.path), SharedState(server.path)  # two workers
    await a.set("k", b"\x00bytes\xff", ttl=60)
    assert await b.get("k") == b"\x00bytes\xff"
    assert await a.incr("n", 2.5) == 2.5 and await b.incr("n", 1) == 3.5
    await b.delete("k")
    assert await a.get("k") is None
    assert await a.scan("n*") == ["n"]
    args = {"now": 0, "est": 0.6, "items": [[1, 1.0, 60_000]]}
    assert (await a.run(BUDGET_RESERVE, ["bud"], [orjson.dumps(args)]))["ok"]
    second = await b.run(BUDGET_RESERVE, ["bud"], [orjson.dumps(args)])  # the other worker sees the spend
    assert second["ok"] is False and second["spent"] == pytest.approx(0.6)
    rid = await a.journal("tickets").append({"status": "open", "m": "x"})
    assert (await b.journal("tickets").get(rid))["m"] == "x"
    assert await b.journal("tickets").update(rid, {"status": "resolved"})
    assert await a.journal("tickets").count(status="resolved") == 1
    assert await a.ping()
    await a.aclose()
    await b.aclose()


async def test_a_gone_server_is_a_state_error(tmp_path: Path) -> None:
    st = SharedState(str(tmp_path / "nobody.sock"), timeout=0.2)
    with pytest.raises(StateError):
        await st.get("k")
    assert not await st.ping()


async def test_budget_receipts_and_marks_are_not_durable() -> None:
    """One settled mark per attempt must not pile up in the never-evicted part of the store
    (the soak found them kept two days); spend keys stay durable."""
    from plugins.budgets.scripts import BUDGET_SETTLE

    st = MemoryState()
    keys = ["{k}:bud:day:1", "{k}:bud:day:1:alert", "{k}:bud:dn:t:0", "{k}:bud:rc:t:0"]
    await st.run(BUDGET_RESERVE, keys, [orjson.dumps({"now": 0, "est": 0.1, "items": [[1, 1.0, 60_000]], "rcpt": [4, 60_000]})])
    await st.run(BUDGET_SETTLE, keys, [orjson.dumps({"now": 0, "cost": 0.05, "rcpt": 4, "done": [3, 600_000],
                                                      "items": [[1, 1.0, 60_000, 2, 0.8]]})])
    assert float(st.store.get(keys[0])) == pytest.approx(0.05)
    assert st.store.durable_keys == 1  # the spend; the mark is an ordinary, evictable key
    assert st.store.exists(keys[2]) and not st.store.exists(keys[3])


async def test_operations_asked_together_share_one_frame(server: StateServer) -> None:
    """A worker's operations of one loop iteration travel as one frame; each caller gets its
    own answer, and a failing operation fails only its caller."""
    import asyncio

    st = SharedState(server.path)
    await st.set("a", b"1")
    before = st.round_trips
    args = {"now": 0, "est": 0.6, "items": [[1, 1.0, 60_000]]}
    got = await asyncio.gather(st.get("a"), st.set("b", b"\x00two", ttl=60), st.incr("n", 2),
                               st.call("run", "no_such_script", [], []), st.run(BUDGET_RESERVE, ["bud"], [orjson.dumps(args)]),
                               return_exceptions=True)
    assert st.round_trips - before == 1
    assert got[0] == b"1" and got[1] is None and got[2] == 2.0
    assert isinstance(got[3], StateError) and "no_such_script" in str(got[3])
    assert got[4]["ok"] is True
    assert await st.get("b") == b"\x00two"
    await st.aclose()
