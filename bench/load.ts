/**
 * A light HTTP load generator for the benchmarks: keep-alive connections, one
 * request in flight per connection, pre-encoded bodies, latencies recorded.
 * Light enough that the hub, not the client, is what is measured.
 */
import * as Http from "node:http"
import { percentile } from "./utils.js"

export interface LoadResult {
  readonly rate: number
  readonly p50: number
  readonly p99: number
  readonly requests: number
}

/** Send `body` to `url` from `connections` clients for `seconds`; `check` validates each answer. */
export const load = async (options: {
  readonly url: string
  readonly body: string
  readonly contentType: string
  readonly connections: number
  readonly seconds: number
  readonly check: (text: string) => boolean
  readonly headers?: Record<string, string>
}): Promise<LoadResult> => {
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
          if (response.statusCode !== 200 || !options.check(text)) reject(new Error(`bad answer: ${text.slice(0, 200)}`))
          else resolve(performance.now() - started)
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
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests: latencies.length }
}
