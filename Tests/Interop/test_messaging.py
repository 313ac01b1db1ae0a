"""RFC 6121: presence subscription (§3), presence (§4), message routing between local users (§8)."""

from __future__ import annotations

import asyncio

import pytest

from interop_client import Session, run, subscribe_mutually


def test_two_users_subscribe_exchange_presence_and_chat(server):
    async def scenario():
        async with Session(server) as session:
            alice = await session.login("alice", resource="desk")
            bob = await session.login("bob", resource="phone")
            await subscribe_mutually(alice, bob)

            # §8.5.2.1.1: to the bare JID, delivered to bob's only available resource.
            alice.chat(bob.boundjid.bare, "hello bare bob")
            got = await bob.messages.expect(lambda m: m["body"] == "hello bare bob",
                                            "alice's message to the bare JID")
            assert got["from"] == alice.boundjid, f"from {got['from']}, not {alice.boundjid}"
            assert got["type"] == "chat"

            # §8.5.3.1: to the full JID of a connected resource.
            alice.chat(bob.boundjid.full, "hello full bob")
            got = await bob.messages.expect(lambda m: m["body"] == "hello full bob",
                                            "alice's message to the full JID")
            assert got["from"] == alice.boundjid, f"from {got['from']}, not {alice.boundjid}"

            # bob answers the full JID he saw.
            bob.chat(got["from"].full, "hi alice")
            reply = await alice.messages.expect(lambda m: m["body"] == "hi alice", "bob's reply")
            assert reply["from"] == bob.boundjid, f"from {reply['from']}, not {bob.boundjid}"

            for owner, contact in ((alice, bob), (bob, alice)):
                roster = await owner.fetch_roster()
                item = roster.get(contact.boundjid.bare)
                assert item is not None, f"{contact.boundjid.bare} missing from {owner.boundjid.bare}'s roster: {roster}"
                assert item["subscription"] == "both", item
                assert item.get("ask") in (None, ""), item
    run(scenario())


@pytest.mark.parametrize("recipient", ["carol", "nobody"], ids=["offline-account", "no-such-account"])
def test_message_to_unavailable_recipient_bounces(server, recipient):
    """Starling does not store messages offline: §8.5.2.2.1 (offline account) and §8.5.1 (no such
    account) both answer a chat message with <service-unavailable/>. (The Prosody reference runs
    without mod_offline, so it behaves the same way.)"""
    target = f"{recipient}@{server.domain}"

    async def scenario():
        async with Session(server) as session:
            alice = await session.login("alice")
            alice.send_message(mto=target, mbody="are you there?", mtype="chat")
            error = await alice.errors.expect(lambda m: m["from"].bare == target,
                                              f"error bounce from {target}")
            assert error["type"] == "error"
            assert error["error"]["condition"] == "service-unavailable", str(error)
            assert error["error"]["type"] == "cancel", str(error)

            if recipient == "carol":
                # Bounced, hence not stored: carol sees nothing when she comes online.
                carol = await session.login("carol")
                await asyncio.sleep(1.5)
                stray = [m for m in carol.messages.items if m["body"] == "are you there?"]
                assert not stray, f"bounced message was also delivered later: {stray}"
    run(scenario())
