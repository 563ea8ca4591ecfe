/**
 * The load generator of the benchmarks: keep-alive connections, one request in
 * flight per connection, a fixed body, latencies recorded, each answer checked.
 * It drives `wrk` (Debian's `wrk` package) when it is installed, as the anchor
 * figures were measured; otherwise a light Node client, which on a small machine
 * takes CPU from the hub it measures.
 */
import { execFile, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { percentile } from "./utils.js"

export interface LoadResult {
  readonly rate: number
  readonly p50: number
  readonly p99: number
  readonly requests: number
  /** What generated the load: `wrk` or `node`. */
  readonly client: string
}

export interface LoadOptions {
  readonly url: string
  readonly body: string
  readonly contentType: string
  readonly connections: number
  readonly seconds: number
  /** A text every good answer contains. */
  readonly expect: string
  readonly headers?: Record<string, string>
}

const hasWrk = (): boolean => spawnSync("wrk", ["--version"]).error === undefined

/** Send `body` to `url` from `connections` clients for `seconds`, checking each answer. */
export const load = (options: LoadOptions): Promise<LoadResult> =>
  process.env.KOJI_BENCH_CLIENT !== "node" && hasWrk() ? loadWrk(options) : loadNode(options)

const lua = (s: string) => JSON.stringify(s)

const loadWrk = async (options: LoadOptions): Promise<LoadResult> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-wrk-"))
  const headers = { "content-type": options.contentType, ...options.headers }
  const script = [
    `wrk.method = "POST"`,
    `wrk.body = ${lua(options.body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
    // each thread counts its unexpected answers; `done` adds them up
    `local threads = {}`,
    `function setup(thread) table.insert(threads, thread) end`,
    `bad = 0`,
    `function response(status, headers, body)`,
    `  if status ~= 200 or not string.find(body, ${lua(options.expect)}, 1, true) then bad = bad + 1 end`,
    `end`,
    `function done(summary, latency, requests)`,
    `  local unexpected = 0`,
    `  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("bad") end`,
    `  io.write(string.format("RESULT %d %d %d %f %f %d\\n", summary.requests, summary.duration,`,
    `    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,`,
    `    latency:percentile(50), latency:percentile(99), unexpected))`,
    `end`
  ].join("\n")
  const file = Path.join(dir, "load.lua")
  Fs.writeFileSync(file, script)
  try {
    // asynchronously: a blocked event loop would leave this process's own idle connections
    // to the hub unnoticed when the hub closes them
    const run = (seconds: number) =>
      new Promise<string>((resolve, reject) =>
        execFile("wrk", [
        "-t",
        String(Math.min(2, options.connections)),
        "-c",
        String(options.connections),
        "-d",
        `${seconds}s`,
        "-s",
        file,
        options.url
      ], (error, stdout) => error === null ? resolve(stdout) : reject(error))
      )
    await run(1) // warm up
    const out = await run(options.seconds)
    const match = /RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)/.exec(out)
    if (match === null) throw new Error(`wrk said: ${out}`)
    const [requests = 0, duration = 1, errors = 0, p50 = 0, p99 = 0, bad = 0] = match.slice(1).map(Number)
    if (errors > 0 || bad > 0) throw new Error(`bad answers (${errors} errors, ${bad} unexpected bodies): ${out}`)
    return { rate: requests / (duration / 1e6), p50: p50 / 1000, p99: p99 / 1000, requests, client: "wrk" }
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

const loadNode = async (options: LoadOptions): Promise<LoadResult> => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: options.connections })
  const body = Buffer.from(options.body)
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now()
      const request = Http.request(options.url, {
        method: "POST",
        agent,
        headers: { "content-type": options.contentType, "content-length": body.length, ...options.headers }
      }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (c: Buffer) => chunks.push(c))
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString()
          if (response.statusCode !== 200 || !text.includes(options.expect)) {
            reject(new Error(`bad answer: ${text.slice(0, 200)}`))
          } else resolve(performance.now() - started)
        })
      })
      request.on("error", reject)
      request.end(body)
    })
  // warm up
  for (let i = 0; i < 200; i++) await one()
  const latencies: Array<number> = []
  const deadline = performance.now() + options.seconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: options.connections }, async () => {
    while (performance.now() < deadline) latencies.push(await one())
  }))
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    rate: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
    client: "node"
  }
}
