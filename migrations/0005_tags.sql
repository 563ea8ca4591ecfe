-- 0005_tags.sql: tags, inheritance, package lists, tagged builds, build
-- targets, comps groups and build notifications.
--
-- A tag is a named collection of builds with a package list, a config and
-- parents it inherits from. Almost everything here is versioned (see the
-- VERSIONING note in 0001_core.sql), so "the tag as of event N" can be
-- rebuilt and repos can be generated for an old event. A tag with no active
-- tag_config row is a deleted tag.

CREATE TABLE tag (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- Tag settings. versioned
--   arches:  space separated arch list (NULL = inherit from the first parent with arches).
--   perm_id: permission needed to tag builds into it (NULL = none beyond policy).
--   locked:  no tagging/untagging (admins may force).
CREATE TABLE tag_config (
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    arches TEXT,
    perm_id INTEGER REFERENCES permissions (id),
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    maven_support BOOLEAN NOT NULL DEFAULT FALSE,
    maven_include_all BOOLEAN NOT NULL DEFAULT FALSE,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, tag_id),
    UNIQUE (tag_id, active)
);

-- Parent links of a tag. versioned
--   priority:     order of the parents (lower first), unique per child tag.
--   maxdepth:     how many further levels to follow through this link (NULL = unlimited).
--   intransitive: followed only when the child is the tag being expanded.
--   noconfig:     inherit content but not config (arches, extra).
--   pkg_filter:   regex; only packages matching it are inherited through this link.
CREATE TABLE tag_inheritance (
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    parent_id INTEGER NOT NULL REFERENCES tag (id),
    priority INTEGER NOT NULL,
    maxdepth INTEGER,
    intransitive BOOLEAN NOT NULL DEFAULT FALSE,
    noconfig BOOLEAN NOT NULL DEFAULT FALSE,
    pkg_filter TEXT,
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
    UNIQUE (tag_id, parent_id, active)
);
-- reverse inheritance (children of a tag)
CREATE INDEX tag_inheritance_by_parent ON tag_inheritance (parent_id);

-- Extra tag settings (mock.*, rpm.macro.*, repo.*, ...). versioned
--   value: JSON encoded as text; NULL = the key is blocked (not inherited).
CREATE TABLE tag_extra (
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    key TEXT NOT NULL,
    value TEXT,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, tag_id, key),
    UNIQUE (tag_id, key, active)
);

-- Changes relevant to a tag that no versioned table records (build moved to
-- another volume, RPMs imported into a tagged build, draft promotion).
--   update_type: TAG_UPDATE_TYPES (VOLUME_CHANGE 0, IMPORT 1, MANUAL 2, DRAFT_PROMOTION 3).
CREATE TABLE tag_updates (
    id SERIAL NOT NULL PRIMARY KEY,
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    update_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    updater_id INTEGER NOT NULL REFERENCES users (id),
    update_type INTEGER NOT NULL
);
CREATE INDEX tag_updates_by_tag ON tag_updates (tag_id);
CREATE INDEX tag_updates_by_event ON tag_updates (update_event);

-- ---------------------------------------------------------------------------
-- Builds tagged into tags. Re-tagging a build revokes the old row and adds a
-- new one, which makes it the latest. versioned
CREATE TABLE tag_listing (
    build_id INTEGER NOT NULL REFERENCES build (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, build_id, tag_id),
    -- also serves lookups by build_id (leading column)
    UNIQUE (build_id, tag_id, active)
);
-- builds in a tag (current: active = TRUE; as of an event: by tag_id alone)
CREATE INDEX tag_listing_tag_id_key ON tag_listing (tag_id, active);

-- Package list of a tag. A blocked entry hides the package from this tag and
-- from every tag inheriting it. extra_arches: space separated arches added for
-- this package. versioned
CREATE TABLE tag_packages (
    package_id INTEGER NOT NULL REFERENCES package (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    extra_arches TEXT,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, package_id, tag_id),
    UNIQUE (package_id, tag_id, active)
);
CREATE INDEX tag_packages_active_tag_id ON tag_packages (active, tag_id);
CREATE INDEX tag_packages_create_event ON tag_packages (create_event);
CREATE INDEX tag_packages_revoke_event ON tag_packages (revoke_event);

-- Owner of a package in a tag's package list. versioned
CREATE TABLE tag_package_owners (
    package_id INTEGER NOT NULL REFERENCES package (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    owner INTEGER NOT NULL REFERENCES users (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, package_id, tag_id),
    UNIQUE (package_id, tag_id, active)
);

-- ---------------------------------------------------------------------------
-- Build targets: where to build (build_tag) and where to tag the result (dest_tag).
CREATE TABLE build_target (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- versioned
CREATE TABLE build_target_config (
    build_target_id INTEGER NOT NULL REFERENCES build_target (id),
    build_tag INTEGER NOT NULL REFERENCES tag (id),
    dest_tag INTEGER NOT NULL REFERENCES tag (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, build_target_id),
    UNIQUE (build_target_id, active)
);

-- ---------------------------------------------------------------------------
-- Comps package groups per tag, exported to groups/comps.xml of each repo.
-- groups.name is the comps group id ('build', 'srpm-build', ...).
CREATE TABLE groups (
    id SERIAL NOT NULL PRIMARY KEY,
    name VARCHAR(50) UNIQUE NOT NULL
);

-- A group's settings in a tag; blocked = not inherited from parents. versioned
CREATE TABLE group_config (
    group_id INTEGER NOT NULL REFERENCES groups (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    exported BOOLEAN DEFAULT TRUE,
    display_name TEXT NOT NULL,
    is_default BOOLEAN,
    uservisible BOOLEAN,
    description TEXT,
    langonly TEXT,
    biarchonly BOOLEAN,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, group_id, tag_id),
    UNIQUE (group_id, tag_id, active)
);

-- A group requiring another group (req_id) in a tag. versioned
CREATE TABLE group_req_listing (
    group_id INTEGER NOT NULL REFERENCES groups (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    req_id INTEGER NOT NULL REFERENCES groups (id),
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    type VARCHAR(25),
    is_metapkg BOOLEAN NOT NULL DEFAULT FALSE,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, group_id, tag_id, req_id),
    UNIQUE (group_id, tag_id, req_id, active)
);

-- Packages of a group in a tag. `package` is a binary RPM name, not a
-- package row. type: comps package type (mandatory, default, optional,
-- conditional); requires: the package a conditional entry depends on.
-- blocked = not inherited from parents. versioned
CREATE TABLE group_package_listing (
    group_id INTEGER NOT NULL REFERENCES groups (id),
    tag_id INTEGER NOT NULL REFERENCES tag (id),
    package TEXT,
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    type VARCHAR(25) NOT NULL,
    basearchonly BOOLEAN,
    requires TEXT,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    revoke_event INTEGER REFERENCES events (id),
    creator_id INTEGER NOT NULL REFERENCES users (id),
    revoker_id INTEGER REFERENCES users (id),
    active BOOLEAN DEFAULT TRUE CHECK (active),
    CONSTRAINT active_revoke_sane CHECK (
        (active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
        OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
    PRIMARY KEY (create_event, group_id, tag_id, package),
    UNIQUE (group_id, tag_id, package, active)
);

-- ---------------------------------------------------------------------------
-- Build notification subscriptions; NULL package_id / tag_id = any.
CREATE TABLE build_notifications (
    id SERIAL NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    package_id INTEGER REFERENCES package (id),
    tag_id INTEGER REFERENCES tag (id),
    success_only BOOLEAN NOT NULL DEFAULT FALSE,
    email TEXT NOT NULL
);

-- Notifications a user opted out of; NULL package_id / tag_id = any.
CREATE TABLE build_notifications_block (
    id SERIAL NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    package_id INTEGER REFERENCES package (id),
    tag_id INTEGER REFERENCES tag (id)
);
