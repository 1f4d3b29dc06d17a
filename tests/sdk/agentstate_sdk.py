"""Drives a running stmgr server with the real `agentstate` 1.0.2 Python SDK.

Usage: python agentstate_sdk.py BASE_URL [WATCH_URL]. Prints OK and exits 0 when every check
passes. With WATCH_URL (another server on the same database) the watch goes through it.
"""
import sys
import threading
import time

import requests
from agentstate import AgentStateClient

base = sys.argv[1]
watch_base = sys.argv[2] if len(sys.argv) > 2 else base
c = AgentStateClient(base, "sdk-test")
w = AgentStateClient(watch_base, "sdk-test")


def wait_for(what, cond, deadline_s=20.0):
    end = time.monotonic() + deadline_s
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


assert c.health_check(), "health_check() must be True against a default server"

a = c.create_agent("chatbot", {"name": "Bot", "status": "active"}, {"team": "support"}, agent_id="bot-1")
assert a["id"] == "bot-1" and a["ns"] == "sdk-test" and a["commit_seq"] >= 1, a
assert a["body"] == {"name": "Bot", "status": "active"}, a
for field in ("type", "tags", "ttl_seconds", "parents", "commit", "ts"):
    assert field in a, (field, a)
other = c.create_agent("chatbot", {"name": "Other"}, {"team": "sales"})
assert len(other["id"]) == 26, other  # a generated ULID

got = c.get_agent("bot-1")
assert got["tags"] == {"team": "support"} and got["commit_seq"] == a["commit_seq"], got

# The SDK sends {"tags": ...}: the filter must apply (upstream ignores it).
support = c.query_agents({"team": "support"})
assert [x["id"] for x in support] == ["bot-1"], support
assert len(c.query_agents()) == 2
assert [x["id"] for x in c.query({"team": "sales"})] == [other["id"]]

# Legacy put/get.
legacy = c.put("chatbot", {"v": 2}, {"team": "support"}, id="bot-1")
assert legacy["commit_seq"] > a["commit_seq"] and c.get("bot-1")["body"] == {"v": 2}

# Watch: the SDK starts at the current head; wait until the server counts the stream.
events = []


def watch():
    for e in w.watch():
        events.append(e)
        if len(events) >= 2:
            return


t = threading.Thread(target=watch, daemon=True)
t.start()


def watchers():
    h = requests.get(f"{watch_base}/health?format=json", timeout=5).json()
    return h["components"]["watch"]["clients"]


wait_for("the watch stream", lambda: watchers() >= 1)
put = c.create_agent("worker", {"n": 1}, agent_id="w1")
c.delete_agent("w1")
t.join(timeout=20)
assert not t.is_alive(), "watch did not deliver two events"
assert events[0]["type"] == "put" and events[0]["obj"]["id"] == "w1", events
assert events[0]["commit_seq"] == put["commit_seq"], events
assert events[1] == {"type": "delete", "ns": "sdk-test", "id": "w1", "commit_seq": put["commit_seq"] + 1, "reason": "deleted"}, events

c.delete_agent("bot-1")
try:
    c.get_agent("bot-1")
    raise AssertionError("deleted agent still readable")
except requests.HTTPError as e:
    assert e.response.status_code == 404
    assert e.response.json()["error"] == "not_found"

# Leases (the SDK sends no auth header for these).
lease = c.lease_acquire("job", "worker-1", 30)
assert isinstance(lease["token"], int) and "expires_at" in lease, lease
renewed = c.lease_renew("job", "worker-1", lease["token"], 30)
assert renewed["token"] == lease["token"], renewed
try:
    c.lease_acquire("job", "worker-2", 30)
    raise AssertionError("a held lease was granted twice")
except requests.HTTPError as e:
    assert e.response.status_code == 409
assert c.lease_release("job", "worker-1", lease["token"]) is True
again = c.lease_acquire("job", "worker-2", 30)
assert again["token"] > lease["token"], (lease, again)

print("OK")
