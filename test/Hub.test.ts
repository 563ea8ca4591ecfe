import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { KojiApi } from "../src/api/Api.js"
import * as Method from "../src/api/Method.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

describe("Hub core", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.allTransports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          it.scoped("trivial calls", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.client
              expect(yield* koji.hello({})).toBe("Hello World")
              expect(yield* koji.echo({ args: ["OK", 1] })).toEqual(["OK", 1])
              expect(yield* koji.getAPIVersion({})).toBe(1)
              expect(yield* koji.getKojiVersion({})).toBe("1.35.3")
            }))

          it.scoped("_listapi lists every method as Koji does, and hides multiCall", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.client
              const api = yield* koji._listapi({})
              const names = api.map((m) => m.name)
              expect(names).toContain("hello")
              expect(names).not.toContain("multiCall")
              // every method but the hidden ones (multiCall, the raw upload's typed twin)
              const visible = [...Method.methodsOf(KojiApi).values()].filter((m) => !m.info.hidden).map((m) => m.info.name)
              expect([...names].sort()).toEqual(visible.sort())
              const login = api.find((m) => m.name === "login")!
              expect(login.argdesc).toBe("(user, password, opts=None, renew=False, exclusive=False)")
              expect(login.args).toEqual(["user", "password", ["opts", null], ["renew", false], ["exclusive", false]])
              const echo = api.find((m) => m.name === "echo")!
              expect(echo.argspec).toEqual([[], "args", null, null, [], null, {}])
              expect(yield* koji.system.listMethods({})).toEqual(names)
              expect(yield* koji.system.methodHelp({ method: "echo" })).toContain("echo(*args)")
            }))

          it.scoped("password login, getLoggedInUser, logout", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.admin
              const me = yield* koji.getLoggedInUser({})
              expect(me).toMatchObject({ name: "admin", authtype: 0, krb_principal: null })
              yield* koji.logout({})
              expect(yield* koji.getLoggedInUser({})).toBeNull()
            }))

          it.scoped("a wrong password is an AuthError (1002)", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.client
              const error = yield* Effect.flip(koji.login({ user: "admin", password: "wrong" }))
              expect(error).toMatchObject({ _tag: "AuthError", message: "invalid username or password" })
              const unknown = yield* Effect.flip(koji.login({ user: "nobody", password: "x" }))
              expect(unknown).toMatchObject({ _tag: "AuthError" })
            }))

          it.scoped("an old call number is a SequenceError; a replayed write a RetryError", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.admin
              const session = (yield* koji.session)!
              // a write (subsession) records call number N
              yield* koji.subsession({})
              const written = session.callnum - 1
              // replaying the same number for a write is refused
              session.callnum = written
              const retry = yield* Effect.flip(koji.subsession({}))
              expect(retry._tag).toBe("RetryError")
              // an older number is a SequenceError
              session.callnum = written - 1
              const sequence = yield* Effect.flip(koji.hello({}))
              expect(sequence._tag).toBe("SequenceError")
              // reads never record their number: repeating one is fine
              session.callnum = written + 5
              yield* koji.getLoggedInUser({})
              session.callnum = written + 5
              expect(yield* koji.getLoggedInUser({})).toMatchObject({ name: "admin" })
            }))

          it.scoped("exclusive sessions lock out the user's other sessions", () =>
            Effect.gen(function*() {
              const first = yield* TestHub.admin
              const second = yield* TestHub.admin
              yield* first.exclusiveSession({})
              const locked = yield* Effect.flip(second.getLoggedInUser({}))
              expect(locked._tag).toBe("AuthLockError")
              const refused = yield* Effect.flip(second.exclusiveSession({}))
              expect(refused._tag).toBe("AuthLockError")
              yield* second.exclusiveSession({ force: true })
              const closed = yield* Effect.flip(first.getLoggedInUser({}))
              expect(closed._tag).toBe("AuthError")
              yield* second.sharedSession({})
              yield* second.logout({})
            }))

          it.scoped("expired sessions are renewed by the client with its login", () =>
            Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              const koji = yield* TestHub.admin
              const before = (yield* koji.session)!
              yield* sql`UPDATE sessions SET start_time = now() - interval '2 days' WHERE id = ${before.id}`
              expect(yield* koji.getLoggedInUser({})).toMatchObject({ name: "admin" })
              const after = (yield* koji.session)!
              expect(after.id).toBe(before.id)
              expect(after.key).not.toBe(before.key)
            }))

          it.scoped("multicall: one round trip, faults in their slots, strict", () =>
            Effect.gen(function*() {
              const koji = yield* TestHub.admin
              const results = yield* koji.multicall((m) => [m.hello({}), m.system.methodHelp({ method: "nope" }), m.echo({ args: [1] })])
              expect(Either.getOrThrow(results[0])).toBe("Hello World")
              expect(Either.isLeft(results[1]) && results[1].left._tag).toBe("GenericError")
              expect(Either.getOrThrow(results[2])).toEqual([1])
              const strict = yield* Effect.flip(
                koji.multicall((m) => [m.hello({}), m.system.methodHelp({ method: "nope" })], { strict: true })
              )
              expect(strict._tag).toBe("GenericError")
              const many = yield* koji.multicall((m) => Array.from({ length: 1000 }, (_, i) => m.echo({ args: [i] })), { strict: true })
              expect(many.length).toBe(1000)
              expect(many[999]).toEqual([999])
              const batched = yield* koji.multicall((m) => Array.from({ length: 25 }, () => m.hello({})), { batch: 10 })
              expect(batched.every(Either.isRight)).toBe(true)
            }))
        }
      )
    }
  }
})
