"""The real `exospherehost` 0.0.3 SDK (Runtime + StateManager) against a stmgr server.

Usage: EXOSPHERE_STATE_MANAGER_URI=http://127.0.0.1:PORT EXOSPHERE_API_KEY=KEY python exosphere_sdk.py
Prints OK and exits 0 when every scenario behaves; any failure raises. STMGR_RUNTIME_URI points
the runtime at another server on the same database (the PostgreSQL backend).
"""

import asyncio
import os
import sys
import time
import uuid
from datetime import timedelta

import aiohttp
from pydantic import BaseModel

from exospherehost import (
    BaseNode,
    GraphNodeModel,
    PruneSignal,
    ReQueueAfterSignal,
    RetryPolicyModel,
    Runtime,
    StateManager,
    StoreConfigModel,
    UnitesModel,
)

URI = os.environ["EXOSPHERE_STATE_MANAGER_URI"]
KEY = os.environ["EXOSPHERE_API_KEY"]
# The runtime may talk to another server on the same database (PostgreSQL backend).
RUNTIME_URI = os.environ.get("STMGR_RUNTIME_URI", URI)
NS = "sdk-" + uuid.uuid4().hex[:8]
SEEN = set()


class Hello(BaseNode):
    class Inputs(BaseModel):
        name: str

    class Outputs(BaseModel):
        greeting: str

    async def execute(self):
        return self.Outputs(greeting=f"hi {self.inputs.name}")


class Shout(BaseNode):
    class Inputs(BaseModel):
        text: str

    class Outputs(BaseModel):
        loud: str

    async def execute(self):
        return self.Outputs(loud=self.inputs.text.upper())


class Split(BaseNode):
    class Inputs(BaseModel):
        who: str

    class Outputs(BaseModel):
        part: str

    async def execute(self):
        return self.Outputs(part=self.inputs.who)


class Work(BaseNode):
    class Inputs(BaseModel):
        part: str

    class Outputs(BaseModel):
        result: str

    class Secrets(BaseModel):
        token: str

    async def execute(self):
        # Fan-out x10, each carrying the secret it read.
        return [self.Outputs(result=f"{self.inputs.part}-{i}:{self.secrets.token}") for i in range(10)]


class Merge(BaseNode):
    class Inputs(BaseModel):
        who: str

    class Outputs(BaseModel):
        done: str

    async def execute(self):
        return self.Outputs(done=f"merged {self.inputs.who}")


class Flaky(BaseNode):
    class Inputs(BaseModel):
        key: str

    class Outputs(BaseModel):
        ok: str

    async def execute(self):
        if self.inputs.key not in SEEN:
            SEEN.add(self.inputs.key)
            raise RuntimeError("first attempt fails")
        return self.Outputs(ok="yes")


class Boom(BaseNode):
    class Inputs(BaseModel):
        key: str

    class Outputs(BaseModel):
        never: str

    async def execute(self):
        raise RuntimeError("kaboom")


class Pruner(BaseNode):
    class Inputs(BaseModel):
        key: str

    class Outputs(BaseModel):
        never: str

    async def execute(self):
        raise PruneSignal({"why": "skip"})


class Sleeper(BaseNode):
    class Inputs(BaseModel):
        key: str

    class Outputs(BaseModel):
        woke: str

    async def execute(self):
        if ("sleep", self.inputs.key) not in SEEN:
            SEEN.add(("sleep", self.inputs.key))
            raise ReQueueAfterSignal(timedelta(milliseconds=300))
        return self.Outputs(woke="yes")


NODES = [Hello, Shout, Split, Work, Merge, Flaky, Boom, Pruner, Sleeper]


def node(name, ident, inputs, next_nodes=None, unites=None):
    return GraphNodeModel(node_name=name, namespace=NS, identifier=ident, inputs=inputs,
                          next_nodes=next_nodes, unites=unites)


async def call(method, path, body=None, key=KEY):
    async with aiohttp.ClientSession() as s:
        async with s.request(method, f"{URI}/v0/namespace/{NS}{path}", json=body,
                             headers={"x-api-key": key}) as r:
            return r.status, await r.json()


async def wait_run(run_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, page = await call("GET", "/runs/1/100")
        assert status == 200, page
        for run in page["runs"]:
            if run["run_id"] == run_id and run["status"] != "PENDING":
                return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} still pending after {timeout}s")


async def states_of(run_id):
    status, g = await call("GET", f"/states/run/{run_id}/graph")
    assert status == 200, g
    return g


async def main():
    runtime = Runtime(namespace=NS, name="rt", nodes=NODES, state_manager_uri=RUNTIME_URI, batch_size=16,
                      workers=4, poll_interval=0.1)
    task = runtime.start()
    # Wait for the runtime to register its nodes.
    deadline = time.monotonic() + 30
    while True:
        status, nodes = await call("GET", "/nodes/")
        if status == 200 and nodes["count"] == len(NODES):
            break
        assert time.monotonic() < deadline, nodes
        await asyncio.sleep(0.1)

    sm = StateManager(namespace=NS)
    fast = RetryPolicyModel(max_retries=1, strategy="FIXED", backoff_factor=100)

    # 1. A linear chain with store keys and literal text around a placeholder.
    g = await sm.upsert_graph("chain", [
        node("Hello", "a", {"name": "${{ store.who }}"}, next_nodes=["b"]),
        node("Shout", "b", {"text": "say: ${{ a.outputs.greeting }}!"}),
    ], secrets={}, store_config=StoreConfigModel(required_keys=["who"]), polling_interval=0.1)
    assert g["validation_status"] == "VALID", g
    run = (await sm.trigger("chain", store={"who": "bob"}))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "SUCCESS" and r["success_count"] == 2, r
    graph = await states_of(run)
    b = next(n for n in graph["nodes"] if n["identifier"] == "b")
    status, detail = await call("GET", f"/graph/chain/run/{run}/node/{b['id']}")
    assert status == 200 and detail["outputs"]["loud"] == "SAY: HI BOB!", detail

    # 2. Fan-out x10 with a secret, then a unites merge that fires once.
    await sm.upsert_graph("fan", [
        node("Split", "split", {"who": "${{ store.who }}"}, next_nodes=["work"]),
        node("Work", "work", {"part": "${{ split.outputs.part }}"}, next_nodes=["merge"]),
        node("Merge", "merge", {"who": "${{ split.outputs.part }}"},
             unites=UnitesModel(identifier="split")),
    ], secrets={"token": "s3cr3t"}, store_config=StoreConfigModel(required_keys=["who"]),
        polling_interval=0.1)
    run = (await sm.trigger("fan", store={"who": "ann"}))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "SUCCESS" and r["success_count"] == 12, r
    graph = await states_of(run)
    works = [n for n in graph["nodes"] if n["identifier"] == "work"]
    merges = [n for n in graph["nodes"] if n["identifier"] == "merge"]
    assert len(works) == 10 and len(merges) == 1, graph
    status, detail = await call("GET", f"/graph/fan/run/{run}/node/{works[3]['id']}")
    assert detail["outputs"]["result"].endswith(":s3cr3t"), detail

    # 3. A node that fails once, then succeeds on its retry.
    await sm.upsert_graph("flaky", [node("Flaky", "f", {"key": "${{ store.k }}"})], secrets={},
                          retry_policy=fast, store_config=StoreConfigModel(required_keys=["k"]),
                          polling_interval=0.1)
    run = (await sm.trigger("flaky", store={"k": "once"}))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "SUCCESS" and r["retried_count"] == 1, r

    # 4. Retries exhausted: the run fails; then manual retry, and its duplicate is a 409.
    await sm.upsert_graph("boom", [node("Boom", "x", {"key": "k"})], secrets={}, retry_policy=fast,
                          polling_interval=0.1)
    run = (await sm.trigger("boom"))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "FAILED" and r["retried_count"] == 1 and r["errored_count"] == 1, r
    graph = await states_of(run)
    errored = next(n for n in graph["nodes"] if n["status"] == "ERRORED")
    assert errored["error"] == "kaboom", errored
    status, body = await call("POST", f"/state/{errored['id']}/manual-retry", {"fanout_id": "m1"})
    assert status == 200 and body["status"] == "CREATED", body
    status, body = await call("POST", f"/state/{errored['id']}/manual-retry", {"fanout_id": "m1"})
    assert status == 409 and "detail" in body, (status, body)

    # 5. Prune and re-enqueue-after answer 200, so the SDK's workers keep going.
    await sm.upsert_graph("prune", [node("Pruner", "p", {"key": "k"})], secrets={}, polling_interval=0.1)
    run = (await sm.trigger("prune"))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "SUCCESS", r
    p = (await states_of(run))["nodes"][0]
    assert p["status"] == "PRUNED", p
    await sm.upsert_graph("sleep", [node("Sleeper", "s", {"key": "${{ store.k }}"})], secrets={},
                          store_config=StoreConfigModel(default_values={"k": "nap"}), polling_interval=0.1)
    run = (await sm.trigger("sleep"))["run_id"]
    r = await wait_run(run)
    assert r["status"] == "SUCCESS" and r["success_count"] == 1, r
    # The workers survived both signals: a fresh run still completes.
    run = (await sm.trigger("chain", store={"who": "eve"}))["run_id"]
    assert (await wait_run(run))["status"] == "SUCCESS"

    # 6. Errors the SDK and its users see.
    status, body = await call("GET", "/graphs/", key="wrong")
    assert status == 401 and body.get("detail") == "Invalid API key", (status, body)
    status, body = await call("PUT", "/graph/bad", {"secrets": {}, "nodes": [
        node("Hello", "a", {"name": "x"}).model_dump(),
        node("Hello", "b", {"name": "y"}).model_dump(),
    ]})
    assert status == 400 and body["detail"].startswith("Error validating graph template"), body
    status, body = await call("POST", "/graph/chain/trigger", {})
    assert status == 400 and "who" in body["detail"], body
    status, body = await call("POST", "/state/nope/executed", {"outputs": []})
    assert status == 404 and "detail" in body, body

    task.cancel()
    print("OK")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BaseException as e:  # noqa: BLE001
        print(f"FAILED: {e!r}", file=sys.stderr)
        raise
