"""slixmpp clients for the interop suite.

Every wait is bounded and the first connection failure ends the attempt, so a server that
misbehaves makes a test fail with a message instead of hanging it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import StanzaPath

STEP_TIMEOUT = 8.0     # one expected stanza or event
LOGIN_TIMEOUT = 10.0   # TCP + STARTTLS + SASL + bind


def run(coro, timeout: float = 20.0):
    """Run one test scenario on a fresh event loop, bounded in time."""
    async def bounded():
        try:
            return await asyncio.wait_for(coro, timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"scenario did not finish within {timeout:.0f} s") from None
    return asyncio.run(bounded())


class Inbox:
    """Stanzas received but not yet claimed by the test; `expect` claims the first match."""

    def __init__(self, name: str):
        self.name = name
        self.items: list[Any] = []
        self._changed = asyncio.Event()

    def put(self, stanza: Any) -> None:
        self.items.append(stanza)
        self._changed.set()

    async def expect(self, predicate: Callable[[Any], bool], what: str,
                     timeout: float = STEP_TIMEOUT):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, stanza in enumerate(self.items):
                if predicate(stanza):
                    del self.items[index]
                    return stanza
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = "\n  ".join(str(s) for s in self.items) or "(nothing)"
                raise AssertionError(f"{self.name}: no {what} within {timeout:.0f} s; "
                                     f"unclaimed stanzas:\n  {seen}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass


class InteropClient(slixmpp.ClientXMPP):
    """A ClientXMPP that connects with STARTTLS only, accepts the server's self-signed
    certificate, leaves subscription decisions to the test, and records what it receives."""

    def __init__(self, jid: str, password: str, mechanism: str | None = None):
        super().__init__(jid, password, sasl_mech=mechanism)
        # RFC 6120 §5: STARTTLS on the c2s port; no direct TLS (XEP-0368), no plaintext fallback.
        self.enable_direct_tls = False
        self.enable_starttls = True
        self.enable_plaintext = False
        # The server under test uses a self-signed certificate for "localhost".
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        for plugin in ("xep_0030", "xep_0092", "xep_0199"):
            self.register_plugin(plugin)
        # None: neither approve nor refuse subscription requests automatically.
        self.roster.auto_authorize = None
        self.roster.auto_subscribe = False

        loop = asyncio.get_running_loop()
        self.session_started: asyncio.Future = loop.create_future()
        self.auth_failed: asyncio.Future = loop.create_future()
        self.connection_failed: asyncio.Future = loop.create_future()
        self.was_disconnected: asyncio.Future = loop.create_future()
        self.messages = Inbox(f"{jid} messages")
        self.errors = Inbox(f"{jid} message errors")
        self.presences = Inbox(f"{jid} presences")
        self.roster_pushes = Inbox(f"{jid} roster pushes")

        self.add_event_handler("session_start", lambda _: _settle(self.session_started, True))
        self.add_event_handler("failed_auth", lambda s: _settle(self.auth_failed, s))
        self.add_event_handler("connection_failed", lambda e: _settle(self.connection_failed, e))
        self.add_event_handler("disconnected", lambda e: _settle(self.was_disconnected, e))
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("message_error", self.errors.put)
        self.add_event_handler("presence", self.presences.put)
        self.register_handler(Callback("interop roster push", StanzaPath("iq@type=set/roster"),
                                       self.roster_pushes.put))

    def _on_message(self, msg) -> None:
        if msg["type"] != "error":
            self.messages.put(msg)

    # -- facts about the negotiated stream ----------------------------------------------
    @property
    def mechanism(self) -> str | None:
        mech = self.plugin["feature_mechanisms"].mech
        return mech.name if mech is not None else None

    @property
    def offered_mechanisms(self) -> set[str]:
        return set(getattr(self.plugin["feature_mechanisms"], "mech_list", set()))

    @property
    def tls_version(self) -> str | None:
        ssl_object = self.transport.get_extra_info("ssl_object") if self.transport else None
        return ssl_object.version() if ssl_object is not None else None

    # -- queries --------------------------------------------------------------------------
    async def fetch_roster(self) -> dict[str, dict]:
        """A plain roster get (RFC 6121 §2.1.3) without `ver`, so the server must answer
        with the whole roster; returns {bare JID: item values}."""
        iq = self.Iq()
        iq["type"] = "get"
        iq.enable("roster")
        result = await iq.send(timeout=STEP_TIMEOUT)
        return {str(jid): dict(item) for jid, item in result["roster"]["items"].items()}

    def chat(self, to: str, body: str) -> None:
        self.send_message(mto=to, mbody=body, mtype="chat")


def _settle(future: asyncio.Future, value: Any) -> None:
    if not future.done():
        future.set_result(value)


class Session:
    """Opens clients against one server and disconnects all of them on exit."""

    def __init__(self, server):
        self.server = server
        self.clients: list[InteropClient] = []

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.gather(*(self.close(c) for c in list(self.clients)))

    async def close(self, client: InteropClient) -> None:
        if client in self.clients:
            self.clients.remove(client)
        try:
            await asyncio.wait_for(client.disconnect(wait=1.0), 5.0)
        except (asyncio.TimeoutError, Exception):
            client.abort()

    def client(self, user: str, password: str | None = None, mechanism: str | None = "SCRAM-SHA-256",
               resource: str | None = None) -> InteropClient:
        jid = f"{user}@{self.server.domain}" + (f"/{resource}" if resource else "")
        if password is None:
            password = self.server.accounts[user]
        client = InteropClient(jid, password, mechanism)
        self.clients.append(client)
        return client

    async def attempt(self, client: InteropClient) -> str:
        """Connect and wait for the first outcome: 'session', 'auth-failed', or raise."""
        client.connect(self.server.host, self.server.port)
        outcomes = {
            client.session_started: "session",
            client.auth_failed: "auth-failed",
            client.connection_failed: "connection-failed",
            client.was_disconnected: "disconnected",
        }
        done, _ = await asyncio.wait(outcomes, timeout=LOGIN_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if not done:
            raise AssertionError(f"{client.requested_jid}: no session, auth failure or disconnect "
                                 f"within {LOGIN_TIMEOUT:.0f} s of connecting")
        # session_start wins over a disconnect that raced it.
        for future in (client.session_started, client.auth_failed):
            if future in done:
                return outcomes[future]
        future = done.pop()
        raise AssertionError(f"{client.requested_jid}: {outcomes[future]} before the session "
                             f"started: {future.result()!r}")

    async def login(self, user: str, *, mechanism: str | None = "SCRAM-SHA-256",
                    resource: str | None = None, presence: bool = True) -> InteropClient:
        """Log in, fetch the roster (making this an interested resource, RFC 6121 §2.1.6) and
        send initial presence (RFC 6121 §4.2) unless told not to."""
        client = self.client(user, mechanism=mechanism, resource=resource)
        outcome = await self.attempt(client)
        assert outcome == "session", f"{user}: login failed ({outcome})"
        await client.get_roster(timeout=STEP_TIMEOUT)
        if presence:
            client.send_presence()
        return client


async def subscribe(requester: InteropClient, contact: InteropClient) -> None:
    """requester subscribes to contact's presence and contact approves (RFC 6121 §3.1)."""
    requester_bare, contact_bare = requester.boundjid.bare, contact.boundjid.bare
    requester.send_presence(pto=contact_bare, ptype="subscribe")
    # §3.1.2: the server stamps the request with the requester's bare JID.
    await contact.presences.expect(
        lambda p: p["type"] == "subscribe" and str(p["from"]) == requester_bare,
        f"subscription request from {requester_bare}")
    contact.send_presence(pto=requester_bare, ptype="subscribed")
    await requester.presences.expect(
        lambda p: p["type"] == "subscribed" and str(p["from"]) == contact_bare,
        f"subscription approval from {contact_bare}")
    # §3.1.5: the contact's server then sends the contact's current presence to the requester.
    await requester.presences.expect(
        lambda p: p["type"] == "available" and p["from"] == contact.boundjid,
        f"available presence of {contact.boundjid}")


async def subscribe_mutually(a: InteropClient, b: InteropClient) -> None:
    """b subscribes to a, a approves; then a subscribes to b, b approves: both end at 'both',
    and each receives a roster push saying so (§3.1.6)."""
    await subscribe(b, a)
    await subscribe(a, b)
    for owner, contact in ((a, b), (b, a)):
        contact_bare = contact.boundjid.bare
        await owner.roster_pushes.expect(
            lambda iq: any(str(jid) == contact_bare and item["subscription"] == "both"
                           for jid, item in iq["roster"]["items"].items()),
            f"roster push with {contact_bare} at subscription 'both'")
