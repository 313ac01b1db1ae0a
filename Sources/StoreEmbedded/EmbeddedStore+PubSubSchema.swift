/// Migration "002_pubsub": publish-subscribe (XEP-0060, XEP-0248 collections), the same tables and
/// constraints as PostgreSQL's `002_pubsub` within SQLite's types: times are INTEGER microseconds
/// since 1970 (exact, and ordered like `Item.published`), lists are JSON arrays of strings, booleans
/// are 0/1. Text compares with BINARY collation, i.e. UTF-8 byte order, which for NFC text is the
/// order of Swift's String `<` that InMemoryPubSubStore uses.
extension EmbeddedStore {
    static let migration002PubSub = """
        -- One row per node with its configuration (XEP-0060 §17.4.4, XEP-0248 §12.2.2) as typed
        -- columns; pubsub#collection is pubsub_node_parents, pubsub#children derived from it.
        CREATE TABLE pubsub_nodes (
            node                           TEXT    NOT NULL PRIMARY KEY,
            node_type                      TEXT    NOT NULL CHECK (node_type IN ('leaf', 'collection')),
            title                          TEXT    NOT NULL,
            description                    TEXT    NOT NULL,
            payload_type                   TEXT,
            max_items                      INTEGER,           -- NULL: max
            item_expire_us                 INTEGER,           -- NULL: never
            access_model                   TEXT    NOT NULL
                CHECK (access_model IN ('open', 'presence', 'roster', 'authorize', 'whitelist')),
            publish_model                  TEXT    NOT NULL
                CHECK (publish_model IN ('publishers', 'subscribers', 'open')),
            deliver_payloads               INTEGER NOT NULL CHECK (deliver_payloads IN (0, 1)),
            deliver_notifications          INTEGER NOT NULL CHECK (deliver_notifications IN (0, 1)),
            notify_config                  INTEGER NOT NULL CHECK (notify_config IN (0, 1)),
            notify_delete                  INTEGER NOT NULL CHECK (notify_delete IN (0, 1)),
            notify_retract                 INTEGER NOT NULL CHECK (notify_retract IN (0, 1)),
            notify_sub                     INTEGER NOT NULL CHECK (notify_sub IN (0, 1)),
            persist_items                  INTEGER NOT NULL CHECK (persist_items IN (0, 1)),
            presence_based_delivery        INTEGER NOT NULL CHECK (presence_based_delivery IN (0, 1)),
            send_last_published_item       TEXT    NOT NULL
                CHECK (send_last_published_item IN ('never', 'on_sub', 'on_sub_and_presence')),
            notification_type              TEXT    NOT NULL CHECK (notification_type IN ('normal', 'headline')),
            max_payload_size               INTEGER,
            roster_groups_allowed          TEXT    NOT NULL CHECK (json_valid(roster_groups_allowed)),
            subscribe                      INTEGER NOT NULL CHECK (subscribe IN (0, 1)),
            children_association_policy    TEXT    NOT NULL
                CHECK (children_association_policy IN ('all', 'owners', 'whitelist')),
            children_association_whitelist TEXT    NOT NULL CHECK (json_valid(children_association_whitelist)),
            children_max                   INTEGER,
            creator                        TEXT,
            created_us                     INTEGER NOT NULL
        ) STRICT;

        -- The XEP-0248 graph. No foreign key on `parent` (as in PostgreSQL): deleting a collection
        -- removes the rows naming it in the same transaction (XEP-0248 §8.2).
        CREATE TABLE pubsub_node_parents (
            node     TEXT    NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
            parent   TEXT    NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (node, parent)
        ) STRICT;
        CREATE INDEX pubsub_node_parents_by_parent ON pubsub_node_parents (parent);

        -- XEP-0060 §4.1 affiliations by bare JID; `none` is the absence of a row.
        CREATE TABLE pubsub_affiliations (
            node        TEXT NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
            jid         TEXT NOT NULL,
            affiliation TEXT NOT NULL
                CHECK (affiliation IN ('owner', 'publisher', 'publish-only', 'member', 'outcast')),
            PRIMARY KEY (node, jid)
        ) STRICT;
        CREATE INDEX pubsub_affiliations_by_jid ON pubsub_affiliations (jid);

        -- XEP-0060 §6.1 subscriptions and their options; `seq` (the rowid) keeps creation order
        -- across replacement by upsert.
        CREATE TABLE pubsub_subscriptions (
            seq                INTEGER PRIMARY KEY,
            node               TEXT    NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
            subid              TEXT    NOT NULL,
            jid                TEXT    NOT NULL,
            bare_jid           TEXT    NOT NULL,
            state              TEXT    NOT NULL CHECK (state IN ('none', 'pending', 'unconfigured', 'subscribed')),
            deliver            INTEGER NOT NULL CHECK (deliver IN (0, 1)),
            expire_us          INTEGER,
            include_body       INTEGER NOT NULL CHECK (include_body IN (0, 1)),
            show_values        TEXT    NOT NULL CHECK (json_valid(show_values)),
            subscription_type  TEXT    NOT NULL CHECK (subscription_type IN ('items', 'nodes', 'all')),
            subscription_depth INTEGER,                       -- NULL: all
            UNIQUE (node, subid)
        ) STRICT;
        CREATE INDEX pubsub_subscriptions_by_bare_jid ON pubsub_subscriptions (bare_jid);

        -- XEP-0060 §7.1 items, payload byte-exact. Paging and trimming walk (node, published, item_id).
        CREATE TABLE pubsub_items (
            node         TEXT    NOT NULL REFERENCES pubsub_nodes (node) ON DELETE CASCADE,
            item_id      TEXT    NOT NULL,
            publisher    TEXT,
            payload      BLOB    NOT NULL,
            published_us INTEGER NOT NULL,
            PRIMARY KEY (node, item_id)
        ) STRICT;
        CREATE INDEX pubsub_items_by_published ON pubsub_items (node, published_us, item_id);
        """
}
