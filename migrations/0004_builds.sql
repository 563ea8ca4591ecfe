-- 0004_builds.sql: packages, builds, RPMs, archives and buildroots.
--
-- A package is a source package name; a build is one N-V-R of it (unique
-- regardless of epoch) and owns the RPMs (rpminfo) and other files
-- (archiveinfo) it produced. Build types (btype) say which kinds of content a
-- build has (rpm, maven, win, image, or a content generator's own type); the
-- maven/win/image tables hold the type-specific metadata. Buildroots record
-- where things were built and what was installed there.
--
-- Two foreign keys point at tables of 0006_repos.sql and are added there:
-- standard_buildroot.repo_id -> repo and rpminfo.external_repo_id -> external_repo.

-- Source package names (not individual builds).
CREATE TABLE package (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- Build types: rpm, maven, win, image (+ any added for content generators).
CREATE TABLE btype (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);

-- ---------------------------------------------------------------------------
-- Builds.
--   volume_id:    storage volume holding the build's files (0 = DEFAULT).
--   draft:        a draft build; its release is "<release>,draft_<id>" until promoted.
--   source:       the SCM URL (or other source) the build came from.
--   create_event: event of the build row's creation (getBuild creation_event_id).
--   state:        BUILD_STATES (BUILDING 0, COMPLETE 1, DELETED 2, FAILED 3, CANCELED 4).
--   task_id:      the task that made the build (may be NULL, e.g. imports).
--   promoter / promotion_time: who promoted a draft build, and when.
--   cg_id:        content generator that imported it (NULL for koji-built).
--   extra:        JSON object as text (typeinfo, etc.).
CREATE TABLE build (
    id SERIAL NOT NULL PRIMARY KEY,
    volume_id INTEGER NOT NULL REFERENCES volume (id),
    pkg_id INTEGER NOT NULL REFERENCES package (id) DEFERRABLE,
    version TEXT NOT NULL,
    release TEXT NOT NULL,
    epoch INTEGER,
    draft BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT,
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    start_time TIMESTAMPTZ,
    completion_time TIMESTAMPTZ,
    promotion_time TIMESTAMPTZ,
    state INTEGER NOT NULL,
    task_id INTEGER REFERENCES task (id),
    owner INTEGER NOT NULL REFERENCES users (id),
    promoter INTEGER REFERENCES users (id),
    cg_id INTEGER REFERENCES content_generator (id),
    extra TEXT,
    -- N-V-R is unique regardless of epoch
    CONSTRAINT build_pkg_ver_rel UNIQUE (pkg_id, version, release),
    -- target of rpminfo's (build_id, draft) foreign key
    CONSTRAINT draft_for_rpminfo UNIQUE (id, draft),
    -- completion_time is NULL exactly while BUILDING
    CONSTRAINT completion_sane CHECK ((state = 0 AND completion_time IS NULL) OR
                                      (state <> 0 AND completion_time IS NOT NULL)),
    CONSTRAINT promotion_sane CHECK (NOT draft OR (promotion_time IS NULL AND promoter IS NULL)),
    CONSTRAINT draft_release_sane CHECK (NOT draft OR release ~ ('^.*,draft_' || id::TEXT || '$'))
);
CREATE INDEX build_by_pkg_id ON build (pkg_id);
CREATE INDEX build_completion ON build (completion_time);
CREATE INDEX build_by_state ON build (state);
CREATE INDEX build_by_task ON build (task_id);

CREATE TABLE build_types (
    build_id INTEGER NOT NULL REFERENCES build (id),
    btype_id INTEGER NOT NULL REFERENCES btype (id),
    PRIMARY KEY (build_id, btype_id)
);

-- Build ids reserved by CGInitBuild; CGImport must present the token.
CREATE TABLE build_reservations (
    build_id INTEGER NOT NULL REFERENCES build (id),
    token VARCHAR(64),
    created TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (build_id)
);
CREATE INDEX build_reservations_created ON build_reservations (created);

-- Type-specific build metadata.
CREATE TABLE maven_builds (
    build_id INTEGER NOT NULL PRIMARY KEY REFERENCES build (id),
    group_id TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    version TEXT NOT NULL
);

CREATE TABLE win_builds (
    build_id INTEGER NOT NULL PRIMARY KEY REFERENCES build (id),
    platform TEXT NOT NULL
);

-- spun images (livecd, appliance, VM and other images)
CREATE TABLE image_builds (
    build_id INTEGER NOT NULL PRIMARY KEY REFERENCES build (id)
);

-- ---------------------------------------------------------------------------
-- Buildroots.
--   br_type:   BR_TYPES (STANDARD 0 = made by a koji builder, EXTERNAL 1 =
--              reported by a content generator).
--   cg_id / cg_version: the content generator of an EXTERNAL buildroot.
--   container_type / container_arch: e.g. 'chroot' and the canonical arch.
--   extra:     JSON object as text.
CREATE TABLE buildroot (
    id SERIAL NOT NULL PRIMARY KEY,
    br_type INTEGER NOT NULL,
    cg_id INTEGER REFERENCES content_generator (id),
    cg_version TEXT,
    CONSTRAINT cg_sane CHECK (
        (cg_id IS NULL AND cg_version IS NULL)
        OR (cg_id IS NOT NULL AND cg_version IS NOT NULL)),
    container_type TEXT,
    container_arch TEXT,
    CONSTRAINT container_sane CHECK (
        (container_type IS NULL AND container_arch IS NULL)
        OR (container_type IS NOT NULL AND container_arch IS NOT NULL)),
    host_os TEXT,
    host_arch TEXT,
    extra TEXT
);

-- Koji-made buildroots.
--   repo_id:      the repo the buildroot installs from (FK added in 0006_repos.sql).
--   retire_event: event at which it was EXPIRED.
--   state:        BR_STATES (INIT 0, WAITING 1, BUILDING 2, EXPIRED 3).
CREATE TABLE standard_buildroot (
    buildroot_id INTEGER NOT NULL PRIMARY KEY REFERENCES buildroot (id),
    host_id INTEGER NOT NULL REFERENCES host (id),
    repo_id INTEGER NOT NULL,
    task_id INTEGER NOT NULL REFERENCES task (id),
    create_event INTEGER NOT NULL REFERENCES events (id) DEFAULT get_event(),
    retire_event INTEGER,
    state INTEGER
);
-- listBuildroots(taskID / hostID / repoID)
CREATE INDEX standard_buildroot_task ON standard_buildroot (task_id);
CREATE INDEX standard_buildroot_host ON standard_buildroot (host_id);
CREATE INDEX standard_buildroot_repo ON standard_buildroot (repo_id);

-- Tool versions used in a buildroot (content generator metadata).
CREATE TABLE buildroot_tools_info (
    buildroot_id INTEGER NOT NULL REFERENCES buildroot (id),
    tool TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (buildroot_id, tool)
);

-- ---------------------------------------------------------------------------
-- RPMs (including source RPMs), from builds or from external repos.
--   build_id / draft: NULL for RPMs of external repos; otherwise the build and a
--                 copy of its draft flag (kept in step by the (build_id, draft)
--                 foreign key, ON UPDATE CASCADE when a draft is promoted).
--   buildroot_id: NULL for externally built packages.
--   external_repo_id: 0 (INTERNAL) for RPMs built or imported into koji.
--   payloadhash:  the RPM's sigmd5 (historical name).
--   buildtime:    RPM build time, seconds since the epoch.
--   metadata_only: the file itself is not stored (content generator import).
--   extra:        JSON object as text.
-- N-V-R.A is unique per external repo for non-draft RPMs; the file name is
-- always N-V-R.A.rpm and is not stored.
CREATE TABLE rpminfo (
    id SERIAL NOT NULL PRIMARY KEY,
    build_id INTEGER,
    buildroot_id INTEGER REFERENCES buildroot (id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    release TEXT NOT NULL,
    epoch INTEGER,
    arch VARCHAR(16) NOT NULL,
    draft BOOLEAN,
    external_repo_id INTEGER NOT NULL,  -- FK to external_repo added in 0006_repos.sql
    payloadhash TEXT NOT NULL,
    size BIGINT NOT NULL,
    buildtime BIGINT NOT NULL,
    metadata_only BOOLEAN NOT NULL DEFAULT FALSE,
    extra TEXT,
    CONSTRAINT rpminfo_build_id_draft_fkey FOREIGN KEY (build_id, draft)
        REFERENCES build (id, draft) ON UPDATE CASCADE,
    CONSTRAINT build_id_draft_external_repo_id_sane CHECK (
        (draft IS NULL AND build_id IS NULL AND external_repo_id <> 0)
        OR (draft IS NOT NULL AND build_id IS NOT NULL AND external_repo_id = 0))
);
CREATE INDEX rpminfo_build ON rpminfo (build_id);
CREATE UNIQUE INDEX rpminfo_unique_nvra_not_draft ON rpminfo (name, version, release, arch, external_repo_id)
    WHERE draft IS NOT TRUE;
CREATE INDEX rpminfo_nvra ON rpminfo (name, version, release, arch, external_repo_id);
-- lookups by file name (getRPM / search)
CREATE INDEX rpminfo_filename ON rpminfo ((name || '-' || version || '-' || release || '.' || arch || '.rpm'))
    INCLUDE (id);
-- listRPMs(buildrootID=...)
CREATE INDEX rpminfo_buildroot ON rpminfo (buildroot_id);

-- Signatures: sighash is the checksum of the signature header for sigkey.
CREATE TABLE rpmsigs (
    rpm_id INTEGER NOT NULL REFERENCES rpminfo (id),
    sigkey TEXT NOT NULL,
    sighash TEXT NOT NULL,
    CONSTRAINT rpmsigs_no_resign UNIQUE (rpm_id, sigkey)
);

-- Cached checksums of (optionally signed) RPM files.
--   sigkey: as in rpmsigs ('' = the unsigned file); checksum_type: CHECKSUM_TYPES (md5 0, sha1 1, sha256 2).
CREATE TABLE rpm_checksum (
    rpm_id INTEGER NOT NULL REFERENCES rpminfo (id),
    sigkey TEXT NOT NULL,
    checksum TEXT NOT NULL UNIQUE,
    checksum_type SMALLINT NOT NULL,
    PRIMARY KEY (rpm_id, sigkey, checksum_type)
);
CREATE INDEX rpm_checksum_rpm_id ON rpm_checksum (rpm_id);

-- RPMs installed in each buildroot; is_update = installed/updated after the
-- initial install (host.updateBuildRootList).
CREATE TABLE buildroot_listing (
    buildroot_id INTEGER NOT NULL REFERENCES buildroot (id),
    rpm_id INTEGER NOT NULL REFERENCES rpminfo (id),
    is_update BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (buildroot_id, rpm_id)
);
CREATE INDEX buildroot_listing_rpms ON buildroot_listing (rpm_id);

-- ---------------------------------------------------------------------------
-- Archives: any non-RPM file a build produced (jars, images, zips, ...).
-- archivetypes: extensions is a space separated list of file name endings;
-- compression_type ('zip', 'tar' or NULL) says whether contents can be listed.
CREATE TABLE archivetypes (
    id SERIAL NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    extensions TEXT NOT NULL,
    compression_type TEXT
);

--   btype_id:      the build type this file belongs to (NOT NULL in practice).
--   checksum_type: CHECKSUM_TYPES (md5 0, sha1 1, sha256 2).
--   extra:         JSON object as text.
CREATE TABLE archiveinfo (
    id SERIAL NOT NULL PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES archivetypes (id),
    btype_id INTEGER REFERENCES btype (id),
    build_id INTEGER NOT NULL REFERENCES build (id),
    buildroot_id INTEGER REFERENCES buildroot (id),
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    checksum TEXT NOT NULL,
    checksum_type INTEGER NOT NULL,
    metadata_only BOOLEAN NOT NULL DEFAULT FALSE,
    extra TEXT
);
CREATE INDEX archiveinfo_build_idx ON archiveinfo (build_id);
CREATE INDEX archiveinfo_buildroot_idx ON archiveinfo (buildroot_id);
CREATE INDEX archiveinfo_type_idx ON archiveinfo (type_id);
CREATE INDEX archiveinfo_filename_idx ON archiveinfo (filename);

CREATE TABLE maven_archives (
    archive_id INTEGER NOT NULL PRIMARY KEY REFERENCES archiveinfo (id),
    group_id TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    version TEXT NOT NULL
);

CREATE TABLE image_archives (
    archive_id INTEGER NOT NULL PRIMARY KEY REFERENCES archiveinfo (id),
    arch VARCHAR(16) NOT NULL
);

-- Files built in Windows VMs: relpath inside the build output, platforms and
-- flags as space separated lists.
CREATE TABLE win_archives (
    archive_id INTEGER NOT NULL PRIMARY KEY REFERENCES archiveinfo (id),
    relpath TEXT NOT NULL,
    platforms TEXT NOT NULL,
    flags TEXT
);

-- RPMs contained in an image or other archive.
CREATE TABLE archive_rpm_components (
    archive_id INTEGER NOT NULL REFERENCES archiveinfo (id),
    rpm_id INTEGER NOT NULL REFERENCES rpminfo (id),
    UNIQUE (archive_id, rpm_id)
);
CREATE INDEX rpm_components_idx ON archive_rpm_components (rpm_id);

-- Archives contained in an image or other archive.
CREATE TABLE archive_components (
    archive_id INTEGER NOT NULL REFERENCES archiveinfo (id),
    component_id INTEGER NOT NULL REFERENCES archiveinfo (id),
    UNIQUE (archive_id, component_id)
);
CREATE INDEX archive_components_idx ON archive_components (component_id);

-- Archives used in a buildroot; project_dep = a direct dependency of the
-- project (maven) rather than a build tool.
CREATE TABLE buildroot_archives (
    buildroot_id INTEGER NOT NULL REFERENCES buildroot (id),
    archive_id INTEGER NOT NULL REFERENCES archiveinfo (id),
    project_dep BOOLEAN NOT NULL,
    PRIMARY KEY (buildroot_id, archive_id)
);
CREATE INDEX buildroot_archives_archive_idx ON buildroot_archives (archive_id);
