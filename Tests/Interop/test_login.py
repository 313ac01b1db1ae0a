"""RFC 6120 §5 STARTTLS, §6 SASL (SCRAM, RFC 5802/7677), §7 resource binding — as slixmpp does them."""

from __future__ import annotations

import asyncio

import pytest

from interop_client import STEP_TIMEOUT, Session, run


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-1"])
def test_login_with_starttls_scram_and_bind(server, mechanism):
    async def scenario():
        async with Session(server) as session:
            client = session.client("bob", mechanism=mechanism)   # password has a space and ':'
            outcome = await session.attempt(client)
            assert outcome == "session", f"expected a session, got {outcome}"
            # The stream was upgraded with STARTTLS (slixmpp only records it after <proceed/>
            # and a completed handshake).
            assert "starttls" in client.features
            assert client.tls_version in ("TLSv1.2", "TLSv1.3"), client.tls_version
            # The server offered the mechanism and slixmpp, restricted to it, really used it;
            # a bad server signature (v=) would have aborted before session_start.
            assert mechanism in client.offered_mechanisms, client.offered_mechanisms
            assert client.mechanism == mechanism
            assert client.authenticated
            # §7: bound to a full JID whose bare part is the account; the server chose the resource.
            assert client.sessionstarted
            assert client.boundjid.bare == f"bob@{server.domain}"
            assert client.boundjid.resource, f"bound JID has no resource: {client.boundjid}"
            # The session carries stanzas: an IQ round trip after bind.
            result = await client.get_roster(timeout=STEP_TIMEOUT)
            assert result["type"] == "result"
    run(scenario())


def test_login_binds_the_requested_resource(server):
    async def scenario():
        async with Session(server) as session:
            client = session.client("alice", mechanism="SCRAM-SHA-256", resource="sensor-7")
            assert await session.attempt(client) == "session"
            # §7.7.2.2 lets a server override the resource, but neither Prosody nor Starling does.
            assert client.boundjid.full == f"alice@{server.domain}/sensor-7"
    run(scenario())


@pytest.mark.parametrize("user,password", [("alice", "not-alices-password"),
                                           ("nobody", "whatever")],
                         ids=["wrong-password", "unknown-user"])
def test_failed_authentication(server, user, password):
    async def scenario():
        async with Session(server) as session:
            client = session.client(user, password=password, mechanism="SCRAM-SHA-256")
            outcome = await session.attempt(client)
            assert outcome == "auth-failed", f"expected failed_auth, got {outcome}"
            failure = client.auth_failed.result()
            # RFC 6120 §6.5.10; an unknown user gets the same answer (no account enumeration).
            assert failure["condition"] == "not-authorized", str(failure)
            # No session follows: slixmpp gives up (no other mechanism allowed) and the stream ends.
            done, _ = await asyncio.wait({client.session_started, client.was_disconnected},
                                         timeout=STEP_TIMEOUT,
                                         return_when=asyncio.FIRST_COMPLETED)
            assert client.session_started not in done, "session_start fired after failed_auth"
            assert not client.authenticated
            assert not client.sessionstarted
    run(scenario())
