-- 0003_tasks.sql: tasks and the hub scheduler's bookkeeping.
--
-- A task is one unit of work (a build, a createrepo, a tagBuild, ...) run by a
-- builder host. Tasks form trees: subtasks point at their parent; top-level
-- tasks have parent NULL. Each task row is effectively an XML-RPC call: the
-- request and result columns hold XML-RPC documents.
--
-- The scheduler tables (Koji 1.34+) record which host each task was assigned
-- to, which hosts refused it, the host data reported on heartbeats, and a
-- log of scheduler decisions.

-- Tasks.
--   state:    TASK_STATES (FREE 0, OPEN 1, CLOSED 2, CANCELED 3, ASSIGNED 4, FAILED 5).
--   host_id:  the host the task is assigned to / running on; also used to lock it.
--   label:    optional name of a subtask, unique among its siblings (only
--             allowed with a parent); used in failover to avoid duplicate work.
--   waiting:  the task is waiting for (some of) its subtasks.
--   awaited:  the parent is waiting for this subtask.
--   method:   the task handler name (build, buildArch, newRepo, ...).
--   request:  XML-RPC methodCall document of the task arguments (old rows may be
--             base64 of it).
--   result:   XML-RPC methodResponse document of the return value, or a fault
--             document when the task failed.
--   eta:      unused, kept for compatibility.
--   priority: lower number = more urgent (default 20).
--   weight:   load the task puts on its host, compared with host capacity.
CREATE TABLE task (
    id SERIAL NOT NULL PRIMARY KEY,
    state INTEGER,
    create_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    start_time TIMESTAMPTZ,
    completion_time TIMESTAMPTZ,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    host_id INTEGER REFERENCES host (id),
    parent INTEGER REFERENCES task (id),
    label VARCHAR(255),
    waiting BOOLEAN,
    awaited BOOLEAN,
    owner INTEGER REFERENCES users (id) NOT NULL,
    method TEXT,
    request TEXT,
    result TEXT,
    eta INTEGER,
    arch VARCHAR(16) NOT NULL,
    priority INTEGER,
    weight FLOAT CHECK (NOT weight < 0) NOT NULL DEFAULT 1.0,
    CONSTRAINT parent_label_sane CHECK (
        parent IS NOT NULL OR label IS NULL),
    -- also serves as the index of tasks by parent (getTaskChildren)
    UNIQUE (parent, label)
);
CREATE INDEX task_by_state ON task (state);
CREATE INDEX task_by_host ON task (host_id);
CREATE INDEX task_by_no_parent_state_method ON task (parent, state, method) WHERE parent IS NULL;
-- the scheduler's queue of FREE tasks, most urgent first
CREATE INDEX task_by_state_priority ON task (state, priority, id);
CREATE INDEX task_by_owner ON task (owner);
CREATE INDEX task_by_method ON task (method);

-- ---------------------------------------------------------------------------
-- One row per assignment of a task to a host. Only the newest row of a task
-- is active; older runs are deactivated when the task is reassigned or ends.
-- A task that is ASSIGNED/OPEN without an active run was assigned by hand
-- (assignTask with override) and is left alone by the scheduler.
CREATE TABLE scheduler_task_runs (
    id SERIAL NOT NULL PRIMARY KEY,
    task_id INTEGER REFERENCES task (id) NOT NULL,
    host_id INTEGER REFERENCES host (id) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    create_time TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX scheduler_task_runs_task ON scheduler_task_runs (task_id);
CREATE INDEX scheduler_task_runs_host ON scheduler_task_runs (host_id);
CREATE INDEX scheduler_task_runs_create_time ON scheduler_task_runs (create_time);

-- Data a host reports with host.updateHost / host.setHostData (e.g. maxjobs).
CREATE TABLE scheduler_host_data (
    host_id INTEGER REFERENCES host (id) PRIMARY KEY,
    data JSONB
);

-- Scheduler-wide state by name, e.g. 'last_run_ts'.
CREATE TABLE scheduler_sys_data (
    name TEXT NOT NULL PRIMARY KEY,
    data JSONB
);

-- Hosts that must not get a task again.
--   by_host: the host refused it itself (host.refuseTask), rather than the hub.
--   soft:    a soft refusal expires after SoftRefusalTimeout; a hard one lasts
--            until the task finishes.
CREATE TABLE scheduler_task_refusals (
    id SERIAL NOT NULL PRIMARY KEY,
    task_id INTEGER REFERENCES task (id) NOT NULL,
    host_id INTEGER REFERENCES host (id) NOT NULL,
    by_host BOOLEAN NOT NULL,
    soft BOOLEAN NOT NULL DEFAULT FALSE,
    msg TEXT,
    time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (task_id, host_id)
);

-- Scheduler log ("Assigning task", "Freeing task from unresponsive host", ...).
CREATE TABLE scheduler_log_messages (
    id SERIAL NOT NULL PRIMARY KEY,
    task_id INTEGER REFERENCES task (id),
    host_id INTEGER REFERENCES host (id),
    msg_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    msg TEXT NOT NULL
);
-- scheduler.getLogMessages filters by task or host
CREATE INDEX scheduler_log_messages_task ON scheduler_log_messages (task_id);
CREATE INDEX scheduler_log_messages_host ON scheduler_log_messages (host_id);
