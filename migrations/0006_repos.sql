-- 0006_repos.sql: repos, repo requests and external repos.
--
-- A repo is a yum repository generated for a tag as of one event (Koji 1.35
-- "repos on demand"): clients request a repo in repo_queue, kojira has the hub
-- turn requests into newRepo tasks, and a READY repo fulfils every matching
-- request. External repos are yum repos outside koji that tags can include
-- (merged by merge_mode).
--
-- Also adds the two foreign keys of 0004_builds.sql that point here.

-- Repos.
--   creation_time: when this row was made.
--   create_event:  the event the repo *represents* (its content is the tag as
--                  of this event); may be much older than creation_time.
--   state_time:    last state change.
--   begin_event:   last change of the tag at or before create_event.
--   end_event:     first change of the tag after create_event (NULL = the repo
--                  still matches the tag). [begin_event, end_event) is the range
--                  of events the repo is valid for.
--   state:         REPO_STATES (INIT 0, READY 1, EXPIRED 2, DELETED 3, PROBLEM 4).
--   dist:          a dist repo (distRepo) rather than a build repo.
--   opts:          all repo options as a JSON object (src, debuginfo, separate_src, maven).
--   custom_opts:   the subset of opts that differ from the tag's defaults.
--   task_id:       the newRepo / distRepo task that made it.
CREATE TABLE repo (
    id SERIAL NOT NULL PRIMARY KEY,
    creation_time TIMESTAMPTZ DEFAULT NOW(),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    state_time TIMESTAMPTZ DEFAULT NOW(),
    begin_event INTEGER REFERENCES events (id),
    end_event INTEGER REFERENCES events (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    state INTEGER,
    dist BOOLEAN DEFAULT FALSE,
    opts JSONB,
    custom_opts JSONB,
    task_id INTEGER REFERENCES task (id)
);
-- repo.get / getRepo / getActiveRepos: repos of a tag in a state
CREATE INDEX repo_by_tag_state ON repo (tag_id, state);
CREATE INDEX repo_by_state ON repo (state);

-- Repo requests.
--   owner:     user who asked.
--   priority:  lower = more urgent (20 + the caller's relative priority).
--   at_event / min_event: the repo must be for exactly at_event, or for an
--              event >= min_event; at most one of the two is set.
--   opts:      requested repo options (JSON object).
--   The columns above never change for the life of the request.
--   update_time: last change of the request.
--   active:    still waiting; an inactive request was fulfilled (repo_id set)
--              or given up after RepoRetries tries.
--   task_id:   the newRepo task currently working on it.
--   tries:     number of newRepo tasks made for it.
--   repo_id:   the repo that fulfilled it (only on inactive requests).
CREATE TABLE repo_queue (
    id SERIAL NOT NULL PRIMARY KEY,
    create_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    owner INTEGER REFERENCES users (id) NOT NULL,
    priority INTEGER NOT NULL,
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    at_event INTEGER REFERENCES events (id),
    min_event INTEGER REFERENCES events (id),
    opts JSONB NOT NULL,
    CONSTRAINT only_one_event CHECK (at_event IS NULL OR min_event IS NULL),
    update_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    task_id INTEGER REFERENCES task (id),
    tries INTEGER NOT NULL DEFAULT 0,
    repo_id INTEGER REFERENCES repo (id),
    -- active requests have no repo yet
    CONSTRAINT active_sane CHECK (NOT active OR repo_id IS NULL)
);
-- open requests of a tag (duplicate check, repo_done_hook)
CREATE INDEX repo_queue_by_tag_active ON repo_queue (tag_id, active);

-- ---------------------------------------------------------------------------
-- External repos. Id 0 'INTERNAL' stands for "built in koji" in rpminfo.
CREATE TABLE external_repo (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- url may contain $arch, replaced per arch. versioned
CREATE TABLE external_repo_config (
    external_repo_id INTEGER NOT NULL REFERENCES external_repo (id),
    url TEXT NOT NULL,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, external_repo_id),
    UNIQUE (external_repo_id, active)
);

-- What kojira last saw of an external repo ({"max_ts": newest repomd
-- timestamp over its arch urls}), so a change of the external repo counts as
-- a change of the tags using it. versioned
CREATE TABLE external_repo_data (
    external_repo_id INTEGER NOT NULL REFERENCES external_repo (id),
    data JSONB,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, external_repo_id),
    UNIQUE (external_repo_id, active)
);

-- External repos attached to a tag.
--   priority:   merge order (lower first), unique per tag.
--   merge_mode: REPO_MERGE_MODES ('koji', 'simple', 'bare').
--   arches:     space separated arches to use it for (NULL = all).
-- versioned
CREATE TABLE tag_external_repos (
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    external_repo_id INTEGER NOT NULL REFERENCES external_repo (id),
    priority INTEGER NOT NULL,
    merge_mode TEXT NOT NULL DEFAULT 'koji',
    arches TEXT,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, tag_id, priority),
    UNIQUE (tag_id, priority, active),
    UNIQUE (tag_id, external_repo_id, active)
);

-- ---------------------------------------------------------------------------
-- Foreign keys of 0004_builds.sql whose targets are created in this file
-- (same constraint names PostgreSQL would have given them inline).
ALTER TABLE standard_buildroot
    ADD CONSTRAINT standard_buildroot_repo_id_fkey FOREIGN KEY (repo_id) REFERENCES repo (id);
ALTER TABLE rpminfo
    ADD CONSTRAINT rpminfo_external_repo_id_fkey FOREIGN KEY (external_repo_id) REFERENCES external_repo (id);
