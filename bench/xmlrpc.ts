/**
 * XML-RPC throughput at /kojihub: an anonymous read with 1 and 16 concurrent
 * keep-alive clients, and a `multiCall` of 1,000 reads (the median of 20 runs
 * after 5 warm-up runs, and the first run), against a hub daemon in its own
 * process on PostgreSQL (and PGlite).
 *
 *   node --import tsx bench/xmlrpc.ts [seconds per run]
 *
 * It reads `getTag` by name, as the anchor does. Koji 1.35 here: ~1,780 calls/s at 16 clients (p50 8.9 ms, p99 11 ms),
 * ~990 calls/s at 1 client (p50 0.9 ms), multiCall of 1,000 in ~450 ms.
 */
import { Console, Effect } from "effect"
import { type Backend, getTagCall, startHubWithHost } from "./hubProcess.js"
import { load } from "./load.js"
import { callsTable, timeRuns } from "./utils.js"

const seconds = Number(process.argv[2] ?? 5)
const read = "<value><struct><member><name>methodName</name><value><string>getTag</string></value></member>" +
  "<member><name>params</name><value><array><data><value><string>bench-tag</string></value></data></array></value></member></struct></value>"
const multi = "<?xml version='1.0'?>\n<methodCall>\n<methodName>multiCall</methodName>\n<params>\n<param>\n" +
  `<value><array><data>${read.repeat(1000)}</data></array></value>\n</param>\n</params>\n</methodCall>\n`

const multicall = (url: string) =>
  timeRuns(Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body: multi, headers: { "content-type": "text/xml" } })
    const text = await response.text()
    if (text.includes("faultCode")) throw new Error("a call failed")
  }))

const runOn = (backend: Backend, workers = 1) =>
  Effect.scoped(Effect.gen(function*() {
    const url = `${yield* startHubWithHost(backend, workers)}/kojihub`
    const run = (connections: number) =>
      Effect.promise(() =>
        load({
          url,
          body: getTagCall,
          contentType: "text/xml",
          connections,
          seconds,
          expect: "<string>bench-tag</string>"
        })
      )
    return { backend: workers > 1 ? `${backend}, ${workers} workers` : backend, one: yield* run(1), sixteen: yield* run(16), multi: yield* multicall(url) }
  }))

const program = Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/xmlrpc: anonymous getTag at /kojihub, ${seconds} s per run, hub in its own process`)
  const results = [yield* runOn("postgres"), yield* runOn("postgres", 2), yield* runOn("pglite")]
  yield* Console.log(`\nload generator: ${results[0]!.one.client}`)
  yield* Console.log(callsTable(results))
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
