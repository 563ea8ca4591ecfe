/**
 * The XML-RPC client transport against a real Koji hub's recorded answers: a
 * loopback server replays each sample's response body, and the typed client must
 * decode it into our records (so the SDK drives a stock Koji hub), while its
 * request names the same method with the same arguments the real `koji` CLI sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Codec from "../src/xmlrpc/Codec.js"
import * as Samples from "./utils/Samples.js"

const samples = `${Samples.directory}/`
const read = (name: string) => Fs.readFileSync(`${samples}${name}`, "utf8")

// a loopback "Koji hub" that answers every POST with one recorded body and keeps the request
const replay = (sample: string) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; requests: Array<string>; server: Http.Server }>((resume) => {
      const requests: Array<string> = []
      const server = Http.createServer((req, res) => {
        let body = ""
        req.on("data", (c) => body += c)
        req.on("end", () => {
          requests.push(body)
          res.writeHead(200, { "Content-Type": "text/xml", "Koji-Version": "1.35.3" })
          res.end(read(`${sample}.response.xml`))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as { port: number }
        resume(Effect.succeed({ url: `http://127.0.0.1:${address.port}/kojihub`, requests, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
  )

const sameCall = (ours: string, sample: string) =>
  Effect.gen(function*() {
    const a = yield* Codec.parseMethodCall(ours)
    const b = yield* Codec.parseMethodCall(read(`${sample}.request.xml`))
    expect({ methodName: a.methodName, params: a.params }).toEqual({ methodName: b.methodName, params: b.params })
  })

describe("XML-RPC client against recorded Koji answers", () => {
  it.scoped("getHost, getUser, getAllPerms, listChannels, listHosts, getLastEvent, hello, getAPIVersion decode", () =>
    Effect.gen(function*() {
      const cases = [
        ["getHost", (k: KojiClient.Client) => k.getHost({ hostInfo: "builder1" })],
        ["getUser", (k: KojiClient.Client) => k.getUser({ userInfo: "admin" })],
        ["getAllPerms", (k: KojiClient.Client) => k.getAllPerms({})],
        ["listChannels", (k: KojiClient.Client) => k.listChannels({})],
        ["listHosts", (k: KojiClient.Client) => k.listHosts({})],
        ["getLastEvent", (k: KojiClient.Client) => k.getLastEvent({})],
        ["hello", (k: KojiClient.Client) => k.hello({})],
        ["getAPIVersion", (k: KojiClient.Client) => k.getAPIVersion({})],
        ["getKojiVersion", (k: KojiClient.Client) => k.getKojiVersion({})]
      ] as const
      for (const [sample, run] of cases) {
        const hub = yield* replay(sample)
        const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
        const result: unknown = yield* (run(koji) as Effect.Effect<unknown, unknown>)
        expect(result, sample).not.toBeUndefined()
        const request = yield* Codec.parseMethodCall(hub.requests[0]!)
        expect(request.methodName).toBe(sample)
      }
    }))

  it.scoped("the calls go out as the koji CLI sent them", () =>
    Effect.gen(function*() {
      for (const [sample, run] of [
        ["getUser", (k: KojiClient.Client) => k.getUser({ userInfo: "admin" })],
        ["getAPIVersion", (k: KojiClient.Client) => k.getAPIVersion({})],
        ["hello", (k: KojiClient.Client) => k.hello({})]
      ] as const) {
        const hub = yield* replay(sample)
        const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
        yield* (run(koji) as Effect.Effect<unknown, unknown>)
        yield* sameCall(hub.requests[0]!, sample)
      }
    }))

  it.scoped("a recorded fault arrives as the typed Koji error", () =>
    Effect.gen(function*() {
      const hub = yield* replay("fault-createTag-permission")
      const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
      const error = yield* Effect.flip(koji.hello({}))
      expect(error).toMatchObject({ _tag: "ActionNotAllowed" })
      expect((error as { message: string }).message).toContain("permission required")
    }))

  it.scoped("login: session id and key kept, sent as Koji's headers on the next call", () =>
    Effect.gen(function*() {
      const hub = yield* replay("login")
      const koji = yield* KojiClient.makeXmlRpc({ url: hub.url })
      const info = yield* koji.login({ user: "admin", password: "x" })
      expect(info["session-id"]).toBe(4)
      expect((yield* koji.session)?.id).toBe(4)
    }))
})

