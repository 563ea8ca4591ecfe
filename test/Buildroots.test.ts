import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as MockConfig from "../src/buildroot/MockConfig.js"
import type * as KojiClient from "../src/client/KojiClient.js"
import { Builds } from "../src/hub/Builds.js"
import * as Builds_ from "../src/hub/Builds.js"
import * as Builders from "./utils/Builders.js"
import { adminProfile, harness, HubUrl, hubLayer, ok } from "./utils/CliHarness.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

const builds = Effect.provide(Builds, Builds_.layer)

const rpm = (name: string, version: string, release: string, arch: string) => ({
  name,
  version,
  release,
  epoch: null,
  arch,
  payloadhash: `hash-${name}-${arch}`,
  size: 1000,
  buildtime: 1_700_000_000
})

// a task OPEN on `host` (made by the admin, assigned to it, opened by it)
const openTask = (host: KojiClient.Client, hostName: string) =>
  Effect.gen(function*() {
    const admin = yield* TestHub.admin
    const id = yield* admin.makeTask({ method: "sleep", arglist: [1], assign: hostName })
    expect(yield* host.host.openTask({ task_id: id })).not.toBeNull()
    return id
  })

describe("Buildroots", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} in-process`,
      (it) => {
        it.scoped("host.newBuildRoot: INIT, chroot, the host's, for its OPEN task; Koji's fields", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            const { client: host, id: hostId } = yield* Builders.builder("br-host1")
            const { client: other } = yield* Builders.builder("br-host1b")
            const task = yield* openTask(host, "br-host1")
            const before = (yield* anon.getLastEvent({}))!.id
            const id = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: task })
            const br = yield* anon.getBuildroot({ buildrootID: id })
            expect(br).toMatchObject({
              id,
              br_type: 0,
              cg_id: null,
              cg_name: null,
              cg_version: null,
              container_type: "chroot",
              container_arch: "x86_64",
              arch: "x86_64",
              host_os: null,
              host_arch: null,
              extra: null,
              state: 0,
              task_id: task,
              host_id: hostId,
              host_name: "br-host1",
              repo_id: null,
              repo_state: null,
              tag_id: null,
              tag_name: null,
              retire_event_id: null,
              retire_event_time: null,
              retire_ts: null,
              repo_create_event_id: null,
              repo_create_event_time: null
            })
            expect(br!.create_event_id).toBeGreaterThan(before)
            expect(br!.create_event_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00$/)
            expect(Math.abs(br!.create_ts! - Date.now() / 1000)).toBeLessThan(120)
            // by id as a string (Koji's convert_value), and strict
            expect(yield* anon.getBuildroot({ buildrootID: String(id) })).toEqual(br)
            expect(yield* anon.getBuildroot({ buildrootID: 987654 })).toBeNull()
            expect(yield* Effect.flip(anon.getBuildroot({ buildrootID: 987654, strict: true }))).toMatchObject({
              _tag: "GenericError",
              message: "No such buildroot: 987654"
            })
            expect(yield* Effect.flip(anon.getBuildroot({ buildrootID: "abc" }))).toMatchObject({ _tag: "ParameterError" })

            // no task: allowed (beyond Koji's schema)
            const free = yield* host.host.newBuildRoot({ repo: null, arch: "aarch64" })
            expect(yield* anon.getBuildroot({ buildrootID: free })).toMatchObject({ task_id: null, arch: "aarch64" })

            // the task must be OPEN on the caller
            const theirs = yield* openTask(other, "br-host1b")
            expect(yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: theirs }))).toMatchObject({
              _tag: "ActionNotAllowed",
              message: `host ${hostId} does not own task ${theirs}`
            })
            const admin = yield* TestHub.admin
            const freeTask = yield* admin.makeTask({ method: "sleep", arglist: [1] })
            expect((yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: freeTask }))).message)
              .toBe(`host ${hostId} does not own task ${freeTask}`)
            expect(yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: 987654 }))).toMatchObject({
              _tag: "GenericError",
              message: "No such task: 987654"
            })
            // bad arches, an unknown repo, and a caller that is not a host
            expect((yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "x86_64; rm" }))).message)
              .toBe("Architecture can be only [a-zA-Z0-9_-]")
            expect(yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "x86_64 i686" }))).toMatchObject({
              _tag: "ParameterError"
            })
            expect(yield* Effect.flip(host.host.newBuildRoot({ repo: null, arch: "" }))).toMatchObject({
              _tag: "ParameterError"
            })
            expect(yield* Effect.flip(host.host.newBuildRoot({ repo: 987654, arch: "x86_64" }))).toMatchObject({
              _tag: "GenericError",
              message: "No such repo: 987654"
            })
            expect(yield* Effect.flip(admin.host.newBuildRoot({ repo: null, arch: "x86_64" }))).toMatchObject({
              _tag: "AuthError"
            })
            // nothing was left behind by the refusals
            expect(yield* anon.listBuildroots({ hostID: hostId, queryOpts: { countOnly: true } })).toBe(2)
          }))

        it.scoped("host.setBuildRootState: by name or number, only the owner, EXPIRED is final and idempotent", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            const { client: host, id: hostId } = yield* Builders.builder("br-host2")
            const { client: other, id: otherId } = yield* Builders.builder("br-host2b")
            const task = yield* openTask(host, "br-host2")
            const task2 = yield* openTask(host, "br-host2")
            const id = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: task })
            const state = () => Effect.map(anon.getBuildroot({ buildrootID: id }), (b) => b!.state)

            expect(yield* host.host.setBuildRootState({ brootid: id, state: "WAITING", task_id: task })).toBeNull()
            expect(yield* state()).toBe(1)
            yield* host.host.setBuildRootState({ brootid: id, state: 2 })
            expect(yield* state()).toBe(2)

            expect(yield* Effect.flip(other.host.setBuildRootState({ brootid: id, state: "EXPIRED" }))).toMatchObject({
              _tag: "ActionNotAllowed",
              message: `Host ${otherId} not owner of buildroot ${id}`
            })
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: id, state: "EXPIRED", task_id: task2 })))
              .toMatchObject({ _tag: "ActionNotAllowed", message: `Task ${task2} does not have lock on buildroot ${id}` })
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: id, state: "INIT" }))).toMatchObject({
              _tag: "GenericError",
              message: "Cannot change buildroot state to INIT"
            })
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: id, state: "BOGUS" }))).toMatchObject({
              _tag: "ParameterError",
              message: "Invalid buildroot state: 'BOGUS'"
            })
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: id, state: 7 }))).toMatchObject({
              _tag: "ParameterError"
            })
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: 987654, state: "EXPIRED" }))).toMatchObject({
              _tag: "GenericError",
              message: "no buildroot with ID: 987654"
            })
            expect(yield* state()).toBe(2)

            const before = (yield* anon.getLastEvent({}))!.id
            yield* host.host.setBuildRootState({ brootid: id, state: "EXPIRED", task_id: task })
            const expired = (yield* anon.getBuildroot({ buildrootID: id }))!
            expect(expired.state).toBe(3)
            expect(expired.retire_event_id).toBeGreaterThan(before)
            expect(expired.retire_event_time).not.toBeNull()
            expect(expired.retire_ts).toBeGreaterThanOrEqual(expired.create_ts!)
            // expiring twice changes nothing; leaving EXPIRED is refused
            yield* host.host.setBuildRootState({ brootid: id, state: 3 })
            expect(yield* anon.getBuildroot({ buildrootID: id })).toEqual(expired)
            expect(yield* Effect.flip(host.host.setBuildRootState({ brootid: id, state: "BUILDING" }))).toMatchObject({
              _tag: "GenericError",
              message: `buildroot ${id} is EXPIRED`
            })
            expect(hostId).not.toBe(otherId)
          }))

        it.scoped("setBuildRootList (INIT) and updateBuildRootList (BUILDING); getBuildrootListing; unknown RPMs", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            const sql = yield* SqlClient.SqlClient
            const { client: host } = yield* Builders.builder("br-host3")
            const service = yield* builds
            const buildId = yield* service.import({
              name: "brdep",
              version: "2.0",
              release: "1",
              epoch: null,
              rpms: [rpm("brdep", "2.0", "1", "src"), rpm("brdep", "2.0", "1", "x86_64"), rpm("brdep-devel", "2.0", "1", "x86_64")]
            }, 1)
            const rpms = yield* anon.listBuildRPMs({ build: buildId })
            const byArch = (name: string) => rpms.find((r) => r.name === name && r.arch !== "src")!
            yield* sql`INSERT INTO external_repo (name) VALUES ('br-ext')`
            const id = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64" })

            // an unknown internal RPM fails the whole call: nothing is recorded
            const unknown = yield* Effect.flip(host.host.setBuildRootList({
              brootid: id,
              rpmlist: [{ name: "brdep", version: "2.0", release: "1", arch: "x86_64", epoch: null }, {
                name: "nosuch",
                version: "1",
                release: "1",
                arch: "x86_64",
                epoch: null
              }]
            }))
            expect(unknown).toMatchObject({ _tag: "GenericError" })
            expect(unknown.message).toMatch(/^No such rpm: \{.*'name': 'nosuch'/)
            expect(yield* anon.getBuildrootListing({ id })).toEqual([])
            // an external RPM needs its header facts, and its repo must exist
            const missing = yield* Effect.flip(host.host.setBuildRootList({
              brootid: id,
              rpmlist: [{ name: "glibc", version: "2.38", release: "1", arch: "x86_64", epoch: null, location: "br-ext" }]
            }))
            expect(missing.message).toMatch(/^payloadhash field missing: /)
            const noRepo = yield* Effect.flip(host.host.setBuildRootList({
              brootid: id,
              rpmlist: [{ ...rpm("glibc", "2.38", "1", "x86_64"), location: "no-such-ext" }]
            }))
            expect(noRepo.message).toBe("No such entry in table external_repo: no-such-ext")

            const glibc = { ...rpm("glibc", "2.38", "1", "x86_64"), epoch: 0, location: "br-ext" }
            yield* host.host.setBuildRootList({
              brootid: id,
              rpmlist: [
                { name: "brdep", version: "2.0", release: "1", arch: "x86_64", epoch: null },
                { id: byArch("brdep-devel").id, name: "brdep-devel", version: "2.0", release: "1", arch: "x86_64" },
                glibc
              ]
            })
            const listing = yield* anon.getBuildrootListing({ id })
            expect(listing).toHaveLength(3)
            expect(listing.find((r) => r.name === "brdep")).toEqual({
              rpm_id: byArch("brdep").id,
              is_update: false,
              name: "brdep",
              version: "2.0",
              release: "1",
              epoch: null,
              arch: "x86_64",
              build_id: buildId,
              draft: false,
              external_repo_id: 0,
              external_repo_name: "INTERNAL"
            })
            const ext = listing.find((r) => r.name === "glibc")!
            expect(ext).toMatchObject({ is_update: false, epoch: 0, build_id: null, draft: null, external_repo_name: "br-ext" })
            expect(ext.external_repo_id).toBeGreaterThan(0)
            // the external RPM is now known to getRPM
            expect(yield* anon.getRPM({ rpminfo: "glibc-2.38-1.x86_64@br-ext" })).toMatchObject({ id: ext.rpm_id })
            // and listRPMs(componentBuildrootID) sees the listing
            const components = yield* anon.listRPMs({ componentBuildrootID: id })
            expect(Array.isArray(components) && components.map((r) => r.id).sort()).toEqual(listing.map((r) => r.rpm_id).sort())

            // INIT only; then updates while BUILDING only
            expect(yield* Effect.flip(host.host.updateBuildRootList({ brootid: id, rpmlist: [] }))).toMatchObject({
              message: `buildroot ${id} in wrong state 0`
            })
            yield* host.host.setBuildRootState({ brootid: id, state: "BUILDING" })
            expect(yield* Effect.flip(host.host.setBuildRootList({ brootid: id, rpmlist: [] }))).toMatchObject({
              message: `buildroot ${id} in wrong state 2`
            })
            // a changed hash of a known external RPM is refused
            const changed = yield* Effect.flip(host.host.updateBuildRootList({
              brootid: id,
              rpmlist: [{ ...glibc, payloadhash: "other" }]
            }))
            expect(changed.message).toBe(`hash changed for external rpm: glibc-2.38-1.x86_64@br-ext (${glibc.payloadhash} -> other)`)
            // already listed ones are ignored, new ones are updates
            yield* host.host.updateBuildRootList({
              brootid: id,
              rpmlist: [glibc, { name: "brdep", version: "2.0", release: "1", arch: "src", epoch: null }]
            })
            const after = yield* anon.getBuildrootListing({ id })
            expect(after).toHaveLength(4)
            expect(after.filter((r) => r.is_update).map((r) => `${r.name}.${r.arch}`)).toEqual(["brdep.src"])
            expect(yield* Effect.flip(anon.getBuildrootListing({ id: 987654 }))).toMatchObject({
              message: "no buildroot with ID: 987654"
            })
            // another host may not touch the list
            const { client: other, id: otherId } = yield* Builders.builder("br-host3b")
            expect(yield* Effect.flip(other.host.updateBuildRootList({ brootid: id, rpmlist: [] }))).toMatchObject({
              _tag: "ActionNotAllowed",
              message: `Host ${otherId} not owner of buildroot ${id}`
            })
          }))

        it.scoped("listBuildroots by host, state, task, rpm, id, repo and tag, with queryOpts", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            const admin = yield* TestHub.admin
            const sql = yield* SqlClient.SqlClient
            const { client: host, id: hostId } = yield* Builders.builder("br-host4")
            const task = yield* openTask(host, "br-host4")
            const tag = yield* admin.createTag({ name: "br-tag4", arches: "x86_64" })
            const [repo] = yield* sql<{ id: number }>`
              INSERT INTO repo (tag_id, state, create_event) VALUES (${tag}, 1, get_event()) RETURNING id`
            const a = yield* host.host.newBuildRoot({ repo: repo!.id, arch: "x86_64", task_id: task })
            const b = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64", task_id: task })
            const c = yield* host.host.newBuildRoot({ repo: null, arch: "noarch" })
            yield* host.host.setBuildRootState({ brootid: b, state: "BUILDING" })
            yield* host.host.setBuildRootState({ brootid: c, state: "EXPIRED" })
            const ids = (list: ReadonlyArray<{ readonly id: number }> | number) =>
              typeof list === "number" ? list : list.map((x) => x.id)

            expect(ids(yield* anon.listBuildroots({ hostID: hostId }))).toEqual([a, b, c])
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, state: 0 }))).toEqual([a])
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, state: [2, 3] }))).toEqual([b, c])
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, state: [] }))).toEqual([])
            expect(ids(yield* anon.listBuildroots({ taskID: task }))).toEqual([a, b])
            expect(ids(yield* anon.listBuildroots({ buildrootID: [c, a] }))).toEqual([a, c])
            expect(ids(yield* anon.listBuildroots({ buildrootID: b }))).toEqual([b])
            expect(ids(yield* anon.listBuildroots({ repoID: repo!.id }))).toEqual([a])
            // repoID=0 is no filter (Koji tests `if repoID:`)
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, repoID: 0 }))).toEqual([a, b, c])
            expect(ids(yield* anon.listBuildroots({ tagID: tag }))).toEqual([a])
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, queryOpts: { order: "-id", limit: 2 } }))).toEqual([c, b])
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, queryOpts: { order: "arch,id" } }))).toEqual([c, a, b])
            // a column as Koji's CLI names it (`rpminfo --buildroots` orders by buildroot.id)
            expect(ids(yield* anon.listBuildroots({ hostID: hostId, queryOpts: { order: "-buildroot.id" } }))).toEqual([c, b, a])
            expect(yield* anon.listBuildroots({ hostID: hostId, queryOpts: { countOnly: true } })).toBe(3)
            expect(yield* Effect.flip(anon.listBuildroots({ queryOpts: { order: "nosuch" } }))).toMatchObject({
              _tag: "ParameterError",
              message: "Invalid order term: nosuch"
            })
            // the repo's and tag's fields
            const withRepo = (yield* anon.getBuildroot({ buildrootID: a }))!
            expect(withRepo).toMatchObject({ repo_id: repo!.id, repo_state: 1, tag_id: tag, tag_name: "br-tag4" })
            expect(withRepo.repo_create_event_id).toBeGreaterThan(0)
            expect(withRepo.repo_create_event_time).toMatch(/^\d{4}-/)

            // by rpm: the buildroots that had it installed
            const service = yield* builds
            const buildId = yield* service.import({
              name: "brlist",
              version: "1",
              release: "1",
              epoch: null,
              rpms: [rpm("brlist", "1", "1", "x86_64")]
            }, 1)
            const [dep] = yield* anon.listBuildRPMs({ build: buildId })
            yield* host.host.setBuildRootList({ brootid: a, rpmlist: [{ ...rpm("brlist", "1", "1", "x86_64") }] })
            expect(ids(yield* anon.listBuildroots({ rpmID: dep!.id }))).toEqual([a])
            expect(ids(yield* anon.listBuildroots({ rpmID: dep!.id, taskID: 987654 }))).toEqual([])
            expect(ids(yield* anon.listBuildroots({ archiveID: 987654 }))).toEqual([])
          }))
      }
    )

    // Koji's own clients: positional arguments and the result structs over XML-RPC
    layer(TestHub.layer(Database, TestHub.allTransports[2][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} xmlrpc`,
      (it) => {
        it.scoped("the host calls and queries over /kojihub", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            const { client: host, id: hostId } = yield* Builders.builder("br-xml")
            const id = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64" })
            yield* host.host.setBuildRootList({ brootid: id, rpmlist: [] })
            yield* host.host.setBuildRootState({ brootid: id, state: "BUILDING" })
            const [br] = (yield* anon.listBuildroots({ hostID: hostId })) as ReadonlyArray<{ id: number; state: number | null }>
            expect(br).toMatchObject({ id, state: 2, container_type: "chroot", repo_id: null })
            expect(yield* anon.getBuildroot({ buildrootID: id })).toEqual(br)
            expect(yield* anon.getBuildrootListing({ id })).toEqual([])
          }))
      }
    )
  }
})

// the CLI commands against a hub over HTTP (PGlite)
const { koji, writeConfigs } = harness("koji-clibr")

layer(hubLayer(), { timeout: "180 seconds", excludeTestServices: true })("CliBuildroots", (it) => {
  it.scoped("list-buildroot and mock-config print what Koji's CLI prints", () =>
    Effect.gen(function*() {
      const url = yield* HubUrl
      writeConfigs({
        system: `[koji]\nserver = ${url}/api\ntopurl = http://files.example.com/kojifiles\n`,
        user: adminProfile(url, { topurl: "http://files.example.com/kojifiles" })
      })
      const admin = yield* TestHub.admin
      const sql = yield* SqlClient.SqlClient
      const service = yield* builds
      const { client: host } = yield* Builders.builder("br-cli")
      const task = yield* openTask(host, "br-cli")
      yield* admin.createTag({ name: "cli-build", arches: "x86_64 aarch64" })
      yield* admin.editTag2({ tagInfo: "cli-build", extra: { "rpm.macro.dist": ".cli1", "mock.package_manager": "dnf" } })
      const [repo] = yield* sql<{ id: number }>`
        INSERT INTO repo (tag_id, state, create_event)
        SELECT id, 1, get_event() FROM tag WHERE name = 'cli-build' RETURNING id`
      const br = yield* host.host.newBuildRoot({ repo: repo!.id, arch: "x86_64", task_id: task })
      yield* service.import({
        name: "zdep",
        version: "1",
        release: "1",
        epoch: null,
        rpms: [rpm("zdep", "1", "1", "x86_64"), rpm("zdep", "1", "1", "noarch")]
      }, 1)
      yield* service.import({
        name: "adep",
        version: "3",
        release: "2",
        epoch: null,
        rpms: [rpm("adep", "3", "2", "x86_64")]
      }, 1)
      yield* host.host.setBuildRootList({
        brootid: br,
        rpmlist: [rpm("zdep", "1", "1", "x86_64"), rpm("adep", "3", "2", "x86_64")]
      })
      yield* host.host.setBuildRootState({ brootid: br, state: "BUILDING", task_id: task })
      yield* host.host.updateBuildRootList({ brootid: br, rpmlist: [rpm("zdep", "1", "1", "noarch")], task_id: task })
      // what the buildroot built
      yield* service.import({
        name: "made",
        version: "1",
        release: "1",
        epoch: null,
        rpms: [{ ...rpm("made", "1", "1", "x86_64"), buildrootId: br }, { ...rpm("made", "1", "1", "src"), buildrootId: br }]
      }, 1)

      ok(yield* koji("list-buildroot", String(br)), "Component RPMs:\nadep-3-2.x86_64\nzdep-1-1.noarch\nzdep-1-1.x86_64\n")
      ok(
        yield* koji("list-buildroot", "--verbose", String(br)),
        "Component RPMs:\nadep-3-2.x86_64\nzdep-1-1.noarch [update]\nzdep-1-1.x86_64\n"
      )
      ok(yield* koji("list-buildroot", "--built", String(br)), "Built RPMs:\nmade-1-1.src\nmade-1-1.x86_64\n")
      ok(yield* koji("list-buildroot", "987654"), "")
      const noArgs = yield* koji("list-buildroot")
      expect(noArgs.code).toBe(2)
      expect(noArgs.stderr).toContain("error: Incorrect number of arguments")

      // mock-config of the buildroot: the same text as MockConfig.genMockConfig, printed
      const expected = yield* MockConfig.genMockConfig(`cli-build-repo_${repo!.id}`, "x86_64", {
        repoid: repo!.id,
        tag_name: "cli-build",
        topurl: "http://files.example.com/kojifiles",
        distribution: "Koji Testing",
        mockdir: "/var/lib/mock",
        package_manager: "dnf",
        tag_macros: { "%dist": ".cli1" }
      })
      expect(expected).toContain(`baseurl=http://files.example.com/kojifiles/repos/cli-build/${repo!.id}/x86_64\\n`)
      ok(yield* koji("mock-config", "--buildroot", String(br)), `${expected}\n`)
      // by task (its last buildroot, named after the task), into a file
      const outDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "kts-mockcfg-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(outDir, { recursive: true, force: true })))
      const out = Path.join(outDir, "task.cfg")
      ok(yield* koji("mock-config", "--task", String(task), "-o", out), "")
      expect(Fs.readFileSync(out, "utf8")).toBe(expected.replace(`'cli-build-repo_${repo!.id}'`, `'cli-build-task_${task}'`))
      // by tag: the latest repo, the arch checked against the tag's
      const latest = yield* koji("mock-config", "--tag", "cli-build", "--arch", "ppc64le", "--latest", "my-root")
      expect(latest.code).toBe(0)
      expect(latest.stderr).toBe("ppc64le is not in the list of tag arches\n")
      expect(latest.stdout).toContain("config_opts['root'] = 'my-root'\n")
      expect(latest.stdout).toContain("baseurl=http://files.example.com/kojifiles/repos/cli-build/latest/ppc64le\\n")
      // Koji's errors
      const noArch = yield* koji("mock-config", "--tag", "cli-build")
      expect(noArch.code).toBe(1)
      expect(noArch.stderr).toContain("Please specify an arch")
      const noRepo = yield* koji("mock-config", "--tag", "cli-build", "--arch", "x86_64")
      expect(noRepo.code).toBe(1)
      expect(noRepo.stderr).toContain("Could not get a repo for tag: cli-build")
      const nothing = yield* koji("mock-config")
      expect(nothing.code).toBe(2)
      expect(nothing.stderr).toContain("error: Please specify one of: --tag, --target, --task, --buildroot")
      const twice = yield* koji("mock-config", "--name", "a", "--buildroot", String(br), "b")
      expect(twice.code).toBe(2)
      expect(twice.stderr).toContain("error: Name already specified via option")
      const missing = yield* koji("mock-config", "--buildroot", "987654")
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("No such buildroot: 987654")
      const noTask = yield* koji("mock-config", "--task", "987654")
      expect(noTask.stderr).toContain("No buildroots for task 987654 (or no such task)")
      // a buildroot without a repo has no mock config
      const bare = yield* host.host.newBuildRoot({ repo: null, arch: "x86_64" })
      const bareResult = yield* koji("mock-config", "--buildroot", String(bare))
      expect(bareResult.code).toBe(1)
      expect(bareResult.stderr).toContain("please provide a repo and tag")
    }))
})
