"""XEP-0060 publish-subscribe and the XEP-0248 node tree, driven by slixmpp's own xep_0060 plugin
(with xep_0004 forms and xep_0059 RSM) against pubsub.<domain>, on both storage backends.

alice owns the nodes and publishes; bob subscribes to the collection site-a (items, depth all);
carol subscribes to the leaf itself (retract and delete notifications go to the leaf's subscribers,
XEP-0060 §7.2.2.1, §8.4.2).
"""

from __future__ import annotations

import pytest

from interop_client import STEP_TIMEOUT, Session, run
from interop_pubsub import (SENSOR_NS, SUBSCRIBE_OPTIONS, error_summary, expect_iq_error, form,
                            is_event, is_item_event, node_config, page_summary, payload_value,
                            pubsub_login, reading, rsm_pages, service_jid, shim_headers)

pytestmark = pytest.mark.skipif(
    __import__("conftest").SERVER_KIND != "starling",
    reason="the Prosody reference runs without a pubsub component")

COLLECTION = "site-a"
LEAF = "site-a/floor-2/temp"


def test_collection_tree_publish_subscribe_page_retract_purge_delete(server):
    service = service_jid(server)

    async def scenario():
        async with Session(server) as session:
            alice = await pubsub_login(session, "alice")
            bob = await pubsub_login(session, "bob")
            carol = await pubsub_login(session, "carol")
            ps = alice.plugin["xep_0060"]

            # -- create: a collection, and a leaf associated with it (XEP-0248 §5.1, §7.1) ----------
            created = await ps.create_node(service, COLLECTION,
                                           config=node_config(alice, node_type="collection"),
                                           timeout=STEP_TIMEOUT)
            assert created["type"] == "result"
            created = await ps.create_node(
                service, LEAF,
                config=node_config(alice, node_type="leaf", collection=COLLECTION,
                                   notify_retract="1", notify_delete="1"),
                timeout=STEP_TIMEOUT)
            assert created["type"] == "result"
            # §8.1.2: a result may echo the node; if it does, it is the requested name.
            echoed = created["pubsub"]["create"]["node"]
            assert echoed in ("", LEAF), f"leaf created under another name: {echoed!r}"

            # -- configure: set max_items and title, read them back (XEP-0060 §8.2) -------------------
            got = await ps.set_node_config(
                service, LEAF, node_config(alice, max_items="10", title="Floor 2 temperature"),
                timeout=STEP_TIMEOUT)
            assert got["type"] == "result"
            config = await ps.get_node_config(service, LEAF, timeout=STEP_TIMEOUT)
            values = config["pubsub_owner"]["configure"]["form"].get_values()
            assert values.get("FORM_TYPE") in ("http://jabber.org/protocol/pubsub#node_config",
                                               ["http://jabber.org/protocol/pubsub#node_config"]), values
            assert str(values.get("pubsub#max_items")) == "10", values
            assert values.get("pubsub#title") == "Floor 2 temperature", values
            assert values.get("pubsub#node_type") == "leaf", values
            collections = values.get("pubsub#collection")
            collections = [collections] if isinstance(collections, str) else list(collections or [])
            assert collections == [COLLECTION], values
            # The collection lists the leaf among its children (XEP-0248 §7.1, pubsub#children).
            parent = await ps.get_node_config(service, COLLECTION, timeout=STEP_TIMEOUT)
            parent_values = parent["pubsub_owner"]["configure"]["form"].get_values()
            assert parent_values.get("pubsub#node_type") == "collection", parent_values
            children = parent_values.get("pubsub#children")
            children = [children] if isinstance(children, str) else list(children or [])
            assert LEAF in children, parent_values

            # -- subscribe: bob to the collection, items at any depth (XEP-0248 §6.1) -----------------
            options = form(bob, SUBSCRIBE_OPTIONS, {"pubsub#subscription_type": "items",
                                                    "pubsub#subscription_depth": "all"})
            sub = await bob.plugin["xep_0060"].subscribe(service, COLLECTION, options=options,
                                                         timeout=STEP_TIMEOUT)
            assert sub["pubsub"]["subscription"]["node"] == COLLECTION, sub
            assert sub["pubsub"]["subscription"]["jid"].bare == bob.boundjid.bare, sub
            assert sub["pubsub"]["subscription"]["subscription"] == "subscribed", sub
            # carol subscribes to the leaf itself (XEP-0060 §6.1).
            sub = await carol.plugin["xep_0060"].subscribe(service, LEAF, timeout=STEP_TIMEOUT)
            assert sub["pubsub"]["subscription"]["subscription"] == "subscribed", sub

            # -- publish with an id; bob's collection subscription delivers it (XEP-0248 §5.3) --------
            published = await ps.publish(service, LEAF, id="r1", payload=reading("21.5"),
                                         timeout=STEP_TIMEOUT)
            assert published["pubsub"]["publish"]["node"] == LEAF, published
            assert published["pubsub"]["publish"]["item"]["id"] == "r1", published
            note = await bob.events.expect(is_item_event(LEAF, "r1"),
                                             "notification of r1 through the collection subscription")
            assert note["from"].full == service, note
            event_items = note["pubsub_event"]["items"]
            assert event_items["node"] == LEAF, note
            [item] = [i for i in event_items if i.name == "item"]
            assert item["id"] == "r1"
            assert payload_value(item) == (f"{{{SENSOR_NS}}}reading", "C", "21.5"), note
            # XEP-0248 §5.3: a SHIM Collection header names the collection the subscription is on.
            assert ("Collection", COLLECTION) in shim_headers(note), note
            await carol.events.expect(is_item_event(LEAF, "r1"), "notification of r1 to the leaf subscriber")

            # -- publish without ids: the service assigns unique ids and returns them (§7.1.2) ---------
            ids = ["r1"]
            for value in ("21.6", "21.7", "21.8"):
                published = await ps.publish(service, LEAF, payload=reading(value), timeout=STEP_TIMEOUT)
                new_id = published["pubsub"]["publish"]["item"]["id"]
                assert new_id, f"no server-generated item id in the publish result: {published}"
                assert new_id not in ids, f"duplicate generated id {new_id!r}: {ids}"
                ids.append(new_id)
                note = await bob.events.expect(is_item_event(LEAF, new_id), f"notification of {new_id}")
                [item] = [i for i in note["pubsub_event"]["items"] if i.name == "item"]
                assert payload_value(item)[2] == value, note
                await carol.events.expect(is_item_event(LEAF, new_id), f"carol's notification of {new_id}")
            published = await ps.publish(service, LEAF, id="r5", payload=reading("21.9"), timeout=STEP_TIMEOUT)
            assert published["pubsub"]["publish"]["item"]["id"] == "r5", published
            ids.append("r5")
            await bob.events.expect(is_item_event(LEAF, "r5"), "notification of r5")
            await carol.events.expect(is_item_event(LEAF, "r5"), "carol's notification of r5")

            # -- retrieve all, then with RSM pages of 2 (XEP-0060 §6.5, §6.5.4; XEP-0059 §2) ----------
            everything = await ps.get_items(service, LEAF, timeout=STEP_TIMEOUT)
            all_ids = [i["id"] for i in everything["pubsub"]["items"]]
            assert sorted(all_ids) == sorted(ids), f"items {all_ids}, published {ids}"
            assert all_ids in (ids, ids[::-1]), f"items not in publish order: {all_ids} vs {ids}"
            values_by_id = {i["id"]: payload_value(i)[2] for i in everything["pubsub"]["items"]}
            assert values_by_id["r1"] == "21.5" and values_by_id["r5"] == "21.9", values_by_id

            pages = []
            iterator = rsm_pages(alice, service, LEAF, 2)
            for _ in range(5):        # 5 items: pages of 2, 2, 1 then (maybe) an empty page
                try:
                    page = await iterator.next()
                except StopAsyncIteration:
                    break
                pages.append(page_summary(page))
            paged = [i for ids_, *_ in pages for i in ids_]
            assert [len(p[0]) for p in pages if p[0]] == [2, 2, 1], pages
            assert paged == all_ids, f"RSM pages {pages} do not add up to {all_ids}"
            for page_ids, first, last, count in pages:
                if page_ids:
                    assert first and last, f"page without <first/>/<last/>: {pages}"
                    if count is not None:
                        assert int(count) == len(ids), pages

            # -- retract with notify: the leaf's subscribers are told (XEP-0060 §7.2.2.1) ------------
            retracted = await ps.retract(service, LEAF, "r1", notify=True, timeout=STEP_TIMEOUT)
            assert retracted["type"] == "result"
            note = await carol.events.expect(
                lambda m: is_event("items", LEAF)(m) and any(
                    r.name == "retract" and r["id"] == "r1" for r in m["pubsub_event"]["items"]),
                "retract notification for r1")
            assert note["from"].full == service
            remaining = [i["id"] for i in (await ps.get_items(service, LEAF, timeout=STEP_TIMEOUT))["pubsub"]["items"]]
            assert sorted(remaining) == sorted(ids[1:]), remaining

            # -- purge (XEP-0060 §8.5): the node is empty afterwards ----------------------------------
            purged = await ps.purge(service, LEAF, timeout=STEP_TIMEOUT)
            assert purged["type"] == "result"
            after_purge = await ps.get_items(service, LEAF, timeout=STEP_TIMEOUT)
            assert list(after_purge["pubsub"]["items"]) == [], after_purge

            # -- delete the leaf, then the collection (XEP-0060 §8.4, XEP-0248 §7.4) -----------------
            deleted = await ps.delete_node(service, LEAF, timeout=STEP_TIMEOUT)
            assert deleted["type"] == "result"
            await carol.events.expect(is_event("delete", LEAF), "delete notification for the leaf")
            deleted = await ps.delete_node(service, COLLECTION, timeout=STEP_TIMEOUT)
            assert deleted["type"] == "result"
            for node in (LEAF, COLLECTION):
                error = await expect_iq_error(ps.get_items(service, node, timeout=STEP_TIMEOUT),
                                              f"items of deleted node {node}")
                assert error_summary(error)[:2] == ("cancel", "item-not-found"), error.iq
            listed = await alice.plugin["xep_0030"].get_items(jid=service, timeout=STEP_TIMEOUT)
            names = [node for (_, node, _) in listed["disco_items"]["items"]]
            assert LEAF not in names and COLLECTION not in names, names

    run(scenario(), timeout=90)


def test_error_paths(server):
    service = service_jid(server)

    async def scenario():
        async with Session(server) as session:
            alice = await pubsub_login(session, "alice")
            ps = alice.plugin["xep_0060"]
            await ps.create_node(service, COLLECTION, config=node_config(alice, node_type="collection"),
                                 timeout=STEP_TIMEOUT)

            # XEP-0248 §4.1: a collection does not support publish; XEP-0060 §7.1.3.? (unsupported
            # feature): <feature-not-implemented/> with <unsupported feature='publish'/>.
            error = await expect_iq_error(
                ps.publish(service, COLLECTION, id="x", payload=reading("1"), timeout=STEP_TIMEOUT),
                "publish to a collection")
            kind, condition, _ = error_summary(error)
            assert (kind, condition) == ("cancel", "feature-not-implemented"), error.iq
            assert error.iq["error"]["pubsub"]["unsupported"] == "publish", error.iq

            # XEP-0060 §6.1.3.12: subscribing to a node that does not exist.
            error = await expect_iq_error(
                ps.subscribe(service, "site-a/nowhere", timeout=STEP_TIMEOUT), "subscribe to a missing node")
            assert error_summary(error)[:2] == ("cancel", "item-not-found"), error.iq

    run(scenario(), timeout=40)
