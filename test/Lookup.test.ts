/**
 * `Lookup.batched` and `Lookup.prefetching`: the keys the calls of a batch ask for are fetched
 * together (deduplicated, one fetch per pass); outside a batch, the keys concurrent calls ask for
 * while a read is in flight go together in the next read.
 */
import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Deferred, Effect, Exit, Fiber } from "effect"
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
  const values = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>) =>
    exits.map((exit) => Exit.isSuccess(exit) ? exit.value : exit)

  it.effect("the calls of a batch: one fetch of the distinct keys, answers in order", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      const exits = yield* Lookup.prefetching(keys.map(find), { concurrency: 4 })
      expect(values(exits)).toEqual(["one", "two", undefined, "one", "one", undefined, "two"])
      expect(fetched).toEqual([[1, "two", 3, "one", "nope", 2]])
    }))

  it.effect("a call that looks up again after its first answer takes another pass; calls without lookups one", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      let runs = 0
      const chained = Effect.flatMap(Effect.sync(() => runs++), () =>
        Effect.flatMap(find(1), (first) => find(first === "one" ? 2 : 3)))
      const exits = yield* Lookup.prefetching([chained, Effect.succeed("plain"), find("two")], { concurrency: 2 })
      expect(values(exits)).toEqual(["two", "plain", "two"])
      expect(fetched).toEqual([[1, "two"], [2]])
      // it ran up to each lookup it had to wait for
      expect(runs).toBe(3)
    }))

  it.effect("keys wanted ahead are fetched before the first pass: such calls run once; a key not wanted still stops its call", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      let runs = 0
      const counted = (key: string | number) => Effect.flatMap(Effect.sync(() => runs++), () => find(key))
      const exits = yield* Lookup.prefetching([counted(1), counted("two"), counted(3), counted(2)], {
        concurrency: 2,
        // the last call's key is not said ahead
        wants: [find.want(1), find.want("two"), find.want(3), find.want(1)]
      })
      expect(values(exits)).toEqual(["one", "two", undefined, "two"])
      expect(fetched).toEqual([[1, "two", 3], [2]])
      expect(runs).toBe(5)
    }))

  it.effect("a handler says what it wants; a wrapped handler still says it", () =>
    Effect.sync(() => {
      const { find } = make()
      const handler = Lookup.wanting((payload: { key: number }) => find(payload.key), (payload) => [find.want(payload.key)])
      const wrapped = Lookup.sameWants(handler, (payload: { key: number }) => handler(payload))
      expect(Lookup.wantsOf(wrapped, { key: 7 }).map((want) => want.key)).toEqual([7])
      expect(Lookup.wantsOf((payload: unknown) => payload, { key: 7 })).toEqual([])
    }))

  it.effect("past the passes allowed, the calls left look up on their own", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      const deep = Effect.flatMap(find(1), () => Effect.flatMap(find(2), () => find("one")))
      const exits = yield* Lookup.prefetching([deep], { concurrency: 1, passes: 1 })
      expect(values(exits)).toEqual(["one"])
      expect(fetched).toEqual([[1], [1], [2], ["one"]])
    }))

  it.effect("outside a batch, one after another, each key is fetched on its own", () =>
    Effect.gen(function*() {
      const { fetched, find } = make()
      const found = yield* Effect.forEach(keys, find)
      expect(found).toEqual(["one", "two", undefined, "one", "one", undefined, "two"])
      expect(fetched).toHaveLength(keys.length)
    }))

  // the forked fibers run up to where they wait
  const settle = Effect.repeatN(Effect.yieldNow(), 10)

  // a fetch whose reads each wait until opened (a read in flight), recording their keys
  const gated = () => {
    const fetched: Array<ReadonlyArray<string | number>> = []
    const gates: Array<Deferred.Deferred<void>> = []
    const rows = new Map<string | number, string>([[1, "one"], ["one", "one"], [2, "two"], ["two", "two"]])
    const find = Lookup.batched((keys) =>
      Effect.suspend(() => {
        fetched.push(keys)
        const gate = Effect.runSync(Deferred.make<void>())
        gates.push(gate)
        return Effect.as(Deferred.await(gate), new Map(keys.filter((k) => rows.has(k)).map((k) => [k, rows.get(k)!])))
      })
    )
    // let read `i` answer, and the fibers run on
    const open = (i: number) => Effect.zipRight(Deferred.succeed(gates[i]!, undefined), settle)
    return { fetched, find, open }
  }

  it.effect("concurrent calls outside a batch: the keys asked for while a read is in flight go together in the next", () =>
    Effect.gen(function*() {
      const { fetched, find, open } = gated()
      const first = yield* Effect.fork(find("two"))
      yield* Effect.yieldNow()
      const rest = yield* Effect.fork(Effect.forEach(keys, find, { concurrency: "unbounded" }))
      yield* settle
      expect(fetched).toEqual([["two"]])
      yield* open(0)
      expect(yield* Fiber.join(first)).toBe("two")
      // the waiting keys, once each, in one read
      expect(fetched).toEqual([["two"], [1, "two", 3, "one", "nope", 2]])
      yield* open(1)
      expect(yield* Fiber.join(rest)).toEqual(["one", "two", undefined, "one", "one", undefined, "two"])
    }))

  it.effect("a failed fetch fails every call that waited for it; a real defect stays a defect", () =>
    Effect.gen(function*() {
      const find = Lookup.batched((_keys) => Effect.fail("database down"))
      const exits = yield* Lookup.prefetching([...keys.map(find), Effect.die("boom")], { concurrency: 3 })
      expect(exits.slice(0, keys.length).every((e) => Exit.isFailure(e) && e.toString().includes("database down")))
        .toBe(true)
      expect(exits.at(-1)).toEqual(Exit.die("boom"))
    }))

  it.effect("a waiting call interrupted leaves the read; a failed read fails its waiters and the next read still goes", () =>
    Effect.gen(function*() {
      let fail = true
      const fetched: Array<ReadonlyArray<string | number>> = []
      const open = yield* Deferred.make<void>()
      const find = Lookup.batched((keys) =>
        Effect.zipRight(
          Effect.sync(() => fetched.push(keys)),
          Effect.flatMap(Deferred.await(open), () =>
            fail ? Effect.fail("database down") : Effect.succeed(new Map(keys.map((k) => [k, `row ${k}`]))))
        )
      )
      const leader = yield* Effect.fork(find(1))
      yield* Effect.yieldNow()
      const left = yield* Effect.fork(find(2))
      const waiting = yield* Effect.fork(find(3))
      yield* settle
      yield* Fiber.interrupt(left)
      yield* Deferred.succeed(open, undefined)
      expect(yield* Fiber.await(leader)).toEqual(Exit.fail("database down"))
      expect(yield* Fiber.await(waiting)).toEqual(Exit.fail("database down"))
      expect(fetched).toEqual([[1], [3]])
      fail = false
      expect(yield* Effect.all([find(4), find(5)], { concurrency: "unbounded" })).toEqual(["row 4", "row 5"])
    }))

  it.effect("inside a transaction each call reads on its own (on its transaction's connection), apart from the others", () =>
    Effect.gen(function*() {
      const { fetched, find, open } = gated()
      const first = yield* Effect.fork(find(1))
      yield* Effect.yieldNow()
      const inTransaction = yield* Effect.fork(
        Effect.provideService(find(2), SqlClient.TransactionConnection, [undefined as never, 0])
      )
      yield* settle
      expect(fetched).toEqual([[1], [2]])
      yield* open(1)
      expect(yield* Fiber.join(inTransaction)).toBe("two")
      // the first read is still in flight: a call now waits for the next
      const later = yield* Effect.fork(find("one"))
      yield* settle
      expect(fetched).toEqual([[1], [2]])
      yield* open(0)
      expect(yield* Fiber.join(first)).toBe("one")
      expect(fetched).toEqual([[1], [2], ["one"]])
      yield* open(2)
      expect(yield* Fiber.join(later)).toBe("one")
    }))
})
