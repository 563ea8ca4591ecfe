import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { fromEpoch } from "../src/domain/Timestamp.js"
import * as Caller from "../src/hub/Caller.js"
import * as Dispatcher from "../src/hub/Dispatcher.js"
import * as Versioned from "../src/hub/Versioned.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// one versioned write as its own call (its own event); answers that event
const asCall = <A, E, R>(write: Effect.Effect<A, E, R>) =>
  Versioned.withFreshEvent(Effect.zipRight(write, Versioned.eventId))

const userId = (name: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: number }>`SELECT id FROM users WHERE name = ${name}`
    return row!.id
  })

const eventTs = (id: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ ts: number }>`SELECT date_part('epoch', time) AS ts FROM events WHERE id = ${id}`
    return row!.ts
  })

// a user granted a new permission, revoked, then granted again (three events), in SQL
const grantHistory = (t: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const admin = yield* TestHub.admin
    const user = `hist-${t}`
    const perm = `histperm-${t}`
    const uid = yield* admin.createUser({ username: user })
    const [p] = yield* sql<{ id: number }>`INSERT INTO permissions (name) VALUES (${perm}) RETURNING id`
    const adminId = yield* userId("admin")
    const key = { user_id: uid, perm_id: p!.id }
    // a few milliseconds apart: PGlite's clock counts whole milliseconds
    const e1 = yield* asCall(Versioned.insert("user_perms", key, adminId))
    yield* Effect.sleep("3 millis")
    const e2 = yield* asCall(Versioned.revoke("user_perms", key, adminId))
    yield* Effect.sleep("3 millis")
    const e3 = yield* asCall(Versioned.insert("user_perms", key, adminId))
    return { user, uid, perm, permId: p!.id, adminId, e1, e2, e3 }
  })

type Rows = ReadonlyArray<Record<string, unknown>>

// the rows of one table in a queryHistory answer
const rowsOf = (result: Readonly<Record<string, Rows | number>>, table: string): Rows => {
  const rows = result[table]
  if (!Array.isArray(rows)) throw new Error(`no rows for ${table}`)
  return rows
}

describe("Events", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.transports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = `${db === "pglite" ? "l" : "p"}${transport === "http" ? "h" : "i"}`

          it.scoped("getEvent and getLastEvent (strict, before)", () =>
            Effect.gen(function*() {
              const anon = yield* TestHub.client
              const h = yield* grantHistory(`ev-${t}`)
              const [ts1, ts2, ts3] = [yield* eventTs(h.e1), yield* eventTs(h.e2), yield* eventTs(h.e3)]
              expect(ts1).toBeLessThan(ts2)

              const event = yield* anon.getEvent({ id: h.e1 })
              expect(event).toEqual(expect.objectContaining({ id: h.e1, ts: ts1 }))
              expect(typeof event!.ts).toBe("number")
              const missing = yield* Effect.flip(anon.getEvent({ id: 99999999 }))
              expect(missing).toMatchObject({ _tag: "GenericError", message: "query returned no rows" })
              expect(yield* anon.getEvent({ id: 99999999, strict: false })).toBeNull()

              const last = yield* anon.getLastEvent({})
              expect(last!.id).toBeGreaterThanOrEqual(h.e3)
              expect(last!.ts).toBeGreaterThanOrEqual(ts3)
              // the newest event strictly before e2's time is e1; before e3's time, e2
              expect(yield* anon.getLastEvent({ before: ts2 })).toMatchObject({ id: h.e1, ts: ts1 })
              expect(yield* anon.getLastEvent({ before: ts3 })).toMatchObject({ id: h.e2, ts: ts2 })
              const none = yield* Effect.flip(anon.getLastEvent({ before: 0 }))
              expect(none).toMatchObject({ _tag: "GenericError", message: "query returned no rows" })
              expect(yield* anon.getLastEvent({ before: 0, strict: false })).toBeNull()
            }))

          it.scoped("queryHistory: revoked and active rows of user_perms, with events and names", () =>
            Effect.gen(function*() {
              const anon = yield* TestHub.client
              const h = yield* grantHistory(`qh-${t}`)
              const [ts1, ts2, ts3] = [yield* eventTs(h.e1), yield* eventTs(h.e2), yield* eventTs(h.e3)]
              const result = yield* anon.queryHistory({ tables: ["user_perms"], permission: h.perm })
              expect(Object.keys(result)).toEqual(["user_perms"])
              const rows = rowsOf(result, "user_perms")
              const common = {
                user_id: h.uid,
                perm_id: h.permId,
                "user.name": h.user,
                "permission.name": h.perm,
                creator_id: h.adminId,
                creator_name: "admin"
              }
              expect(rows).toEqual([
                {
                  ...common,
                  active: null,
                  create_event: h.e1,
                  create_ts: ts1,
                  revoke_event: h.e2,
                  revoke_ts: ts2,
                  revoker_id: h.adminId,
                  revoker_name: "admin"
                },
                {
                  ...common,
                  active: true,
                  create_event: h.e3,
                  create_ts: ts3,
                  revoke_event: null,
                  revoke_ts: null,
                  revoker_id: null,
                  revoker_name: null
                }
              ])
              // Koji's field order: by name
              expect(Object.keys(rows[0]!)).toEqual([...Object.keys(rows[0]!)].sort())
            }))

          it.scoped("queryHistory filters: user, permission, active, afterEvent, beforeEvent, before/after, editor", () =>
            Effect.gen(function*() {
              const anon = yield* TestHub.client
              const h = yield* grantHistory(`f-${t}`)
              const ts2 = yield* eventTs(h.e2)

              // `user` applies to user_perms, user_groups and (the owner of) tag_package_owners only:
              // the host tables are left out
              const byUser = yield* anon.queryHistory({ user: h.user })
              expect(Object.keys(byUser).sort()).toEqual(["tag_package_owners", "user_groups", "user_perms"])
              expect(byUser.user_perms).toHaveLength(2)
              expect(byUser.user_groups).toEqual([])
              expect(yield* anon.queryHistory({ user: h.uid, tables: ["user_perms"] })).toEqual({
                user_perms: byUser.user_perms
              })
              // `permission` applies to user_perms (and tag_config, the tags needing it) only
              const byPerm = yield* anon.queryHistory({ permission: h.permId })
              expect(Object.keys(byPerm)).toEqual(["tag_config", "user_perms"])
              expect(byPerm.tag_config).toEqual([])
              expect(byPerm.user_perms).toEqual(byUser.user_perms)
              // a table-specific filter with an explicit table that does not take it: nothing searched
              expect(yield* anon.queryHistory({ tables: ["host_config"], permission: h.perm })).toEqual({})

              const active = yield* anon.queryHistory({ permission: h.perm, active: true })
              expect(active.user_perms).toEqual([expect.objectContaining({ active: true, create_event: h.e3 })])
              const revoked = yield* anon.queryHistory({ permission: h.perm, active: false })
              expect(revoked.user_perms).toEqual([expect.objectContaining({ active: null, revoke_event: h.e2 })])

              // created or revoked after e1: both rows (the first was revoked at e2), with Koji's flags
              const afterE1 = yield* anon.queryHistory({ permission: h.perm, afterEvent: h.e1 })
              expect(afterE1.user_perms).toEqual([
                expect.objectContaining({ create_event: h.e1, _created_after_event: false, _revoked_after_event: true }),
                expect.objectContaining({ create_event: h.e3, _created_after_event: true, _revoked_after_event: null })
              ])
              const afterE2 = yield* anon.queryHistory({ permission: h.perm, afterEvent: h.e2 })
              expect(afterE2.user_perms).toEqual([expect.objectContaining({ create_event: h.e3 })])
              const beforeE2 = yield* anon.queryHistory({ permission: h.perm, beforeEvent: h.e2 })
              expect(beforeE2.user_perms).toEqual([expect.objectContaining({ create_event: h.e1 })])

              // times: epoch floats or timestamp strings
              const after = yield* anon.queryHistory({ permission: h.perm, after: ts2 })
              expect(after.user_perms).toEqual([expect.objectContaining({ create_event: h.e3, _created_after: true })])
              const before = yield* anon.queryHistory({ permission: h.perm, before: fromEpoch(ts2) })
              expect(before.user_perms).toEqual([expect.objectContaining({ create_event: h.e1, _created_before: true })])

              // editor: created or revoked by the user
              const byAdmin = yield* anon.queryHistory({ permission: h.perm, editor: "admin" })
              expect(byAdmin.user_perms).toEqual([
                expect.objectContaining({ _created_by: true, _revoked_by: true }),
                expect.objectContaining({ _created_by: true, _revoked_by: null })
              ])
              expect((yield* anon.queryHistory({ permission: h.perm, editor: h.user })).user_perms).toEqual([])
            }))

          it.scoped("queryHistory queryOpts: order, limit, offset, countOnly", () =>
            Effect.gen(function*() {
              const anon = yield* TestHub.client
              const h = yield* grantHistory(`o-${t}`)
              const desc = yield* anon.queryHistory({ permission: h.perm, queryOpts: { order: "-create_event" } })
              expect(rowsOf(desc, "user_perms").map((r) => r.create_event))
                .toEqual([h.e3, h.e1])
              const page = yield* anon.queryHistory({
                permission: h.perm,
                queryOpts: { order: "create_ts", offset: 1, limit: 1 }
              })
              expect(page.user_perms).toEqual([expect.objectContaining({ create_event: h.e3 })])
              // (`permission` also applies to tag_config, Koji's tag perm_id)
              expect(yield* anon.queryHistory({ permission: h.perm, queryOpts: { countOnly: true } }))
                .toEqual({ tag_config: 0, user_perms: 2 })
              expect(yield* anon.queryHistory({ permission: h.perm, queryOpts: { countOnly: true, limit: 1 } }))
                .toEqual({ tag_config: 0, user_perms: 1 })
              const badOrder = yield* Effect.flip(anon.queryHistory({ permission: h.perm, queryOpts: { order: "nope" } }))
              expect(badOrder).toMatchObject({ _tag: "GenericError", message: "Invalid order: nope" })
            }))

          it.scoped("queryHistory refusals: unknown table, user, permission; unknown host finds nothing", () =>
            Effect.gen(function*() {
              const anon = yield* TestHub.client
              const table = yield* Effect.flip(anon.queryHistory({ tables: ["user_perms", "nope"] }))
              expect(table).toMatchObject({ _tag: "GenericError", message: "No such history table: nope" })
              const user = yield* Effect.flip(anon.queryHistory({ user: `nobody-${t}` }))
              expect(user).toMatchObject({ _tag: "GenericError", message: `No such user: 'nobody-${t}'` })
              const perm = yield* Effect.flip(anon.queryHistory({ permission: `noperm-${t}` }))
              expect(perm).toMatchObject({
                _tag: "GenericError",
                message: `No such entry in table permissions: noperm-${t}`
              })
              const editor = yield* Effect.flip(anon.queryHistory({ editor: 987654 }))
              expect(editor).toMatchObject({ _tag: "GenericError", message: "No such user: 987654" })
              // Koji looks hosts and channels up leniently: an unknown one matches no row
              expect(yield* anon.queryHistory({ host: `nohost-${t}` })).toEqual({ host_channels: [], host_config: [] })
              // a mistyped filter (as an XML-RPC caller may send): ParameterError from the dispatcher
              const dispatcher = yield* Dispatcher.Dispatcher
              const badType = yield* Effect.flip(
                dispatcher.invokeEncoded(dispatcher.methods.get("queryHistory")!, { afterEvent: "x" }).pipe(
                  Effect.provideService(Caller.CurrentCaller, Caller.anonymous)
                )
              )
              expect(badType._tag).toBe("ParameterError")
            }))

          it.scoped("queryHistory over host_config and host_channels (host, channel filters)", () =>
            Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              const anon = yield* TestHub.client
              const adminId = yield* userId("admin")
              const name = `hhost-${t}`
              const [hostUser] = yield* sql<{ id: number }>`
                INSERT INTO users (name, status, usertype) VALUES (${name}, 0, 1) RETURNING id`
              const [host] = yield* sql<{ id: number }>`
                INSERT INTO host (user_id, name) VALUES (${hostUser!.id}, ${name}) RETURNING id`
              const [channel] = yield* sql<{ id: number }>`
                INSERT INTO channels (name) VALUES (${`hchan-${t}`}) RETURNING id`
              const config = { arches: "x86_64", capacity: 2.5, description: "d", comment: "c", enabled: true }
              const e1 = yield* asCall(Effect.zipRight(
                Versioned.insert("host_config", { host_id: host!.id, ...config }, adminId),
                Versioned.insert("host_channels", { host_id: host!.id, channel_id: channel!.id }, adminId)
              ))
              const e2 = yield* asCall(
                Versioned.replace("host_config", { host_id: host!.id }, { ...config, enabled: false }, adminId)
              )

              const byHost = yield* anon.queryHistory({ host: name })
              expect(Object.keys(byHost).sort()).toEqual(["host_channels", "host_config"])
              expect(byHost.host_config).toEqual([
                expect.objectContaining({
                  host_id: host!.id,
                  "host.name": name,
                  arches: "x86_64",
                  capacity: 2.5,
                  description: "d",
                  comment: "c",
                  enabled: true,
                  active: null,
                  create_event: e1,
                  revoke_event: e2
                }),
                expect.objectContaining({ enabled: false, active: true, create_event: e2, revoke_event: null })
              ])
              expect(byHost.host_channels).toEqual([
                expect.objectContaining({
                  host_id: host!.id,
                  channel_id: channel!.id,
                  "host.name": name,
                  "channels.name": `hchan-${t}`,
                  active: true,
                  create_event: e1,
                  creator_name: "admin"
                })
              ])
              expect(yield* anon.queryHistory({ host: host!.id, tables: ["host_config"], active: true }))
                .toEqual({ host_config: [rowsOf(byHost, "host_config")[1]] })
              const byChannel = yield* anon.queryHistory({ channel: `hchan-${t}` })
              expect(byChannel).toEqual({ host_channels: byHost.host_channels })
            }))

          it.scoped("multicall: each sub-call is its own event; a failed grant leaves no history", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const user = `mc-${t}`
              yield* admin.createUser({ username: user })
              const results = yield* admin.multicall((m) => [
                m.grantPermission({ userinfo: user, permission: `mc1-${t}`, create: true }),
                m.grantPermission({ userinfo: user, permission: `mcbad-${t}`, description: "x" }),
                m.grantPermission({ userinfo: user, permission: `mcmissing-${t}` }),
                m.grantPermission({ userinfo: user, permission: `mc2-${t}`, create: true }),
                m.getLastEvent({}),
                m.queryHistory({ tables: ["nope"] })
              ])
              expect(Either.isRight(results[0]!)).toBe(true)
              expect(Either.isLeft(results[1]!)).toBe(true)
              expect(Either.isLeft(results[2]!)).toBe(true)
              expect(Either.isRight(results[3]!)).toBe(true)
              expect(Either.isRight(results[4]!)).toBe(true)
              expect(Either.isLeft(results[5]!) && results[5].left.message).toBe("No such history table: nope")
              const history = yield* anon.queryHistory({ user, tables: ["user_perms"] })
              const rows = rowsOf(history, "user_perms")
              expect(rows.map((r) => r["permission.name"])).toEqual([`mc1-${t}`, `mc2-${t}`])
              expect(rows[0]!.create_event).not.toBe(rows[1]!.create_event)
              const last = Either.isRight(results[4]!) ? results[4].right : undefined
              expect(last).toMatchObject({ id: rows[1]!.create_event })
            }))
        }
      )
    }
  }
})
