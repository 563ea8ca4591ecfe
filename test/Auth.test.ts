import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import * as Https from "node:https"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as Sessions from "../src/hub/Sessions.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Server from "../src/rpc/Server.js"
import * as Certificates from "./utils/Certificates.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as FileStore from "../src/storage/FileStore.js"

const certs = Certificates.make()
const proxyDn = "O=koji-ts,CN=kojiweb"

// an HTTPS hub that asks for client certificates; kojiweb may log in other users
const httpsHub = (database: Layer.Layer<any>) =>
  Server.layer({ host: "127.0.0.1", port: 0, tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca } }).pipe(
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    Layer.provideMerge(HubConfig.layer({
      proxyDns: [proxyDn],
      proxyUserHeader: "x-remote-user",
      trustedProxyAddresses: ["127.0.0.1"]
    })),
    Layer.provideMerge(FileStore.layerMemory),
    Layer.provideMerge(database),
    Layer.orDie
  )

// one typed-API call as NDJSON over HTTPS, with HTTP headers of our choosing; answers the raw response
const rawCall = (url: string, tag: string, headers: Record<string, string>) =>
  Effect.async<string>((resume) => {
    const body = JSON.stringify({ _tag: "Request", id: "1", tag, payload: {}, headers: [] }) + "\n"
    const request = Https.request(url, {
      method: "POST",
      ca: certs.ca,
      headers: { "content-type": "application/ndjson", ...headers }
    }, (response) => {
      let text = ""
      response.on("data", (chunk) => text += chunk)
      response.on("end", () => resume(Effect.succeed(text)))
    })
    request.end(body)
  })

const httpsClient = (cn?: string) =>
  Effect.gen(function*() {
    const url = (yield* Server.url).replace("http://", "https://")
    const pem = cn === undefined ? undefined : certs.client(cn)
    return yield* KojiClient.makeHttp({
      url: `${url}/api`,
      tls: pem === undefined ? { cert: "", key: "", ca: certs.ca } : { ...pem, ca: certs.ca }
    })
  })

describe("Auth", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(httpsHub(Database), { timeout: "120 seconds", excludeTestServices: true })(`${db} https`, (it) => {
      it.scoped("a verified client certificate logs in as its CN, creating the user on first login", () =>
        Effect.gen(function*() {
          const alice = yield* httpsClient("alice")
          yield* alice.sslLogin({})
          expect(yield* alice.getLoggedInUser({})).toMatchObject({ name: "alice", authtype: 2, usertype: 0 })
          // again: same user, no duplicate
          const again = yield* httpsClient("alice")
          yield* again.sslLogin({})
          expect((yield* again.getLoggedInUser({}))!.id).toBe((yield* alice.getLoggedInUser({}))!.id)
        }))

      it.scoped("without a certificate, sslLogin is an AuthError; password login still works over HTTPS", () =>
        Effect.gen(function*() {
          const anon = yield* httpsClient()
          const error = yield* Effect.flip(anon.sslLogin({}))
          expect(error._tag).toBe("AuthError")
          yield* anon.login({ user: "admin", password: TestHub.adminPassword })
          expect(yield* anon.getLoggedInUser({})).toMatchObject({ name: "admin", authtype: 0 })
        }))

      it.scoped("proxyuser: only from a configured proxy identity", () =>
        Effect.gen(function*() {
          const web = yield* httpsClient("kojiweb")
          yield* web.sslLogin({ proxyuser: "carol" })
          expect(yield* web.getLoggedInUser({})).toMatchObject({ name: "carol", authtype: 2 })
          const mallory = yield* httpsClient("mallory")
          const error = yield* Effect.flip(mallory.sslLogin({ proxyuser: "admin" }))
          expect(error).toMatchObject({ _tag: "AuthError", message: "O=koji-ts,CN=mallory is not authorized to login other users" })
        }))

      it.scoped("a trusted front proxy's user header logs in that user; forged transport headers are refused", () =>
        Effect.gen(function*() {
          const url = (yield* Server.url).replace("http://", "https://")
          // a front proxy sets the header on the HTTP request itself
          const viaProxy = JSON.parse(yield* rawCall(`${url}/api`, "sslLogin", { "x-remote-user": "dave" }))
          expect(viaProxy.exit._tag).toBe("Success")
          const info = viaProxy.exit.value
          const me = JSON.parse(yield* rawCall(`${url}/api`, "getLoggedInUser", {
            "koji-session-id": String(info["session-id"]),
            "koji-session-key": info["session-key"]
          }))
          expect(me.exit.value).toMatchObject({ name: "dave", authtype: 3 })
          // a client that writes the token header itself names no request in flight
          const client = yield* httpsClient()
          const forged = yield* Effect.flip(client.sslLogin({}, { headers: { "x-koji-transport": "guess" } }))
          expect(forged).toMatchObject({ _tag: "AuthError", message: "Invalid request: unknown transport" })
        }))
    })
  }

  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.transports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(`${db} ${transport}`, (it) => {
        it.scoped("subsessions close with their master; logoutChild closes one", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const probe = yield* TestHub.client
            const as = (info: { readonly "session-id": number; readonly "session-key": string }) =>
              probe.getLoggedInUser({}, {
                headers: { "koji-session-id": String(info["session-id"]), "koji-session-key": info["session-key"] }
              })
            const child = yield* admin.subsession({})
            const other = yield* admin.subsession({})
            expect(yield* as(child)).toMatchObject({ name: "admin" })
            yield* admin.logoutChild({ session_id: other["session-id"] })
            expect(yield* Effect.flip(as(other))).toMatchObject({ _tag: "AuthError", message: "Invalid session or bad credentials" })
            expect(yield* as(child)).toMatchObject({ name: "admin" })
            yield* admin.logout({})
            expect((yield* Effect.flip(as(child)))._tag).toBe("AuthError")
          }))

        it.scoped("the sweep removes closed and idle sessions, and keeps live ones", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const sessions = yield* Sessions.Sessions
            const live = yield* TestHub.admin
            const closed = yield* TestHub.admin
            const idle = yield* TestHub.admin
            const closedId = (yield* closed.session)!.id
            const idleId = (yield* idle.session)!.id
            const liveId = (yield* live.session)!.id
            yield* closed.logout({})
            yield* sql`UPDATE sessions SET update_time = now() - interval '30 days' WHERE id = ${idleId}`
            expect(yield* sessions.sweep).toBeGreaterThanOrEqual(2)
            const left = yield* sql<{ id: number }>`SELECT id FROM sessions WHERE id IN (${closedId}, ${idleId}, ${liveId})`
            expect(left.map((r) => r.id)).toEqual([liveId])
            expect(yield* live.getLoggedInUser({})).toMatchObject({ name: "admin" })
          }))

        it.scoped("calls that need a login refuse anonymous callers with Koji's fault", () =>
          Effect.gen(function*() {
            const anon = yield* TestHub.client
            for (const call of [anon.logout({}), anon.subsession({}), anon.exclusiveSession({})]) {
              expect(yield* Effect.flip(call)).toMatchObject({
                _tag: "ActionNotAllowed",
                message: "you must be logged in for this operation"
              })
            }
            const bad = yield* Effect.flip(anon.getLoggedInUser({}, { headers: { "koji-session-id": "12x", "koji-session-key": "k" } }))
            expect(bad._tag).toBe("AuthError")
          }))
      })
    }
  }
})
