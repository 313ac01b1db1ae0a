"""Rosters and accounts survive a server restart (both storage backends)."""

from __future__ import annotations

from interop_client import Session, run, subscribe_mutually


def test_roster_survives_restart(server):
    async def before():
        async with Session(server) as session:
            alice = await session.login("alice")
            bob = await session.login("bob")
            await subscribe_mutually(alice, bob)

    async def after():
        async with Session(server) as session:
            bob = await session.login("bob", resource="after")
            alice = await session.login("alice", resource="after")
            for owner, contact in ((alice, bob), (bob, alice)):
                roster = await owner.fetch_roster()
                item = roster.get(contact.boundjid.bare)
                assert item is not None, f"{contact.boundjid.bare} missing after restart: {roster}"
                assert item["subscription"] == "both", item
            # The stored subscription is live, not just listed: alice's initial presence reaches
            # bob (§4.2.2), and bob's current presence is delivered to alice (§4.2.2 probe).
            await bob.presences.expect(
                lambda p: p["type"] == "available" and p["from"] == alice.boundjid,
                "alice's initial presence after the restart")
            await alice.presences.expect(
                lambda p: p["type"] == "available" and p["from"] == bob.boundjid,
                "bob's presence (probe answer) after the restart")

    run(before())
    server.restart()
    run(after())
