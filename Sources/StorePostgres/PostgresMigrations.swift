// The PostgreSQL schema, one numbered migration per entry, compiled into the binary so a deployed
// `starling` needs no resource bundle beside it. Append new migrations; never edit a shipped one.
extension PostgresStore {
    static let migrationSources: [(name: String, sql: String)] = [
        ("001_accounts", #"""
-- 001: accounts, SCRAM credentials and rosters.
-- Applied once, inside the migration transaction, by PostgresStore (see PostgresStore+Migrations.swift).
-- Never edit a migration that has shipped: add 002_….sql instead.

CREATE TABLE accounts (
    username   text        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per SCRAM hash function (RFC 5802 §3): salt, StoredKey and ServerKey, never a password.
-- `position` keeps the order of Account.credentials.
CREATE TABLE account_credentials (
    username   text     NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    algorithm  text     NOT NULL CHECK (algorithm IN ('SCRAM-SHA-1', 'SCRAM-SHA-256')),
    position   smallint NOT NULL,
    salt       bytea    NOT NULL,
    iterations bigint   NOT NULL,
    stored_key bytea    NOT NULL,
    server_key bytea    NOT NULL,
    PRIMARY KEY (username, algorithm)
);

-- RFC 6121 §2.1.2 roster items with the pending flags of RFC 6121 Appendix A. Contact JIDs are
-- stored in their normalized string form (RFC 7622); groups keep their order.
CREATE TABLE roster_items (
    owner         text    NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    contact_jid   text    NOT NULL,
    name          text,
    subscription  text    NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
    ask_subscribe boolean NOT NULL DEFAULT false,
    pending_in    boolean NOT NULL DEFAULT false,
    pre_approved  boolean NOT NULL DEFAULT false,
    -- false: only a remembered inbound request (RFC 6121 §3.1.3), hidden from roster gets.
    in_roster     boolean NOT NULL DEFAULT true,
    groups        text[]  NOT NULL DEFAULT '{}' CHECK (array_position(groups, NULL) IS NULL),
    PRIMARY KEY (owner, contact_jid)
);
"""#),
        ("002_pubsub", #"""
-- 002: publish-subscribe (XEP-0060, XEP-0248 collections). The domain model is PubSub's; these
-- tables hold it with typed columns. Identifiers use COLLATE "C" so ORDER BY and cursor comparisons
-- are byte order, which for NFC text is the order of Swift's String `<` that InMemoryPubSubStore uses.

-- One row per node with its configuration (XEP-0060 §17.4.4, XEP-0248 §12.2.2) as typed columns:
-- the server queries max_items, item_expire and access_model directly. `pubsub#collection` is in
-- pubsub_node_parents; `pubsub#children` is derived from it.
CREATE TABLE pubsub_nodes (
    node                           text COLLATE "C" PRIMARY KEY,
    node_type                      text        NOT NULL CHECK (node_type IN ('leaf', 'collection')),
    title                          text        NOT NULL DEFAULT '',
    description                    text        NOT NULL DEFAULT '',
    payload_type                   text,
    -- NULL: pubsub#max_items = max.
    max_items                      bigint,
    -- NULL: items never expire. Whole microseconds.
    item_expire                    interval,
    access_model                   text        NOT NULL
        CHECK (access_model IN ('open', 'presence', 'roster', 'authorize', 'whitelist')),
    publish_model                  text        NOT NULL CHECK (publish_model IN ('publishers', 'subscribers', 'open')),
    deliver_payloads               boolean     NOT NULL,
    deliver_notifications          boolean     NOT NULL,
    notify_config                  boolean     NOT NULL,
    notify_delete                  boolean     NOT NULL,
    notify_retract                 boolean     NOT NULL,
    notify_sub                     boolean     NOT NULL,
    persist_items                  boolean     NOT NULL,
    presence_based_delivery        boolean     NOT NULL,
    send_last_published_item       text        NOT NULL
        CHECK (send_last_published_item IN ('never', 'on_sub', 'on_sub_and_presence')),
    notification_type              text        NOT NULL CHECK (notification_type IN ('normal', 'headline')),
    max_payload_size               bigint,
    roster_groups_allowed          text[]      NOT NULL DEFAULT '{}',
    subscribe                      boolean     NOT NULL,
    children_association_policy    text        NOT NULL
        CHECK (children_association_policy IN ('all', 'owners', 'whitelist')),
    children_association_whitelist text[]      NOT NULL DEFAULT '{}',
    children_max                   bigint,
    creator                        text,
    created                        timestamptz NOT NULL
);

-- The XEP-0248 graph: `parent` is in the node's pubsub#collection at `position`. No foreign key on
-- `parent`: like the reference store, a node keeps the parents it was given; deleting a collection
-- removes these rows in the same transaction (XEP-0248 §8.2: children stay, maybe orphaned).
CREATE TABLE pubsub_node_parents (
    node     text COLLATE "C" NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
    parent   text COLLATE "C" NOT NULL,
    position integer NOT NULL,
    PRIMARY KEY (node, parent)
);
CREATE INDEX pubsub_node_parents_by_parent ON pubsub_node_parents (parent);

-- XEP-0060 §4.1 affiliations by bare JID; `none` is the absence of a row.
CREATE TABLE pubsub_affiliations (
    node        text COLLATE "C" NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
    jid         text COLLATE "C" NOT NULL,
    affiliation text NOT NULL
        CHECK (affiliation IN ('owner', 'publisher', 'publish-only', 'member', 'outcast')),
    PRIMARY KEY (node, jid)
);
CREATE INDEX pubsub_affiliations_by_jid ON pubsub_affiliations (jid);

-- XEP-0060 §6.1 subscriptions with their §6.3 / XEP-0248 §6.1 options. `jid` as given (bare or
-- full), `bare_jid` for lookups; `seq` keeps creation order across replacement.
CREATE TABLE pubsub_subscriptions (
    node               text COLLATE "C" NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
    subid              text COLLATE "C" NOT NULL,
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    jid                text NOT NULL,
    bare_jid           text NOT NULL,
    state              text NOT NULL CHECK (state IN ('none', 'pending', 'unconfigured', 'subscribed')),
    deliver            boolean NOT NULL,
    expire             timestamptz,
    include_body       boolean NOT NULL,
    show_values        text[]  NOT NULL DEFAULT '{}',
    subscription_type  text    NOT NULL CHECK (subscription_type IN ('items', 'nodes', 'all')),
    -- NULL: pubsub#subscription_depth = all.
    subscription_depth bigint,
    PRIMARY KEY (node, subid)
);
CREATE INDEX pubsub_subscriptions_by_bare_jid ON pubsub_subscriptions (bare_jid);

-- XEP-0060 §7.1 items. The payload is bytes, stored and returned byte-exact. Cursor paging and
-- max_items trimming walk (node, published, item_id).
CREATE TABLE pubsub_items (
    node      text COLLATE "C" NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
    item_id   text COLLATE "C" NOT NULL,
    publisher text,
    payload   bytea       NOT NULL,
    published timestamptz NOT NULL,
    PRIMARY KEY (node, item_id)
);
CREATE INDEX pubsub_items_by_published ON pubsub_items (node, published, item_id);

-- appendItem in one round trip and one transaction (the statement's): lock the node row against
-- concurrent appends to the same node, upsert (an overwrite takes the new published time, so it
-- becomes the newest, XEP-0060 §13.1), then delete the oldest beyond p_limit and return them.
CREATE FUNCTION pubsub_append_item(
    p_node text, p_item text, p_publisher text, p_payload bytea, p_published timestamptz, p_limit bigint
) RETURNS TABLE (evicted_id text, evicted_published timestamptz)
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM 1 FROM pubsub_nodes WHERE node = p_node FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO pubsub_items (node, item_id, publisher, payload, published)
    VALUES (p_node, p_item, p_publisher, p_payload, p_published)
    ON CONFLICT (node, item_id) DO UPDATE
        SET publisher = excluded.publisher, payload = excluded.payload, published = excluded.published;
    IF p_limit IS NOT NULL THEN
        RETURN QUERY
        DELETE FROM pubsub_items AS i
        WHERE i.node = p_node AND i.item_id IN (
            SELECT k.item_id FROM pubsub_items AS k WHERE k.node = p_node
            ORDER BY k.published DESC, k.item_id DESC
            OFFSET greatest(p_limit, 0))
        RETURNING i.item_id, i.published;
    END IF;
END
$fn$;

-- Group commit: many appends in one statement, so one round trip and one commit for the batch.
-- Element i is pubsub_append_item on the i-th entries (p_publishers '' is NULL, p_limits -1 is no
-- limit); the rows say which append evicted what. Callers sort by node so two batches take node
-- locks in the same order and cannot deadlock.
CREATE FUNCTION pubsub_append_items(
    p_nodes text[], p_items text[], p_publishers text[], p_payloads bytea[], p_published timestamptz[],
    p_limits bigint[]
) RETURNS TABLE (ordinal integer, evicted_id text, evicted_published timestamptz)
LANGUAGE plpgsql AS $fn$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_items, 1), 0) LOOP
        RETURN QUERY
        SELECT i, e.evicted_id, e.evicted_published
        FROM pubsub_append_item(p_nodes[i], p_items[i], nullif(p_publishers[i], ''), p_payloads[i],
                                p_published[i], nullif(p_limits[i], -1)) AS e;
    END LOOP;
END
$fn$;
"""#),
        ("003_outbox", #"""
-- 003: the transactional outbox of the MQTT bridge (PubSub/Outbox.swift). Rows are written in the
-- statement (so the transaction) of the item that caused them and deleted once the broker
-- acknowledged them. `sequence` is an identity, never reused, so a sender's position stays valid.
CREATE TABLE bridge_outbox (
    sequence bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue    text        NOT NULL,
    topic    text        NOT NULL,
    payload  bytea       NOT NULL,
    qos      smallint    NOT NULL CHECK (qos IN (0, 1, 2)),
    retain   boolean     NOT NULL,
    enqueued timestamptz NOT NULL
);
CREATE INDEX bridge_outbox_queue ON bridge_outbox (queue, sequence);
"""#),
        ("004_publish_node_full", #"""
-- 004: XEP-0060 §17.4.4 pubsub#publish_node_full; existing nodes keep the old behaviour.
ALTER TABLE pubsub_nodes ADD COLUMN publish_node_full text NOT NULL DEFAULT 'retract-oldest'
    CHECK (publish_node_full IN ('retract-oldest', 'discard-oldest', 'reject'));
"""#),
    ]
}
