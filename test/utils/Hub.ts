/**
 * A hub for tests on each database, and clients over each transport.
 *
 *   for (const [db, Database] of TestDatabases.migrated) {
 *     for (const [transport, Transport] of TestHub.transports) {
 *       layer(TestHub.layer(Database, Transport), { excludeTestServices: true })(`${db} ${transport}`, (it) => {
 *         it.effect("...", () => Effect.gen(function*() {
 *           const admin = yield* TestHub.admin        // a client logged in as admin
 *           const anon = yield* TestHub.client        // a fresh anonymous client
 *         }))
 *       })
 *     }
 *   }
 */
import { SqlClient } from "@effect/sql"
import { expect } from "@effect/vitest"
import { Context, Effect, Either, Layer, type Scope } from "effect"
import * as KojiClient from "../../src/client/KojiClient.js"
import type * as Database from "../../src/db/Database.js"
import * as Bootstrap from "../../src/hub/Bootstrap.js"
import * as Hub from "../../src/hub/Hub.js"
import * as HubConfig from "../../src/hub/HubConfig.js"
import * as Passwords from "../../src/hub/Passwords.js"
import * as Server from "../../src/rpc/Server.js"
import * as FileStore from "../../src/storage/FileStore.js"

/** The admin's password in test hubs. */
export const adminPassword = "admin-test-password"

/** Makes new clients (each with its own session) on the hub under test. */
export class Clients extends Context.Tag("test/Clients")<Clients, {
  readonly transport: "in-process" | "http" | "xmlrpc"
  readonly make: Effect.Effect<KojiClient.Client, never, Scope.Scope>
  /** The hub server's root URL (`http://127.0.0.1:PORT`), for transports over HTTP. */
  readonly url?: string | undefined
}>() {}

const inProcess = Layer.effect(
  Clients,
  Effect.map(Effect.context<Hub.Hub>(), (context) => ({
    transport: "in-process" as const,
    make: Effect.provide(KojiClient.makeInProcess, context)
  }))
)

/** The typed client over HTTP to a hub server with `options` (`tracing: true`: every request through the router). */
export const httpWith = (options: Partial<Server.ServerOptions> = {}) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const url = yield* Server.url
    return Layer.succeed(Clients, { transport: "http" as const, make: KojiClient.makeHttp({ url: `${url}/api` }), url })
  })).pipe(Layer.provide(Server.layer({ host: "127.0.0.1", port: 0, ...options })))

const http = httpWith()

// the typed client over Koji's XML-RPC, to the hub's own /kojihub
const xmlrpc = Layer.unwrapScoped(Effect.gen(function*() {
  const url = yield* Server.url
  return Layer.succeed(Clients, {
    transport: "xmlrpc" as const,
    make: KojiClient.makeXmlRpc({ url: `${url}/kojihub` }),
    url
  })
})).pipe(Layer.provide(Server.layer({ host: "127.0.0.1", port: 0 })))

/** The typed transports (in process, HTTP /api). */
export const transports = [["in-process", inProcess], ["http", http]] as const

/** Every transport, Koji's XML-RPC too. */
export const allTransports = [["in-process", inProcess], ["http", http], ["xmlrpc", xmlrpc]] as const

/**
 * A hub (with its admin) on `database`, reached through `transport`, with its files in `fileStore`
 * (memory by default; `FileStore.layerLocal(dir)` for a real topdir). The store is provided to the
 * tests too (`yield* FileStore.FileStore`).
 */
export const layer = (
  database: Layer.Layer<Database.Database>,
  transport: Layer.Layer<Clients, any, Hub.Hub | HubConfig.HubConfig | FileStore.FileStore>,
  settings: Partial<HubConfig.HubConfigShape> = {},
  fileStore: Layer.Layer<FileStore.FileStore, any> = FileStore.layerMemory
) =>
  transport.pipe(
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: adminPassword }))),
    Layer.provideMerge(HubConfig.layer(settings)),
    Layer.provideMerge(fileStore),
    Layer.provideMerge(database),
    Layer.orDie
  )

/** A fresh anonymous client. */
export const client = Effect.flatMap(Clients, (c) => c.make)

/** A fresh client logged in as `user`. */
export const loggedIn = (user: string, password: string) =>
  Effect.gen(function*() {
    const c = yield* client
    yield* c.login({ user, password })
    return c
  })

/** Give a user a password in SQL (host users have none). */
export const setPassword = (name: string, password: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const hash = yield* Passwords.hash(password)
    yield* sql`UPDATE users SET password = ${hash} WHERE name = ${name}`
  })

/** A fresh client logged in as the admin. */
export const admin = loggedIn("admin", adminPassword)

/** The Koji fault an effect fails with, as `{_tag, message}` (what a test compares). */
export const failure = <A, E extends { readonly _tag: string; readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (e) => ({ _tag: e._tag, message: e.message }))

/**
 * A multicall's answers compared with the single calls' (`single(i)` makes call `i` alone), made
 * one after another and then 16 at a time (their lookups read together): the same value, or a
 * failure with the same message, in order.
 */
export const sameAsSingleCalls = <A, E extends { readonly message: string }, R>(
  batched: ReadonlyArray<Either.Either<unknown, { readonly message: string }>>,
  count: number,
  single: (i: number) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    expect(batched).toHaveLength(count)
    const indices = Array.from({ length: count }, (_, i) => i)
    const inTurn = yield* Effect.forEach(indices, (i) => Effect.either(single(i)))
    const concurrent = yield* Effect.forEach(indices, (i) => Effect.either(single(i)), { concurrency: 16 })
    for (const singles of [inTurn, concurrent]) {
      for (const i of indices) {
        const alone = singles[i]!
        const answer = batched[i]!
        expect(Either.isRight(answer)).toBe(Either.isRight(alone))
        if (Either.isRight(answer) && Either.isRight(alone)) expect(answer.right).toEqual(alone.right)
        if (Either.isLeft(answer) && Either.isLeft(alone)) expect(answer.left.message).toBe(alone.left.message)
      }
    }
  })
