"""RFC 6121 §2: roster get, set (add/update), pushes, remove."""

from __future__ import annotations

from interop_client import STEP_TIMEOUT, Session, run


def test_roster_set_push_get_and_remove(server):
    contact = f"dave@{server.domain}"

    def push_for(client, predicate):
        def match(iq):
            items = {str(jid): item for jid, item in iq["roster"]["items"].items()}
            # §2.1.6: a push comes from the account's bare JID or carries no 'from'.
            return (str(iq["from"]) in ("", client.boundjid.bare)
                    and contact in items and predicate(items[contact]))
        return match

    async def scenario():
        async with Session(server) as session:
            alice = await session.login("alice")

            add = alice.Iq()
            add["type"] = "set"
            add["roster"]["items"] = {contact: {"name": "Dave", "groups": ["Sensors"]}}
            result = await add.send(timeout=STEP_TIMEOUT)
            assert result["type"] == "result"

            push = await alice.roster_pushes.expect(
                push_for(alice, lambda item: item["name"] == "Dave"), "roster push for the add")
            item = push["roster"]["items"][contact]
            assert item["subscription"] in ("none", ""), item   # §2.1.2.5: absent means none
            assert list(item["groups"]) == ["Sensors"], item

            roster = await alice.fetch_roster()
            assert contact in roster, roster
            assert roster[contact]["name"] == "Dave"
            assert list(roster[contact]["groups"]) == ["Sensors"]
            assert roster[contact]["subscription"] in ("none", "")

            # Update: rename, move group.
            update = alice.Iq()
            update["type"] = "set"
            update["roster"]["items"] = {contact: {"name": "Dave T.", "groups": ["Lab", "Sensors"]}}
            assert (await update.send(timeout=STEP_TIMEOUT))["type"] == "result"
            await alice.roster_pushes.expect(
                push_for(alice, lambda item: item["name"] == "Dave T."), "roster push for the update")
            roster = await alice.fetch_roster()
            assert roster[contact]["name"] == "Dave T."
            assert sorted(roster[contact]["groups"]) == ["Lab", "Sensors"]

            remove = alice.Iq()
            remove["type"] = "set"
            remove["roster"]["items"] = {contact: {"subscription": "remove"}}
            assert (await remove.send(timeout=STEP_TIMEOUT))["type"] == "result"
            await alice.roster_pushes.expect(
                push_for(alice, lambda item: item["subscription"] == "remove"),
                "roster push for the remove")
            roster = await alice.fetch_roster()
            assert contact not in roster, roster
    run(scenario())
