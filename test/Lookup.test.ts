/**
 * `Lookup.batched`: keys asked for together under `withBatching` are fetched in one
 * call of the fetch function (deduplicated); a key asked for alone, in its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Lookup from "../src/hub/Lookup.js"

describe("Lookup.batched", () => {
  const make = () => {
    const fetched: Array<ReadonlyArray<string | number>> = []
    const rows = new Map<string | number, string>([[1, "one"], ["one", "one"], [2, "two"], ["two", "two"]])
    const find = Lookup.batched((keys) =>
      Effect.sync(() => {
        fetched.push(keys)
        return new Map(keys.filter((k) => rows.has(k)).map((k) => [k, rows.get(k)!]))
      })
    )
    return { fetched, find }
  }
  const keys: ReadonlyArray<string | number> = [1, "two", 3, "one", 1, "nope", 2]

  it.effect("calls run together with batching: one fetch of the distinct keys, answers in order", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      const found = yield* Lookup.withBatching(Effect.forEach(keys, find, { concurrency: "unbounded", batching: true }))
      expect(found).toEqual(["one", "two", undefined, "one", "one", undefined, "two"])
      expect(fetched).toEqual([[1, "two", 3, "one", "nope", 2]])
    }))

  it.effect("without withBatching each key is fetched on its own", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      const found = yield* Effect.forEach(keys, find, { concurrency: "unbounded", batching: true })
      expect(found).toEqual(["one", "two", undefined, "one", "one", undefined, "two"])
      expect(fetched).toHaveLength(keys.length)
    }))

  it.effect("a failed fetch fails every call of its batch", () =>
    Effect.gen(function*() {
      const find = Lookup.batched((_keys) => Effect.fail("database down"))
      const results = yield* Lookup.withBatching(
        Effect.forEach(keys, (k) => Effect.either(find(k)), { concurrency: "unbounded", batching: true })
      )
      expect(results.every((r) => r._tag === "Left" && r.left === "database down")).toBe(true)
    }))
})
