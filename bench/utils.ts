/**
 * Shared bits of the benchmarks: throw-away databases and percentiles.
 */
import { Reactivity } from "@effect/experimental"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Database from "../src/db/Database.js"

/** The PostgreSQL server benchmarks use (`KOJI_BENCH_DATABASE_URL`, default the local one). */
export const pgAdminUrl = process.env.KOJI_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** A fresh PostgreSQL database, dropped afterwards. */
export const pgDatabase = (maxConnections = 16): Layer.Layer<Database.Database> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const admin = yield* PgClient.make({ url: Redacted.make(pgAdminUrl), maxConnections: 1 })
    const name = `koji_bench_${process.pid}_${Date.now().toString(36)}`
    yield* Effect.acquireRelease(
      admin`CREATE DATABASE ${admin(name)}`,
      () => Effect.orDie(admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`)
    )
    const url = new URL(pgAdminUrl)
    url.pathname = `/${name}`
    return Database.layerPg({ url: Redacted.make(url.toString()), maxConnections })
  }).pipe(Effect.provide(Reactivity.layer))).pipe(Layer.orDie)

/** PGlite on disk in a temporary directory, removed afterwards. */
export const pgliteDisk = (): Layer.Layer<Database.Database> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-"))),
      (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true }))
    )
    return Database.layerPglite({ dataDir: Path.join(dir, "db") })
  })).pipe(Layer.orDie)

/** The p-th percentile (0..100) of sorted samples. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** A number with thousands separators. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** The wall time of a run repeated: the first (cold) run, and the median of the runs after the warm-up. */
export interface RunTimes {
  readonly first: number
  readonly p50: number
}

/**
 * Time `run` (ms): once cold, `warmup` more times unmeasured (a hub is a long-running process: its
 * code is compiled by then), then the median of `runs` runs.
 */
export const timeRuns = <E, R>(
  run: Effect.Effect<unknown, E, R>,
  options: { readonly warmup?: number; readonly runs?: number } = {}
): Effect.Effect<RunTimes, E, R> =>
  Effect.gen(function*() {
    const timed = Effect.suspend(() => {
      const start = performance.now()
      return Effect.map(run, () => performance.now() - start)
    })
    const first = yield* timed
    for (let i = 0; i < (options.warmup ?? 5); i++) yield* run
    const times: Array<number> = []
    for (let i = 0; i < (options.runs ?? 20); i++) times.push(yield* timed)
    times.sort((a, b) => a - b)
    return { first, p50: percentile(times, 50) }
  })

/** One row of a throughput table: 1 and 16 clients, and a 1,000-call multicall. */
export interface CallsRow {
  readonly backend: string
  readonly one: { readonly rate: number; readonly p50: number; readonly p99: number }
  readonly sixteen: { readonly rate: number; readonly p50: number; readonly p99: number }
  readonly multi: RunTimes
}

/** The table the call benchmarks print. */
export const callsTable = (rows: ReadonlyArray<CallsRow>): string =>
  [
    `${"database".padEnd(20)} ${"1 client/s".padStart(11)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${
      "16 clients/s".padStart(13)
    } ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"multicall 1000 ms".padStart(18)} ${"(first)".padStart(8)}`,
    ...rows.map((r) =>
      `${r.backend.padEnd(20)} ${fmt(r.one.rate).padStart(11)} ${fmt(r.one.p50, 2).padStart(7)} ${
        fmt(r.one.p99, 2).padStart(7)
      } ${fmt(r.sixteen.rate).padStart(13)} ${fmt(r.sixteen.p50, 2).padStart(7)} ${fmt(r.sixteen.p99, 2).padStart(7)} ${
        fmt(r.multi.p50, 1).padStart(18)
      } ${fmt(r.multi.first, 1).padStart(8)}`
    )
  ].join("\n")
