import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Server from "../src/rpc/Server.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as Samples from "./utils/Samples.js"
import * as FileStore from "../src/storage/FileStore.js"

const script = fileURLToPath(new URL("fixtures/xmlrpc_client_check.py", import.meta.url))
const samples = Samples.directory

const hub = (database: Layer.Layer<any>) =>
  Server.layer({ host: "127.0.0.1", port: 0 }).pipe(
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    Layer.provideMerge(HubConfig.layer()),
    Layer.provideMerge(FileStore.layerMemory),
    Layer.provideMerge(database),
    Layer.orDie
  )

const python = (url: string) =>
  Effect.async<any, Error>((resume) => {
    execFile("python3", [script, url, TestHub.adminPassword, samples], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) resume(Effect.fail(new Error(`${error.message}\n${stderr}`)))
      else resume(Effect.succeed(JSON.parse(stdout)))
    })
  })

describe("XML-RPC at /kojihub, driven by Python's xmlrpc.client", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(hub(Database), { timeout: "120 seconds", excludeTestServices: true })(db, (it) => {
      it.effect("speaks Koji's dialect as Koji's clients expect", () =>
        Effect.gen(function*() {
          const r = yield* python(`${yield* Server.url}/kojihub`)
          expect(r.hello).toEqual({ ok: "Hello World" })
          expect(r.status).toBe(200)
          expect(r.content_type).toBe("text/xml")
          expect(r.koji_version).toBe("1.35.3")
          expect(r.api_version).toEqual({ ok: 1 })
          expect(r.echo_i8).toEqual({ ok: [2 ** 40, -(2 ** 31), null, "ünïcødé <&>"] })
          expect(r.unknown_method).toEqual({ faultCode: 1000, faultString: "Invalid method: noSuchMethod" })
          expect(r.bad_args.faultCode).toBe(1019)
          expect(r.bad_args.faultString).toContain("missing 1 required positional argument: 'hostInfo'")
          expect(r.bad_kwarg).toMatchObject({ faultCode: 1019 })
          expect(r.get_status).toBe(405)
          expect(r.get_allow).toBe("POST")
          expect(r.truncated_status).toBe(400)
          expect(r.truncated_body).toMatch(/^Invalid request: /)
          // sessions
          expect(r.header_auth).toBe(true)
          expect(r.whoami.ok).toMatchObject({ name: "admin", authtype: 0 })
          expect(r.whoami_query.ok).toMatchObject({ name: "admin" })
          expect(typeof r.create_user.ok).toBe("number")
          expect(r.replayed.faultCode).toBe(1009)
          expect(r.older.faultCode).toBe(1008)
          // keyword arguments
          expect(typeof r.add_host.ok).toBe("number")
          expect(r.get_host_kw.ok).toMatchObject({ name: "wire-builder", arches: "x86_64 noarch", capacity: 2 })
          expect(r.strict_miss.faultCode).toBe(1000)
          expect(r.no_perm).toEqual({
            faultCode: 1004,
            faultString: "admin permission required (logged in as wire-alice)"
          })
          // multicall: singleton lists and fault structs; the failed call's write is gone
          const [first, second, third, fourth] = r.multicall.ok
          expect(typeof first[0]).toBe("number")
          expect(second.faultCode).toBe(1000)
          expect(third[0]).toMatchObject({ name: "wire-dave" })
          expect(fourth).toEqual({ faultCode: 1000, faultString: "Invalid method: noSuchMethod" })
          expect(r.system_multicall).toEqual({ ok: [["Hello World"]] })
          expect(r.list_methods.ok).toContain("getHost")
          expect(r.list_methods.ok).not.toContain("multiCall")
          // every recorded sample this hub covers: the same field names and value types as Koji's
          for (const [name, { koji, ours }] of Object.entries(r.shapes as Record<string, { koji: unknown; ours: unknown }>)) {
            expect({ name, shape: ours }).toEqual({ name, shape: koji })
          }
        }))
    })
  }
})
