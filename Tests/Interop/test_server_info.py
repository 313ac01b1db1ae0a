"""XEP-0030 disco#info on the server, XEP-0199 ping, XEP-0092 software version."""

from __future__ import annotations

from interop_client import STEP_TIMEOUT, Session, run


def test_disco_info_ping_and_version(server):
    async def scenario():
        async with Session(server) as session:
            alice = await session.login("alice")

            info = await alice.plugin["xep_0030"].get_info(jid=server.domain, local=False,
                                                    cached=False, timeout=STEP_TIMEOUT)
            assert info["type"] == "result"
            identities = info["disco_info"]["identities"]
            assert any(identity[0] == "server" for identity in identities), identities
            features = set(info["disco_info"]["features"])
            for feature in ("http://jabber.org/protocol/disco#info", "urn:xmpp:ping",
                            "jabber:iq:version"):
                assert feature in features, f"{feature} not advertised: {sorted(features)}"

            # send_ping, not ping(): slixmpp's ping() counts an error from the own server as a pong.
            pong = await alice.plugin["xep_0199"].send_ping(server.domain, timeout=STEP_TIMEOUT)
            assert pong["type"] == "result"

            version = await alice.plugin["xep_0092"].get_version(server.domain, timeout=STEP_TIMEOUT)
            assert version["type"] == "result"
            software = version["software_version"]
            assert software["name"], str(version)
            assert software["version"], str(version)
            if server.name == "starling":
                assert "starling" in software["name"].lower(), str(version)
    run(scenario())
