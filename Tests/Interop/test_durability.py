"""Issue 3: "A publish is acknowledged only after its item is durable", and pubsub state survives a
restart — on both storage backends, through slixmpp's xep_0060 plugin.

- kill -9: N publishes (concurrently, and one at a time); the moment the LAST publish result
  arrives the server gets SIGKILL (no graceful shutdown, no chance to flush); after a restart on the
  same data every acknowledged item is there with its payload.
- SIGTERM restart: nodes, configuration, the tree, affiliations and subscriptions persist, and the
  restored subscription and affiliation are live (a publisher's new item reaches the subscriber).
"""

from __future__ import annotations

import asyncio
import signal

import pytest

from interop_client import STEP_TIMEOUT, Session, run
from interop_pubsub import (SUBSCRIBE_OPTIONS, form, is_item_event, node_config, payload_value,
                            pubsub_login, reading, service_jid)

pytestmark = pytest.mark.skipif(
    __import__("conftest").SERVER_KIND != "starling",
    reason="the Prosody reference runs without a pubsub component")

N = 20
NODE = "durable/readings"


def _kill_hard(server) -> int:
    """SIGKILL the server process right now and reap it; returns its exit status (-9)."""
    proc = server.process
    assert proc is not None and proc.poll() is None, "server not running before the kill"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with open(server.log_path, "ab") as log:
        log.write(b"\n===== test: SIGKILL right after the last publish result\n")
    return server.stop()   # already dead: records the status and forgets the process


@pytest.mark.parametrize("mode", ["concurrent", "sequential"])
def test_acknowledged_publishes_survive_kill_9(server, mode):
    service = service_jid(server)
    acknowledged: dict[str, str] = {}   # item id -> published value

    async def publish_then_kill():
        async with Session(server) as session:
            alice = await pubsub_login(session, "alice", presence=False)
            ps = alice.plugin["xep_0060"]
            await ps.create_node(service, NODE, config=node_config(alice, max_items=str(N * 2)),
                                 timeout=STEP_TIMEOUT)

            async def one(index: int):
                value = f"{20 + index / 10:.1f}"
                # Half with a client id, half with a server-generated id (§7.1.2).
                item_id = f"k{index}" if index % 2 == 0 else None
                result = await ps.publish(service, NODE, id=item_id, payload=reading(value),
                                          timeout=STEP_TIMEOUT)
                got = result["pubsub"]["publish"]["item"]["id"]
                assert got, f"publish {index}: no item id in the result: {result}"
                if item_id is not None:
                    assert got == item_id, result
                return got, value

            if mode == "concurrent":
                results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(N))), 30)
            else:
                results = [await one(i) for i in range(N)]
            # The last result is in: no graceful shutdown, no flush.
            status = _kill_hard(server)
            assert status == -signal.SIGKILL, f"exit status {status}"
            acknowledged.update(results)
            assert len(acknowledged) == N, f"duplicate item ids among {results}"
            alice.abort()

    async def check_after_restart():
        async with Session(server) as session:
            bob = await pubsub_login(session, "bob", presence=False)
            result = await bob.plugin["xep_0060"].get_items(service, NODE, timeout=STEP_TIMEOUT)
            stored = {item["id"]: payload_value(item) for item in result["pubsub"]["items"]}
            missing = sorted(set(acknowledged) - set(stored))
            assert not missing, (f"{len(missing)} of {N} acknowledged items lost after kill -9: "
                                 f"{missing}; stored: {sorted(stored)}")
            for item_id, value in acknowledged.items():
                tag, unit, text = stored[item_id]
                assert (tag, unit, text) == ("{urn:example:sensor}reading", "C", value), \
                    f"{item_id}: stored {stored[item_id]}, published {value}"

    run(publish_then_kill(), timeout=60)
    server.start()
    run(check_after_restart(), timeout=30)


def test_nodes_config_affiliations_subscriptions_survive_restart(server):
    service = service_jid(server)
    collection, leaf = "site-b", "site-b/hall/humidity"

    async def before():
        async with Session(server) as session:
            alice = await pubsub_login(session, "alice")
            carol = await pubsub_login(session, "carol")
            ps = alice.plugin["xep_0060"]
            await ps.create_node(service, collection, config=node_config(alice, node_type="collection"),
                                 timeout=STEP_TIMEOUT)
            await ps.create_node(service, leaf,
                                 config=node_config(alice, node_type="leaf", collection=collection,
                                                    title="Hall humidity", max_items="7"),
                                 timeout=STEP_TIMEOUT)
            # bob may publish (XEP-0060 §8.9.2); carol follows the whole site (XEP-0248 §6.1).
            await ps.modify_affiliations(service, leaf, [(f"bob@{server.domain}", "publisher")],
                                         timeout=STEP_TIMEOUT)
            options = form(carol, SUBSCRIBE_OPTIONS, {"pubsub#subscription_type": "items",
                                                      "pubsub#subscription_depth": "all"})
            sub = await carol.plugin["xep_0060"].subscribe(service, collection, options=options,
                                                           timeout=STEP_TIMEOUT)
            assert sub["pubsub"]["subscription"]["subscription"] == "subscribed", sub
            await ps.publish(service, leaf, id="before", payload=reading("55"), timeout=STEP_TIMEOUT)
            await carol.events.expect(is_item_event(leaf, "before"), "notification before the restart")

    async def after():
        async with Session(server) as session:
            alice = await pubsub_login(session, "alice", resource="after")
            bob = await pubsub_login(session, "bob", resource="after")
            carol = await pubsub_login(session, "carol", resource="after")
            ps = alice.plugin["xep_0060"]

            config = await ps.get_node_config(service, leaf, timeout=STEP_TIMEOUT)
            values = config["pubsub_owner"]["configure"]["form"].get_values()
            assert values.get("pubsub#title") == "Hall humidity", values
            assert str(values.get("pubsub#max_items")) == "7", values
            assert values.get("pubsub#node_type") == "leaf", values
            parents = values.get("pubsub#collection")
            parents = [parents] if isinstance(parents, str) else list(parents or [])
            assert parents == [collection], values
            parent = await ps.get_node_config(service, collection, timeout=STEP_TIMEOUT)
            parent_values = parent["pubsub_owner"]["configure"]["form"].get_values()
            assert parent_values.get("pubsub#node_type") == "collection", parent_values
            children = parent_values.get("pubsub#children")
            children = [children] if isinstance(children, str) else list(children or [])
            assert leaf in children, parent_values

            affiliations = await ps.get_node_affiliations(service, leaf, timeout=STEP_TIMEOUT)
            table = {str(a["jid"]): a["affiliation"] for a in affiliations["pubsub_owner"]["affiliations"]}
            assert table.get(f"alice@{server.domain}") == "owner", table
            assert table.get(f"bob@{server.domain}") == "publisher", table

            subscriptions = await ps.get_node_subscriptions(service, collection, timeout=STEP_TIMEOUT)
            states = {str(s["jid"]): s["subscription"] for s in subscriptions["pubsub_owner"]["subscriptions"]}
            assert states.get(f"carol@{server.domain}") == "subscribed", states

            items = await ps.get_items(service, leaf, timeout=STEP_TIMEOUT)
            assert [i["id"] for i in items["pubsub"]["items"]] == ["before"], items

            # Live, not just listed: bob's restored affiliation lets him publish, and carol's
            # restored collection subscription (items, depth all) delivers it.
            await bob.plugin["xep_0060"].publish(service, leaf, id="after", payload=reading("56"),
                                                 timeout=STEP_TIMEOUT)
            note = await carol.events.expect(is_item_event(leaf, "after"),
                                             "notification after the restart")
            [item] = [i for i in note["pubsub_event"]["items"] if i.name == "item"]
            assert payload_value(item)[2] == "56", note

    run(before(), timeout=40)
    server.restart()   # SIGTERM, then the same config and data
    run(after(), timeout=40)
