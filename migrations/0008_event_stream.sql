-- koji-ts: the event stream (not in Koji). One row per change that clients may
-- follow (a task's state, a host's readiness, a build's state, a tag's content),
-- written in the transaction of the change. Ids are taken under a transaction
-- advisory lock held until commit, so they become visible in id order: a reader
-- that resumes "after N" never misses a row that commits later with a smaller id.
CREATE TABLE event_stream (
    id BIGSERIAL NOT NULL PRIMARY KEY,
    time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    kind TEXT NOT NULL,
    task_id INTEGER,
    parent_id INTEGER,
    host_id INTEGER,
    tag_id INTEGER,
    build_id INTEGER,
    data JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX event_stream_task ON event_stream (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX event_stream_host ON event_stream (host_id) WHERE host_id IS NOT NULL;
CREATE INDEX event_stream_tag ON event_stream (tag_id) WHERE tag_id IS NOT NULL;
CREATE INDEX event_stream_time ON event_stream (time);

-- the FREE queue by owner (fair share counts and the per-owner cap)
CREATE INDEX task_free_by_owner ON task (owner) WHERE state = 0;
-- children of a task (getTaskChildren, waits, cancel cascades)
CREATE INDEX task_by_parent ON task (parent) WHERE parent IS NOT NULL;
