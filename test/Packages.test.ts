/**
 * Package lists through the hub on both databases: entries, owners and extra
 * arches; inheritance with blocks, unblocking in a child and pkg_filter; reads as
 * of events; history of blocks; the package_list policy and Koji's refusals.
 */
import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type * as KojiClient from "../src/client/KojiClient.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

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

type Entry = {
  readonly package_name: string
  readonly tag_name: string
  readonly blocked: boolean
  readonly owner_name?: string
  readonly extra_arches: string | null
}

const summary = (entries: unknown) =>
  (entries as ReadonlyArray<Entry>)
    .map((e) => `${e.package_name}@${e.tag_name}${e.blocked ? ":blocked" : ""}`)
    .sort()

describe("Packages", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    // the hub's configured package_list policy governs edits (data: tag, action, package, force)
    layer(
      TestHub.layer(Database, TestHub.transports[0][1], {
        policy: {
          package_list: [
            "match action block :: deny blocks are frozen",
            "has_perm admin && package pol-* :: allow",
            "all :: deny only pol-* packages"
          ].join("\n")
        }
      }),
      { timeout: "120 seconds", excludeTestServices: true }
    )(`${db} with a package_list policy`, (it) => {
      it.scoped("the configured policy allows and denies with its reasons; force overrides as admin", () =>
        Effect.gen(function*() {
          const admin = yield* TestHub.admin
          yield* admin.createTag({ name: "pol-tag" })
          yield* admin.packageListAdd({ taginfo: "pol-tag", pkginfo: "pol-one", owner: "admin" })
          const other = yield* Effect.flip(admin.packageListAdd({ taginfo: "pol-tag", pkginfo: "other", owner: "admin" }))
          expect(other).toMatchObject({ _tag: "ActionNotAllowed", message: "policy violation (package_list): only pol-* packages" })
          const block = yield* Effect.flip(admin.packageListBlock({ taginfo: "pol-tag", pkginfo: "pol-one" }))
          expect(block.message).toBe("policy violation (package_list): blocks are frozen")
          // an admin's force passes a deny, as Koji's assert_policy(force=True)
          yield* admin.packageListBlock({ taginfo: "pol-tag", pkginfo: "pol-one", force: true })
          expect(yield* admin.getPackageConfig({ tag: "pol-tag", pkg: "pol-one" })).toMatchObject({ blocked: true })
          expect(yield* admin.getPackageID({ name: "other" })).toBeNull()
        }))
    })

    for (const [transport, Transport] of TestHub.transports) {
      const smoke = transport === "http"
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = smoke ? "h" : "i"

          it.scoped("packageListAdd/SetOwner/SetArches/Remove; listPackages filters; getPackage*", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const tag = `pk-${t}`
              yield* admin.createTag({ name: tag })
              yield* admin.createUser({ username: `owner-${t}` })
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `bash-${t}`, owner: "admin" })
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `zsh-${t}`, owner: `owner-${t}`, extra_arches: "x86_64  i686" })
              const list = yield* anon.listPackages({ tagID: tag })
              const tagId = yield* anon.getTagID({ info: tag })
              const bash = yield* anon.getPackageID({ name: `bash-${t}` })
              expect(list).toEqual([
                {
                  package_id: bash,
                  package_name: `bash-${t}`,
                  tag_id: tagId,
                  tag_name: tag,
                  extra_arches: null,
                  blocked: false,
                  owner_id: 1,
                  owner_name: "admin"
                },
                expect.objectContaining({ package_name: `zsh-${t}`, extra_arches: "x86_64 i686", owner_name: `owner-${t}` })
              ])
              expect(yield* anon.getPackage({ info: `bash-${t}` })).toEqual({ id: bash, name: `bash-${t}` })
              expect(yield* anon.getPackage({ info: bash! })).toEqual({ id: bash, name: `bash-${t}` })
              expect(yield* anon.getPackage({ info: "nope" })).toBeNull()
              expect((yield* Effect.flip(anon.getPackage({ info: "nope", strict: true }))).message).toBe("No such entry in table package: nope")
              expect((yield* Effect.flip(anon.getPackageID({ name: "nope", strict: true }))).message).toBe("No such package name: nope")
              if (smoke) return

              // owner and arches
              yield* admin.packageListSetOwner({ taginfo: tag, pkginfo: `bash-${t}`, owner: `owner-${t}` })
              yield* admin.packageListSetArches({ taginfo: tag, pkginfo: `bash-${t}`, arches: "ppc64le" })
              expect(yield* anon.getPackageConfig({ tag, pkg: `bash-${t}` })).toMatchObject({
                owner_name: `owner-${t}`,
                extra_arches: "ppc64le",
                blocked: false
              })
              expect(summary(yield* anon.listPackages({ userID: `owner-${t}` }))).toEqual([`bash-${t}@${tag}`, `zsh-${t}@${tag}`])
              expect(summary(yield* anon.listPackages({ pkgID: `zsh-${t}` }))).toEqual([`zsh-${t}@${tag}`])
              expect(summary(yield* anon.listPackages({ tagID: tag, prefix: `ZSH` }))).toEqual([`zsh-${t}@${tag}`])
              const noOwners = (yield* anon.listPackages({ tagID: tag, with_owners: false })) as ReadonlyArray<Entry>
              expect(noOwners[0]).not.toHaveProperty("owner_name")
              expect(yield* anon.listPackages({ tagID: tag, queryOpts: { countOnly: true } })).toBe(2)
              const ordered = (yield* anon.listPackages({ tagID: tag, queryOpts: { order: "-package_name", limit: 1 } })) as ReadonlyArray<Entry>
              expect(ordered.map((e) => e.package_name)).toEqual([`zsh-${t}`])
              const simple = (yield* anon.listPackagesSimple({ prefix: `BASH-${t}` })) as ReadonlyArray<unknown>
              expect(simple).toEqual([{ package_id: bash, package_name: `bash-${t}` }])
              expect(yield* anon.listPackages({ prefix: `bash-${t}` })).toEqual(simple)

              // remove: the entry goes, the package stays
              yield* admin.packageListRemove({ taginfo: tag, pkginfo: `zsh-${t}` })
              expect(summary(yield* anon.listPackages({ tagID: tag }))).toEqual([`bash-${t}@${tag}`])
              expect(yield* anon.getPackageConfig({ tag, pkg: `zsh-${t}` })).toBeNull()
              expect(yield* anon.getPackageID({ name: `zsh-${t}` })).not.toBeNull()
            }))

          if (smoke) return

          it.scoped("blocks through inheritance, unblocking in a child, pkg_filter, as of events, history", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const tagger = yield* userWithPassword(admin, `pktagger-${t}`, ["tag"])
              const [base, mid, leaf, libs] = ["base", "mid", "leaf", "libs"].map((s) => `bl-${s}-${t}`)
              yield* admin.createTag({ name: base! })
              yield* admin.createTag({ name: mid!, parent: base })
              yield* admin.createTag({ name: leaf!, parent: mid })
              const leafId = (yield* anon.getTagID({ info: leaf! }))!
              for (const p of ["gcc", "glibc", "libfoo", "libbar"]) {
                yield* admin.packageListAdd({ taginfo: base!, pkginfo: `${p}-${t}`, owner: "admin" })
              }
              yield* admin.packageListAdd({ taginfo: mid!, pkginfo: `gcc-${t}`, owner: "admin", extra_arches: "s390x" })
              // the nearer entry wins
              expect(summary(yield* anon.listPackages({ tagID: leaf!, inherited: true }))).toEqual([
                `gcc-${t}@${mid}`,
                `glibc-${t}@${base}`,
                `libbar-${t}@${base}`,
                `libfoo-${t}@${base}`
              ])
              expect(summary(yield* anon.listPackages({ tagID: leaf!, inherited: true, with_dups: true })))
                .toContain(`gcc-${t}@${base}`)
              expect(yield* anon.listPackages({ tagID: leaf! })).toEqual([])
              const beforeBlock = (yield* anon.getLastEvent({}))!.id

              // blocked in mid (by a user with the tag permission): hidden in leaf too
              yield* tagger.packageListBlock({ taginfo: mid!, pkginfo: `glibc-${t}` })
              expect(yield* anon.getPackageConfig({ tag: leaf!, pkg: `glibc-${t}` })).toMatchObject({ blocked: true, tag_name: mid })
              expect(summary(yield* anon.listPackages({ tagID: leaf!, inherited: true }))).toContain(`glibc-${t}@${mid}:blocked`)
              // Koji's with_blocked=False drops blocked rows before inheritance, so base's entry shows through
              expect(summary(yield* anon.listPackages({ tagID: leaf!, inherited: true, with_blocked: false }))).toContain(
                `glibc-${t}@${base}`
              )
              expect(yield* anon.getPackageConfig({ tag: leaf!, pkg: `glibc-${t}`, event: beforeBlock }))
                .toMatchObject({ blocked: false, tag_name: base })
              // adding it back under the block needs force
              const blocked = yield* Effect.flip(admin.packageListAdd({ taginfo: leaf!, pkginfo: `glibc-${t}`, owner: "admin", block: false }))
              expect(blocked.message).toBe(`package glibc-${t} is blocked in tag ${leaf}`)

              // unblock in the child: an unblocked entry of its own, the block stays in mid
              yield* tagger.packageListUnblock({ taginfo: leaf!, pkginfo: `glibc-${t}` })
              expect(yield* anon.getPackageConfig({ tag: leaf!, pkg: `glibc-${t}` })).toMatchObject({ blocked: false, tag_name: leaf, owner_name: "admin" })
              expect(yield* anon.getPackageConfig({ tag: mid!, pkg: `glibc-${t}` })).toMatchObject({ blocked: true, tag_name: mid })
              // unblock where the block is the tag's own: the block entry goes, the parent's shows through
              yield* admin.packageListUnblock({ taginfo: mid!, pkginfo: `glibc-${t}` })
              expect(yield* anon.getPackageConfig({ tag: mid!, pkg: `glibc-${t}` })).toMatchObject({ blocked: false, tag_name: base })
              // a block that is the only entry: unblocking lists it unblocked
              yield* admin.packageListAdd({ taginfo: leaf!, pkginfo: `only-${t}`, owner: "admin", block: true })
              yield* admin.packageListUnblock({ taginfo: leaf!, pkginfo: `only-${t}` })
              expect(yield* anon.getPackageConfig({ tag: leaf!, pkg: `only-${t}` })).toMatchObject({ blocked: false, tag_name: leaf })

              // history: the block and unblocks in mid, with events and users
              const history = yield* anon.queryHistory({ tables: ["tag_packages"], tag: mid!, package: `glibc-${t}` })
              const rows = history.tag_packages as ReadonlyArray<Record<string, unknown>>
              expect(rows.map((r) => [r.blocked, r.creator_name, r.revoker_name, r.active])).toEqual([
                [true, `pktagger-${t}`, "admin", null]
              ])
              expect(rows[0]!.create_event as number).toBeGreaterThan(beforeBlock)
              expect(rows[0]).toMatchObject({ "tag.name": mid, "package.name": `glibc-${t}` })
              const owners = yield* anon.queryHistory({ tables: ["tag_package_owners"], user: "admin", tag: leafId })
              expect((owners.tag_package_owners as ReadonlyArray<Record<string, unknown>>).map((r) => r["package.name"]).sort())
                .toEqual([`glibc-${t}`, `only-${t}`, `only-${t}`])

              // pkg_filter: only matching packages are inherited through the link
              yield* admin.createTag({ name: libs! })
              yield* admin.setInheritanceData({
                tag: libs!,
                data: { parent_id: (yield* anon.getTagID({ info: base! }))!, priority: 0, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "lib" }
              })
              expect(summary(yield* anon.listPackages({ tagID: libs!, inherited: true }))).toEqual([
                `libbar-${t}@${base}`,
                `libfoo-${t}@${base}`
              ])
            }))

          it.scoped("refusals: unknown tag or package, not listed, not blocked, no owner, policy, login; nothing written", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const user = yield* userWithPassword(admin, `pkuser-${t}`)
              const tag = `rf-${t}`
              yield* admin.createTag({ name: tag })
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `listed-${t}`, owner: "admin" })
              const before = [yield* countRows("tag_packages"), yield* countRows("package"), yield* countRows("tag_package_owners")]
              const fail = <A, E>(e: Effect.Effect<A, E>) => Effect.flip(e) as Effect.Effect<any>

              expect(yield* fail(admin.packageListAdd({ taginfo: "nope", pkginfo: "x", owner: "admin" })))
                .toMatchObject({ _tag: "GenericError", faultCode: 1000, message: "No such tagInfo: 'nope'" })
              expect((yield* fail(admin.packageListAdd({ taginfo: tag, pkginfo: 987654, owner: "admin" }))).message)
                .toBe("No such package: 987654")
              expect((yield* fail(admin.packageListAdd({ taginfo: tag, pkginfo: `new-${t}` }))).message).toBe("owner not specified")
              expect((yield* fail(admin.packageListAdd({ taginfo: tag, pkginfo: `new-${t}`, owner: "nobody" }))).message)
                .toBe("No such user: 'nobody'")
              expect((yield* fail(admin.packageListSetOwner({ taginfo: tag, pkginfo: `new-${t}`, owner: "admin" }))).message)
                .toBe(`cannot update: tag ${tag} has no data for package new-${t}`)
              expect((yield* fail(admin.packageListAdd({ taginfo: tag, pkginfo: `new-${t}`, owner: "admin", extra_arches: "a,b" }))).message)
                .toBe("Architecture can be only [a-zA-Z0-9_-]")
              expect((yield* fail(admin.packageListBlock({ taginfo: tag, pkginfo: "nope" }))).message)
                .toBe("No such entry in table package: nope")
              yield* admin.getPackage({ info: `unlisted-${t}`, create: true })
              expect((yield* fail(admin.packageListBlock({ taginfo: tag, pkginfo: `unlisted-${t}` }))).message)
                .toBe(`Package unlisted-${t} is not in tag listing for ${tag}`)
              expect((yield* fail(admin.packageListUnblock({ taginfo: tag, pkginfo: `listed-${t}` }))).message)
                .toBe(`package listed-${t} NOT blocked in tag ${tag}`)
              expect((yield* fail(admin.packageListUnblock({ taginfo: tag, pkginfo: `unlisted-${t}` }))).message)
                .toBe(`no data (blocked or otherwise) for package unlisted-${t} in tag ${tag}`)
              // the package_list policy: a user without admin or tag
              const denied = yield* fail(user.packageListAdd({ taginfo: tag, pkginfo: `theirs-${t}`, owner: `pkuser-${t}` }))
              expect(denied).toMatchObject({
                _tag: "ActionNotAllowed",
                faultCode: 1004,
                message: "policy violation (package_list): Only admin/tag can do this via default policy"
              })
              expect((yield* fail(user.packageListBlock({ taginfo: tag, pkginfo: `listed-${t}` })))._tag).toBe("ActionNotAllowed")
              expect((yield* fail(user.packageListRemove({ taginfo: tag, pkginfo: `listed-${t}` })))._tag).toBe("ActionNotAllowed")
              const anonymous = yield* fail(anon.packageListAdd({ taginfo: tag, pkginfo: "x", owner: "admin" }))
              expect(anonymous).toMatchObject({ _tag: "ActionNotAllowed", message: "you must be logged in for this operation" })
              // nothing was written (the unlisted package was created on purpose above)
              expect([yield* countRows("tag_packages"), (yield* countRows("package")) - 1, yield* countRows("tag_package_owners")])
                .toEqual(before)
              expect(yield* anon.getPackageID({ name: `theirs-${t}` })).toBeNull()
              // the same data again is a no-op (with force too: nothing changed)
              const rows = yield* countRows("tag_packages")
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `listed-${t}`, owner: "admin" })
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `listed-${t}`, owner: "admin", force: true })
              expect(yield* countRows("tag_packages")).toBe(rows)
              // over its own block, only with force
              yield* admin.packageListBlock({ taginfo: tag, pkginfo: `listed-${t}` })
              expect((yield* fail(admin.packageListAdd({ taginfo: tag, pkginfo: `listed-${t}`, block: false }))).message)
                .toBe(`package listed-${t} is blocked in tag ${tag}`)
              yield* admin.packageListAdd({ taginfo: tag, pkginfo: `listed-${t}`, block: false, force: true })
              expect(yield* anon.getPackageConfig({ tag, pkg: `listed-${t}` })).toMatchObject({ blocked: false, owner_name: "admin" })
            }))
        }
      )
    }
  }
})
