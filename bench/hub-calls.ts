/**
 * Hub call throughput over the typed API (`/api`, NDJSON): anonymous `getHost`
 * with 1 and 16 concurrent keep-alive clients, and a `multiCall` of 1,000
 * `getHost` through the SDK (the median of 20 runs after 5 warm-up runs, and the
 * first run), against a hub daemon in its own process, on PostgreSQL and on
 * embedded PGlite.
 *
 *   node --import tsx bench/hub-calls.ts [seconds per run]
 *
 * Reference: a real Koji 1.35 hub on this kind of machine answers ~1,780 reads/s
 * with 16 clients and takes ~450 ms for a 1,000-call multicall.
 */
import { Console, Effect, Either } from "effect"
import * as KojiClient from "../src/client/KojiClient.js"
import { type Backend, startHubWithHost } from "./hubProcess.js"
import { load } from "./load.js"
import { callsTable, timeRuns } from "./utils.js"

const seconds = Number(process.argv[2] ?? 5)
const body = JSON.stringify({ _tag: "Request", id: "1", tag: "getHost", payload: { hostInfo: "bench-host" }, headers: [] }) +
  "\n"

const multicall = (url: string) =>
  Effect.gen(function*() {
    const koji = yield* KojiClient.makeHttp({ url: `${url}/api` })
    const once = koji.multicall((m) => Array.from({ length: 1000 }, () => m.getHost({ hostInfo: "bench-host" })))
    return yield* timeRuns(Effect.flatMap(once, (results) =>
      results.every(Either.isRight) ? Effect.void : Effect.dieMessage("a call failed")))
  })

const runOn = (backend: Backend, workers = 1) =>
  Effect.scoped(Effect.gen(function*() {
    const url = yield* startHubWithHost(backend, workers)
    const run = (connections: number) =>
      Effect.promise(() =>
        load({
          url: `${url}/api`,
          body,
          contentType: "application/ndjson",
          connections,
          seconds,
          expect: '"_tag":"Success"'
        })
      )
    return { backend: workers > 1 ? `${backend}, ${workers} workers` : backend, one: yield* run(1), sixteen: yield* run(16), multi: yield* multicall(url) }
  }))

const program = Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/hub-calls: anonymous getHost over /api, ${seconds} s per run, hub in its own process`)
  const results = [yield* runOn("postgres"), yield* runOn("postgres", 2), yield* runOn("pglite")]
  yield* Console.log(`\nload generator: ${results[0]!.one.client}`)
  yield* Console.log(callsTable(results))
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
