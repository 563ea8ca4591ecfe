-- 0009_buildroots.sql: standard buildroots without a repo or a task.
--
-- koji-ts goes beyond Koji here: its rpmbuild backend builds with the host's
-- toolchain from no repo at all (repos arrive later), and host.newBuildRoot
-- takes task_id=None. Both columns become NULLABLE; the repo foreign key of
-- 0006_repos.sql still holds when a repo is given.
ALTER TABLE standard_buildroot ALTER COLUMN repo_id DROP NOT NULL;
ALTER TABLE standard_buildroot ALTER COLUMN task_id DROP NOT NULL;

-- listBuildroots(state=...) (the other filters have their indexes in 0004_builds.sql)
CREATE INDEX standard_buildroot_state ON standard_buildroot (state);
