import { describe, expect, it, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Timestamp from "../src/domain/Timestamp.js"
import { timestampOf } from "../src/hub/BuildRecords.js"
import { Builds } from "../src/hub/Builds.js"
import * as Builds_ from "../src/hub/Builds.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as Samples from "./utils/Samples.js"

// the Builds service of the hub under test (the import path the build pipeline uses)
const service = Effect.provide(Builds, Builds_.layer)

const rpm = (name: string, version: string, release: string, arch: string, hash = "0123456789abcdef") => ({
  name,
  version,
  release,
  epoch: null,
  arch,
  payloadhash: hash,
  size: 1234,
  buildtime: 1_700_000_000
})

describe("Builds", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} in-process`,
      (it) => {
        it.scoped("createEmptyBuild and getBuild by id, N-V-R and map, with Koji's fields", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const before = (yield* anon.getLastEvent({}))!.id
            const id = yield* admin.createEmptyBuild({ name: "empty-b1", version: "1.0", release: "1", epoch: null })
            const build = yield* anon.getBuild({ buildInfo: "empty-b1-1.0-1" })
            expect(build).toMatchObject({
              id,
              build_id: id,
              name: "empty-b1",
              package_name: "empty-b1",
              version: "1.0",
              release: "1",
              epoch: null,
              nvr: "empty-b1-1.0-1",
              draft: false,
              state: 1,
              task_id: null,
              owner_name: "admin",
              volume_id: 0,
              volume_name: "DEFAULT",
              source: null,
              extra: null,
              cg_id: null,
              cg_name: null,
              promoter_id: null,
              promotion_time: null,
              promotion_ts: null
            })
            expect(build!.creation_event_id).toBeGreaterThan(before)
            expect(build!.completion_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00$/)
            expect(Math.abs(build!.completion_ts! - Date.now() / 1000)).toBeLessThan(120)
            expect(build!.start_ts).toBe(build!.completion_ts)
            // the package was created with it
            expect((yield* anon.getPackage({ info: "empty-b1" }))?.id).toBe(build!.package_id)
            expect(yield* anon.getBuild({ buildInfo: id })).toEqual(build)
            expect(yield* anon.getBuild({ buildInfo: { name: "empty-b1", version: "1.0", release: "1" } })).toEqual(build)

            // unknown builds: None, or Koji's messages when strict
            expect(yield* anon.getBuild({ buildInfo: "empty-b1-1.0-2" })).toBeNull()
            expect(yield* anon.getBuild({ buildInfo: 987654 })).toBeNull()
            const strict = yield* Effect.flip(anon.getBuild({ buildInfo: "empty-b1-1.0-2", strict: true }))
            expect(strict).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such build: 'empty-b1-1.0-2'" })
            const strictId = yield* Effect.flip(anon.getBuild({ buildInfo: 987654, strict: true }))
            expect(strictId.message).toBe("No such build: 987654")
            const bad = yield* Effect.flip(anon.getBuild({ buildInfo: "nodashes" }))
            expect(bad.message).toBe("invalid format: nodashes")

            // an owner, an epoch, a draft
            yield* admin.createUser({ username: "owner-b1" })
            const owned = yield* admin.createEmptyBuild({
              name: "empty-b1",
              version: "2.0",
              release: "1",
              epoch: 3,
              owner: "owner-b1"
            })
            expect(yield* anon.getBuild({ buildInfo: owned })).toMatchObject({ owner_name: "owner-b1", epoch: 3 })
            const draft = yield* admin.createEmptyBuild({ name: "empty-b1", version: "3.0", release: "1", epoch: null, draft: true })
            expect(yield* anon.getBuild({ buildInfo: draft })).toMatchObject({ draft: true, release: `1,draft_${draft}` })
            const noOwner = yield* Effect.flip(admin.createEmptyBuild({
              name: "empty-b1",
              version: "4.0",
              release: "1",
              epoch: null,
              owner: "nobody-b1"
            }))
            expect(noOwner.message).toBe("No such user: 'nobody-b1'")
            const badName = yield* Effect.flip(admin.createEmptyBuild({ name: "bad name", version: "1", release: "1", epoch: null }))
            expect(badName.message).toBe("Name bad name does not match RegexNameInternal value")
            const badVersion = yield* Effect.flip(admin.createEmptyBuild({ name: "x-b1", version: "1-2", release: "1", epoch: null }))
            expect(badVersion.message).toBe("The \"-\" character not allowed in version field")
            // nothing left behind by the refusals
            expect(yield* anon.getPackage({ info: "x-b1" })).toBeNull()

            const denied = yield* Effect.flip(anon.createEmptyBuild({ name: "empty-b1", version: "9", release: "1", epoch: null }))
            expect(denied).toMatchObject({ _tag: "ActionNotAllowed", faultCode: 1004 })
          }))

        it.scoped("N-V-R is unique regardless of epoch; a FAILED build with no history is recycled", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const sql = yield* SqlClient.SqlClient
            const id = yield* admin.createEmptyBuild({ name: "clash-b2", version: "1", release: "1", epoch: null })
            const clash = yield* Effect.flip(admin.createEmptyBuild({ name: "clash-b2", version: "1", release: "1", epoch: 5 }))
            expect(clash).toMatchObject({ _tag: "GenericError", faultCode: 1000 })
            expect(clash.message).toMatch(new RegExp(`^Build already exists \\(id=${id}, state=COMPLETE\\): \\{`))
            expect(yield* anon.getBuild({ buildInfo: id })).toMatchObject({ epoch: null, state: 1 })
            // a failed build without tags, rpms or archives is reused (same id, new event)
            const before = (yield* anon.getBuild({ buildInfo: id }))!.creation_event_id
            yield* sql`UPDATE build SET state = 3 WHERE id = ${id}`
            expect(yield* admin.createEmptyBuild({ name: "clash-b2", version: "1", release: "1", epoch: 5 })).toBe(id)
            const recycled = yield* anon.getBuild({ buildInfo: id })
            expect(recycled).toMatchObject({ state: 1, epoch: 5 })
            expect(recycled!.creation_event_id).toBeGreaterThan(before)
          }))

        it.scoped("listBuilds: Koji's filters and queryOpts", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            yield* admin.createUser({ username: "user-b3" })
            const a = yield* admin.createEmptyBuild({ name: "lb-b3", version: "1", release: "1", epoch: null })
            const b = yield* admin.createEmptyBuild({ name: "lb-b3", version: "1", release: "2", epoch: null, owner: "user-b3" })
            const c = yield* admin.createEmptyBuild({ name: "other_b3", version: "2", release: "1", epoch: null })
            const ids = (list: ReadonlyArray<{ readonly build_id: number }> | number) =>
              typeof list === "number" ? list : list.map((x) => x.build_id)
            expect(ids(yield* anon.listBuilds({ packageID: "lb-b3" }))).toEqual([a, b])
            const pkgId = (yield* anon.getBuild({ buildInfo: a }))!.package_id
            expect(ids(yield* anon.listBuilds({ packageID: pkgId }))).toEqual([a, b])
            expect(ids(yield* anon.listBuilds({ packageID: "nope-b3" }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ userID: "user-b3" }))).toEqual([b])
            expect(ids(yield* anon.listBuilds({ userID: "nope-b3" }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ prefix: "LB-" }))).toEqual([a, b])
            expect(ids(yield* anon.listBuilds({ pattern: "lb-b3-1-*" }))).toEqual([a, b])
            // a glob's _ is literal; ? is one character
            expect(ids(yield* anon.listBuilds({ pattern: "other_b3-?-1" }))).toEqual([c])
            expect(ids(yield* anon.listBuilds({ pattern: "otherxb3-*" }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", state: 1, queryOpts: { order: "-build_id" } }))).toEqual([b, a])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", state: 2 }))).toEqual([])
            expect(yield* anon.listBuilds({ prefix: "lb-b3", queryOpts: { countOnly: true } })).toBe(2)
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", queryOpts: { order: "nvr", offset: 1, limit: 1 } }))).toEqual([b])
            const created = (yield* anon.getBuild({ buildInfo: a }))!.creation_ts
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", createdAfter: created - 3600 }))).toEqual([a, b])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", createdBefore: created - 3600 }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", completeBefore: "2001-01-01 00:00:00" }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", draft: false, volumeID: 0 }))).toEqual([a, b])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", taskID: -1 }))).toEqual([])
            expect(ids(yield* anon.listBuilds({ prefix: "lb-b3", type: "rpm" }))).toEqual([])
            const badType = yield* Effect.flip(anon.listBuilds({ type: "nope" }))
            expect(badType.message).toBe("unsupported build type: nope")
            const badOrder = yield* Effect.flip(anon.listBuilds({ queryOpts: { order: "bogus" } }))
            expect(badOrder._tag).toBe("ParameterError")
            const entry = (yield* anon.listBuilds({ packageID: "other_b3" })) as unknown as ReadonlyArray<Record<string, unknown>>
            expect(entry[0]).toMatchObject({ build_id: c, nvr: "other_b3-2-1", owner_name: "admin", volume_name: "DEFAULT" })
            expect(entry[0]).not.toHaveProperty("id")
          }))

        it.scoped("getNextRelease: N, N.dist and A.B.N; others are a BuildError", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const next = (version: string, incr?: number) =>
              anon.getNextRelease({ build_info: { name: "nr-b4", version }, ...(incr === undefined ? {} : { incr }) })
            expect(yield* next("1")).toBe("1")
            expect(yield* next("1", 3)).toBe("3")
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "1", release: "7", epoch: null })
            expect(yield* next("1")).toBe("8")
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "2", release: "12.fc40", epoch: null })
            expect(yield* next("2", 2)).toBe("14.fc40")
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "3", release: "20240101.nightly.5", epoch: null })
            expect(yield* next("3")).toBe("20240101.nightly.6")
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "4", release: "beta", epoch: null })
            const bad = yield* Effect.flip(next("4"))
            expect(bad).toMatchObject({ _tag: "BuildError", faultCode: 1005, message: "Unable to increment release value: beta" })
            // drafts do not count
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "5", release: "1", epoch: null })
            yield* admin.createEmptyBuild({ name: "nr-b4", version: "5", release: "9", epoch: null, draft: true })
            expect(yield* next("5")).toBe("2")
          }))

        it.scoped("import with RPMs; getRPM, listRPMs, listBuildRPMs; delete, reset", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const builds = yield* service
            const id = yield* builds.import({
              name: "imp-b5",
              version: "1.0",
              release: "1",
              epoch: 2,
              source: "git+https://example.com/imp.git#abc",
              extra: { source: { original_url: "git+https://example.com/imp.git#main" } },
              rpms: [rpm("imp-b5", "1.0", "1", "src"), rpm("imp-b5", "1.0", "1", "x86_64"), rpm("imp-b5-devel", "1.0", "1", "x86_64")]
            }, 1)
            const build = yield* anon.getBuild({ buildInfo: id })
            expect(build).toMatchObject({
              source: "git+https://example.com/imp.git#abc",
              extra: { source: { original_url: "git+https://example.com/imp.git#main" } },
              epoch: 2
            })
            const listed = yield* anon.listBuildRPMs({ build: "imp-b5-1.0-1" })
            expect(listed.map((r) => `${r.nvr}.${r.arch}`)).toEqual(["imp-b5-1.0-1.src", "imp-b5-1.0-1.x86_64", "imp-b5-devel-1.0-1.x86_64"])
            expect(listed[0]).toMatchObject({
              build_id: id,
              external_repo_id: 0,
              external_repo_name: "INTERNAL",
              draft: false,
              size: 1234,
              payloadhash: "0123456789abcdef",
              metadata_only: false,
              extra: null
            })
            expect(yield* anon.listBuildRPMs({ build: id })).toEqual(listed)
            const rpmId = listed[1]!.id
            const one = yield* anon.getRPM({ rpminfo: "imp-b5-1.0-1.x86_64" })
            expect(one).toMatchObject({ id: rpmId, arch: "x86_64", build_id: id })
            expect(yield* anon.getRPM({ rpminfo: rpmId })).toEqual(one)
            expect(yield* anon.getRPM({ rpminfo: String(rpmId) })).toEqual(one)
            expect(yield* anon.getRPM({ rpminfo: "imp-b5-1.0-1.x86_64.rpm" })).toEqual(one)
            expect(yield* anon.getRPM({ rpminfo: { name: "imp-b5", version: "1.0", release: "1", arch: "x86_64" } })).toEqual(one)
            expect(yield* anon.getRPM({ rpminfo: "imp-b5-1.0-1.x86_64", multi: true })).toEqual([one])
            expect(yield* anon.getRPM({ rpminfo: "imp-b5-1.0-1.ppc64le" })).toBeNull()
            const strict = yield* Effect.flip(anon.getRPM({ rpminfo: "imp-b5-1.0-1.ppc64le", strict: true }))
            expect(strict.message).toBe(
              "No such rpm: {'release': '1', 'version': '1.0', 'name': 'imp-b5', 'epoch': '', 'arch': 'ppc64le', 'src': False}"
            )
            const noRepo = yield* Effect.flip(anon.getRPM({ rpminfo: "imp-b5-1.0-1.x86_64@nope" }))
            expect(noRepo.message).toBe("No such entry in table external_repo: nope")
            const ids = (list: ReadonlyArray<{ readonly id: number }> | number) =>
              typeof list === "number" ? list : list.map((r) => r.id)
            expect(ids(yield* anon.listRPMs({ buildID: id, arches: "x86_64" }))).toEqual([rpmId, listed[2]!.id])
            expect(ids(yield* anon.listRPMs({ buildID: id, arches: ["src"] }))).toEqual([listed[0]!.id])
            expect(yield* anon.listRPMs({ buildID: id, queryOpts: { countOnly: true } })).toBe(3)
            expect(ids(yield* anon.listRPMs({ buildID: id, queryOpts: { order: "-name", limit: 1 } }))).toEqual([listed[2]!.id])
            expect(yield* anon.listRPMs({ buildID: id, draft: true })).toEqual([])
            // the build is of type rpm now
            expect((yield* anon.listBuilds({ type: "rpm", prefix: "imp-b5" })) as ReadonlyArray<unknown>).toHaveLength(1)
            // the same N-V-R.A again is refused, and nothing of that import is kept
            const dup = yield* Effect.flip(builds.import({
              name: "imp2-b5",
              version: "1",
              release: "1",
              epoch: null,
              rpms: [rpm("imp-b5", "1.0", "1", "x86_64")]
            }, 1))
            expect(dup.message).toBe(`Rpm already exists: imp-b5-1.0-1.x86_64 (id=${rpmId})`)
            expect(yield* anon.getBuild({ buildInfo: "imp2-b5-1-1" })).toBeNull()

            // delete: refused while tagged, then DELETED (the N-V-R stays taken), again: nothing
            const tag = "tag-b5"
            yield* admin.createTag({ name: tag })
            yield* admin.packageListAdd({ taginfo: tag, pkginfo: "imp-b5", owner: "admin" })
            yield* admin.tagBuildBypass({ tag, build: id })
            const tagged = yield* Effect.flip(admin.deleteBuild({ build: id }))
            expect(tagged.message).toMatch(/^Cannot delete build, tagged: \[\{'tag_id': \d+, 'name': 'tag-b5'\}\]$/)
            expect(yield* admin.deleteBuild({ build: id, strict: false })).toBe(false)
            const plainDenied = yield* Effect.flip(anon.deleteBuild({ build: id }))
            expect(plainDenied._tag).toBe("ActionNotAllowed")
            yield* admin.untagBuild({ tag, build: id })
            expect(yield* admin.deleteBuild({ build: id })).toBe(true)
            expect(yield* anon.getBuild({ buildInfo: id })).toMatchObject({ state: 2 })
            expect(yield* admin.deleteBuild({ build: id })).toBeNull()
            const reuse = yield* Effect.flip(admin.createEmptyBuild({ name: "imp-b5", version: "1.0", release: "1", epoch: null }))
            expect(reuse.message).toMatch(/^Build already exists \(id=\d+, state=DELETED\)/)

            // reset: content gone, CANCELED, then it can be made again
            yield* admin.resetBuild({ build: id })
            expect(yield* anon.getBuild({ buildInfo: id })).toMatchObject({ state: 4, task_id: null, volume_id: 0 })
            expect(yield* anon.listBuildRPMs({ build: id })).toEqual([])
            expect(yield* admin.resetBuild({ build: "nothing-9-9" })).toBeNull()
            const history = yield* anon.queryHistory({ tables: ["tag_listing"], build: id })
            expect(history["tag_listing"]).toEqual([])
            expect(yield* admin.createEmptyBuild({ name: "imp-b5", version: "1.0", release: "1", epoch: null })).toBe(id)
          }))

        it.scoped("cancelBuild: owner or admin, BUILDING only; its task is canceled too", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const builds = yield* service
            yield* admin.createUser({ username: "owner-b6", password: "pw" })
            yield* admin.createUser({ username: "other-b6", password: "pw" })
            const ownerId = (yield* anon.getUser({ userInfo: "owner-b6" }))!.id
            const taskId = yield* admin.makeTask({ method: "build", arglist: ["git://x", "target"] })
            const id = yield* builds.import({
              name: "cancel-b6",
              version: "1",
              release: "1",
              epoch: null,
              state: 0,
              taskId,
              owner: ownerId
            }, ownerId)
            const building = yield* anon.getBuild({ buildInfo: id })
            expect(building).toMatchObject({ state: 0, completion_time: null, completion_ts: null, task_id: taskId })
            const other = yield* TestHub.loggedIn("other-b6", "pw")
            const notOwner = yield* Effect.flip(other.cancelBuild({ buildID: id }))
            expect(notOwner).toMatchObject({ _tag: "ActionNotAllowed", message: "Cannot cancel build, not owner" })
            const owner = yield* TestHub.loggedIn("owner-b6", "pw")
            expect(yield* owner.cancelBuild({ buildID: "cancel-b6-1-1" })).toBe(true)
            const canceled = yield* anon.getBuild({ buildInfo: id })
            expect(canceled).toMatchObject({ state: 4 })
            expect(canceled!.completion_ts).not.toBeNull()
            expect(yield* anon.getTaskInfo({ task_id: taskId })).toMatchObject({ state: 3 })
            expect(yield* owner.cancelBuild({ buildID: id })).toBe(false)
            expect(yield* owner.cancelBuild({ buildID: "nope-1-1" })).toBe(false)
            const strict = yield* Effect.flip(owner.cancelBuild({ buildID: "nope-1-1", strict: true }))
            expect(strict.message).toBe("No such build: 'nope-1-1'")
            const anonCancel = yield* Effect.flip(anon.cancelBuild({ buildID: id }))
            expect(anonCancel._tag).toBe("ActionNotAllowed")
          }))

        it.scoped("search: Koji's types and glob / regexp / exact matching", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const builds = yield* service
            yield* builds.import({
              name: "srch_b7",
              version: "1",
              release: "1",
              epoch: null,
              rpms: [rpm("srch_b7", "1", "1", "noarch")]
            }, 1)
            yield* admin.createEmptyBuild({ name: "srchxb7", version: "2", release: "1", epoch: null })
            yield* admin.createTag({ name: "srch-tag-b7" })
            const names = (list: ReadonlyArray<{ readonly name: string }> | number) =>
              typeof list === "number" ? list : list.map((r) => r.name)
            expect(names(yield* anon.search({ terms: "srch_b7", type: "package", matchType: "glob" }))).toEqual(["srch_b7"])
            expect(names(yield* anon.search({ terms: "SRCH?B7", type: "package", matchType: "glob" }))).toEqual([
              "srch_b7",
              "srchxb7"
            ])
            expect(names(yield* anon.search({ terms: "^srch.b7-", type: "build", matchType: "regexp" }))).toEqual([
              "srch_b7-1-1",
              "srchxb7-2-1"
            ])
            expect(names(yield* anon.search({ terms: "srchxb7-2-1", type: "build", matchType: "exact" }))).toEqual(["srchxb7-2-1"])
            expect(names(yield* anon.search({ terms: "SRCHXB7-2-1", type: "build", matchType: null }))).toEqual([])
            expect(names(yield* anon.search({ terms: "srch_b7*", type: "rpm", matchType: "glob" }))).toEqual([
              "srch_b7-1-1.noarch.rpm"
            ])
            expect(names(yield* anon.search({ terms: "srch-tag-*", type: "tag", matchType: "glob" }))).toEqual(["srch-tag-b7"])
            expect(names(yield* anon.search({ terms: "admin", type: "user", matchType: "exact" }))).toEqual(["admin"])
            expect(yield* anon.search({ terms: "x", type: "target", matchType: "glob" })).toEqual([])
            expect(yield* anon.search({ terms: "x", type: "host", matchType: "glob" })).toEqual([])
            expect(yield* anon.search({ terms: "x", type: "file", matchType: "glob" })).toEqual([])
            expect(yield* anon.search({ terms: "srch*", type: "package", matchType: "glob", queryOpts: { countOnly: true } })).toBe(2)
            expect(names(yield* anon.search({
              terms: "srch*",
              type: "package",
              matchType: "glob",
              queryOpts: { order: "-name", limit: 1 }
            }))).toEqual(["srchxb7"])
            const empty = yield* Effect.flip(anon.search({ terms: "", type: "package", matchType: "glob" }))
            expect(empty.message).toBe("empty search terms")
            const badType = yield* Effect.flip(anon.search({ terms: "x", type: "bogus", matchType: "glob" }))
            expect(badType).toMatchObject({ _tag: "GenericError", message: "No such search type: bogus" })
          }))
      }
    )

    layer(TestHub.layer(Database, TestHub.transports[1][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} http`,
      (it) => {
        it.scoped("create, get and list over HTTP", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const id = yield* admin.createEmptyBuild({ name: "http-b8", version: "1", release: "1", epoch: null })
            const build = yield* anon.getBuild({ buildInfo: "http-b8-1-1" })
            expect(build).toMatchObject({ id, nvr: "http-b8-1-1", state: 1 })
            expect(yield* anon.listBuilds({ packageID: "http-b8", queryOpts: { countOnly: true } })).toBe(1)
            const fault = yield* Effect.flip(anon.getBuild({ buildInfo: "http-b8-1-2", strict: true }))
            expect(fault).toMatchObject({ _tag: "GenericError", faultCode: 1000 })
          }))
      }
    )

    // Koji's XML-RPC at /kojihub: the records encode as Koji's
    layer(TestHub.layer(Database, TestHub.allTransports[2][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} xmlrpc`,
      (it) => {
        it.scoped("getBuild, listBuilds, listTagged, getLatestBuilds and faults over XML-RPC", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const id = yield* admin.createEmptyBuild({ name: "xml-b9", version: "1.0", release: "1", epoch: null })
            yield* admin.createTag({ name: "xml-tag-b9" })
            yield* admin.packageListAdd({ taginfo: "xml-tag-b9", pkginfo: "xml-b9", owner: "admin" })
            yield* admin.tagBuildBypass({ tag: "xml-tag-b9", build: "xml-b9-1.0-1" })
            const build = yield* anon.getBuild({ buildInfo: "xml-b9-1.0-1" })
            expect(build).toMatchObject({ id, build_id: id, nvr: "xml-b9-1.0-1", epoch: null, cg_name: null, volume_id: 0 })
            expect(build!.creation_time).toMatch(/\+00:00$/)
            const listed = yield* anon.listBuilds({ packageID: "xml-b9" })
            expect(listed).toHaveLength(1)
            const tagged = yield* anon.listTagged({ tag: "xml-tag-b9" })
            expect(tagged.map((b) => [b.id, b.tag_name])).toEqual([[id, "xml-tag-b9"]])
            expect(yield* anon.getLatestBuilds({ tag: "xml-tag-b9", package: "xml-b9" })).toEqual(tagged)
            const fault = yield* Effect.flip(admin.tagBuildBypass({ tag: "xml-tag-b9", build: id }))
            expect(fault).toMatchObject({ _tag: "TagError", faultCode: 1003, message: "build xml-b9-1.0-1 already tagged (xml-tag-b9)" })
          }))
      }
    )
  }
})

// the typed client decodes a real Koji hub's answers
const replay = (sample: string) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; server: Http.Server }>((resume) => {
      const server = Http.createServer((req, res) => {
        req.resume()
        req.on("end", () => {
          res.writeHead(200, { "Content-Type": "text/xml" })
          res.end(Fs.readFileSync(`${Samples.directory}/${sample}.response.xml`, "utf8"))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as { port: number }
        resume(Effect.succeed({ url: `http://127.0.0.1:${address.port}/kojihub`, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

describe("Build records", () => {
  it("timestampOf answers Timestamp.fromEpoch's strings", () => {
    const samples = [0, 1, 59.5, 86_399.999999, 86_400, 951_782_400.123456, 1_795_586_897.068335, 1_795_586_897, 4_102_444_799.000001]
    let seed = 12345
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      samples.push(Math.round((seed / 2147483648) * 4e9 * 1e6) / 1e6)
    }
    for (const seconds of samples) expect(timestampOf(seconds), String(seconds)).toBe(Timestamp.fromEpoch(seconds))
  })
})

describe("Builds and tagging records against recorded Koji answers", () => {
  it.scoped("getBuild, listBuilds, listTagged and getLatestBuilds decode", () =>
    Effect.gen(function*() {
      const cases = [
        ["getBuild", (k: KojiClient.Client) => k.getBuild({ buildInfo: "peerdemo-1.0-1" })],
        ["listBuilds", (k: KojiClient.Client) => k.listBuilds({ packageID: 1 })],
        ["listTagged", (k: KojiClient.Client) => k.listTagged({ tag: "peer-dest" })],
        ["getLatestBuilds", (k: KojiClient.Client) => k.getLatestBuilds({ tag: "peer-dest", package: "peerdemo" })],
        ["createEmptyBuild", (k: KojiClient.Client) => k.createEmptyBuild({ name: "peerempty", version: "1.0", release: "1", epoch: null })]
      ] as const
      for (const [sample, run] of cases) {
        const hub = yield* replay(sample)
        const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
        const result: unknown = yield* (run(koji) as Effect.Effect<unknown, unknown>)
        expect(result, sample).not.toBeUndefined()
      }
      const hub = yield* replay("getBuild")
      const build = yield* (yield* KojiClient.makeXmlRpc({ url: hub.url })).getBuild({ buildInfo: "peerdemo-1.0-1" })
      expect(build).toMatchObject({
        id: 1,
        nvr: "peerdemo-1.0-1",
        completion_time: "2026-11-25 06:08:17.068335+00:00",
        completion_ts: 1795586897.068335,
        volume_name: "DEFAULT"
      })
    }))
})
