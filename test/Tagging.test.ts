import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type * as KojiClient from "../src/client/KojiClient.js"
import { Builds } from "../src/hub/Builds.js"
import * as Builds_ from "../src/hub/Builds.js"
import { Tagging } from "../src/hub/Tagging.js"
import * as Tagging_ from "../src/hub/Tagging.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

type Client = KojiClient.Client

const nvrs = (builds: ReadonlyArray<{ readonly nvr: string }>) => builds.map((b) => b.nvr)

// a COMPLETE build with no content
const build = (admin: Client, nvr: string) =>
  Effect.gen(function*() {
    const [release, version, ...name] = nvr.split("-").reverse()
    return yield* admin.createEmptyBuild({ name: name.reverse().join("-"), version: version!, release: release!, epoch: null })
  })

const lastEvent = (client: Client) => Effect.map(client.getLastEvent({}), (e) => e!.id)

// root <- mid <- leaf, packages listed on the root
const tree = (admin: Client, t: string, packages: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const root = `root-${t}`
    const mid = `mid-${t}`
    const leaf = `leaf-${t}`
    yield* admin.createTag({ name: root })
    yield* admin.createTag({ name: mid, parent: root })
    yield* admin.createTag({ name: leaf, parent: mid })
    for (const pkg of packages) yield* admin.packageListAdd({ taginfo: root, pkginfo: pkg, owner: "admin" })
    return { root, mid, leaf }
  })

// the Tagging service of the hub under test (the checks Koji's tagBuild and host.tagBuild run)
const service = Effect.provide(Tagging, Tagging_.layer)

describe("Tagging", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} in-process`,
      (it) => {
        it.scoped("latest: tag order first, then the newest tagging event (not the highest NVR); retag wins again", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { leaf, mid, root } = yield* tree(admin, "l1", ["pa-l1", "pb-l1"])
            yield* build(admin, "pa-l1-2.0-1")
            yield* build(admin, "pa-l1-1.0-1")
            yield* build(admin, "pa-l1-0.5-1")
            yield* build(admin, "pb-l1-1-1")
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l1-2.0-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l1-1.0-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "pb-l1-1-1" })
            const beforeMid = yield* lastEvent(anon)

            // within a tag: the most recently tagged build is the latest, even with a lower NVR
            expect(nvrs(yield* anon.getLatestBuilds({ tag: root }))).toEqual(["pb-l1-1-1", "pa-l1-1.0-1"])
            expect(nvrs(yield* anon.listTagged({ tag: root }))).toEqual(["pb-l1-1-1", "pa-l1-1.0-1", "pa-l1-2.0-1"])

            // a closer tag wins over the newer tagging in a farther one
            yield* admin.tagBuildBypass({ tag: mid, build: "pa-l1-0.5-1" })
            const latest = yield* anon.getLatestBuilds({ tag: leaf })
            expect(latest.map((b) => [b.nvr, b.tag_name])).toEqual([["pa-l1-0.5-1", mid], ["pb-l1-1-1", root]])
            expect(latest[0]).toMatchObject({ name: "pa-l1", package_name: "pa-l1", version: "0.5", release: "1", state: 1 })
            expect(yield* anon.getLatestBuilds({ tag: leaf, package: "pa-l1" })).toEqual([latest[0]])
            expect(yield* anon.getLatestBuilds({ tag: leaf, package: "nope" })).toEqual([])

            // inherit off: the leaf has nothing of its own; on: everything in walk order
            expect(yield* anon.listTagged({ tag: leaf })).toEqual([])
            expect(nvrs(yield* anon.listTagged({ tag: leaf, inherit: true }))).toEqual([
              "pa-l1-0.5-1",
              "pb-l1-1-1",
              "pa-l1-1.0-1",
              "pa-l1-2.0-1"
            ])
            expect(nvrs(yield* anon.listTagged({ tag: leaf, inherit: true, latest: true }))).toEqual(["pa-l1-0.5-1", "pb-l1-1-1"])
            // latest=N keeps N per package, in the same order
            expect(nvrs(yield* anon.listTagged({ tag: leaf, inherit: true, latest: 2 }))).toEqual([
              "pa-l1-0.5-1",
              "pb-l1-1-1",
              "pa-l1-1.0-1"
            ])
            expect(nvrs(yield* anon.listTagged({ tag: root, latest: 2 }))).toEqual(["pb-l1-1-1", "pa-l1-1.0-1", "pa-l1-2.0-1"])

            // re-tagging (forced) makes the older build the latest again
            const retag = yield* Effect.flip(admin.tagBuildBypass({ tag: root, build: "pa-l1-2.0-1" }))
            expect(retag).toMatchObject({ _tag: "TagError", faultCode: 1003, message: `build pa-l1-2.0-1 already tagged (${root})` })
            const beforeRetag = yield* lastEvent(anon)
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l1-2.0-1", force: true })
            expect(nvrs(yield* anon.getLatestBuilds({ tag: root }))).toEqual(["pa-l1-2.0-1", "pb-l1-1-1"])
            const retagged = (yield* anon.listTagged({ tag: root, package: "pa-l1" }))[0]!
            expect(retagged.create_event).toBeGreaterThan(beforeRetag)

            // as of an event: the old state
            expect(nvrs(yield* anon.getLatestBuilds({ tag: root, event: beforeRetag }))).toEqual(["pb-l1-1-1", "pa-l1-1.0-1"])
            expect(nvrs(yield* anon.getLatestBuilds({ tag: leaf, event: beforeMid }))).toEqual(["pb-l1-1-1", "pa-l1-1.0-1"])
            expect(nvrs(yield* anon.listTagged({ tag: mid, event: beforeMid }))).toEqual([])
          }))

        it.scoped("blocked and unlisted packages are hidden; an unblock in the child shows them again", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { leaf, mid, root } = yield* tree(admin, "l2", ["pa-l2", "pb-l2"])
            yield* build(admin, "pa-l2-1-1")
            yield* build(admin, "pb-l2-1-1")
            yield* build(admin, "px-l2-1-1")
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l2-1-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "pb-l2-1-1" })
            // Koji's tagBuildBypass does not check the package list; the listing hides it
            yield* admin.tagBuildBypass({ tag: root, build: "px-l2-1-1" })
            expect(nvrs(yield* anon.listTagged({ tag: root }))).toEqual(["pb-l2-1-1", "pa-l2-1-1"])

            yield* admin.packageListBlock({ taginfo: mid, pkginfo: "pb-l2" })
            const blocked = yield* lastEvent(anon)
            expect(nvrs(yield* anon.getLatestBuilds({ tag: leaf }))).toEqual(["pa-l2-1-1"])
            expect(nvrs(yield* anon.getLatestBuilds({ tag: mid }))).toEqual(["pa-l2-1-1"])
            expect(nvrs(yield* anon.getLatestBuilds({ tag: root }))).toEqual(["pb-l2-1-1", "pa-l2-1-1"])
            // the package list always comes through inheritance, also without inherit
            expect(yield* anon.listTagged({ tag: mid })).toEqual([])

            yield* admin.packageListUnblock({ taginfo: leaf, pkginfo: "pb-l2" })
            expect(nvrs(yield* anon.getLatestBuilds({ tag: leaf }))).toEqual(["pb-l2-1-1", "pa-l2-1-1"])
            expect(nvrs(yield* anon.getLatestBuilds({ tag: mid }))).toEqual(["pa-l2-1-1"])
            expect(nvrs(yield* anon.getLatestBuilds({ tag: leaf, event: blocked }))).toEqual(["pa-l2-1-1"])

            // a pkg_filter on the link hides what does not match (Python's re.match: anchored at the start)
            const filtered = "filt-l2"
            yield* admin.createTag({ name: filtered })
            yield* admin.setInheritanceData({
              tag: filtered,
              data: [{
                parent_id: (yield* anon.getTag({ tagInfo: root }))!.id,
                priority: 0,
                maxdepth: null,
                intransitive: false,
                noconfig: false,
                pkg_filter: "pb"
              }]
            })
            expect(nvrs(yield* anon.getLatestBuilds({ tag: filtered }))).toEqual(["pb-l2-1-1"])
          }))

        it.scoped("listTagged filters: package, owner, prefix, type, draft, strict; listTaggedRPMS", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { root } = yield* tree(admin, "l3", ["Alpha-l3", "beta-l3"])
            yield* admin.createUser({ username: "owner-l3" })
            yield* admin.createEmptyBuild({ name: "Alpha-l3", version: "1", release: "1", epoch: null, owner: "owner-l3" })
            yield* build(admin, "beta-l3-1-1")
            yield* admin.tagBuildBypass({ tag: root, build: "Alpha-l3-1-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "beta-l3-1-1" })
            expect(nvrs(yield* anon.listTagged({ tag: root, owner: "owner-l3" }))).toEqual(["Alpha-l3-1-1"])
            expect(nvrs(yield* anon.listTagged({ tag: root, owner: "admin" }))).toEqual(["beta-l3-1-1"])
            expect(nvrs(yield* anon.listTagged({ tag: root, package: "beta-l3" }))).toEqual(["beta-l3-1-1"])
            // prefix is case-insensitive
            expect(nvrs(yield* anon.listTagged({ tag: root, prefix: "alp" }))).toEqual(["Alpha-l3-1-1"])
            expect(yield* anon.listTagged({ tag: root, type: "maven" })).toEqual([])
            const badType = yield* Effect.flip(anon.listTagged({ tag: root, type: "nope" }))
            expect(badType).toMatchObject({ _tag: "GenericError", message: "unsupported build type: nope" })
            expect(nvrs(yield* anon.listTagged({ tag: root, draft: false }))).toHaveLength(2)
            expect(yield* anon.listTagged({ tag: root, draft: true })).toEqual([])
            const withExtra = yield* anon.listTagged({ tag: root, extra: true })
            expect(withExtra[0]).toHaveProperty("extra", null)
            expect((yield* anon.listTagged({ tag: root }))[0]).not.toHaveProperty("extra")
            const missing = yield* Effect.flip(anon.listTagged({ tag: "nope-l3" }))
            expect(missing).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such tagInfo: 'nope-l3'" })
            expect(yield* anon.listTagged({ tag: "nope-l3", strict: false })).toEqual([])
            const noLatest = yield* Effect.flip(anon.getLatestBuilds({ tag: "nope-l3" }))
            expect(noLatest.message).toBe("No such entry in table tag: nope-l3")

            // RPMs of the tagged builds (imported with a build through the Builds service)
            const [rpms, builds] = yield* anon.listTaggedRPMS({ tag: root })
            expect(rpms).toEqual([])
            expect(nvrs(builds!)).toEqual(["beta-l3-1-1", "Alpha-l3-1-1"])
            expect(yield* anon.listTaggedRPMS({ tag: "nope-l3", strict: false })).toEqual([])
          }))

        it.scoped("listTaggedRPMS / getLatestRPMS: RPMs of the picked builds, arches, signatures", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const sql = yield* SqlClient.SqlClient
            const builds = yield* Effect.provide(Builds, Builds_.layer)
            const { leaf, root } = yield* tree(admin, "l7", ["pa-l7"])
            const rpm = (version: string, arch: string) => ({
              name: "pa-l7",
              version,
              release: "1",
              epoch: null,
              arch,
              payloadhash: `${version}-${arch}`,
              size: 1,
              buildtime: 1
            })
            yield* builds.import({ name: "pa-l7", version: "1", release: "1", epoch: null, rpms: [rpm("1", "src"), rpm("1", "x86_64")] }, 1)
            yield* builds.import({ name: "pa-l7", version: "2", release: "1", epoch: null, rpms: [rpm("2", "src"), rpm("2", "aarch64")] }, 1)
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l7-2-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "pa-l7-1-1" })
            const arches = (rpms: ReadonlyArray<{ readonly version: string; readonly arch: string }>) =>
              rpms.map((r) => `${r.version}.${r.arch}`)
            const [latestRpms, latestBuilds] = yield* anon.getLatestRPMS({ tag: leaf })
            expect(nvrs(latestBuilds)).toEqual(["pa-l7-1-1"])
            expect(arches(latestRpms)).toEqual(["1.src", "1.x86_64"])
            expect(latestRpms[0]).toMatchObject({ payloadhash: "1-src", build_id: latestBuilds[0]!.id, extra: null })
            const [all] = yield* anon.listTaggedRPMS({ tag: root })
            expect(arches(all!)).toEqual(["1.src", "1.x86_64", "2.src", "2.aarch64"])
            const [some] = yield* anon.listTaggedRPMS({ tag: root, arch: ["aarch64", "x86_64"] })
            expect(arches(some!)).toEqual(["1.x86_64", "2.aarch64"])
            const [noExtra] = yield* anon.listTaggedRPMS({ tag: root, arch: "src", extra: false })
            expect(noExtra![0]).not.toHaveProperty("extra")
            // one row per signature (none: sigkey null)
            const signed = latestRpms[1]!.id
            yield* sql`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (${signed}, 'abcd1234', 'h1'), (${signed}, 'beef5678', 'h2')`
            const [sigs] = yield* anon.getLatestRPMS({ tag: leaf, rpmsigs: true })
            expect(sigs.map((r) => [r.arch, r.sigkey])).toEqual([["src", null], ["x86_64", "abcd1234"], ["x86_64", "beef5678"]])
            expect(yield* anon.getLatestRPMS({ tag: leaf, package: "nope" })).toEqual([[], []])
          }))

        it.scoped("moveAllBuilds: a chain of dependantTask(tagBuild) tasks, oldest tagging first", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { root } = yield* tree(admin, "l8", ["pa-l8"])
            const other = "other-l8"
            yield* admin.createTag({ name: other })
            const first = yield* build(admin, "pa-l8-1-1")
            const second = yield* build(admin, "pa-l8-2-1")
            yield* admin.tagBuildBypass({ tag: root, build: first })
            yield* admin.tagBuildBypass({ tag: root, build: second })
            const unlisted = yield* Effect.flip(admin.moveAllBuilds({ tag1: root, tag2: other, package: "pa-l8" }))
            expect(unlisted).toMatchObject({ _tag: "TagError", message: `Package pa-l8 not in list for tag ${other}` })
            yield* admin.packageListAdd({ taginfo: other, pkginfo: "pa-l8", owner: "admin" })
            const ids = yield* admin.moveAllBuilds({ tag1: root, tag2: other, package: "pa-l8" })
            expect(ids).toHaveLength(2)
            const rootId = (yield* anon.getTag({ tagInfo: root }))!.id
            const otherId = (yield* anon.getTag({ tagInfo: other }))!.id
            const requests = []
            for (const id of ids) {
              const task = (yield* anon.getTaskInfo({ task_id: id, request: true })) as { method: string; request: unknown }
              expect(task.method).toBe("dependantTask")
              requests.push(task.request)
            }
            expect(requests).toEqual([
              [[], [["tagBuild", [otherId, first, false, rootId], { priority: 15 }]]],
              [[ids[0]], [["tagBuild", [otherId, second, false, rootId], { priority: 15 }]]]
            ])
            const noPkg = yield* Effect.flip(admin.moveAllBuilds({ tag1: root, tag2: other, package: "nope-l8" }))
            expect(noPkg.message).toBe("No such entry in table package: nope-l8")
          }))

        it.scoped("history of tag, untag and retag: events and users; reads at old events", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { root } = yield* tree(admin, "l4", ["pa-l4"])
            yield* admin.createUser({ username: "tagger-l4", password: "pw" })
            yield* admin.grantPermission({ userinfo: "tagger-l4", permission: "tag" })
            const tagger = yield* TestHub.loggedIn("tagger-l4", "pw")
            const id = yield* build(admin, "pa-l4-1-1")
            yield* tagger.tagBuildBypass({ tag: root, build: id })
            const tagged = yield* lastEvent(anon)
            yield* admin.untagBuild({ tag: root, build: "pa-l4-1-1" })
            const untagged = yield* lastEvent(anon)
            yield* tagger.tagBuildBypass({ tag: root, build: id })
            yield* tagger.tagBuildBypass({ tag: root, build: id, force: true })
            const history = yield* anon.queryHistory({ tables: ["tag_listing"], build: "pa-l4-1-1" })
            const rows = history["tag_listing"] as ReadonlyArray<Record<string, unknown>>
            expect(rows.map((r) => [r.create_event, r.revoke_event, r.creator_name, r.revoker_name, r.active])).toEqual([
              [tagged, untagged, "tagger-l4", "admin", null],
              [rows[1]!.create_event, rows[2]!.create_event, "tagger-l4", "tagger-l4", null],
              [rows[2]!.create_event, null, "tagger-l4", null, true]
            ])
            expect(rows[0]).toMatchObject({
              build_id: id,
              "tag.name": root,
              name: "pa-l4",
              version: "1",
              release: "1",
              epoch: null,
              "build.state": 1
            })
            expect(typeof rows[0]!.create_ts).toBe("number")
            // filters: tag, package, editor; a table without the filter is left out
            const byTag = yield* anon.queryHistory({ tables: ["tag_listing"], tag: root })
            expect((byTag["tag_listing"] as ReadonlyArray<unknown>).length).toBe(3)
            const byPackage = yield* anon.queryHistory({ tables: ["tag_listing"], package: "pa-l4" })
            expect((byPackage["tag_listing"] as ReadonlyArray<unknown>).length).toBe(3)
            const byEditor = yield* anon.queryHistory({ tables: ["tag_listing"], editor: "admin", tag: root })
            expect((byEditor["tag_listing"] as ReadonlyArray<unknown>).length).toBe(1)
            // reads as of each event
            expect(nvrs(yield* anon.listTagged({ tag: root, event: tagged }))).toEqual(["pa-l4-1-1"])
            expect(yield* anon.listTagged({ tag: root, event: untagged })).toEqual([])
            expect(nvrs(yield* anon.listTagged({ tag: root }))).toEqual(["pa-l4-1-1"])
            // tag change events
            const last = yield* anon.tagLastChangeEvent({ tag: root })
            expect(last).toBe(rows[2]!.create_event)
            expect(yield* anon.tagLastChangeEvent({ tag: root, before: untagged })).toBe(tagged)
            const rootId = (yield* anon.getTag({ tagInfo: root }))!.id
            expect(yield* anon.tagChangedSinceEvent({ event: untagged, taglist: [rootId] })).toBe(true)
            expect(yield* anon.tagChangedSinceEvent({ event: last!, taglist: [rootId] })).toBe(false)
            expect(yield* anon.tagChangedSinceEvent({ event: 1, taglist: [] })).toBe(false)
          }))

        it.scoped("bad input: typed errors with Koji's codes, and nothing written", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const sql = yield* SqlClient.SqlClient
            const { root } = yield* tree(admin, "l5", ["pa-l5"])
            const id = yield* build(admin, "pa-l5-1-1")
            yield* build(admin, "pa-l5-2-1")

            const noTag = yield* Effect.flip(admin.tagBuildBypass({ tag: "nope-l5", build: id }))
            expect(noTag).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such tagInfo: 'nope-l5'" })
            const noBuild = yield* Effect.flip(admin.tagBuildBypass({ tag: root, build: "nope-1-1" }))
            expect(noBuild).toMatchObject({ _tag: "GenericError", message: "No such build: 'nope-1-1'" })
            const noId = yield* Effect.flip(admin.tagBuildBypass({ tag: root, build: 987654 }))
            expect(noId.message).toBe("No such build: 987654")
            const badNvr = yield* Effect.flip(admin.tagBuildBypass({ tag: root, build: "nvr" }))
            expect(badNvr.message).toBe("invalid format: nvr")

            // not complete: never tagged, not even forced
            yield* sql`UPDATE build SET state = 3 WHERE id = ${id}`
            const failed = yield* Effect.flip(admin.tagBuildBypass({ tag: root, build: id, force: true }))
            expect(failed).toMatchObject({ _tag: "TagError", faultCode: 1003, message: "build pa-l5-1-1 not complete: state FAILED" })
            yield* sql`UPDATE build SET state = 1 WHERE id = ${id}`

            // permission: tag (or admin)
            yield* admin.createUser({ username: "plain-l5", password: "pw" })
            const plain = yield* TestHub.loggedIn("plain-l5", "pw")
            const noPerm = yield* Effect.flip(plain.tagBuildBypass({ tag: root, build: id }))
            expect(noPerm).toMatchObject({
              _tag: "ActionNotAllowed",
              faultCode: 1004,
              message: "tag permission required (logged in as plain-l5)"
            })
            const anonUntag = yield* Effect.flip(anon.untagBuild({ tag: root, build: id }))
            expect(anonUntag._tag).toBe("ActionNotAllowed")

            // a locked tag: refused, an admin may force
            const locked = "locked-l5"
            yield* admin.createTag({ name: locked, locked: true, parent: root })
            yield* admin.createUser({ username: "tagger-l5", password: "pw" })
            yield* admin.grantPermission({ userinfo: "tagger-l5", permission: "tag" })
            const tagger = yield* TestHub.loggedIn("tagger-l5", "pw")
            const lockedError = yield* Effect.flip(tagger.tagBuildBypass({ tag: locked, build: id, force: true }))
            expect(lockedError).toMatchObject({ _tag: "ActionNotAllowed", faultCode: 1004, message: "tag is locked" })
            const lockedAdmin = yield* Effect.flip(admin.tagBuildBypass({ tag: locked, build: id }))
            expect(lockedAdmin.message).toBe("tag is locked")
            yield* admin.tagBuildBypass({ tag: locked, build: id, force: true })
            const lockedUntag = yield* Effect.flip(tagger.untagBuildBypass({ tag: locked, build: id }))
            expect(lockedUntag.message).toBe("tag is locked")
            yield* admin.untagBuildBypass({ tag: locked, build: id, force: true })

            // a tag needing a permission
            const guarded = "guarded-l5"
            yield* admin.createTag({ name: guarded, perm: "image", parent: root })
            const needs = yield* Effect.flip(tagger.tagBuildBypass({ tag: guarded, build: id }))
            expect(needs).toMatchObject({ _tag: "ActionNotAllowed", message: "tag requires image permission" })
            yield* admin.grantPermission({ userinfo: "tagger-l5", permission: "image" })
            yield* (yield* TestHub.loggedIn("tagger-l5", "pw")).tagBuildBypass({ tag: guarded, build: id })

            // untag something not tagged
            const notIn = yield* Effect.flip(admin.untagBuild({ tag: root, build: id }))
            expect(notIn).toMatchObject({ _tag: "TagError", message: `build pa-l5-1-1 not in tag ${root}` })
            expect(yield* admin.untagBuild({ tag: root, build: id, strict: false })).toBeNull()

            // massTag: one bad build rolls back the whole call
            const mass = yield* Effect.flip(admin.massTag({ tag: root, builds: ["pa-l5-1-1", "pa-l5-2-1", "nope-9-9"] }))
            expect(mass.message).toBe("No such build: 'nope-9-9'")
            expect(yield* anon.listTagged({ tag: root })).toEqual([])
            yield* admin.massTag({ tag: root, builds: ["pa-l5-2-1", "pa-l5-1-1"] })
            const massTagged = yield* anon.listTagged({ tag: root })
            // each build got its own event, in order: the last one given is the latest
            expect(nvrs(massTagged)).toEqual(["pa-l5-1-1", "pa-l5-2-1"])
            expect(massTagged[0]!.create_event).toBeGreaterThan(massTagged[1]!.create_event)
          }))

        it.scoped("moveBuild checks like Koji's tagBuild (package list, blocks) and makes a tagBuild task", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { mid, root } = yield* tree(admin, "l6", ["pa-l6"])
            const other = "other-l6"
            yield* admin.createTag({ name: other })
            const id = yield* build(admin, "pa-l6-1-1")
            yield* admin.tagBuildBypass({ tag: root, build: id })

            const unlisted = yield* Effect.flip(admin.moveBuild({ tag1: root, tag2: other, build: id }))
            expect(unlisted).toMatchObject({ _tag: "TagError", faultCode: 1003, message: `Package pa-l6 not in list for ${other}` })
            yield* admin.packageListBlock({ taginfo: mid, pkginfo: "pa-l6" })
            const blocked = yield* Effect.flip(admin.moveBuild({ tag1: root, tag2: mid, build: id }))
            expect(blocked).toMatchObject({ _tag: "TagError", message: `Package pa-l6 blocked in ${mid}` })
            const before = yield* lastEvent(anon)
            const noTask = yield* Effect.flip(admin.moveBuild({ tag1: "nope-l6", tag2: mid, build: id }))
            expect(noTask.message).toBe("No such tagInfo: 'nope-l6'")

            // an admin forcing lists the package (unblocked) and makes the task
            const taskId = yield* admin.moveBuild({ tag1: root, tag2: other, build: id, force: true })
            const task = (yield* anon.getTaskInfo({ task_id: taskId, request: true })) as { readonly request?: unknown }
            expect(task).toMatchObject({ method: "tagBuild", priority: 10, state: 0 })
            const otherId = (yield* anon.getTag({ tagInfo: other }))!.id
            const rootId = (yield* anon.getTag({ tagInfo: root }))!.id
            expect(task.request).toEqual([otherId, id, true, rootId])
            expect((yield* anon.listPackages({ tagID: other })) as ReadonlyArray<unknown>).toHaveLength(1)
            expect(before).toBeLessThan(yield* lastEvent(anon))

            // what the task does (host.tagBuild, as the task's owner): untag from root, tag into other
            const tagging = yield* service
            yield* tagging.tag(otherId, id, { user: 1, force: false, fromtag: rootId })
            expect(yield* anon.listTagged({ tag: root })).toEqual([])
            expect(nvrs(yield* anon.listTagged({ tag: other }))).toEqual(["pa-l6-1-1"])
            const again = yield* Effect.flip(tagging.tag(otherId, id, { user: 1, force: false, fromtag: rootId }))
            expect(again).toMatchObject({ _tag: "TagError", message: `build pa-l6-1-1 not in tag ${root}` })
            // nothing half done: still in other only
            expect(nvrs(yield* anon.listTagged({ tag: other }))).toEqual(["pa-l6-1-1"])
            const checked = yield* Effect.flip(tagging.checkRequest(mid, id, { userId: 1, force: false }))
            expect(checked.message).toBe(`Package pa-l6 blocked in ${mid}`)
          }))
      }
    )

    // the tag policy, end to end (a non-admin is denied; an admin passes, and may force)
    layer(
      TestHub.layer(Database, TestHub.transports[0][1], {
        policy: { tag: "has_perm admin :: allow\noperation untag :: deny no untagging here\nall :: deny only admins tag" }
      }),
      { timeout: "120 seconds", excludeTestServices: true }
    )(`${db} tag policy`, (it) => {
      it.scoped("tagBuildBypass and untagBuild go through the tag policy", () =>
        Effect.gen(function*() {
          const admin = yield* TestHub.admin
          const anon = yield* TestHub.client
          const { root } = yield* tree(admin, "p1", ["pa-p1"])
          const id = yield* build(admin, "pa-p1-1-1")
          yield* admin.createUser({ username: "tagger-p1", password: "pw" })
          yield* admin.grantPermission({ userinfo: "tagger-p1", permission: "tag" })
          const tagger = yield* TestHub.loggedIn("tagger-p1", "pw")
          const denied = yield* Effect.flip(tagger.tagBuildBypass({ tag: root, build: id, force: true }))
          expect(denied).toMatchObject({
            _tag: "ActionNotAllowed",
            faultCode: 1004,
            message: "policy violation (tag): only admins tag"
          })
          expect(yield* anon.listTagged({ tag: root })).toEqual([])
          yield* admin.tagBuildBypass({ tag: root, build: id })
          const noUntag = yield* Effect.flip(tagger.untagBuildBypass({ tag: root, build: id }))
          expect(noUntag.message).toBe("policy violation (tag): no untagging here")
          expect(nvrs(yield* anon.listTagged({ tag: root }))).toEqual(["pa-p1-1-1"])
          yield* admin.untagBuild({ tag: root, build: id })
          expect(yield* anon.listTagged({ tag: root })).toEqual([])
        }))
    })

    // a smoke subset over HTTP
    layer(TestHub.layer(Database, TestHub.transports[1][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} http`,
      (it) => {
        it.scoped("tag, list, latest and untag over HTTP", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { leaf, root } = yield* tree(admin, "h1", ["pa-h1"])
            yield* build(admin, "pa-h1-1-1")
            yield* build(admin, "pa-h1-2-1")
            yield* admin.tagBuildBypass({ tag: root, build: "pa-h1-2-1" })
            yield* admin.tagBuildBypass({ tag: root, build: "pa-h1-1-1" })
            const latest = yield* anon.getLatestBuilds({ tag: leaf })
            expect(latest.map((b) => [b.nvr, b.tag_name])).toEqual([["pa-h1-1-1", root]])
            expect(typeof latest[0]!.creation_time).toBe("string")
            yield* admin.untagBuild({ tag: root, build: "pa-h1-1-1" })
            expect(nvrs(yield* anon.getLatestBuilds({ tag: leaf }))).toEqual(["pa-h1-2-1"])
            const fault = yield* Effect.flip(admin.untagBuild({ tag: root, build: "pa-h1-1-1" }))
            expect(fault).toMatchObject({ _tag: "TagError", faultCode: 1003 })
          }))
      }
    )
  }
})
