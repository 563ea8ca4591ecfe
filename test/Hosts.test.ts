import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { EventId } from "../src/domain/Ids.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

const setPassword = TestHub.setPassword

// the host_config versions of a host, oldest first
const configHistory = (hostId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ arches: string; enabled: boolean; active: boolean | null; revoked: boolean }>`
      SELECT arches, enabled, active, revoke_event IS NOT NULL AS revoked
        FROM host_config WHERE host_id = ${hostId} ORDER BY create_event`
  })

describe("Hosts", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.transports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = transport === "http" ? "h" : "i"

          it.scoped("addHost creates the HOST user, config and default channel; getHost by id and name", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `b1-${t}.example.com`
              const id = yield* admin.addHost({ hostname: name, arches: ["x86_64", "i686 noarch"] })
              expect(typeof id).toBe("number")
              const host = yield* anon.getHost({ hostInfo: name })
              expect(host).toMatchObject({
                id,
                name,
                arches: "x86_64 i686 noarch",
                capacity: 2,
                enabled: true,
                ready: false,
                task_load: 0,
                update_ts: null,
                description: null,
                comment: null
              })
              expect(yield* anon.getHost({ hostInfo: id })).toEqual(host)
              const user = yield* anon.getUser({ userInfo: host!.user_id })
              expect(user).toMatchObject({ name, usertype: 1, status: 0 })
              const channels = yield* anon.listChannels({ hostID: id })
              expect(channels.map((c) => c.name)).toEqual(["default"])
              expect(yield* anon.listChannels({ hostID: name })).toEqual(channels)

              // unknown hosts
              expect(yield* anon.getHost({ hostInfo: `nope-${t}` })).toBeNull()
              expect(yield* anon.getHost({ hostInfo: 987654 })).toBeNull()
              const strict = yield* Effect.flip(anon.getHost({ hostInfo: `nope-${t}`, strict: true }))
              expect(strict).toMatchObject({ _tag: "GenericError", message: `Invalid hostInfo: nope-${t}` })
              const strictId = yield* Effect.flip(anon.getHost({ hostInfo: 987654, strict: true }))
              expect(strictId.message).toBe("Invalid hostInfo: 987654")
            }))

          it.scoped("addHost refusals: duplicates, existing users, bad names and arches, permissions", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `b2-${t}`
              yield* admin.addHost({ hostname: name, arches: ["x86_64"] })
              const duplicate = yield* Effect.flip(admin.addHost({ hostname: name, arches: ["x86_64"] }))
              expect(duplicate).toMatchObject({ _tag: "GenericError", message: `host already exists: ${name}` })

              // an existing NORMAL user: refused, unless forced (then converted to a host user)
              const person = `person-${t}`
              const personId = yield* admin.createUser({ username: person })
              const notHost = yield* Effect.flip(admin.addHost({ hostname: person, arches: ["x86_64"] }))
              expect(notHost).toMatchObject({
                _tag: "GenericError",
                message: `user ${person} already exists and it is not a host`
              })
              expect(yield* anon.getHost({ hostInfo: person })).toBeNull()
              const forcedId = yield* admin.addHost({ hostname: person, arches: ["aarch64"], force: true })
              const forced = yield* anon.getHost({ hostInfo: forcedId })
              expect(forced).toMatchObject({ name: person, user_id: personId, arches: "aarch64" })
              expect(yield* anon.getUser({ userInfo: personId })).toMatchObject({ usertype: 1 })

              const badArch = yield* Effect.flip(admin.addHost({ hostname: `b2x-${t}`, arches: ["x86_64", "ppc!"] }))
              expect(badArch).toMatchObject({ _tag: "GenericError", message: "Architecture can be only [a-zA-Z0-9_-]" })
              const badName = yield* Effect.flip(admin.addHost({ hostname: "bad name", arches: ["x86_64"] }))
              expect(badName).toMatchObject({ _tag: "GenericError", message: "Name bad name does not match RegexNameInternal value" })
              // nothing was left behind by the refusals
              expect(yield* anon.getUser({ userInfo: `b2x-${t}` })).toBeNull()

              const denied = yield* Effect.flip(anon.addHost({ hostname: `b2y-${t}`, arches: ["x86_64"] }))
              expect(denied).toMatchObject({
                _tag: "ActionNotAllowed",
                message: "host permission required (user not logged in)"
              })

              // a krb principal given with the host goes to its user
              const withPrincipal = `b2k-${t}`
              const principal = `compile/${withPrincipal}@EXAMPLE.COM`
              const kid = yield* admin.addHost({ hostname: withPrincipal, arches: ["s390x"], krb_principal: principal })
              const kuser = yield* anon.getUser({ userInfo: (yield* anon.getHost({ hostInfo: kid }))!.user_id })
              expect(kuser).toMatchObject({ name: withPrincipal, krb_principals: [principal] })
            }))

          it.scoped("the host permission allows host calls but not addChannel (admin only)", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const op = `hostop-${t}`
              yield* admin.createUser({ username: op, password: "op-pw" })
              const before = yield* TestHub.loggedIn(op, "op-pw")
              const noPerm = yield* Effect.flip(before.addHost({ hostname: `b3-${t}`, arches: ["x86_64"] }))
              expect(noPerm).toMatchObject({
                _tag: "ActionNotAllowed",
                message: `host permission required (logged in as ${op})`
              })
              yield* admin.grantPermission({ userinfo: op, permission: "host" })
              const operator = yield* TestHub.loggedIn(op, "op-pw")
              const id = yield* operator.addHost({ hostname: `b3-${t}`, arches: ["x86_64"] })
              expect(yield* operator.editHost({ hostInfo: id, description: "by op" })).toBe(true)
              yield* operator.disableHost({ hostname: `b3-${t}` })
              yield* operator.addHostToChannel({ hostname: `b3-${t}`, channel_name: "maven" })
              yield* operator.disableChannel({ channelname: "vm", comment: `by ${op}` })
              yield* operator.enableChannel({ channelname: "vm" })
              const noAdmin = yield* Effect.flip(operator.addChannel({ channel_name: `ch3-${t}` }))
              expect(noAdmin).toMatchObject({
                _tag: "ActionNotAllowed",
                message: `admin permission required (logged in as ${op})`
              })
              const noEdit = yield* Effect.flip(operator.editChannel({ channelInfo: "vm", description: "x" }))
              expect(noEdit._tag).toBe("ActionNotAllowed")
              const noRename = yield* Effect.flip(operator.renameChannel({ old: "vm", new: `vm2-${t}` }))
              expect(noRename._tag).toBe("ActionNotAllowed")
              // the actor is recorded in the versioned rows
              const sql = yield* SqlClient.SqlClient
              const [row] = yield* sql<{ creator: string }>`
                SELECT u.name AS creator FROM host_config c JOIN users u ON u.id = c.creator_id
                 WHERE c.host_id = ${id} AND c.active IS TRUE`
              expect(row!.creator).toBe(op)
            }))

          it.scoped("editHost: only real changes make a version; getHost as of an event sees the old config", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `b4-${t}`
              const id = yield* admin.addHost({ hostname: name, arches: ["x86_64"] })
              const event = (yield* anon.getLastEvent({}))!.id
              expect(yield* admin.editHost({ hostInfo: name })).toBe(false)
              expect(yield* admin.editHost({ hostInfo: id, arches: "x86_64" })).toBe(false)
              expect(yield* admin.editHost({ hostInfo: id, arches: "x86_64 i686", capacity: 4.5, comment: "big" })).toBe(
                true
              )
              expect(yield* anon.getHost({ hostInfo: id })).toMatchObject({
                arches: "x86_64 i686",
                capacity: 4.5,
                comment: "big",
                description: null,
                enabled: true
              })
              expect(yield* anon.getHost({ hostInfo: id, event })).toMatchObject({
                arches: "x86_64",
                capacity: 2,
                comment: null
              })
              // before the host existed
              const first = yield* anon.getEvent({ id: 1 })
              expect(yield* anon.getHost({ hostInfo: id, event: first!.id })).toBeNull()
              expect(yield* configHistory(id)).toEqual([
                { arches: "x86_64", enabled: true, active: null, revoked: true },
                { arches: "x86_64 i686", enabled: true, active: true, revoked: false }
              ])

              // a given text field may not be None when it changes (Koji's convert_value)
              const noneComment = yield* Effect.flip(admin.editHost({ hostInfo: id, comment: null }))
              expect(noneComment._tag).toBe("ParameterError")
              // capacity must exceed 1 (database check); the failed edit leaves the config as it was
              const small = yield* Effect.flip(admin.editHost({ hostInfo: id, capacity: 0.5 }))
              expect(small._tag).toBe("GenericError")
              expect((yield* configHistory(id)).length).toBe(2)
              expect((yield* anon.getHost({ hostInfo: id }))!.capacity).toBe(4.5)

              const unknown = yield* Effect.flip(admin.editHost({ hostInfo: `nope-${t}`, arches: "x" }))
              expect(unknown).toMatchObject({ _tag: "GenericError", message: `Invalid hostInfo: nope-${t}` })
              const anonEdit = yield* Effect.flip(anon.editHost({ hostInfo: id, arches: "x" }))
              expect(anonEdit._tag).toBe("ActionNotAllowed")
            }))

          it.scoped("enableHost / disableHost are versioned; listHosts filters", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const a = `b5a-${t}`
              const b = `b5b-${t}`
              const ida = yield* admin.addHost({ hostname: a, arches: ["ppc64le", "noarch"] })
              const idb = yield* admin.addHost({ hostname: b, arches: ["ppc64"] })
              yield* admin.disableHost({ hostname: b })
              expect((yield* anon.getHost({ hostInfo: b }))!.enabled).toBe(false)
              expect((yield* configHistory(idb)).map((r) => [r.enabled, r.active])).toEqual([[true, null], [false, true]])
              yield* admin.enableHost({ hostname: b })
              yield* admin.disableHost({ hostname: b })
              expect((yield* configHistory(idb)).map((r) => [r.enabled, r.active])).toEqual([
                [true, null],
                [false, null],
                [true, null],
                [false, true]
              ])
              const unknown = yield* Effect.flip(admin.enableHost({ hostname: `nope-${t}` }))
              expect(unknown).toMatchObject({ _tag: "GenericError", message: `host does not exist: nope-${t}` })

              const ours = (hosts: ReadonlyArray<{ readonly name: string }> | number) => names(hosts, [a, b])
              expect(ours(yield* anon.listHosts({}))).toEqual([a, b])
              // whole arch names: 'ppc64' does not match 'ppc64le'
              expect(ours(yield* anon.listHosts({ arches: ["ppc64"] }))).toEqual([b])
              expect(ours(yield* anon.listHosts({ arches: ["ppc64le", "s390x"] }))).toEqual([a])
              expect(ours(yield* anon.listHosts({ arches: "noarch" }))).toEqual([a])
              expect(ours(yield* anon.listHosts({ enabled: false }))).toEqual([b])
              expect(ours(yield* anon.listHosts({ enabled: true }))).toEqual([a])
              expect(ours(yield* anon.listHosts({ ready: false }))).toEqual([a, b])
              expect(ours(yield* anon.listHosts({ ready: true }))).toEqual([])
              expect(ours(yield* anon.listHosts({ userID: a }))).toEqual([a])
              expect(ours(yield* anon.listHosts({ channelID: "default" }))).toEqual([a, b])
              expect(ours(yield* anon.listHosts({ channelID: 1 }))).toEqual([a, b])
              expect(ours(yield* anon.listHosts({ channelID: "maven" }))).toEqual([])
              expect(ours(yield* anon.listHosts({ queryOpts: { order: "-name" } }))).toEqual([b, a])
              const count = yield* anon.listHosts({ arches: ["ppc64", "ppc64le"], queryOpts: { countOnly: true } })
              expect(count).toBe(2)
              const page = yield* anon.listHosts({ arches: ["ppc64", "ppc64le"], queryOpts: { order: "id", offset: 1, limit: 1 } })
              expect(typeof page !== "number" && page.map((h) => h.id)).toEqual([idb])
              expect(ida).toBeLessThan(idb)

              const empty = yield* Effect.flip(anon.listHosts({ arches: [] }))
              expect(empty).toMatchObject({ _tag: "GenericError", message: "arches option cannot be empty" })
              const noChannel = yield* Effect.flip(anon.listHosts({ channelID: `nope-${t}` }))
              expect(noChannel.message).toBe(`No such entry in table channels: nope-${t}`)
              const noUser = yield* Effect.flip(anon.listHosts({ userID: `nope-${t}` }))
              expect(noUser.message).toBe(`No such user: 'nope-${t}'`)
              const badOrder = yield* Effect.flip(anon.listHosts({ queryOpts: { order: "bogus" } }))
              expect(badOrder._tag).toBe("ParameterError")
            }))

          it.scoped("channels: add, get, list, edit, rename, enable and disable", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `ch6-${t}`
              const id = yield* admin.addChannel({ channel_name: name, description: "test channel" })
              const channel = { id, name, description: "test channel", enabled: true, comment: null }
              expect(yield* anon.getChannel({ channelInfo: name })).toEqual(channel)
              expect(yield* anon.getChannel({ channelInfo: id })).toEqual(channel)
              expect((yield* anon.listChannels({})).find((c) => c.id === id)).toEqual(channel)
              expect((yield* anon.listChannels({})).slice(0, 2).map((c) => c.name)).toEqual(["default", "createrepo"])
              expect(yield* anon.getChannel({ channelInfo: `nope-${t}` })).toBeNull()
              const strict = yield* Effect.flip(anon.getChannel({ channelInfo: `nope-${t}`, strict: true }))
              expect(strict).toMatchObject({ _tag: "GenericError", message: "query returned no rows" })

              const duplicate = yield* Effect.flip(admin.addChannel({ channel_name: name }))
              expect(duplicate).toMatchObject({ _tag: "GenericError", message: `channel ${name} already exists (id=${id})` })
              const badName = yield* Effect.flip(admin.addChannel({ channel_name: "bad name" }))
              expect(badName.message).toBe("Name bad name does not match RegexNameInternal value")
              const anonAdd = yield* Effect.flip(anon.addChannel({ channel_name: `x-${t}` }))
              expect(anonAdd).toMatchObject({ _tag: "ActionNotAllowed", message: "admin permission required (user not logged in)" })

              expect(yield* admin.editChannel({ channelInfo: id })).toBe(false)
              expect(yield* admin.editChannel({ channelInfo: id, description: "test channel" })).toBe(false)
              expect(yield* admin.editChannel({ channelInfo: id, description: "new", comment: "c" })).toBe(true)
              expect(yield* anon.getChannel({ channelInfo: id })).toMatchObject({ description: "new", comment: "c" })
              const taken = yield* Effect.flip(admin.editChannel({ channelInfo: id, name: "default" }))
              expect(taken.message).toBe("channel default already exists (id=1)")
              const noneDescription = yield* Effect.flip(admin.editChannel({ channelInfo: id, description: null }))
              expect(noneDescription._tag).toBe("ParameterError")
              const unknown = yield* Effect.flip(admin.editChannel({ channelInfo: `nope-${t}`, comment: "x" }))
              expect(unknown.message).toBe("query returned no rows")

              const renamed = `ch6r-${t}`
              yield* admin.renameChannel({ old: name, new: renamed })
              expect(yield* anon.getChannel({ channelInfo: name })).toBeNull()
              expect((yield* anon.getChannel({ channelInfo: renamed }))!.id).toBe(id)

              yield* admin.disableChannel({ channelname: renamed, comment: "maintenance" })
              expect(yield* anon.getChannel({ channelInfo: id })).toMatchObject({ enabled: false, comment: "maintenance" })
              expect((yield* anon.listChannels({ enabled: false })).map((c) => c.id)).toContain(id)
              expect((yield* anon.listChannels({ enabled: true })).map((c) => c.id)).not.toContain(id)
              yield* admin.enableChannel({ channelname: id })
              expect(yield* anon.getChannel({ channelInfo: id })).toMatchObject({ enabled: true, comment: "maintenance" })
              const noChannel = yield* Effect.flip(admin.enableChannel({ channelname: `nope-${t}` }))
              expect(noChannel).toMatchObject({ _tag: "GenericError", message: `No such channel: nope-${t}` })
              const anonDisable = yield* Effect.flip(anon.disableChannel({ channelname: renamed }))
              expect(anonDisable._tag).toBe("ActionNotAllowed")

              const eventOnly = yield* Effect.flip(anon.listChannels({ event: EventId.make(1) }))
              expect(eventOnly.message).toBe("list_channels with event and not host is not allowed.")
              const badHost = yield* Effect.flip(anon.listChannels({ hostID: `nope-${t}` }))
              expect(badHost.message).toBe(`Invalid hostInfo: nope-${t}`)
            }))

          it.scoped("channel membership: add, refuse, remove and re-add (versioned)", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const host = `b7-${t}`
              const id = yield* admin.addHost({ hostname: host, arches: ["x86_64"] })
              const channel = `ch7-${t}`

              const missing = yield* Effect.flip(admin.addHostToChannel({ hostname: host, channel_name: channel }))
              expect(missing).toMatchObject({ _tag: "GenericError", message: `channel does not exist: ${channel}` })
              yield* admin.addHostToChannel({ hostname: host, channel_name: channel, create: true })
              const channelId = (yield* anon.getChannel({ channelInfo: channel }))!.id
              expect((yield* anon.listChannels({ hostID: id })).map((c) => c.name)).toEqual(["default", channel])
              const event = (yield* anon.getLastEvent({}))!.id

              const again = yield* Effect.flip(admin.addHostToChannel({ hostname: host, channel_name: channel }))
              expect(again).toMatchObject({
                _tag: "GenericError",
                message: `host ${host} is already subscribed to the ${channel} channel`
              })
              const noHost = yield* Effect.flip(admin.addHostToChannel({ hostname: `nope-${t}`, channel_name: "default" }))
              expect(noHost.message).toBe(`host does not exist: nope-${t}`)

              // a disabled channel takes hosts only with force
              yield* admin.disableChannel({ channelname: "livecd" })
              const disabled = yield* Effect.flip(admin.addHostToChannel({ hostname: host, channel_name: "livecd" }))
              expect(disabled.message).toBe("channel livecd is disabled")
              yield* admin.addHostToChannel({ hostname: host, channel_name: "livecd", force: true })
              yield* admin.enableChannel({ channelname: "livecd" })
              expect(names(yield* anon.listHosts({ channelID: "livecd" }), [host])).toEqual([host])

              yield* admin.removeHostFromChannel({ hostname: host, channel_name: channel })
              expect((yield* anon.listChannels({ hostID: id })).map((c) => c.name)).toEqual(["default", "livecd"])
              // as of the earlier event, the host was still in it
              expect((yield* anon.listChannels({ hostID: id, event })).map((c) => c.name)).toEqual(["default", channel])
              const notMember = yield* Effect.flip(admin.removeHostFromChannel({ hostname: host, channel_name: channel }))
              expect(notMember.message).toBe(`host ${host} is not subscribed to the ${channel} channel`)
              const noChannel = yield* Effect.flip(admin.removeHostFromChannel({ hostname: host, channel_name: `nope-${t}` }))
              expect(noChannel.message).toBe(`channel does not exist: nope-${t}`)

              yield* admin.addHostToChannel({ hostname: host, channel_name: channelId })
              const sql = yield* SqlClient.SqlClient
              const rows = yield* sql<{ active: boolean | null }>`
                SELECT active FROM host_channels WHERE host_id = ${id} AND channel_id = ${channelId} ORDER BY create_event`
              expect(rows.map((r) => r.active)).toEqual([null, true])
              const anonAdd = yield* Effect.flip(anon.addHostToChannel({ hostname: host, channel_name: "maven" }))
              expect(anonAdd._tag).toBe("ActionNotAllowed")
            }))

          it.scoped("host.* calls: a host's exclusive session reports load and readiness", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `b8-${t}`
              const id = yield* admin.addHost({ hostname: name, arches: ["x86_64"] })
              yield* setPassword(name, "host-pw")
              const builder = yield* TestHub.loggedIn(name, "host-pw")

              const shared = yield* Effect.flip(builder.host.getID({}))
              expect(shared).toMatchObject({ _tag: "AuthError", message: "This method requires an exclusive session" })
              const sharedUpdate = yield* Effect.flip(builder.host.updateHost({ task_load: 1, ready: true }))
              expect(sharedUpdate._tag).toBe("AuthError")
              yield* builder.exclusiveSession({})

              expect(yield* builder.host.getID({})).toBe(id)
              yield* builder.host.updateHost({ task_load: 1.5, ready: true, data: { methods: ["build"], maxjobs: 5 } })
              const after = yield* anon.getHost({ hostInfo: id })
              expect(after).toMatchObject({ ready: true, task_load: 1.5 })
              expect(typeof after!.update_ts).toBe("number")
              expect(Math.abs(after!.update_ts! - Date.now() / 1000)).toBeLessThan(300)
              expect(yield* builder.host.getHost({})).toEqual(after)
              expect(names(yield* anon.listHosts({ ready: true }), [name])).toEqual([name])

              const sql = yield* SqlClient.SqlClient
              const data = yield* sql<{ data: unknown }>`SELECT data FROM scheduler_host_data WHERE host_id = ${id}`
              const stored = typeof data[0]!.data === "string" ? JSON.parse(data[0]!.data) : data[0]!.data
              expect(stored).toEqual({ methods: ["build"], maxjobs: 5 })
              // without data the stored data stays; a new report replaces it
              yield* builder.host.updateHost({ task_load: 0, ready: false })
              expect(yield* anon.getHost({ hostInfo: id })).toMatchObject({ ready: false, task_load: 0 })
              yield* builder.host.updateHost({ task_load: 0, ready: true, data: { maxjobs: 1 } })
              const replaced = yield* sql<{ data: unknown }>`SELECT data FROM scheduler_host_data WHERE host_id = ${id}`
              const value = typeof replaced[0]!.data === "string" ? JSON.parse(replaced[0]!.data) : replaced[0]!.data
              expect(value).toEqual({ maxjobs: 1 })
              const negative = yield* Effect.flip(builder.host.updateHost({ task_load: -1, ready: true }))
              expect(negative._tag).toBe("GenericError")

              // not a host: a normal user, even with an exclusive session; nobody at all
              const person = `person8-${t}`
              yield* admin.createUser({ username: person, password: "pw" })
              const bob = yield* TestHub.loggedIn(person, "pw")
              yield* bob.exclusiveSession({})
              const notHost = yield* Effect.flip(bob.host.getID({}))
              expect(notHost).toMatchObject({ _tag: "AuthError", message: "Not a host" })
              const adminHost = yield* Effect.flip(admin.host.updateHost({ task_load: 0, ready: true }))
              expect(adminHost._tag).toBe("AuthError")
              const nobody = yield* Effect.flip(anon.host.getHost({}))
              expect(nobody._tag).toBe("AuthError")
            }))

          it.scoped("a read-only multicall of getHost (batched lookups) answers as the single calls do, in order", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const ids: Array<number> = []
              for (let i = 0; i < 5; i++) ids.push(yield* admin.addHost({ hostname: `batch-${t}-${i}`, arches: ["x86_64"] }))
              yield* admin.editHost({ hostInfo: ids[2]!, comment: "edited" })
              const event = yield* anon.getLastEvent({})
              yield* admin.editHost({ hostInfo: ids[2]!, comment: "edited again" })
              // ids, names, unknown ones, a strict miss, one as of an event (not batched), a name that is a number
              const keys: Array<{ hostInfo: number | string; strict?: boolean; event?: EventId }> = []
              for (let round = 0; round < 40; round++) {
                keys.push({ hostInfo: ids[round % 5]! }, { hostInfo: `batch-${t}-${(round + 2) % 5}` })
                if (round % 10 === 0) {
                  keys.push({ hostInfo: "no-such-host" }, { hostInfo: 999_999 }, { hostInfo: String(ids[0]) })
                  keys.push({ hostInfo: "no-such-host", strict: true }, { hostInfo: ids[2]!, event: event!.id })
                }
              }
              const batched = yield* anon.multicall((m) => keys.map((k) => m.getHost(k)))
              yield* TestHub.sameAsSingleCalls(batched, keys.length, (i) => anon.getHost(keys[i]!))
              expect(Either.getOrThrow(batched[1]!)).toMatchObject({ name: `batch-${t}-2`, comment: "edited again" })
              expect(Either.getOrThrow(batched[6]!)).toMatchObject({ id: ids[2], comment: "edited" })
            }))

          it.scoped("multicall: a failed call is rolled back alone, its neighbours' writes stay", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const host = `b9-${t}`
              const id = yield* admin.addHost({ hostname: host, arches: ["x86_64"] })
              const channel = `ch9-${t}`
              const results = yield* admin.multicall((m) => [
                m.editHost({ hostInfo: id, arches: "x86_64 i686" }),
                // revokes the config, then fails inserting the new version: the revoke must be undone
                m.editHost({ hostInfo: id, capacity: 0.5, comment: "too small" }),
                m.addHost({ hostname: host, arches: ["x86_64"] }),
                m.addHostToChannel({ hostname: host, channel_name: channel, create: true }),
                m.addHostToChannel({ hostname: host, channel_name: channel }),
                m.addChannel({ channel_name: `${channel}-b`, description: "b" })
              ])
              expect(Either.isRight(results[0]!) && results[0].right).toBe(true)
              expect(Either.isLeft(results[1]!)).toBe(true)
              expect(Either.isLeft(results[2]!) && results[2].left.message).toBe(`host already exists: ${host}`)
              expect(Either.isRight(results[3]!)).toBe(true)
              expect(Either.isLeft(results[4]!) && results[4].left.message).toBe(
                `host ${host} is already subscribed to the ${channel} channel`
              )
              expect(Either.isRight(results[5]!)).toBe(true)

              expect(yield* anon.getHost({ hostInfo: id })).toMatchObject({ arches: "x86_64 i686", capacity: 2, comment: null })
              expect(yield* configHistory(id)).toEqual([
                { arches: "x86_64", enabled: true, active: null, revoked: true },
                { arches: "x86_64 i686", enabled: true, active: true, revoked: false }
              ])
              expect((yield* anon.listChannels({ hostID: id })).map((c) => c.name)).toEqual(["default", channel])
              expect(yield* anon.getChannel({ channelInfo: `${channel}-b` })).toMatchObject({ description: "b" })
            }))
        }
      )
    }
  }
})

// the names of `hosts` that are among `only` (or all of them), in order
function names(hosts: ReadonlyArray<{ readonly name: string }> | number, only?: ReadonlyArray<string>) {
  return typeof hosts === "number" ? [] : hosts.map((h) => h.name).filter((n) => only === undefined || only.includes(n))
}
