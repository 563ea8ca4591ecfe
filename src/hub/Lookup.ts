/**
 * Koji's generic lookups and value helpers shared by the tag, package and target
 * areas: `name_or_id_clause` / `lookup_name` over the `(id, name)` tables,
 * `parse_arches`, and Python's `json.dumps` text (how Koji stores JSON values such
 * as tag extra).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { type Array as Arr, Cause, Chunk, type Context, Effect, Exit, FiberRef } from "effect"
import * as Method from "../api/Method.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import { pythonStr } from "./Users.js"

/**
 * How a caller names a row of an `(id, name)` table: an id, a name, or a map with `id` or `name`.
 *
 * @since 0.1.0
 * @category models
 */
export type NameOrId = number | string | { readonly id?: number | null | undefined; readonly name?: string | null | undefined }

/**
 * The tables with `(id, name)` rows looked up by `lookupName`.
 *
 * @since 0.1.0
 * @category models
 */
export type NamedTable = "tag" | "package" | "permissions" | "build_target" | "users" | "channels" | "groups"

/**
 * A resolved name-or-id: the column to compare and its value.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = { readonly id: number } | { readonly name: string }

/**
 * Koji's `name_or_id_clause`: an int is an id, a string a name, a map its `id`
 * (else its `name`); anything else is `ParameterError: Invalid name or id value`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const nameOrId = (info: unknown): Effect.Effect<Key, ParameterError> =>
  Effect.suspend((): Effect.Effect<Key, ParameterError> => {
    const key = keyOf(info)
    return key === undefined
      ? Effect.fail(new ParameterError({ message: `Invalid name or id value: ${pythonStr(info)}` }))
      : Effect.succeed(key)
  })

/**
 * `nameOrId` without its error: the key, or `undefined` for a value that names nothing.
 *
 * @since 0.1.0
 * @category combinators
 */
export const keyOf = (info: unknown): Key | undefined => {
  let value: unknown = info
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const dict = value as Record<string, unknown>
    if ("id" in dict) {
      if (typeof dict.id !== "number" || !Number.isInteger(dict.id)) return undefined
      value = dict.id
    } else if ("name" in dict) value = dict.name
  }
  if (typeof value === "number" && Number.isInteger(value)) return { id: value }
  if (typeof value === "string") return { name: value }
  return undefined
}

/**
 * The WHERE fragment of a resolved key on `table` (`tag.id = 3`, `tag.name = 'x'`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const keyClause = (sql: SqlClient.SqlClient, table: string, key: Key): Statement.Fragment =>
  "id" in key ? sql`${sql(`${table}.id`)} = ${key.id}` : sql`${sql(`${table}.name`)} = ${key.name}`

/**
 * The WHERE fragment of several keys on `table` (ids and names alike).
 *
 * @since 0.1.0
 * @category combinators
 */
export const keysClause = (
  sql: SqlClient.SqlClient,
  table: string,
  keys: ReadonlyArray<string | number>
): Statement.Fragment => {
  const ids = keys.filter((key): key is number => typeof key === "number")
  const names = keys.filter((key): key is string => typeof key === "string")
  return sql.or([
    ...(ids.length > 0 ? [sql.in(`${table}.id`, ids)] : []),
    ...(names.length > 0 ? [sql.in(`${table}.name`, names)] : [])
  ])
}

// what a read-only batch has fetched for its lookups, and what its calls asked for since
interface Prefetch {
  readonly found: Map<object, Map<string | number, unknown>>
  readonly failed: Map<object, unknown>
  readonly wanted: Map<object, { readonly fetch: Fetch<unknown, unknown>; readonly keys: Set<string | number> }>
}

type Fetch<A, E> = (keys: Arr.NonEmptyReadonlyArray<string | number>) => Effect.Effect<ReadonlyMap<string | number, A>, E>

const prefetch = FiberRef.unsafeMake<Prefetch | undefined>(undefined)

// the defect that stops a call of a batch at a key not fetched yet (it runs again once it is)
const stopped = Symbol.for("koji/hub/Lookup/stopped")

/**
 * A key a `batched` lookup will be asked for: a batch that is told its calls' wants ahead reads
 * them before it runs the calls (see `prefetching`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Want {
  readonly lookup: object
  readonly fetch: Fetch<unknown, unknown>
  readonly key: string | number
}

/**
 * A lookup made by `batched`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Batched<A, E> {
  (key: string | number): Effect.Effect<A | undefined, E>
  /** `key` as a `Want`, for a handler to say ahead what it will look up. */
  readonly want: (key: string | number) => Want
}

/**
 * A lookup by key (an id or a name) that batches: in `prefetching` (the calls of a read-only
 * multicall), the keys its calls ask for are read together, one query for all of them; elsewhere,
 * outside transactions, the keys concurrent calls ask for while a read is in flight go together in
 * the next read (a call alone goes straight through). `fetch` answers the rows it found by key.
 *
 * @since 0.1.0
 * @category combinators
 */
export const batched = <A, E>(fetch: Fetch<A, E>): Batched<A, E> => {
  const lookup = {}
  const one = coalescing(fetch)
  const wantOf = (key: string | number): Want => ({ lookup, fetch: fetch as Fetch<unknown, unknown>, key })
  const find = (key: string | number) =>
    Effect.flatMap(FiberRef.get(prefetch), (batch) => {
      if (batch === undefined) return one(key)
      const found = batch.found.get(lookup)
      if (found?.has(key)) return Effect.succeed(found.get(key) as A | undefined)
      if (batch.failed.has(lookup)) return Effect.fail(batch.failed.get(lookup) as E)
      want(batch, wantOf(key))
      return Effect.die(stopped)
    })
  return Object.assign(find, { want: wantOf })
}

interface Waiter<A, E> {
  readonly key: string | number
  readonly resume: (effect: Effect.Effect<A | undefined, E>) => void
}

/**
 * One key at a time through `fetch`, the reads of concurrent calls shared: while a read is in
 * flight, the keys other calls ask for wait and go together in the next read, one query for all
 * of them (a hub busy with many clients' `getTag` reads the tags of a dozen calls at once; one
 * client alone goes straight through). Only outside transactions: inside one, a call reads on its
 * transaction's connection, its own writes included.
 */
const coalescing = <A, E>(fetch: Fetch<A, E>) => {
  let busy = false
  let waiting: Array<Waiter<A, E>> = []
  const next = (): void => {
    if (waiting.length === 0) {
      busy = false
      return
    }
    const batch = waiting
    waiting = []
    const keys = new Set(batch.map((w) => w.key))
    Effect.runFork(fetch([...keys] as unknown as Arr.NonEmptyReadonlyArray<string | number>)).addObserver((exit) => {
      next()
      for (const waiter of batch) {
        waiter.resume(Exit.map(exit, (found) => found.get(waiter.key)))
      }
    })
  }
  const one = (key: string | number) => Effect.map(fetch([key]), (found) => found.get(key))
  return (key: string | number): Effect.Effect<A | undefined, E> =>
    Effect.contextWithEffect((context: Context.Context<never>) => {
      if (context.unsafeMap.has(SqlClient.TransactionConnection.key)) return one(key)
      if (!busy) {
        busy = true
        return Effect.ensuring(one(key), Effect.sync(next))
      }
      return Effect.async<A | undefined, E>((resume) => {
        const waiter: Waiter<A, E> = { key, resume }
        waiting.push(waiter)
        return Effect.sync(() => {
          waiting = waiting.filter((w) => w !== waiter)
        })
      })
    })
}

// record a key to fetch before the next pass
const want = (batch: Prefetch, { fetch, key, lookup }: Want) => {
  const wanted = batch.wanted.get(lookup)
  if (wanted === undefined) batch.wanted.set(lookup, { fetch, keys: new Set([key]) })
  else wanted.keys.add(key)
}

const WantsId = Symbol.for("koji/hub/Lookup/wants")

/**
 * A handler that says ahead which keys its `batched` lookups will be asked for, so a batch reads
 * them before it runs its calls rather than stopping each call at its first lookup. What it
 * leaves out is still found by the stop-and-run-again passes.
 *
 * @since 0.1.0
 * @category combinators
 */
export const wanting = <H extends (payload: any, ...rest: Array<any>) => unknown>(
  handler: H,
  wants: (payload: Parameters<H>[0]) => ReadonlyArray<Want>
): H => Object.assign(handler, { [WantsId]: wants })

/**
 * What a handler made with `wanting` says a call with `payload` will look up (none otherwise).
 *
 * @since 0.1.0
 * @category combinators
 */
export const wantsOf = (handler: unknown, payload: unknown): ReadonlyArray<Want> => {
  const wants = wantsFunction(handler)
  return wants === undefined ? [] : wants(payload)
}

/**
 * `wrapper` with the wants of `handler` (a handler wrapped keeps saying what it will look up).
 *
 * @since 0.1.0
 * @category combinators
 */
export const sameWants = <H extends (payload: any, ...rest: Array<any>) => unknown>(handler: unknown, wrapper: H): H => {
  const wants = wantsFunction(handler)
  return wants === undefined ? wrapper : wanting(wrapper, wants)
}

const wantsFunction = (handler: unknown) =>
  (handler as { readonly [WantsId]?: (payload: unknown) => ReadonlyArray<Want> })[WantsId]

/**
 * Run the calls of a read-only batch, their `batched` lookups read together: each pass runs the
 * calls (in `concurrency` lanes) until each is done or stops at a key not fetched yet; the
 * keys asked for are then fetched, one query per lookup, and the calls that stopped run again. A
 * call may run more than once up to a lookup, so the calls must not write; after `passes`, the
 * calls still stopped run with lookups of their own. The keys the calls' handlers said they want
 * (`wants`) are fetched before the first pass: such calls run once. Answers each call's exit, in
 * order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const prefetching = <A, E, R>(
  calls: ReadonlyArray<Effect.Effect<A, E, R>>,
  options: {
    readonly concurrency: number
    readonly passes?: number | undefined
    /** Keys the calls will ask for (their handlers said so): read before the first pass. */
    readonly wants?: Iterable<Want> | undefined
  }
): Effect.Effect<Array<Exit.Exit<A, E>>, never, R> =>
  Effect.suspend(() => {
    const batch: Prefetch = { found: new Map(), failed: new Map(), wanted: new Map() }
    const exits: Array<Exit.Exit<A, E>> = new Array(calls.length)
    const isStopped = (exit: Exit.Exit<A, E>) =>
      Exit.isFailure(exit) && Chunk.some(Cause.defects(exit.cause), (defect) => defect === stopped)
    const fetchWanted = Effect.forEach(batch.wanted, ([lookup, { fetch, keys }]) =>
      Effect.match(fetch([...keys] as unknown as Arr.NonEmptyReadonlyArray<string | number>), {
        onFailure: (error) => batch.failed.set(lookup, error),
        onSuccess: (rows) => {
          const found = batch.found.get(lookup) ?? new Map<string | number, unknown>()
          for (const key of keys) found.set(key, rows.get(key))
          batch.found.set(lookup, found)
        }
      }), { concurrency: "unbounded", discard: true }).pipe(Effect.ensuring(Effect.sync(() => batch.wanted.clear())))
    // `concurrency` lanes, each running the calls one after another (a fiber per lane, not per call)
    const inLanes = (pending: ReadonlyArray<number>, run: (i: number) => Effect.Effect<void, never, R>) => {
      let next = 0
      const lane: Effect.Effect<void, never, R> = Effect.suspend(() =>
        next < pending.length ? Effect.zipRight(run(pending[next++]!), lane) : Effect.void
      )
      return Effect.all(Array.from({ length: Math.min(options.concurrency, pending.length) }, () => lane), {
        concurrency: "unbounded",
        discard: true
      })
    }
    const pass = (pending: ReadonlyArray<number>, left: number): Effect.Effect<void, never, R> =>
      Effect.gen(function*() {
        const again: Array<number> = []
        yield* inLanes(pending, (i) =>
          Effect.map(Effect.exit(calls[i]!), (exit) => {
            if (isStopped(exit)) again.push(i)
            else exits[i] = exit
          }))
        if (again.length === 0) return
        if (left === 0) {
          // the rest with lookups of their own
          return yield* inLanes(again, (i) =>
            Effect.map(Effect.exit(Effect.locally(calls[i]!, prefetch, undefined)), (exit) => {
              exits[i] = exit
            }))
        }
        yield* fetchWanted
        yield* pass(again.sort((a, b) => a - b), left - 1)
      })
    for (const wanted of options.wants ?? []) want(batch, wanted)
    return Effect.zipRight(fetchWanted, pass(calls.map((_, i) => i), options.passes ?? 4)).pipe(
      Effect.locally(prefetch, batch),
      Effect.as(exits)
    )
  })

/**
 * Koji's `lookup_name(table, info, strict, create)`: `{id, name}`, `undefined` when
 * unknown; `strict` fails with `No such entry in table T: X`; `create` inserts a
 * missing name (a string only: `Name must be a string`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const lookupName = (
  table: NamedTable,
  info: unknown,
  options: { readonly strict?: boolean | undefined; readonly create?: boolean | undefined } = {}
): Effect.Effect<
  { readonly id: number; readonly name: string } | undefined,
  GenericError | ParameterError | SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const key = yield* nameOrId(info)
    const rows = yield* sql<{ id: number; name: string }>`
      SELECT id, name FROM ${sql(table)} WHERE ${keyClause(sql, table, key)}`
    if (rows[0] !== undefined) return rows[0]
    if (options.strict) return yield* new GenericError({ message: `No such entry in table ${table}: ${pythonStr(info)}` })
    if (options.create) {
      if (typeof info !== "string") return yield* new GenericError({ message: "Name must be a string" })
      const [row] = yield* sql<{ id: number; name: string }>`
        INSERT INTO ${sql(table)} (name) VALUES (${info}) RETURNING id, name`
      return row
    }
    return undefined
  })

/**
 * Koji's `parse_arches(arches, strict=True, allow_none=True)`: a space-separated
 * string or a list, each arch `[a-zA-Z0-9_-]`, answered space-separated (`None` gives `""`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const normalizeArches = (
  arches: string | ReadonlyArray<string> | null | undefined
): Effect.Effect<string, GenericError> =>
  Effect.suspend(() => {
    const list = arches === null || arches === undefined
      ? []
      : typeof arches === "string"
      ? arches.split(/\s+/).filter((a) => a.length > 0)
      : arches
    return list.every((a) => /^[a-zA-Z0-9_-]*$/.test(a))
      ? Effect.succeed(list.join(" "))
      : Effect.fail(new GenericError({ message: "Architecture can be only [a-zA-Z0-9_-]" }))
  })

const escapeJsonString = (s: string): string => {
  let out = "\""
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ch = s[i]!
    if (ch === "\"") out += "\\\""
    else if (ch === "\\") out += "\\\\"
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (ch === "\b") out += "\\b"
    else if (ch === "\f") out += "\\f"
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`
    else out += ch
  }
  return out + "\""
}

/**
 * Python's `json.dumps(value)` (`", "` and `": "` separators, ASCII only): the text
 * Koji stores for JSON columns such as `tag_extra.value`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonJson = (value: unknown): string => {
  if (value === null || value === undefined) return "null"
  if (value === true) return "true"
  if (value === false) return "false"
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN"
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity"
    return String(value)
  }
  if (typeof value === "string") return escapeJsonString(value)
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`
  if (typeof value === "object") {
    return `{${
      Object.entries(value as Record<string, unknown>).map(([k, v]) => `${escapeJsonString(k)}: ${pythonJson(v)}`)
        .join(", ")
    }}`
  }
  return escapeJsonString(String(value))
}

/**
 * Deep equality of JSON values (Python's `==` on decoded JSON).
 *
 * @since 0.1.0
 * @category combinators
 */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as ReadonlyArray<unknown>
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]))
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as any)[k], (b as any)[k]))
}

/**
 * Python's `repr` of a value, as Koji's `%r` prints it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonRepr = (value: unknown): string => Method.pythonRepr(value)

/**
 * Koji's glob (`*`, `?`) as an SQL `ILIKE` pattern (`_` and `\` escaped), as `listTags(pattern=...)` does.
 *
 * @since 0.1.0
 * @category combinators
 */
export const globToLike = (pattern: string): string =>
  pattern.replace(/\\/g, "\\\\").replace(/_/g, "\\_").replace(/\?/g, "_").replace(/\*/g, "%")
