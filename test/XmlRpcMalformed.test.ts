/**
 * Hostile and broken bodies at /kojihub: each gets a clean answer within a
 * bounded time, and the hub serves the next call.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Net from "node:net"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Server from "../src/rpc/Server.js"
import * as TestDatabases from "./utils/Databases.js"
import * as FileStore from "../src/storage/FileStore.js"

const hub = Server.layer({ host: "127.0.0.1", port: 0, requestTimeout: 2_000 }).pipe(
  Layer.provideMerge(Hub.layer),
  Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: "x" }))),
  Layer.provideMerge(HubConfig.layer()),
  Layer.provideMerge(FileStore.layerMemory),
  Layer.provideMerge(TestDatabases.migrated[0]![1]),
  Layer.orDie
)

const post = (url: string, body: string | Uint8Array, contentType = "text/xml") =>
  Effect.promise(async () => {
    const started = performance.now()
    const response = await fetch(url, { method: "POST", body, headers: { "content-type": contentType } })
    return { status: response.status, text: await response.text(), ms: performance.now() - started }
  })

const hello = "<?xml version='1.0'?><methodCall><methodName>hello</methodName><params></params></methodCall>"
const call = (method: string, params: string) =>
  `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`

describe("/kojihub under malformed input", () => {
  layer(hub, { timeout: "120 seconds", excludeTestServices: true })("pglite", (it) => {
    it.effect("truncated XML, wrong types, an entity bomb, deep nesting, a 10 MiB body: clean answers", () =>
      Effect.gen(function*() {
        const url = `${yield* Server.url}/kojihub`
        const truncated = yield* post(url, "<?xml version='1.0'?><methodCall><methodName>hello</method")
        expect(truncated.status).toBe(400)
        expect(truncated.text).toMatch(/^Invalid request: /)
        const wrongType = yield* post(url, call("echo", "<param><value><int>abc</int></value></param>"))
        expect(wrongType.status).toBe(400)
        const bomb = yield* post(url,
          `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
            `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
            `<methodCall><methodName>echo</methodName><params><param><value>&lol3;</value></param></params></methodCall>`)
        expect(bomb.status).toBe(400)
        const deep = yield* post(url, call("echo", `<param>${"<value><array><data>".repeat(5000)}${"</data></array></value>".repeat(5000)}</param>`))
        expect(deep.status).toBe(400)
        expect(deep.ms).toBeLessThan(5_000)
        const huge = yield* post(url, call("echo", `<param><value><string>${"x".repeat(10 * 1024 * 1024)}</string></value></param>`))
        expect(huge.status).toBe(400)
        // a wrong argument type is a ParameterError fault, not a crash
        const badArg = yield* post(url, call("getHost", "<param><value><array><data></data></array></value></param>"))
        expect(badArg.status).toBe(200)
        expect(badArg.text).toContain("<int>1019</int>")
        // a non-POST
        const get = yield* Effect.promise(() => fetch(url))
        expect(get.status).toBe(405)
        // the typed API refuses an oversized request before reading it
        const big = yield* Effect.promise(() =>
          fetch(url.replace("/kojihub", "/api"), {
            method: "POST",
            body: "x".repeat(5 * 1024 * 1024),
            headers: { "content-type": "application/ndjson" }
          }))
        expect(big.status).toBe(413)
        // and the hub still answers
        const ok = yield* post(url, hello)
        expect(ok.status).toBe(200)
        expect(ok.text).toContain("Hello World")
      }))

    it.effect("a body that never finishes is cut off, and the hub serves the next call", () =>
      Effect.gen(function*() {
        const base = new URL(yield* Server.url)
        const started = performance.now()
        const answer = yield* Effect.async<string>((resume) => {
          const socket = Net.connect(Number(base.port), base.hostname, () => {
            socket.write(
              `POST /kojihub HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<?xml`
            )
          })
          let data = ""
          socket.on("data", (chunk) => data += chunk)
          socket.on("close", () => resume(Effect.succeed(data)))
          socket.on("error", () => resume(Effect.succeed(data)))
        })
        const elapsed = performance.now() - started
        expect(elapsed).toBeLessThan(10_000)
        expect(answer === "" || /^HTTP\/1\.1 (400|408)/.test(answer)).toBe(true)
        const ok = yield* post(`${base.origin}/kojihub`, hello)
        expect(ok.text).toContain("Hello World")
      }))
  })
})
