-- 0002_hosts.sql: channels and builder hosts.
--
-- A task is put in one channel; a host listens on one or more channels and is
-- only given tasks of those channels (and of its arches). Every host also has a
-- users row (usertype HOST) that it logs in as. Host settings that an admin
-- edits (arches, capacity, enabled, ...) are versioned in host_config; the
-- values the builder reports on each heartbeat (ready, task_load, update_time)
-- live unversioned in host.

-- Channels. A disabled channel rejects new tasks and is ignored by the scheduler.
CREATE TABLE channels (
    id SERIAL NOT NULL PRIMARY KEY,
    name VARCHAR(128) UNIQUE NOT NULL,
    description TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    comment TEXT
);

-- Builder hosts.
--   update_time: last heartbeat (host.updateHost); the scheduler clears `ready`
--                when it is older than ReadyTimeout.
--   task_load:   sum of the weights of the tasks the builder is running, as it
--                reported last.
--   ready:       the builder says it can take work.
CREATE TABLE host (
    id SERIAL NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name VARCHAR(128) UNIQUE NOT NULL,
    update_time TIMESTAMPTZ,
    task_load FLOAT CHECK (NOT task_load < 0) NOT NULL DEFAULT 0.0,
    ready BOOLEAN NOT NULL DEFAULT FALSE
);

-- Admin-controlled host settings. versioned
--   arches:   space separated list of arches the host builds (noarch is implied).
--   capacity: weighted task capacity, compared with the sum of task weights.
--   enabled:  FALSE excludes the host from scheduling.
CREATE TABLE host_config (
    host_id INTEGER NOT NULL REFERENCES host (id),
    arches TEXT,
    capacity FLOAT CHECK (capacity > 1) NOT NULL DEFAULT 2.0,
    description TEXT,
    comment TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, host_id),
    UNIQUE (host_id, active)
);
CREATE INDEX host_config_by_active_and_enabled ON host_config (active, enabled);

-- Channel membership of hosts. versioned
CREATE TABLE host_channels (
    host_id INTEGER NOT NULL REFERENCES host (id),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, host_id, channel_id),
    UNIQUE (host_id, channel_id, active)
);
-- listHosts(channelID=...) and the scheduler's channel -> hosts lookups
CREATE INDEX host_channels_by_channel ON host_channels (channel_id, active);
