"""Where the running proxy listens: `bulwark serve` writes `<state.data_dir>/serve.json`
(pid, host, port, config file) once it listens and removes it when it stops.

Why: `bulwark serve --port 9100` (or `--port 0`) listens somewhere the config file does not
say, and the admin commands that ask the running proxy (`bulwark cache stats` / `purge` with
the in-memory cache) would otherwise knock on `server.port` and find nothing, or another
process. `proxy.commands.load_config` reads the file and uses the port of a live server.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger("bulwark")

FILE = "serve.json"


def path_for(data_dir: str) -> Path:
    return Path(data_dir) / FILE


def write(data_dir: str, host: str, port: int, config_path: str | None) -> Path | None:
    p = path_for(data_dir)
    record = {"pid": os.getpid(), "host": host, "port": port, "started_at": int(time.time()),
              "config": os.path.abspath(config_path) if config_path else None}
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{FILE}.{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(record))
        os.replace(tmp, p)
    except OSError as exc:  # a read-only data dir: the admin commands then fall back to server.port
        log.warning("cannot write %s (%s); `bulwark cache` will use server.port from the config", p, exc.strerror)
        return None
    return p


def remove(data_dir: str) -> None:
    """Remove the file if this process wrote it (another server may have taken it over)."""
    p = path_for(data_dir)
    rec = read(data_dir, check_alive=False)
    if rec is not None and rec.get("pid") == os.getpid():
        try:
            p.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, but alive
        return True
    except OSError:
        return False
    return True


def read(data_dir: str, *, check_alive: bool = True) -> dict[str, Any] | None:
    """The running server's record, or None (no file, unreadable, or its process is gone)."""
    try:
        rec = orjson.loads(path_for(data_dir).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(rec, dict) or not isinstance(rec.get("pid"), int) or not isinstance(rec.get("port"), int):
        return None
    if check_alive and not _alive(rec["pid"]):
        return None
    return rec
