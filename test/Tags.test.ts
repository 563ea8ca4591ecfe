/**
 * Tags and build targets through the hub on both databases: create/edit/delete,
 * reads now and as of events, extra with blocked keys, getBuildConfig, listTags,
 * Koji's refusals with their fault codes; and the typed XML-RPC client decoding a
 * real Koji hub's recorded answers for these calls.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Codec from "../src/xmlrpc/Codec.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as Samples from "./utils/Samples.js"

const countRows = (table: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    return row!.n
  })

const userWithPassword = (admin: KojiClient.Client, name: string, perms: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    yield* admin.createUser({ username: name })
    yield* admin.editUser({ userInfo: name, password: `pw-${name}` })
    for (const perm of perms) yield* admin.grantPermission({ userinfo: name, permission: perm })
    return yield* TestHub.loggedIn(name, `pw-${name}`)
  })

describe("Tags", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} in-process`,
      (it) => {
        it.scoped("createTag, getTag by name, id and map, extra, as of events; getTagID", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const base = yield* admin.createTag({ name: "f40-base", arches: "x86_64  aarch64", extra: { "mock.new_chroot": 0 } })
            const build = yield* admin.createTag({
              name: "f40-build",
              parent: "f40-base",
              arches: ["x86_64"],
              perm: "admin",
              locked: true,
              extra: { "rpm.macro.dist": ".fc40", nested: { a: [1, "é"] } }
            })
            const tag = yield* anon.getTag({ tagInfo: "f40-build" })
            expect(tag).toEqual({
              id: build,
              name: "f40-build",
              perm_id: 1,
              perm: "admin",
              arches: "x86_64",
              locked: true,
              maven_support: false,
              maven_include_all: false,
              extra: { "rpm.macro.dist": ".fc40", nested: { a: [1, "é"] } }
            })
            expect(yield* anon.getTag({ tagInfo: build })).toEqual(tag)
            expect(yield* anon.getTag({ tagInfo: { id: build } })).toEqual(tag)
            expect(yield* anon.getTag({ tagInfo: { name: "f40-build" } })).toEqual(tag)
            expect((yield* anon.getTag({ tagInfo: base }))!.arches).toBe("x86_64 aarch64")
            // Koji keeps extra as Python's json.dumps text
            const sql = yield* SqlClient.SqlClient
            const [stored] = yield* sql<{ value: string }>`SELECT value FROM tag_extra WHERE tag_id = ${build} AND key = 'nested'`
            expect(stored!.value).toBe("{\"a\": [1, \"\\u00e9\"]}")
            // the parent link of createTag(parent=...)
            expect(yield* anon.getInheritanceData({ tag: build })).toEqual([{
              parent_id: base,
              child_id: build,
              name: "f40-base",
              priority: 0,
              maxdepth: null,
              intransitive: false,
              noconfig: false,
              pkg_filter: ""
            }])
            // no arches: "" (Koji's parse_arches of None)
            const bare = yield* admin.createTag({ name: "f40-bare" })
            expect((yield* anon.getTag({ tagInfo: bare }))!.arches).toBe("")

            expect(yield* anon.getTag({ tagInfo: "nope" })).toBeNull()
            const strict = yield* Effect.flip(anon.getTag({ tagInfo: "nope", strict: true }))
            expect(strict).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such tagInfo: 'nope'" })
            expect((yield* Effect.flip(anon.getTag({ tagInfo: 98765, strict: true }))).message).toBe("No such tagInfo: 98765")
            const badInfo = yield* Effect.flip(anon.getTag({ tagInfo: {} }))
            expect(badInfo).toMatchObject({ _tag: "ParameterError", message: "Invalid name or id value: {}" })

            expect(yield* anon.getTagID({ info: "f40-build" })).toBe(build)
            expect(yield* anon.getTagID({ info: "nope" })).toBeNull()
            expect((yield* Effect.flip(anon.getTagID({ info: "nope", strict: true }))).message)
              .toBe("No such entry in table tag: nope")
            const denied = yield* Effect.flip(anon.getTagID({ info: "made-up", create: true }))
            expect(denied._tag).toBe("ActionNotAllowed")
            const created = yield* admin.getTagID({ info: "made-up", create: true })
            expect(typeof created).toBe("number")
            // a bare tag row without config is not a (live) tag
            expect(yield* anon.getTag({ tagInfo: "made-up" })).toBeNull()

            // as of an event
            const before = (yield* anon.getLastEvent({}))!.id
            yield* admin.editTag2({ tagInfo: "f40-build", arches: "ppc64le", locked: false, extra: { "rpm.macro.dist": ".fc40.1" } })
            const now = yield* anon.getTag({ tagInfo: "f40-build" })
            expect(now).toMatchObject({ arches: "ppc64le", locked: false, extra: { "rpm.macro.dist": ".fc40.1" } })
            const old = yield* anon.getTag({ tagInfo: "f40-build", event: before })
            expect(old).toMatchObject({ arches: "x86_64", locked: true, extra: { "rpm.macro.dist": ".fc40" }, query_event: before })
          }))

        it.scoped("a read-only multicall of getTag (batched lookups) answers as the single calls do, in order", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const ids: Array<number> = []
            for (let i = 0; i < 4; i++) {
              ids.push(yield* admin.createTag({ name: `batch-tag-${i}`, arches: "x86_64", extra: { i, list: [i, "x"] } }))
            }
            yield* admin.editTag2({ tagInfo: ids[1]!, block_extra: ["list"] })
            const keys: Array<{ tagInfo: number | string | { name: string }; strict?: boolean; blocked?: boolean }> = []
            for (let round = 0; round < 30; round++) {
              keys.push({ tagInfo: ids[round % 4]! }, { tagInfo: `batch-tag-${(round + 1) % 4}` })
              if (round % 10 === 0) {
                keys.push({ tagInfo: { name: "batch-tag-3" } }, { tagInfo: "no-such-tag" }, { tagInfo: 999_999 })
                keys.push({ tagInfo: "no-such-tag", strict: true }, { tagInfo: ids[1]!, blocked: true })
              }
            }
            const batched = yield* admin.multicall((m) => keys.map((k) => m.getTag(k)))
            yield* TestHub.sameAsSingleCalls(batched, keys.length, (i) => admin.getTag(keys[i]!))
            expect(batched[1]).toMatchObject({ right: { name: "batch-tag-1", extra: { i: 1 } } })
            expect(batched[6]).toMatchObject({ right: { id: ids[1], extra: { i: [false, 1], list: [true, null] } } })
          }))

        it.scoped("editTag2: rename, perm, extra add/update/block/remove; editTag; refusals with nothing written", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const parent = yield* admin.createTag({ name: "ed-parent", extra: { a: 1, b: 2 } })
            const id = yield* admin.createTag({ name: "ed-tag", parent: parent, extra: { a: 10, c: "x" } })
            yield* admin.editTag2({ tagInfo: id, name: "ed-renamed", perm: "admin", extra: { c: "y", d: null }, block_extra: ["b"] })
            const tag = yield* anon.getTag({ tagInfo: id })
            expect(tag).toMatchObject({ name: "ed-renamed", perm: "admin", extra: { a: 10, c: "y", d: null } })
            const withBlocked = yield* anon.getTag({ tagInfo: id, blocked: true })
            expect(withBlocked!.extra).toEqual({ a: [false, 10], b: [true, null], c: [false, "y"], d: [false, null] })
            yield* admin.editTag2({ tagInfo: "ed-renamed", remove_extra: ["c"], perm_id: null })
            expect(yield* anon.getTag({ tagInfo: id })).toMatchObject({ perm: null, perm_id: null, extra: { a: 10, d: null } })
            // legacy editTag(tagInfo, name, arches, locked, permissionID, extra)
            yield* admin.editTag({ tagInfo: id, name: "ed-tag", arches: "s390x", locked: true, permissionID: null })
            expect(yield* anon.getTag({ tagInfo: id })).toMatchObject({ name: "ed-tag", arches: "s390x", locked: true })

            const before = yield* countRows("tag_config")
            const extraBefore = yield* countRows("tag_extra")
            const fail = (changes: Parameters<typeof admin.editTag2>[0]) => Effect.flip(admin.editTag2(changes))
            expect((yield* fail({ tagInfo: id, name: "bad name" })).message).toBe("Name bad name does not match RegexNameInternal value")
            expect((yield* fail({ tagInfo: id, name: "ed-parent" })).message).toBe(`Name ed-parent already taken by tag ${parent}`)
            expect((yield* fail({ tagInfo: id, arches: "x86_64,i686" })).message).toBe("Architecture can be only [a-zA-Z0-9_-]")
            expect((yield* fail({ tagInfo: id, perm: "nope" })).message).toBe("No such entry in table permissions: nope")
            expect((yield* fail({ tagInfo: id, extra: { a: 1 }, remove_extra: ["a"] })).message)
              .toBe("Can not both add/update and remove tag-extra: 'a'")
            expect((yield* fail({ tagInfo: id, locked: false, remove_extra: ["zzz"] })).message)
              .toBe("Tag: ed-tag doesn't have extra: zzz")
            expect((yield* fail({ tagInfo: id, maven_support: true })).message).toBe("Maven support not enabled")
            expect((yield* fail({ tagInfo: "nope" })).message).toBe("No such tagInfo: 'nope'")
            // the failed calls wrote nothing (the lock change of the remove_extra call was rolled back)
            expect(yield* countRows("tag_config")).toBe(before)
            expect(yield* countRows("tag_extra")).toBe(extraBefore)
            expect((yield* anon.getTag({ tagInfo: id }))!.locked).toBe(true)
          }))

        it.scoped("createTag refusals: name rules, duplicates, unknown parent and perm, permission", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            yield* admin.createTag({ name: "cr-ok" })
            const tags = yield* countRows("tag")
            const fail = (p: Parameters<typeof admin.createTag>[0]) => Effect.flip(admin.createTag(p))
            const badName = yield* fail({ name: "bad tag!" })
            expect(badName).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "Name bad tag! does not match RegexNameInternal value" })
            expect((yield* fail({ name: "x".repeat(257) })).message).toBe(`Name ${"x".repeat(257)} is too long. Max length is 256 characters`)
            expect((yield* fail({ name: "cr-ok" })).message).toBe("A tag with the name 'cr-ok' already exists")
            expect((yield* fail({ name: "cr-2", parent: "nope" })).message).toBe("Parent tag 'nope' could not be found")
            expect((yield* fail({ name: "cr-2", perm: "nope" })).message).toBe("No such entry in table permissions: nope")
            expect((yield* fail({ name: "cr-2", arches: "x86_64;rm" })).message).toBe("Architecture can be only [a-zA-Z0-9_-]")
            expect((yield* fail({ name: "cr-2", maven_support: true })).message).toBe("Maven support not enabled")
            const alice = yield* userWithPassword(admin, "alice-tags")
            const denied = yield* Effect.flip(alice.createTag({ name: "alicetag" }))
            expect(denied).toMatchObject({ _tag: "ActionNotAllowed", faultCode: 1004, message: "tag permission required (logged in as alice-tags)" })
            const anonDenied = yield* Effect.flip(anon.createTag({ name: "anontag" }))
            expect(anonDenied.message).toBe("tag permission required (user not logged in)")
            expect(yield* countRows("tag")).toBe(tags)
            // the tag permission is enough
            const tagger = yield* userWithPassword(admin, "tagger-tags", ["tag"])
            expect(typeof (yield* tagger.createTag({ name: "tagger-tag" }))).toBe("number")
          }))

        it.scoped("deleteTag revokes everything; event auto reads the last config; the name can be reused", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const parent = yield* admin.createTag({ name: "del-parent" })
            const id = yield* admin.createTag({ name: "del-tag", parent: "del-parent", arches: "x86_64", extra: { k: "v" } })
            const child = yield* admin.createTag({ name: "del-child", parent: "del-tag" })
            yield* admin.createBuildTarget({ name: "del-target", build_tag: "del-tag", dest_tag: "del-parent" })
            yield* admin.packageListAdd({ taginfo: id, pkginfo: "del-pkg", owner: "admin" })
            yield* admin.deleteTag({ tagInfo: "del-tag" })
            expect(yield* anon.getTag({ tagInfo: "del-tag" })).toBeNull()
            const last = yield* anon.getTag({ tagInfo: "del-tag", event: "auto" })
            expect(last).toMatchObject({ id, arches: "x86_64", extra: { k: "v" } })
            expect(last!.query_event).toBe(last!.revoke_event! - 1)
            expect(yield* anon.getTag({ tagInfo: "del-parent", event: "auto" })).not.toHaveProperty("query_event")
            expect(yield* anon.getInheritanceData({ tag: child })).toEqual([])
            expect(yield* anon.getInheritanceData({ tag: id })).toEqual([])
            expect(yield* anon.getBuildTarget({ info: "del-target" })).toBeNull()
            expect(yield* anon.listPackages({ tagID: id })).toEqual([])
            expect((yield* anon.listTags({})) as ReadonlyArray<{ name: string }>).not.toContainEqual(
              expect.objectContaining({ name: "del-tag" })
            )
            // re-created: the same id, fresh config
            expect(yield* admin.createTag({ name: "del-tag" })).toBe(id)
            expect((yield* anon.getTag({ tagInfo: id }))!.extra).toEqual({})
            expect(parent).toBeGreaterThan(0)
          }))

        it.scoped("listTags: all, pattern, perms, package, build filters, queryOpts", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            yield* admin.createTag({ name: "lt-one", perm: "admin" })
            yield* admin.createTag({ name: "lt-two", arches: "x86_64" })
            yield* admin.createTag({ name: "lt_three" })
            yield* admin.packageListAdd({ taginfo: "lt-two", pkginfo: "lt-pkg", owner: "admin", extra_arches: "ppc64le" })
            const all = (yield* anon.listTags({ pattern: "lt-*", queryOpts: { order: "-name" } })) as ReadonlyArray<any>
            expect(all.map((t) => t.name)).toEqual(["lt-two", "lt-one"])
            expect(all[1]).toMatchObject({ name: "lt-one", perm: "admin", perm_id: 1, locked: false, arches: "" })
            // "_" is literal in Koji's glob
            expect(((yield* anon.listTags({ pattern: "lt_*" })) as ReadonlyArray<any>).map((t) => t.name)).toEqual(["lt_three"])
            expect(((yield* anon.listTags({ pattern: "LT-?NE" })) as ReadonlyArray<any>).map((t) => t.name)).toEqual(["lt-one"])
            const bare = (yield* anon.listTags({ pattern: "lt-one", perms: false })) as ReadonlyArray<any>
            expect(bare[0]).not.toHaveProperty("perm")
            expect(bare[0]).not.toHaveProperty("perm_id")
            const withPkg = (yield* anon.listTags({ package: "lt-pkg" })) as ReadonlyArray<any>
            expect(withPkg).toHaveLength(1)
            expect(withPkg[0]).toMatchObject({
              name: "lt-two",
              owner_name: "admin",
              owner_id: 1,
              blocked: false,
              extra_arches: "ppc64le"
            })
            expect(yield* anon.listTags({ pattern: "lt-*", queryOpts: { countOnly: true } })).toBe(2)
            expect(((yield* anon.listTags({ pattern: "lt-*", queryOpts: { order: "name", limit: 1, offset: 1 } })) as ReadonlyArray<any>)
              .map((t) => t.name)).toEqual(["lt-two"])
            expect((yield* Effect.flip(anon.listTags({ queryOpts: { order: "bogus" } })))._tag).toBe("ParameterError")
            expect((yield* Effect.flip(anon.listTags({ package: "no-pkg" }))).message).toBe("No such package: no-pkg")
            expect((yield* Effect.flip(anon.listTags({ build: "no-build-1-1" }))).message).toBe("No such build: no-build-1-1")
            expect((yield* Effect.flip(anon.listTags({ build: 1, package: "lt-pkg" }))).message)
              .toBe("only one of build and package may be specified")
            // a build tagged into a tag (tag_listing written directly: tagging is another area)
            const sql = yield* SqlClient.SqlClient
            const [pkg] = yield* sql<{ id: number }>`SELECT id FROM package WHERE name = 'lt-pkg'`
            const [ev] = yield* sql<{ id: number }>`SELECT get_event() AS id`
            const [build] = yield* sql<{ id: number }>`
              INSERT INTO build (volume_id, pkg_id, version, release, epoch, state, owner, create_event, completion_time)
              VALUES (0, ${pkg!.id}, '1.0', '1', NULL, 1, 1, ${ev!.id}, now()) RETURNING id`
            const two = yield* anon.getTagID({ info: "lt-two" })
            yield* sql`INSERT INTO tag_listing (build_id, tag_id, create_event, creator_id) VALUES (${build!.id}, ${two}, ${ev!.id}, 1)`
            for (const ref of [build!.id, "lt-pkg-1.0-1", { name: "lt-pkg", version: "1.0", release: "1" }]) {
              expect(((yield* anon.listTags({ build: ref })) as ReadonlyArray<any>).map((t) => t.name)).toEqual(["lt-two"])
            }
          }))

        it.scoped("getBuildConfig: arches and extra through inheritance, noconfig links skipped, blocked keys dropped", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const top = yield* admin.createTag({ name: "bc-top", arches: "x86_64 aarch64", extra: { "mock.yum.module_hotfixes": 1, deep: "top" } })
            const mid = yield* admin.createTag({ name: "bc-mid", parent: top, extra: { "rpm.macro.dist": ".mid", blocked_here: "x" } })
            const other = yield* admin.createTag({ name: "bc-other", arches: "s390x", extra: { from_other: true } })
            const leaf = yield* admin.createTag({ name: "bc-leaf", parent: mid, extra: { own: "leaf", deep: "leaf" } })
            yield* admin.setInheritanceData({
              tag: leaf,
              data: { parent_id: other, priority: 5, maxdepth: null, intransitive: false, noconfig: true, pkg_filter: "" }
            })
            // mid: no arches (NULL) so they come from top; it blocks a key of its own for the leaf
            yield* admin.editTag2({ tagInfo: mid, arches: null, block_extra: ["mock.yum.module_hotfixes"] })
            const config = yield* anon.getBuildConfig({ tag: "bc-leaf" })
            expect(config.arches).toBe("")
            // leaf's own arches are "" (not NULL): Koji inherits only into NULL arches
            yield* admin.editTag2({ tagInfo: leaf, arches: null })
            const resolved = yield* anon.getBuildConfig({ tag: "bc-leaf" })
            expect(resolved).toMatchObject({
              id: leaf,
              name: "bc-leaf",
              arches: "x86_64 aarch64",
              extra: { own: "leaf", deep: "leaf", "rpm.macro.dist": ".mid", blocked_here: "x" },
              config_inheritance: {
                arches: { id: top, name: "bc-top" },
                extra: {
                  "rpm.macro.dist": { id: mid, name: "bc-mid" },
                  blocked_here: { id: mid, name: "bc-mid" },
                  "mock.yum.module_hotfixes": { id: mid, name: "bc-mid" }
                }
              }
            })
            // the key blocked in mid is not inherited from top; nothing from the noconfig parent
            expect(resolved.extra).not.toHaveProperty("mock.yum.module_hotfixes")
            expect(resolved.extra).not.toHaveProperty("from_other")
            expect(resolved).not.toHaveProperty("query_event")
            const event = (yield* anon.getLastEvent({}))!.id
            expect((yield* anon.getBuildConfig({ tag: leaf, event })).query_event).toBe(event)
            expect((yield* Effect.flip(anon.getBuildConfig({ tag: "nope" }))).message).toBe("No such tagInfo: 'nope'")
          }))

        it.scoped("build targets: create, get, list by tags, edit, delete, as of events, history; refusals", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const build = yield* admin.createTag({ name: "tg-build" })
            const dest = yield* admin.createTag({ name: "tg-dest" })
            const other = yield* admin.createTag({ name: "tg-other" })
            yield* admin.createBuildTarget({ name: "tg-target", build_tag: "tg-build", dest_tag: dest })
            const target = yield* anon.getBuildTarget({ info: "tg-target" })
            expect(target).toEqual({
              id: target!.id,
              name: "tg-target",
              build_tag: build,
              build_tag_name: "tg-build",
              dest_tag: dest,
              dest_tag_name: "tg-dest"
            })
            expect(yield* anon.getBuildTarget({ info: target!.id })).toEqual(target)
            expect(yield* anon.getBuildTargets({ buildTagID: "tg-build" })).toEqual([target])
            expect(yield* anon.getBuildTargets({ destTagID: dest })).toEqual([target])
            expect(yield* anon.getBuildTargets({ destTagID: "no-such-tag" })).toEqual([])
            const before = (yield* anon.getLastEvent({}))!.id
            yield* admin.editBuildTarget({ buildTargetInfo: "tg-target", name: "tg-renamed", build_tag: other, dest_tag: "tg-dest" })
            expect(yield* anon.getBuildTarget({ info: "tg-renamed" })).toMatchObject({ id: target!.id, build_tag: other })
            expect(yield* anon.getBuildTarget({ info: target!.id, event: before })).toMatchObject({ build_tag: build })
            expect(yield* anon.getBuildTargets({ info: "tg-renamed", queryOpts: { countOnly: true } })).toBe(1)

            const fail = <A, E>(e: Effect.Effect<A, E>) => Effect.flip(e) as Effect.Effect<any>
            expect((yield* fail(admin.createBuildTarget({ name: "tg-renamed", build_tag: build, dest_tag: dest }))).message)
              .toBe("A build target with the name 'tg-renamed' already exists")
            expect((yield* fail(admin.createBuildTarget({ name: "tg-x", build_tag: "nope", dest_tag: dest }))).message)
              .toBe("build tag 'nope' does not exist")
            expect((yield* fail(admin.createBuildTarget({ name: "tg-x", build_tag: build, dest_tag: "nope" }))).message)
              .toBe("destination tag 'nope' does not exist")
            expect((yield* fail(admin.createBuildTarget({ name: "tg x", build_tag: build, dest_tag: dest }))).message)
              .toBe("Name tg x does not match RegexNameInternal value")
            expect((yield* fail(admin.editBuildTarget({ buildTargetInfo: "nope", name: "n", build_tag: build, dest_tag: dest }))).message)
              .toBe("No such build target: nope")
            expect((yield* fail(anon.getBuildTarget({ info: "nope", strict: true }))).message).toBe("No such build target: nope")
            const tagger = yield* userWithPassword(admin, "tg-user", ["tag"])
            const denied = yield* fail(tagger.createBuildTarget({ name: "tg-y", build_tag: build, dest_tag: dest }))
            expect(denied).toMatchObject({ _tag: "ActionNotAllowed", message: "target permission required (logged in as tg-user)" })

            yield* admin.deleteBuildTarget({ buildTargetInfo: "tg-renamed" })
            expect(yield* anon.getBuildTarget({ info: "tg-renamed" })).toBeNull()
            // the name stays known (Koji only revokes the config): deleting again is a no-op
            yield* admin.deleteBuildTarget({ buildTargetInfo: "tg-renamed" })
            expect((yield* fail(admin.deleteBuildTarget({ buildTargetInfo: "nope" }))).message).toBe("No such build target: nope")
            // the history of the target's config
            const history = yield* anon.queryHistory({ tables: ["build_target_config"], build_target: target!.id })
            expect((history.build_target_config as ReadonlyArray<Record<string, unknown>>).map((r) => [r.build_tag, r.active]))
              .toEqual([[build, null], [other, null]])
          }))

        it.scoped("queryHistory over tag_config, tag_extra (xkey) and build_target_config", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const id = yield* admin.createTag({ name: "hi-tag", extra: { k1: 1 } })
            yield* admin.editTag2({ tagInfo: id, locked: true, extra: { k1: 2, k2: 3 } })
            yield* admin.createBuildTarget({ name: "hi-target", build_tag: id, dest_tag: id })
            const history = yield* anon.queryHistory({ tag: "hi-tag" })
            const config = history.tag_config as ReadonlyArray<Record<string, unknown>>
            expect(config.map((r) => [r.locked, r.active, r["tag.name"], r.creator_name])).toEqual([
              [false, null, "hi-tag", "admin"],
              [true, true, "hi-tag", "admin"]
            ])
            const extra = yield* anon.queryHistory({ tables: ["tag_extra"], tag: id, xkey: "k1" })
            expect((extra.tag_extra as ReadonlyArray<Record<string, unknown>>).map((r) => [r.value, r.active]))
              .toEqual([["1", null], ["2", true]])
            expect(history.build_target_config).toEqual([expect.objectContaining({
              "build_target.name": "hi-target",
              "build_tag.name": "hi-tag",
              "dest_tag.name": "hi-tag"
            })])
            expect(Object.keys(history)).toEqual(expect.arrayContaining(["tag_inheritance", "tag_packages", "tag_package_owners"]))
          }))
      }
    )
    // the HTTP transport on a smoke subset
    layer(TestHub.layer(Database, TestHub.transports[1][1]), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} http`,
      (it) => {
        it.scoped("create, read, list, edit and delete a tag and a target over HTTP", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const id = yield* admin.createTag({ name: "http-tag", arches: "x86_64", extra: { a: [1] } })
            yield* admin.createBuildTarget({ name: "http-target", build_tag: id, dest_tag: id })
            expect(yield* admin.getTag({ tagInfo: "http-tag" })).toMatchObject({ id, extra: { a: [1] } })
            expect(yield* admin.getBuildConfig({ tag: id })).toMatchObject({ config_inheritance: { arches: null, extra: {} } })
            expect(yield* admin.getBuildTargets({})).toHaveLength(1)
            yield* admin.editTag2({ tagInfo: id, locked: true })
            yield* admin.deleteTag({ tagInfo: id })
            expect(yield* admin.getTag({ tagInfo: id })).toBeNull()
            expect(yield* admin.getBuildTargets({})).toEqual([])
          }))
      }
    )
  }
})

describe("Tags over Koji's XML-RPC", () => {
  layer(TestHub.layer(TestDatabases.migrated[0]![1], TestHub.allTransports[2][1]), {
    timeout: "120 seconds",
    excludeTestServices: true
  })("pglite xmlrpc", (it) => {
    it.scoped("tags, links (\"delete link\"), reverse walks, bare listTags, package lists and configs at /kojihub", () =>
      Effect.gen(function*() {
        const admin = yield* TestHub.admin
        const parent = yield* admin.createTag({ name: "xr-parent", arches: "x86_64", extra: { k: { v: [1, null, "é"] } } })
        const child = yield* admin.createTag({ name: "xr-child", parent: "xr-parent" })
        const reverse = yield* admin.getFullInheritance({ tag: parent, reverse: true })
        expect(reverse).toEqual([expect.objectContaining({ tag_id: child, parent_id: parent, name: "xr-child", currdepth: 1 })])
        expect(reverse[0]).not.toHaveProperty("child_id")
        const bare = (yield* admin.listTags({ perms: false, pattern: "xr-*" })) as ReadonlyArray<object>
        expect(bare.map((t) => Object.keys(t).sort())).toEqual([
          ["arches", "id", "locked", "maven_include_all", "maven_support", "name"],
          ["arches", "id", "locked", "maven_include_all", "maven_support", "name"]
        ])
        expect(yield* admin.getBuildConfig({ tag: child })).toMatchObject({
          arches: "",
          extra: { k: { v: [1, null, "é"] } },
          config_inheritance: { extra: { k: { id: parent, name: "xr-parent" } }, arches: null }
        })
        yield* admin.packageListAdd({ taginfo: parent, pkginfo: "xr-pkg", owner: "admin", force: null })
        expect(yield* admin.listPackages({ tagID: child, inherited: true })).toEqual([
          expect.objectContaining({ package_name: "xr-pkg", tag_name: "xr-parent", owner_name: "admin" })
        ])
        yield* admin.setInheritanceData({ tag: child, data: [{ parent_id: parent, "delete link": true }] })
        expect(yield* admin.getInheritanceData({ tag: child })).toEqual([])
        const history = yield* admin.queryHistory({ tables: ["tag_inheritance"], tag: "xr-child" })
        expect((history.tag_inheritance as ReadonlyArray<Record<string, unknown>>).map((r) => r.active)).toEqual([null])
        const missing = yield* Effect.flip(admin.getTag({ tagInfo: "nosuchtag", strict: true }))
        expect(missing).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such tagInfo: 'nosuchtag'" })
      }))
  })
})

// a loopback "Koji hub" that answers with one recorded body
const replay = (sample: string) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; requests: Array<string>; server: Http.Server }>((resume) => {
      const requests: Array<string> = []
      const server = Http.createServer((req, res) => {
        let body = ""
        req.on("data", (c) => body += c)
        req.on("end", () => {
          requests.push(body)
          res.writeHead(200, { "Content-Type": "text/xml" })
          res.end(Fs.readFileSync(`${Samples.directory}/${sample}.response.xml`, "utf8"))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as { port: number }
        resume(Effect.succeed({ url: `http://127.0.0.1:${address.port}/kojihub`, requests, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

describe("Tags, inheritance, packages and targets against recorded Koji answers", () => {
  it.scoped("the typed XML-RPC client decodes Koji's answers and sends Koji's calls", () =>
      Effect.gen(function*() {
        const cases = [
          ["getTag", (k: KojiClient.Client) => k.getTag({ tagInfo: "peer-build" })],
          ["listTags", (k: KojiClient.Client) => k.listTags({})],
          ["getInheritanceData", (k: KojiClient.Client) => k.getInheritanceData({ tag: "peer-build" })],
          ["getFullInheritance", (k: KojiClient.Client) => k.getFullInheritance({ tag: "peer-build" })],
          ["getBuildTarget", (k: KojiClient.Client) => k.getBuildTarget({ info: "peer-target" })],
          ["listPackages", (k: KojiClient.Client) => k.listPackages({ tagID: "peer-dest" })],
          ["createBuildTarget", (k: KojiClient.Client) => k.createBuildTarget({ name: "peer-target", build_tag: "peer-build", dest_tag: "peer-dest" })],
          ["createTag", (k: KojiClient.Client) => k.createTag({ name: "peer-base", arches: "x86_64 noarch" })]
        ] as const
        const results: Record<string, unknown> = {}
        for (const [sample, run] of cases) {
          const hub = yield* replay(sample)
          const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
          results[sample] = yield* (run(koji) as Effect.Effect<unknown, unknown>)
          const ours = yield* Codec.parseMethodCall(hub.requests[0]!)
          const theirs = yield* Codec.parseMethodCall(Fs.readFileSync(`${Samples.directory}/${sample}.request.xml`, "utf8"))
          expect(ours.methodName).toBe(theirs.methodName)
        }
        expect(results.getTag).toMatchObject({ id: 2, name: "peer-build", arches: "x86_64 noarch", extra: {} })
        expect((results.listTags as ReadonlyArray<any>).map((t) => t.name)).toEqual(["peer-base", "peer-build", "peer-dest"])
        expect(results.getFullInheritance).toEqual([{
          intransitive: false,
          maxdepth: null,
          name: "peer-base",
          noconfig: false,
          parent_id: 1,
          pkg_filter: "",
          priority: 0,
          child_id: 2,
          nextdepth: null,
          currdepth: 1,
          filter: []
        }])
        expect(results.getBuildTarget).toMatchObject({ build_tag_name: "peer-build", dest_tag_name: "peer-dest" })
        expect((results.listPackages as ReadonlyArray<any>).map((p) => p.package_name)).toEqual(["peerdemo", "peerempty"])
        expect(results.createTag).toBe(1)
        expect(results.createBuildTarget).toBeNull()
      }))
})
