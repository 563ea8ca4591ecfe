/**
 * The typed API's HTTP route (`/api`) as `@effect/rpc` clients see it: a plain call
 * is answered on the hub's direct path with the frames `RpcServer` would write;
 * streams, several frames and unknown methods go through `RpcServer` itself; bad
 * bodies get a clean 400. On both databases, and on both server paths: the call
 * routes answered on Node's request, and the platform's router (`tracing: true`).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Http from "node:http"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// a raw POST to `/api`; answers the status and the NDJSON frames (or the text)
const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  Effect.async<{ status: number; text: string; frames: Array<any> }>((resume) => {
    const request = Http.request(`${url}/api`, {
      method: "POST",
      headers: { "content-type": "application/ndjson", ...headers }
    }, (response) => {
      let text = ""
      response.on("data", (chunk) => text += chunk)
      response.on("end", () => {
        let frames: Array<any> = []
        try {
          frames = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
        } catch {
          frames = []
        }
        resume(Effect.succeed({ status: response.statusCode ?? 0, text, frames }))
      })
    })
    request.on("error", (e) => resume(Effect.die(e)))
    request.end(body)
  })

const frame = (tag: string, payload: unknown, id = "1", headers: Array<[string, string]> = []) =>
  JSON.stringify({ _tag: "Request", id, tag, payload, headers }) + "\n"

// a raw POST of XML-RPC to `/kojihub`; answers the status and the text
const postXml = (url: string, body: string) =>
  Effect.async<{ status: number; text: string; headers: Http.IncomingHttpHeaders }>((resume) => {
    const request = Http.request(`${url}/kojihub`, { method: "POST", headers: { "content-type": "text/xml" } }, (response) => {
      let text = ""
      response.on("data", (chunk) => text += chunk)
      response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, text, headers: response.headers })))
    })
    request.on("error", (e) => resume(Effect.die(e)))
    request.end(body)
  })

const servers = [["direct", TestHub.httpWith()], ["router", TestHub.httpWith({ tracing: true })]] as const

describe("/api frames", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [path, server] of servers) {
    layer(TestHub.layer(Database, server), { timeout: "120 seconds", excludeTestServices: true })(
      `${db} ${path}`,
      (it) => {
        it.scoped("/kojihub answers a call, a fault and a bad body with Koji's headers", () =>
          Effect.gen(function*() {
            const { url } = yield* TestHub.Clients
            const call = (method: string, params = "") =>
              postXml(url!, `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`)
            const ok = yield* call("getAPIVersion")
            expect(ok.status).toBe(200)
            expect(ok.text).toContain("<value><int>1</int></value>")
            expect(ok.headers["content-type"]).toBe("text/xml")
            expect(ok.headers["koji-version"]).toMatch(/^1\.\d+/)
            const missing = yield* call("getTag", "<param><value><string>no-such-tag</string></value></param>")
            expect(missing.text).toContain("<methodResponse>")
            const fault = yield* call("noSuchMethod")
            expect(fault.text).toContain("<name>faultCode</name>")
            expect(fault.text).toContain("Invalid method: noSuchMethod")
            const bad = yield* postXml(url!, "<methodCall><methodName>")
            expect(bad.status).toBe(400)
            expect(bad.text).toMatch(/^Invalid request: /)
          }))

        it.scoped("plain calls: success, typed failure, undecodable payload, session headers in the frame", () =>
          Effect.gen(function*() {
            const { url } = yield* TestHub.Clients
            const ok = yield* post(url!, frame("getAPIVersion", {}, "7"))
            expect(ok.status).toBe(200)
            expect(ok.frames).toEqual([{ _tag: "Exit", requestId: "7", exit: { _tag: "Success", value: 1 } }])

            const refused = yield* post(url!, frame("createUser", { username: "frames-x" }))
            expect(refused.frames).toHaveLength(1)
            expect(refused.frames[0]).toMatchObject({ _tag: "Exit", requestId: "1", exit: { _tag: "Failure" } })
            expect(JSON.stringify(refused.frames[0].exit.cause)).toContain("ActionNotAllowed")

            // a payload that does not decode: a defect in the call's own exit, as RpcServer answers it
            const bad = yield* post(url!, frame("getHost", { hostInfo: [1, 2] }, "9"))
            expect(bad.frames).toHaveLength(1)
            expect(bad.frames[0]).toMatchObject({ _tag: "Exit", requestId: "9", exit: { _tag: "Failure", cause: { _tag: "Die" } } })

            // the session may travel in the frame's headers as well as in the HTTP headers
            const admin = yield* TestHub.admin
            const session = (yield* admin.session)!
            const headers: Array<[string, string]> = [
              ["koji-session-id", String(session.id)],
              ["koji-session-key", session.key]
            ]
            const me = yield* post(url!, frame("getLoggedInUser", {}, "2", headers))
            expect(me.frames[0]).toMatchObject({ exit: { _tag: "Success", value: { name: "admin" } } })
          }))

        it.scoped("unknown methods, several frames and bad bodies go through RpcServer or get a 400", () =>
          Effect.gen(function*() {
            const { url } = yield* TestHub.Clients
            const unknown = yield* post(url!, frame("noSuchMethod", {}))
            expect(unknown.status).toBe(200)
            expect(unknown.frames).toEqual([{ _tag: "Defect", defect: "Unknown request tag: noSuchMethod" }])

            // sent in chunks, without a length: replayed to RpcServer whole
            const chunked = yield* post(url!, frame("noSuchMethod", {}), { "transfer-encoding": "chunked" })
            expect(chunked.frames).toEqual([{ _tag: "Defect", defect: "Unknown request tag: noSuchMethod" }])

            // a frame may leave its headers out
            const bare = yield* post(url!, JSON.stringify({ _tag: "Request", id: "3", tag: "getAPIVersion", payload: {} }))
            expect(bare.frames).toEqual([{ _tag: "Exit", requestId: "3", exit: { _tag: "Success", value: 1 } }])

            const two = yield* post(url!, frame("getAPIVersion", {}, "1") + frame("hello", {}, "2"))
            expect(two.frames.map((f) => [f.requestId, f.exit._tag]).sort()).toEqual([["1", "Success"], ["2", "Success"]])

            const notJson = yield* post(url!, "this is not json\n")
            expect(notJson.status).toBe(200)
            expect(notJson.frames).toEqual([{
              _tag: "Defect",
              defect: { name: "SyntaxError", message: expect.stringContaining("is not valid JSON") }
            }])

            // a chunked body past the request limit (4 MiB) is cut while it is read
            const huge = yield* post(url!, Buffer.alloc(5 * 1024 * 1024, 32), { "transfer-encoding": "chunked" })
            expect(huge.status).toBe(400)
            expect(huge.text).toMatch(/^Invalid request: request body too long/)

            // the hub still serves the next call
            const next = yield* post(url!, frame("hello", {}))
            expect(next.frames[0]).toMatchObject({ exit: { _tag: "Success" } })
          }))
      }
    )
    }
  }
})
