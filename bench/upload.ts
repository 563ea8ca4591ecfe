/**
 * Upload throughput: a 100 MiB file sent to a hub process (`apps/hub`, its topdir on local
 * disk) over loopback with the SDK's `upload`, each chunk's adler32 checked against the hub's
 * answer and the whole confirmed with `checkUpload`:
 *
 * 1. Koji's fast upload over XML-RPC (`POST /kojihub`, `application/octet-stream`), as the
 *    `koji` CLI sends it;
 * 2. the typed API's `/api/upload` (same query, JSON answer);
 *
 * each in Koji's 1 MiB chunks (the `koji` CLI's `upload_blocksize`, the SDK's default over XML-RPC),
 * in 4 MiB chunks, and streamed whole in one request (`chunkSize: Infinity`, the SDK's default
 * over HTTP; Koji's hub takes a raw upload of any length too). Each case runs 3 times (a new file
 * each time); the best and the median are printed in MiB/s.
 *
 *   node --import tsx bench/upload.ts [MiB]          (KOJI_BENCH_BACKEND=postgres for PostgreSQL)
 */
import { Console, Effect } from "effect"
import * as Os from "node:os"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Checksum from "../src/storage/Checksum.js"
import { adminPassword, type Backend, startHub } from "./hubProcess.js"
import { fmt } from "./utils.js"

const MiB = 1024 * 1024
const size = Number(process.argv[2] ?? 100) * MiB
const runs = 3
const backend = (process.env.KOJI_BENCH_BACKEND ?? "pglite") as Backend

const data = new Uint8Array(size)
for (let i = 0, x = 1; i < size; i++) {
  x = (x * 1103515245 + 12345) >>> 0
  data[i] = x >>> 24
}
const digest = Checksum.digest("adler32", data)

const measure = (label: string, client: KojiClient.Client, chunkSize: number) =>
  Effect.gen(function*() {
    const rates: Array<number> = []
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      const result = yield* client.upload({
        path: `bench/${label}-${chunkSize}`,
        name: `file-${run}.bin`,
        data,
        chunkSize
      })
      const seconds = (performance.now() - started) / 1000
      if (result.size !== size || result.hexdigest !== digest) {
        return yield* Effect.die(new Error(`${label}: the hub has ${result.size} bytes (${result.hexdigest})`))
      }
      rates.push(size / MiB / seconds)
    }
    const sorted = [...rates].sort((a, b) => a - b)
    return { label, chunkSize, best: sorted.at(-1)!, median: sorted[Math.floor(sorted.length / 2)]! }
  })

const program = Effect.gen(function*() {
  yield* Console.log(
    `upload of ${fmt(size / MiB)} MiB to a hub process on loopback (${backend}, local topdir); ` +
      `load average ${Os.loadavg()[0]!.toFixed(1)} on ${Os.cpus().length} CPUs`
  )
  const url = yield* startHub(backend)
  const xmlrpc = yield* KojiClient.makeXmlRpc({ url: `${url}/kojihub` })
  yield* xmlrpc.login({ user: "admin", password: adminPassword })
  const http = yield* KojiClient.makeHttp({ url: `${url}/api` })
  yield* http.login({ user: "admin", password: adminPassword })
  const rows = []
  for (const chunkSize of [MiB, 4 * MiB, Infinity]) {
    rows.push(yield* measure("xmlrpc", xmlrpc, chunkSize))
    rows.push(yield* measure("http", http, chunkSize))
  }
  yield* Console.log(`${"transport".padEnd(28)} ${"chunk".padStart(6)} ${"best MiB/s".padStart(11)} ${"median MiB/s".padStart(13)}`)
  for (const row of rows) {
    const name = row.label === "xmlrpc" ? "XML-RPC rawUpload /kojihub" : "typed /api/upload"
    yield* Console.log(
      `${name.padEnd(28)} ${(row.chunkSize === Infinity ? "stream" : `${row.chunkSize / MiB} MiB`).padStart(6)} ${
        fmt(row.best).padStart(11)
      } ${
        fmt(row.median).padStart(13)
      }`
    )
  }
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exit(1)
})
