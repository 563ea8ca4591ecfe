import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { ActionNotAllowed, GenericError } from "../src/domain/Errors.js"
import * as Caller from "../src/hub/Caller.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Passwords from "../src/hub/Passwords.js"
import * as Policy from "../src/hub/Policy.js"
import { encodeRequest } from "../src/hub/TaskRequest.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// ---------------------------------------------------------------------------
// fixtures, in SQL
//
// users: creator; alice (perm tag); bob (in group devs, which has perm repo);
// carol (in group owners); root1 (perm admin); groups devs, owners
// packages bash, zsh; builds bash-5.2-1 (owner alice, source set, an RPM
// without buildroot, type rpm), bash-5.2-2 (owner group owners, made by a build
// task), zsh-1-1 (volume vol2, an RPM from content generator cg1)
// tags: base <- f40 <- f40-build; f40-candidate; gone (deleted); bash-5.2-1 is
// tagged in f40 and f40-candidate; target f40-candidate builds in f40-build

const fixtures = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const user = (name: string, usertype = 0) =>
    Effect.map(
      sql<{ id: number }>`INSERT INTO users (name, status, usertype) VALUES (${name}, 0, ${usertype}) RETURNING id`,
      (rows) => rows[0]!.id
    )
  const creator = yield* user("creator")
  const alice = yield* user("alice")
  const bob = yield* user("bob")
  const carol = yield* user("carol")
  const root1 = yield* user("root1")
  const devs = yield* user("devs", 2)
  const owners = yield* user("owners", 2)
  const grant = (userId: number, perm: string) =>
    sql`INSERT INTO user_perms (user_id, perm_id, creator_id)
        SELECT ${userId}, id, ${creator} FROM permissions WHERE name = ${perm}`
  yield* grant(alice, "tag")
  yield* grant(devs, "repo")
  yield* grant(root1, "admin")
  yield* sql`INSERT INTO user_groups (user_id, group_id, creator_id) VALUES (${bob}, ${devs}, ${creator})`
  yield* sql`INSERT INTO user_groups (user_id, group_id, creator_id) VALUES (${carol}, ${owners}, ${creator})`

  const pkg = (name: string) =>
    Effect.map(sql<{ id: number }>`INSERT INTO package (name) VALUES (${name}) RETURNING id`, (r) => r[0]!.id)
  const bash = yield* pkg("bash")
  const zsh = yield* pkg("zsh")
  const [vol2] = yield* sql<{ id: number }>`INSERT INTO volume (name) VALUES ('vol2') RETURNING id`
  const request = yield* encodeRequest("build", ["git+https://src.example.com/bash.git#cafe", "f40-candidate", {}])
  const [task] = yield* sql<{ id: number }>`
    INSERT INTO task (state, channel_id, owner, method, request, arch, priority)
    VALUES (2, 1, ${alice}, 'build', ${request}, 'noarch', 20) RETURNING id`
  const build = (pkgId: number, version: string, release: string, owner: number, extra: {
    volume?: number
    source?: string | null
    task?: number | null
  }) =>
    Effect.map(
      sql<{ id: number }>`
        INSERT INTO build (volume_id, pkg_id, version, release, state, owner, source, task_id, completion_time)
        VALUES (${extra.volume ?? 0}, ${pkgId}, ${version}, ${release}, 1, ${owner}, ${extra.source ?? null},
                ${extra.task ?? null}, NOW())
        RETURNING id`,
      (r) => r[0]!.id
    )
  const b1 = yield* build(bash, "5.2", "1", alice, { source: "git+https://src.example.com/bash.git#beef" })
  yield* build(bash, "5.2", "2", owners, { task: task!.id })
  const z1 = yield* build(zsh, "1", "1", bob, { volume: vol2!.id })
  yield* sql`INSERT INTO build_types (build_id, btype_id) SELECT ${b1}, id FROM btype WHERE name = 'rpm'`
  const [cg] = yield* sql<{ id: number }>`INSERT INTO content_generator (name) VALUES ('cg1') RETURNING id`
  const [br] = yield* sql<{ id: number }>`
    INSERT INTO buildroot (br_type, cg_id, cg_version) VALUES (1, ${cg!.id}, '1.0') RETURNING id`
  const rpm = (buildId: number, name: string, version: string, release: string, buildroot: number | null) =>
    sql`INSERT INTO rpminfo (build_id, buildroot_id, name, version, release, arch, draft, external_repo_id,
                             payloadhash, size, buildtime)
        VALUES (${buildId}, ${buildroot}, ${name}, ${version}, ${release}, 'x86_64', FALSE, 0, 'abc', 1, 1)`
  yield* rpm(b1, "bash", "5.2", "1", null)
  yield* rpm(z1, "zsh", "1", "1", br!.id)

  const tag = (name: string) =>
    Effect.flatMap(sql<{ id: number }>`INSERT INTO tag (name) VALUES (${name}) RETURNING id`, (r) =>
      Effect.as(sql`INSERT INTO tag_config (tag_id, creator_id) VALUES (${r[0]!.id}, ${creator})`, r[0]!.id))
  const base = yield* tag("base")
  const f40 = yield* tag("f40")
  const f40build = yield* tag("f40-build")
  const candidate = yield* tag("f40-candidate")
  const gone = yield* tag("gone")
  yield* sql`INSERT INTO tag_inheritance (tag_id, parent_id, priority, creator_id) VALUES (${gone}, ${base}, 0, ${creator})`
  yield* sql`UPDATE tag_config SET active = NULL, revoke_event = get_event(), revoker_id = ${creator} WHERE tag_id = ${gone}`
  yield* sql`INSERT INTO tag_inheritance (tag_id, parent_id, priority, creator_id) VALUES (${f40build}, ${f40}, 0, ${creator})`
  yield* sql`INSERT INTO tag_inheritance (tag_id, parent_id, priority, creator_id) VALUES (${f40}, ${base}, 0, ${creator})`
  yield* sql`INSERT INTO tag_listing (build_id, tag_id, creator_id) VALUES (${b1}, ${f40}, ${creator})`
  yield* sql`INSERT INTO tag_listing (build_id, tag_id, creator_id) VALUES (${b1}, ${candidate}, ${creator})`
  const [target] = yield* sql<{ id: number }>`INSERT INTO build_target (name) VALUES ('f40-candidate') RETURNING id`
  yield* sql`INSERT INTO build_target_config (build_target_id, build_tag, dest_tag, creator_id)
             VALUES (${target!.id}, ${f40build}, ${candidate}, ${creator})`
})

const ids = (table: "users" | "package" | "tag", name: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql<{ id: number }>`SELECT id FROM ${sql(table)} WHERE name = ${name}`, (r) => Number(r[0]!.id)))

// a policy service with one policy `p` (and others), on the database of the layer
const service = (policy: Record<string, string>, settings: Partial<HubConfig.HubConfigShape> = {}) =>
  Policy.make().pipe(Effect.provide(HubConfig.layer({ ...settings, policy })))

// the first word of `p`'s action for a test line on data
const verdict = (test: string, data: Policy.PolicyData) =>
  Effect.flatMap(service({ p: `${test} :: yes\nall :: no` }), (policy) =>
    Effect.map(policy.check("p", data), (v) => v.result))

const failure = (test: string, data: Policy.PolicyData) =>
  Effect.map(Effect.flip(verdict(test, data)), (e) => {
    expect(e).toBeInstanceOf(GenericError)
    return e.message
  })

const asUser = (userId: number) =>
  Effect.provideService(Caller.CurrentCaller, {
    ...Caller.anonymous,
    session: { userId } as unknown as NonNullable<Caller.Caller["session"]>
  })

describe("Policy: hub tests on the database", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(Layer.effectDiscard(fixtures).pipe(Layer.provideMerge(Database)), { timeout: "120 seconds" })(db, (it) => {
      it.effect("user, has_perm, user_in_group: the data's user_id (id or name), else the caller", () =>
        Effect.gen(function*() {
          const alice = yield* ids("users", "alice")
          const bob = yield* ids("users", "bob")
          expect(yield* verdict("user ali*", { user_id: alice })).toBe("yes")
          expect(yield* verdict("user ali*", { user_id: "alice" })).toBe("yes")
          expect(yield* verdict("user ali*", { user_id: bob })).toBe("no")
          expect(yield* verdict("user *", { user_id: 999999 })).toBe("no")
          expect(yield* verdict("user *", {})).toBe("no")
          expect(yield* verdict("user ali*", {}).pipe(asUser(alice))).toBe("yes")
          expect(yield* verdict("user ali*", { user_id: bob }).pipe(asUser(alice))).toBe("no")
          expect(yield* verdict("has_perm tag", { user_id: alice })).toBe("yes")
          expect(yield* verdict("has_perm admin t?g", { user_id: alice })).toBe("yes")
          expect(yield* verdict("has_perm admin", { user_id: alice })).toBe("no")
          // through a group
          expect(yield* verdict("has_perm repo", { user_id: bob })).toBe("yes")
          expect(yield* verdict("has_perm repo", {}).pipe(asUser(bob))).toBe("yes")
          expect(yield* verdict("has_perm *", {})).toBe("no")
          expect(yield* verdict("user_in_group dev*", { user_id: bob })).toBe("yes")
          expect(yield* verdict("user_in_group owners", { user_id: bob })).toBe("no")
          expect(yield* verdict("user_in_group *", { user_id: alice })).toBe("no")
        }))

      it.effect("package, is_new_package: by name or id, from the build; Koji's errors", () =>
        Effect.gen(function*() {
          const bash = yield* ids("package", "bash")
          expect(yield* verdict("package ba*", { package: "bash" })).toBe("yes")
          expect(yield* verdict("package ba*", { package: bash })).toBe("yes")
          expect(yield* verdict("package ba*", { package: { id: bash } })).toBe("yes")
          expect(yield* verdict("package zsh", { build: "zsh-1-1" })).toBe("yes")
          expect(yield* verdict("is_new_package", { package: "bash" })).toBe("no")
          expect(yield* verdict("is_new_package", { package: "fish" })).toBe("yes")
          expect(yield* verdict("package fish", { package: "fish" })).toBe("yes")
          expect(yield* failure("package x", { package: 999999 })).toBe("No such package: 999999")
          expect(yield* failure("package x", {})).toBe("policy requires package data")
          expect(yield* failure("package x", { build: "nope-1-1" })).toBe("No such build: 'nope-1-1'")
          expect(yield* failure("package x", { build: "nodashes" })).toBe("invalid format: nodashes")
          expect(yield* failure("package x", { build: 999999 })).toBe("No such build: 999999")
        }))

      it.effect("version, release: from the data or the build", () =>
        Effect.gen(function*() {
          expect(yield* verdict("version 5.*", { version: "5.1" })).toBe("yes")
          expect(yield* verdict("version 5.*", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("version 5.*", { build: { name: "zsh", version: "1", release: "1" } })).toBe("no")
          expect(yield* verdict("release 2", { build: "bash-5.2-2" })).toBe("yes")
          expect(yield* verdict("release 2", { release: "1", build: "bash-5.2-2" })).toBe("no")
          expect(yield* failure("version x", {})).toBe("policy requires version data")
          expect(yield* failure("release x", {})).toBe("policy requires release data")
          expect(yield* failure("release x", { build: { name: "zsh" } })).toBe("did not provide name, version, and release")
        }))

      it.effect("tag, fromtag: existing tags by name or id; none or unknown is false", () =>
        Effect.gen(function*() {
          const f40 = yield* ids("tag", "f40")
          expect(yield* verdict("tag f4?", { tag: "f40" })).toBe("yes")
          expect(yield* verdict("tag f4?", { tag: f40 })).toBe("yes")
          expect(yield* verdict("tag f4?", { tag: "nope" })).toBe("no")
          expect(yield* verdict("tag *", { tag: null })).toBe("no")
          expect(yield* verdict("tag gone", { tag: "gone" })).toBe("no")
          expect(yield* verdict("fromtag *-candidate", { tag: null, fromtag: "f40-candidate" })).toBe("yes")
          expect(yield* verdict("fromtag *", { tag: "f40" })).toBe("no")
        }))

      it.effect("hastag: the tags the build is in now", () =>
        Effect.gen(function*() {
          expect(yield* verdict("hastag *-candidate", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("hastag *-candidate", { build: "bash-5.2-2" })).toBe("no")
          expect(yield* verdict("hastag *", {})).toBe("no")
          expect(yield* failure("hastag *", { build: "nope-1-1" })).toBe("No such build: 'nope-1-1'")
        }))

      it.effect("buildtag, buildtag_inherits_from: build_tag, build_tags, the target's build tag", () =>
        Effect.gen(function*() {
          expect(yield* verdict("buildtag f40-build", { build_tag: "f40-build" })).toBe("yes")
          expect(yield* verdict("buildtag f40-build", { build_tags: ["f40", "f40-build"] })).toBe("yes")
          expect(yield* verdict("buildtag f40-build", { target: "f40-candidate" })).toBe("yes")
          expect(yield* verdict("buildtag *", { target: "no-such-target" })).toBe("no")
          expect(yield* verdict("buildtag gone", { build_tag: "gone" })).toBe("yes")
          expect(yield* failure("buildtag *", { build_tag: "nope" })).toBe("No such tagInfo: 'nope'")
          // parents only, through the whole inheritance
          expect(yield* verdict("buildtag_inherits_from base", { target: "f40-candidate" })).toBe("yes")
          expect(yield* verdict("buildtag_inherits_from f40", { build_tag: "f40-build" })).toBe("yes")
          expect(yield* verdict("buildtag_inherits_from f40-build", { build_tag: "f40-build" })).toBe("no")
          expect(yield* verdict("buildtag_inherits_from base", { build_tag: "gone" })).toBe("yes")
          expect(yield* verdict("buildtag_inherits_from *", { build_tag: "base" })).toBe("no")
          // a build whose RPMs have no buildroot has no build tag
          expect(yield* verdict("buildtag *", { build: "bash-5.2-1" })).toBe("no")
        }))

      it.effect("volume: the data's volume or the build's", () =>
        Effect.gen(function*() {
          expect(yield* verdict("volume vol2", { volume: "vol2" })).toBe("yes")
          expect(yield* verdict("volume DEFAULT", { volume: 0 })).toBe("yes")
          expect(yield* verdict("volume *", { volume: "nope" })).toBe("no")
          expect(yield* verdict("volume vol2", { build: "zsh-1-1" })).toBe("yes")
          expect(yield* verdict("volume DEFAULT", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("volume *", {})).toBe("no")
        }))

      it.effect("is_build_owner: the owner, or a member of the owning group", () =>
        Effect.gen(function*() {
          const alice = yield* ids("users", "alice")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-1", user_id: alice })).toBe("yes")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-1" }).pipe(asUser(alice))).toBe("yes")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-1", user_id: "bob" })).toBe("no")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-2", user_id: "carol" })).toBe("yes")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-2", user_id: "bob" })).toBe("no")
          expect(yield* verdict("is_build_owner", { build: "bash-5.2-2" })).toBe("no")
        }))

      it.effect("source: the data's, the build's, or the build task's request", () =>
        Effect.gen(function*() {
          expect(yield* verdict("source git+https://*", { source: "git+https://x" })).toBe("yes")
          expect(yield* verdict("source *beef", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("source *bash.git?cafe", { build: "bash-5.2-2" })).toBe("yes")
          expect(yield* verdict("source *", { build: "zsh-1-1" })).toBe("no")
          expect(yield* verdict("source *", {})).toBe("no")
        }))

      it.effect("buildtype, imported, is_draft, cg_match_any, cg_match_all", () =>
        Effect.gen(function*() {
          expect(yield* verdict("buildtype rpm", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("buildtype rpm", { build: "zsh-1-1" })).toBe("no")
          expect(yield* verdict("buildtype maven", { btypes: ["maven"] })).toBe("yes")
          expect(yield* verdict("imported", { build: "bash-5.2-1" })).toBe("yes")
          expect(yield* verdict("imported", { build: "zsh-1-1" })).toBe("no")
          expect(yield* failure("imported", {})).toBe("policy data must contain a build")
          expect(yield* verdict("is_draft", { build: "bash-5.2-1" })).toBe("no")
          expect(yield* verdict("is_draft", { draft: true })).toBe("yes")
          expect(yield* verdict("cg_match_any cg*", { build: "zsh-1-1" })).toBe("yes")
          expect(yield* verdict("cg_match_all cg1", { build: "zsh-1-1" })).toBe("yes")
          expect(yield* verdict("cg_match_any *", { build: "bash-5.2-1" })).toBe("no")
          expect(yield* verdict("cg_match_all *", { build: "bash-5.2-1" })).toBe("no")
          expect(yield* verdict("cg_match_all cg1", { cg_list: ["cg1"] })).toBe("yes")
          expect(yield* failure("cg_match_any x", { cg_list: ["nope"] })).toBe(
            "No such entry in table content_generator: nope"
          )
        }))

      it.effect("Koji's default package_list and draft_promotion policies on real users", () =>
        Effect.gen(function*() {
          const policy = yield* service({})
          const alice = yield* ids("users", "alice")
          const result = (name: string, data: Policy.PolicyData) => Effect.map(policy.check(name, data), (v) => v.result)
          expect(yield* result("package_list", { user_id: alice, action: "add", package: "x", tag: "f40" })).toBe("allow")
          expect(yield* result("package_list", { user_id: "root1" })).toBe("allow")
          const denied = yield* policy.check("package_list", { user_id: "bob" })
          expect(denied).toMatchObject({ result: "deny", reason: "Only admin/tag can do this via default policy", line: 3 })
          expect(yield* result("build_from_srpm", { user_id: "root1" })).toBe("allow")
          expect(yield* result("build_from_srpm", { user_id: "alice" })).toBe("deny")
          expect(yield* result("draft_promotion", { user_id: "carol", build: "bash-5.2-2" })).toBe("allow")
          expect(yield* result("draft_promotion", { user_id: "bob", build: "bash-5.2-2" })).toBe("deny")
          expect(yield* result("vm", { user_id: "root1" })).toBe("allow")
        }))

      it.effect("assert with force: an admin passes, anyone else is refused with Koji's message", () =>
        Effect.gen(function*() {
          const policy = yield* service({ tag: "tag f40 :: deny frozen\nall :: allow" })
          const data = { tag: "f40", build: "bash-5.2-1", operation: "tag" }
          const refused = yield* Effect.flip(policy.assert("tag", { ...data, user_id: "root1" }))
          expect(refused).toBeInstanceOf(ActionNotAllowed)
          expect(refused.message).toBe("policy violation (tag): frozen")
          yield* policy.assert("tag", { ...data, user_id: "root1" }, { force: true })
          const root1 = yield* ids("users", "root1")
          yield* policy.assert("tag", data, { force: true }).pipe(asUser(root1))
          const forced = yield* Effect.flip(policy.assert("tag", { ...data, user_id: "alice" }, { force: true }))
          expect(forced.message).toBe("policy violation (tag): frozen")
          yield* policy.assert("tag", { ...data, tag: "f40-candidate" })
        }))

      it.effect("a sub-policy sees the same data and database", () =>
        Effect.gen(function*() {
          const policy = yield* service({
            tag: "policy trusted && tag f40* :: allow\nall :: deny untrusted",
            trusted: "has_perm admin tag :: yes\nuser_in_group devs :: yes"
          })
          expect((yield* policy.check("tag", { tag: "f40", user_id: "alice" })).result).toBe("allow")
          expect((yield* policy.check("tag", { tag: "f40", user_id: "bob" })).result).toBe("allow")
          expect(yield* policy.check("tag", { tag: "f40", user_id: "carol" })).toMatchObject({
            result: "deny",
            reason: "untrusted",
            rule: "all :: deny untrusted",
            line: 2
          })
        }))
    })
  }
})

// ---------------------------------------------------------------------------
// policy.test through the hub

const hubPolicies = {
  tag: "# the tag policy\nhas_perm admin :: {\n  match tag *-frozen :: deny even admins\n  all :: allow\n}\nall :: deny only admins",
  priority: "method build && user alice :: set 5\nall :: stay",
  package_list: "is_new_package :: deny new packages need a ticket\nall :: allow"
}

const addUser = (name: string, password: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const hash = yield* Passwords.hash(password)
    yield* sql`INSERT INTO users (name, password, status, usertype) VALUES (${name}, ${hash}, 0, 0)
               ON CONFLICT (name) DO NOTHING`
  })

describe("Policy: policy.test", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.allTransports) {
      layer(TestHub.layer(Database, Transport, { policy: hubPolicies }), {
        timeout: "120 seconds",
        excludeTestServices: true
      })(`${db} ${transport}`, (it) => {
        it.scoped("admins dry-run a policy: verdict, reason, rule and line", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            expect(yield* admin.policy.test({ name: "tag", data: { tag: "f40", user_id: "admin" } })).toEqual({
              result: "allow",
              reason: "",
              action: "allow",
              rule: "has_perm admin :: ... all :: allow",
              line: 4,
              exists: true
            })
            expect(yield* admin.policy.test({ name: "tag", data: { tag: "f40-frozen" } })).toEqual({
              result: "deny",
              reason: "even admins",
              action: "deny even admins",
              rule: "has_perm admin :: ... match tag *-frozen :: deny even admins",
              line: 3,
              exists: true
            })
            // the caller is the default user: a user_id names another
            expect(yield* admin.policy.test({ name: "tag", data: { user_id: 999999 } })).toMatchObject({
              result: "deny",
              reason: "only admins",
              line: 6
            })
            expect(yield* admin.policy.test({ name: "priority", data: { method: "build", user_id: "admin" } }))
              .toMatchObject({ result: "stay", action: "stay", line: 2 })
            expect(yield* admin.policy.test({ name: "channel", data: { req_channel: "x" } })).toMatchObject({
              result: "req",
              rule: "has req_channel :: req",
              line: 1
            })
            expect(yield* admin.policy.test({ name: "nothing", data: {} })).toEqual({
              result: "allow",
              reason: "missing policy",
              action: null,
              rule: "",
              line: null,
              exists: false
            })
            expect(yield* admin.policy.test({ name: "priority", data: {}, default: "weird" })).toMatchObject({
              result: "stay"
            })
            const noMatch = yield* admin.policy.test({ name: "cg_import", data: {}, default: "deny" })
            expect(noMatch.result).toBe("allow")
          }))

        it.scoped("a failing test is the caller's error; non-admins are refused", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const error = yield* Effect.flip(admin.policy.test({ name: "package_list", data: {} }))
            expect(error._tag).toBe("GenericError")
            expect(error.message).toBe("policy requires package data")
            expect(yield* admin.policy.test({ name: "package_list", data: { package: "brand-new" } })).toMatchObject({
              result: "deny",
              reason: "new packages need a ticket"
            })
            const name = `policy-user-${transport}`
            yield* addUser(name, "pw")
            const user = yield* TestHub.loggedIn(name, "pw")
            const refused = yield* Effect.flip(user.policy.test({ name: "tag", data: {} }))
            expect(refused._tag).toBe("ActionNotAllowed")
            expect(refused.message).toBe(`admin permission required (logged in as ${name})`)
            const anon = yield* TestHub.client
            const anonymous = yield* Effect.flip(anon.policy.test({ name: "tag", data: {} }))
            expect(anonymous._tag).toBe("ActionNotAllowed")
          }))
      })
    }
  }
})
