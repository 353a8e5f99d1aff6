"""The CLI and relative paths: `state.data_dir` is relative to the config file, not to where a
command runs; `bulwark serve` says where it listens (`<data_dir>/serve.json`) so the admin
commands that ask the running proxy (`bulwark cache stats`) find it even on `--port 0`."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from proxy.commands import running
from proxy.config import load_config
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "cli-admin-key"


def write_config(path: Path, sim_url: str, data_dir: str = "./var", chain: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""
[server]
host = "127.0.0.1"
port = {free_port()}
[[auth.keys]]
name = "test"
key = "sk-test"
[providers.sim]
type = "openai"
base_url = "{sim_url}"
[state]
data_dir = "{data_dir}"
[chain]
plugins = [{chain}]
""")
    return path


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BULWARK_ADMIN_KEY": ADMIN}
    return subprocess.run([sys.executable, "-m", "proxy", *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path, monkeypatch: Any) -> None:
    cfg = load_config(write_config(tmp_path / "deploy" / "proxy.toml", "http://127.0.0.1:9/v1"))
    assert cfg.state.data_dir == str(tmp_path / "deploy" / "var")
    monkeypatch.chdir(tmp_path)  # a relative --config path too
    assert load_config("deploy/proxy.toml").state.data_dir == str(tmp_path / "deploy" / "var")
    up = load_config(write_config(tmp_path / "deploy" / "b.toml", "http://127.0.0.1:9/v1", "../shared-state"))
    assert up.state.data_dir == str(tmp_path / "shared-state")
    absolute = load_config(write_config(tmp_path / "c.toml", "http://127.0.0.1:9/v1", str(tmp_path / "abs")))
    assert absolute.state.data_dir == str(tmp_path / "abs")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home = load_config(write_config(tmp_path / "d.toml", "http://127.0.0.1:9/v1", "~/bulwark"))
    assert home.state.data_dir == str(tmp_path / "home" / "bulwark")
    # A ConfigMap mounts the file as a symlink into a dated directory: the path stays the mount's.
    dated = tmp_path / "mnt" / "..2026_12_01"
    write_config(dated / "proxy.toml", "http://127.0.0.1:9/v1")
    (tmp_path / "mnt" / "proxy.toml").symlink_to(dated / "proxy.toml")
    assert load_config(tmp_path / "mnt" / "proxy.toml").state.data_dir == str(tmp_path / "mnt" / "var")


async def test_review_list_run_elsewhere_reads_the_config_dirs_queue(tmp_path: Path) -> None:
    from plugins.validate.review import ReviewQueue
    from proxy.state.memory import MemoryState

    cfg_path = write_config(tmp_path / "deploy" / "proxy.toml", "http://127.0.0.1:9/v1")
    # What the running proxy (started from deploy/) appended to its queue.
    state = MemoryState(data_dir=tmp_path / "deploy" / "var")
    await state.startup()
    rid = await ReviewQueue(state).add({"request_id": "req_cli_paths", "model": "gpt-4o", "issues": ["a number not in the data"],
                                        "status": "open", "created_at": time.time()})
    await state.aclose()
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    for cwd, arg in ((elsewhere, str(cfg_path)), (tmp_path, "deploy/proxy.toml")):
        r = await asyncio.to_thread(cli, cwd, "review", "list", "--config", arg, "--json")
        assert r.returncode == 0, r.stderr
        assert [rec["id"] for rec in json.loads(r.stdout)] == [rid], (cwd, r.stdout)
    assert not (elsewhere / "var").exists()  # nothing was created where the command ran


async def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(200):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                async with s.get(base + "/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("bulwark did not become ready")


async def test_cache_stats_finds_the_port_serve_used(tmp_path: Path, sim: Any) -> None:
    cfg_path = write_config(tmp_path / "deploy" / "proxy.toml", sim.url, chain='"cache"')
    data_dir = tmp_path / "deploy" / "var"
    configured = load_config(cfg_path).server.port
    proc = subprocess.Popen([sys.executable, "-m", "proxy", "serve", "--config", str(cfg_path), "--port", "0"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "BULWARK_ADMIN_KEY": ADMIN})
    try:
        rec = None
        for _ in range(200):
            rec = running.read(str(data_dir))
            if rec is not None or proc.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert rec is not None and rec["pid"] == proc.pid and rec["port"] != configured and rec["port"] > 0
        assert rec["config"] == str(cfg_path)
        base = f"http://127.0.0.1:{rec['port']}"
        await wait_ready(base, proc)
        body = {"model": "gpt-4o-mini", "temperature": 0, "messages": [{"role": "user", "content": "cache me"}]}
        async with aiohttp.ClientSession() as s:
            for _ in range(2):  # a miss, then a hit
                async with s.post(base + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer sk-test"}) as r:
                    assert r.status == 200
        r = await asyncio.to_thread(cli, tmp_path / "deploy", "cache", "stats", "--config", "proxy.toml", "--json")
        assert r.returncode == 0, r.stderr
        assert f"listens on 127.0.0.1:{rec['port']}" in r.stderr and f"not server.port {configured}" in r.stderr
        stats = json.loads(r.stdout)
        assert stats["hit"] == 1 and stats["miss"] == 1, stats
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    assert running.read(str(data_dir), check_alive=False) is None  # removed on the way out
    # With the proxy gone, the command says where it looked (server.port) instead of hanging.
    r = await asyncio.to_thread(cli, tmp_path, "cache", "stats", "--config", str(cfg_path))
    assert r.returncode != 0 and f"127.0.0.1:{configured}" in r.stderr


def test_stale_runtime_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / running.FILE).write_text(json.dumps({"pid": 2 ** 22 + 12345, "host": "127.0.0.1", "port": 1234}))
    assert running.read(str(tmp_path)) is None
    (tmp_path / running.FILE).write_text("not json")
    assert running.read(str(tmp_path)) is None
