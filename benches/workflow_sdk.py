"""Workflow transitions/s driven by the real `exospherehost` 0.0.3 SDK (run by workflow_sdk.sh).

A linear chain of CHAIN nodes; RUNS runs are triggered up front; PROCS processes each run one
SDK `Runtime` (WORKERS workers, batch 16, POLL seconds between polls). Transitions are counted
by the server (`operations_total{op="workflow_executed",result="ok"}` on /metrics) over SECS
seconds after a warm-up, so the figure is what the server committed, not what the SDK believes.
"""

import asyncio
import multiprocessing
import os
import re
import sys
import time
import urllib.request

import aiohttp
from pydantic import BaseModel

from exospherehost import BaseNode, GraphNodeModel, Runtime, StateManager

URI = os.environ["EXOSPHERE_STATE_MANAGER_URI"]
KEY = os.environ["EXOSPHERE_API_KEY"]
CHAIN = int(os.environ.get("CHAIN", "10"))
RUNS = int(os.environ.get("RUNS", "3000"))
PROCS = int(os.environ.get("PROCS", "4"))
WORKERS = int(os.environ.get("WORKERS", "8"))
POLL = float(os.environ.get("POLL", "0.05"))
SECS = float(os.environ.get("SECS", "10"))
NS = "sdkbench"


class Step(BaseNode):
    class Inputs(BaseModel):
        x: str

    class Outputs(BaseModel):
        x: str

    async def execute(self):
        return self.Outputs(x=self.inputs.x[:32] + ".")


# One node class per chain position, so every state names its own node like a real graph.
NODES = [type(f"Step{i}", (Step,), {}) for i in range(CHAIN)]


def executed_total():
    text = urllib.request.urlopen(f"{URI}/metrics").read().decode()
    m = re.search(r'^operations_total\{op="workflow_executed",result="ok"\} (\S+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def runtime_process():
    Runtime(NS, "bench", NODES, workers=WORKERS, batch_size=16, poll_interval=POLL).start()


async def setup():
    sm = StateManager(NS, state_manager_uri=URI, key=KEY)
    # Register the nodes the way a runtime does, before the graph that uses them.
    rt = Runtime(NS, "bench", NODES)
    await rt._register()
    nodes = [
        GraphNodeModel(
            node_name=n.__name__,
            namespace=NS,
            identifier=f"s{i}",
            inputs={"x": "start" if i == 0 else f"${{{{ s{i - 1}.outputs.x }}}}"},
            next_nodes=[f"s{i + 1}"] if i + 1 < CHAIN else [],
        )
        for i, n in enumerate(NODES)
    ]
    await sm.upsert_graph("chain", nodes, {}, validation_timeout=30)
    url = f"{URI}/v0/namespace/{NS}/graph/chain/trigger"
    async with aiohttp.ClientSession(headers={"x-api-key": KEY}) as s:
        sem = asyncio.Semaphore(32)

        async def trigger():
            async with sem:
                async with s.post(url, json={}) as r:
                    assert r.status == 200, await r.text()

        await asyncio.gather(*(trigger() for _ in range(RUNS)))


def main():
    t = time.time()
    asyncio.run(setup())
    print(f"setup: chain {CHAIN}, {RUNS} runs triggered in {time.time() - t:.1f} s", flush=True)
    procs = [multiprocessing.Process(target=runtime_process, daemon=True) for _ in range(PROCS)]
    for p in procs:
        p.start()
    time.sleep(3)  # warm-up: runtimes register and fill their queues
    before, t0 = executed_total(), time.time()
    time.sleep(SECS)
    after, t1 = executed_total(), time.time()
    for p in procs:
        p.terminate()
    rate = (after - before) / (t1 - t0)
    print(
        f"sdk: {PROCS} runtimes x {WORKERS} workers, poll {POLL} s: "
        f"{after - before:.0f} transitions in {t1 - t0:.1f} s = {rate:.0f}/s"
    )
    if after >= CHAIN * RUNS:
        print("warning: the runs ran out during the measurement; raise RUNS", file=sys.stderr)


if __name__ == "__main__":
    main()
