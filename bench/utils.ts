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
