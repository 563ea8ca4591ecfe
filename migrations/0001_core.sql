-- 0001_core.sql: events, users, permissions, sessions, locks, volumes and
-- content generators.
--
-- This follows Koji's schemas/schema.sql (Koji 1.35) table for table and column
-- for column. Every later migration builds on these tables.
--
-- VERSIONING (how Koji records history; used by the tables marked "versioned" in
-- this file and the later ones):
--   * create_event / revoke_event point at `events`; creator_id / revoker_id at `users`.
--   * `active` is TRUE or NULL, never FALSE. A current row has active = TRUE and
--     revoke_event IS NULL. A revoked row has active = NULL and revoke_event and
--     revoker_id set (the active_revoke_sane CHECK holds both cases).
--   * UNIQUE (<key>, active) allows only one active row per key: NULLs are
--     distinct in a UNIQUE constraint, so any number of revoked rows may coexist.
--   * PRIMARY KEY (create_event, <key>) keeps each version of a key apart.
--   * Current data: WHERE active = TRUE (same as WHERE revoke_event IS NULL).
--   * Data as of event E: WHERE create_event <= E AND (revoke_event IS NULL OR E < revoke_event).
--   * An update is "revoke the old row + insert the new row" in the same event.
--     Nothing versioned is ever deleted.

-- ---------------------------------------------------------------------------
-- Events: a strictly increasing sequence used to order all changes. Event ids
-- stay ordered even if the system clock goes backwards.
CREATE TABLE events (
    id SERIAL NOT NULL PRIMARY KEY,
    time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
-- for "as of timestamp" history queries (before/after) that map a time to an event
CREATE INDEX events_by_time ON events (time);

-- Create an event and return its id. It is the DEFAULT of every create_event
-- column; the hub normally passes one event id per call explicitly.
CREATE FUNCTION get_event() RETURNS INTEGER AS $$
    INSERT INTO events (time) VALUES (clock_timestamp()) RETURNING id;
$$ LANGUAGE SQL VOLATILE;

-- Convert an event id to its timestamp without a JOIN.
CREATE FUNCTION get_event_time(INTEGER) RETURNS TIMESTAMPTZ AS $$
    SELECT time FROM events WHERE id = $1;
$$ LANGUAGE SQL STABLE;

-- Optional labels on events (most events have none, hence a separate table).
CREATE TABLE event_labels (
    event_id INTEGER NOT NULL REFERENCES events (id),
    label VARCHAR(255) UNIQUE NOT NULL
);

-- ---------------------------------------------------------------------------
-- Users. usertype: USERTYPES (NORMAL 0, HOST 1, GROUP 2); groups are users
-- with usertype = 2. status: USER_STATUS (NORMAL 0, BLOCKED 1).
CREATE TABLE users (
    id SERIAL NOT NULL PRIMARY KEY,
    name VARCHAR(255) UNIQUE NOT NULL,
    -- password hash string (koji-ts stores a scrypt hash, never plain text);
    -- NULL = no password login for this user
    password TEXT,
    status INTEGER NOT NULL,
    usertype INTEGER NOT NULL
);

CREATE TABLE user_krb_principals (
    user_id INTEGER NOT NULL REFERENCES users (id),
    krb_principal VARCHAR(255) NOT NULL UNIQUE,
    PRIMARY KEY (user_id, krb_principal)
);

CREATE TABLE permissions (
    id SERIAL NOT NULL PRIMARY KEY,
    name VARCHAR(50) UNIQUE NOT NULL,
    description TEXT
);

-- versioned
CREATE TABLE user_perms (
    user_id INTEGER NOT NULL REFERENCES users (id),
    perm_id INTEGER NOT NULL REFERENCES permissions (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, user_id, perm_id),
    UNIQUE (user_id, perm_id, active)
);

-- Group membership (group_id is a users row with usertype GROUP). versioned
CREATE TABLE user_groups (
    user_id INTEGER NOT NULL REFERENCES users (id),
    group_id INTEGER NOT NULL REFERENCES users (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, user_id, group_id),
    UNIQUE (user_id, group_id, active)
);
-- getGroupMembers looks rows up by group (the UNIQUE above leads with user_id)
CREATE INDEX user_groups_by_group ON user_groups (group_id);

-- ---------------------------------------------------------------------------
-- Sessions.
--   master:    NULL for a top session; for a subsession, the top session's id
--              (always the top one). Expiring a master expires its subsessions.
--   key:       the session secret sent by the client (Koji-Session-Key).
--   authtype:  AUTHTYPES (NORMAL 0, KERBEROS 1, SSL 2, GSSAPI 3).
--   callnum:   last call number seen, to reject replayed/out-of-order calls.
--   exclusive: TRUE or NULL, never FALSE, so UNIQUE (user_id, exclusive) allows
--              at most one exclusive session per user. The hub clears it
--              (exclusive = NULL) whenever it expires or closes a session.
--   closed:    logged out (as opposed to merely expired; an expired session may
--              be renewed, a closed one may not).
--   renew_time: last time the session was renewed by a re-login.
CREATE TABLE sessions (
    id SERIAL NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    expired BOOLEAN NOT NULL DEFAULT FALSE,
    master INTEGER REFERENCES sessions (id),
    key VARCHAR(255),
    authtype INTEGER,
    hostip VARCHAR(255),
    callnum INTEGER,
    start_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    update_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    exclusive BOOLEAN CHECK (exclusive),
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    renew_time TIMESTAMPTZ,
    CONSTRAINT no_exclusive_subsessions CHECK (
        master IS NULL OR exclusive IS NULL),
    CONSTRAINT no_closed_exclusive CHECK (
        closed IS FALSE OR exclusive IS NULL),
    -- also serves lookups by user_id (leading column)
    UNIQUE (user_id, exclusive)
);
CREATE INDEX sessions_master ON sessions (master);
CREATE INDEX sessions_active_and_recent ON sessions (expired, master, update_time)
    WHERE (expired = FALSE AND master IS NULL);
CREATE INDEX sessions_expired ON sessions (expired);

-- ---------------------------------------------------------------------------
-- Named row locks: db_lock(name, wait) = SELECT name FROM locks WHERE name = ..
-- FOR UPDATE [SKIP LOCKED]. Rows: protonmsg-plugin, scheduler, repo-queue.
CREATE TABLE locks (
    name TEXT NOT NULL PRIMARY KEY
);

-- ---------------------------------------------------------------------------
-- Storage volumes. Id 0 is DEFAULT (the topdir itself); other volumes live
-- under <topdir>/vol/<name>/.
CREATE TABLE volume (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- ---------------------------------------------------------------------------
-- Content generators (external build systems that import via CGImport) and
-- the users allowed to act for them.
CREATE TABLE content_generator (
    id SERIAL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- versioned
CREATE TABLE cg_users (
    cg_id INTEGER NOT NULL REFERENCES content_generator (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, cg_id, user_id),
    UNIQUE (cg_id, user_id, active)
);
