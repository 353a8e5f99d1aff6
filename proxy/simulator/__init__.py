"""A simulated LLM provider (`bulwark simulate`) for tests, benchmarks and outage rehearsals.

    from proxy.simulator import SimulatorConfig, create_app, start, run
    sim = await start(seed=0, chunk_words=2)      # OpenAI face under sim.url (/v1), Anthropic /v1/messages
    sim.script("refund", [{"fault": "503"}, {"content": "Refund approved."}])
    sim.set_fault("cut=3")                        # every following request, until set_fault(None)
    sim.requests[-1]["json"]
    await sim.aclose()

Answers are deterministic functions of (model, messages, seed) unless scripted. Faults come
from the `x-sim-fault` request header, a scripted reply, `set_fault` / `POST /sim/fault`, or a
seeded chaos draw (`fault_rate`, `fault_kinds`); grammar in `proxy.simulator.faults`.
Control API: POST/DELETE/GET /sim/fault, POST/GET/DELETE /sim/script, GET/DELETE /sim/requests?limit=.
"""
from .app import SimServer, create_app, run, start
from .config import SimulatorConfig
from .faults import Fault, parse_fault
from .wire import SimState

__all__ = ["SimulatorConfig", "SimServer", "SimState", "Fault", "create_app", "parse_fault", "run", "start"]
