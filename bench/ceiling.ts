/**
 * The floor under the hub's call figures, on this machine: the same anonymous `getTag` read
 * (the tag's config row by name, with its extra) answered by
 * - PostgreSQL alone: `pgbench` running the query prepared, 1 and 16 clients;
 * - a bare Node `http` server with node-pg (the hub's driver), the query prepared, no framework:
 *   POST in, the row as JSON out, driven like the hub (`wrk`, keep-alive, 1 and 16 clients);
 * - the hub itself at `/kojihub` (`bench/xmlrpc.ts` measures it the same way).
 * What lies between the bare server and the hub is the hub's own work per call.
 *
 *   node --import tsx bench/ceiling.ts [seconds per run]
 */
import { Console, Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { getTagCall, startHubWithHostProcess } from "./hubProcess.js"
import { load, type LoadResult } from "./load.js"
import { fmt } from "./utils.js"

const seconds = Number(process.argv[2] ?? 5)
const root = fileURLToPath(new URL("..", import.meta.url))

// the hub's read of a current tag by name (Tags.configs), by hand
const query = `SELECT tag.id, tag.name, tag_config.perm_id, permissions.name AS perm, tag_config.arches,
  tag_config.locked, tag_config.maven_support, tag_config.maven_include_all,
  (SELECT json_agg(json_build_object('key', tag_extra.key, 'value', tag_extra.value) ORDER BY tag_extra.key)
     FROM tag_extra WHERE tag_extra.tag_id = tag.id AND tag_extra.active IS TRUE AND tag_extra.value IS NOT NULL) AS extra
  FROM tag_config JOIN tag ON tag.id = tag_config.tag_id LEFT JOIN permissions ON permissions.id = tag_config.perm_id
  WHERE tag.name = $1 AND tag_config.active IS TRUE`

const bareServer = `
const http = require("node:http"), pg = require("pg")
const pool = new pg.Pool({ connectionString: process.env.URL, max: 16 })
const server = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => pool.query({ name: "tag", text: ${JSON.stringify(query)}, values: ["bench-tag"] }).then((r) => {
    const body = JSON.stringify(r.rows)
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  }, (e) => { res.writeHead(500); res.end(String(e)) }))
})
server.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port))
`

const startBare = (databaseUrl: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly kill: () => void; readonly url: string }, Error>((resume) => {
      const child = spawn(process.execPath, ["-e", bareServer], {
        cwd: root,
        env: { ...process.env, URL: databaseUrl },
        stdio: ["ignore", "pipe", "inherit"]
      })
      child.stdout!.on("data", (chunk: Buffer) => {
        const port = /PORT (\d+)/.exec(chunk.toString())?.[1]
        if (port !== undefined) resume(Effect.succeed({ kill: () => child.kill(), url: `http://127.0.0.1:${port}/` }))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`the bare server exited with ${code}`))))
    }),
    (bare) => Effect.sync(bare.kill)
  )

interface Row {
  readonly what: string
  readonly one: { readonly rate: number; readonly p50: number }
  readonly sixteen: { readonly rate: number; readonly p50: number; readonly p99?: number }
}

// pgbench's rate and mean latency for `clients`
const pgbench = (databaseUrl: string, clients: number) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-pgbench-"))
  const script = Path.join(dir, "read.sql")
  Fs.writeFileSync(script, `${query.replace("$1", "'bench-tag'").replace(/\s+/g, " ")};\n`)
  const out = execFileSync("pgbench", [
    "-n", "-M", "prepared", "-f", script, "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(seconds),
    databaseUrl
  ], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
  Fs.rmSync(dir, { recursive: true, force: true })
  return {
    rate: Number(/tps = ([\d.]+)/.exec(out)?.[1]),
    p50: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1])
  }
}

const program = Effect.scoped(Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/ceiling: one tag read by name, ${seconds} s per run, PostgreSQL`)
  const hub = yield* startHubWithHostProcess("postgres")
  const databaseUrl = hub.databaseUrl!
  const bare = yield* startBare(databaseUrl)
  const wrk = (url: string, body: string, contentType: string, expect: string) => (connections: number) =>
    Effect.promise((): Promise<LoadResult> => load({ url, body, contentType, connections, seconds, expect }))
  const runBare = wrk(bare.url, "{}", "application/json", "bench-tag")
  const runHub = wrk(`${hub.url}/kojihub`, getTagCall, "text/xml", "<string>bench-tag</string>")
  const rows: Array<Row> = [
    { what: "pgbench (mean latency)", one: pgbench(databaseUrl, 1), sixteen: pgbench(databaseUrl, 16) },
    { what: "bare http + node-pg", one: yield* runBare(1), sixteen: yield* runBare(16) },
    { what: "hub /kojihub getTag", one: yield* runHub(1), sixteen: yield* runHub(16) }
  ]
  yield* Console.log(
    [
      `\n${"".padEnd(24)} ${"1 client/s".padStart(11)} ${"p50 ms".padStart(7)} ${"16 clients/s".padStart(13)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)}`,
      ...rows.map((r) =>
        `${r.what.padEnd(24)} ${fmt(r.one.rate).padStart(11)} ${fmt(r.one.p50, 3).padStart(7)} ${fmt(r.sixteen.rate).padStart(13)} ${
          fmt(r.sixteen.p50, 2).padStart(7)
        } ${(r.sixteen.p99 === undefined ? "" : fmt(r.sixteen.p99, 2)).padStart(7)}`
      )
    ].join("\n")
  )
}))

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
