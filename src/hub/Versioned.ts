/**
 * Koji's versioned tables: a change revokes the current row and inserts the new
 * one in the same event; nothing is deleted; reads can be "as of event N".
 *
 * Each call takes at most one event (created on its first write, Koji's
 * `context.event_id`); each sub-call of a multicall takes its own.
 *
 * @since 0.1.0
 */
import { SqlClient, type Statement } from "@effect/sql"
import { Effect, FiberRef, Option } from "effect"

const currentEvent: FiberRef.FiberRef<Option.Option<number>> = FiberRef.unsafeMake<Option.Option<number>>(Option.none())

/**
 * Run `effect` as one call: it gets its own event when it writes.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withFreshEvent = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentEvent, Option.none())

/**
 * The event of the current call, created on first use (`get_event()`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const eventId = Effect.gen(function*() {
  const cached = yield* FiberRef.get(currentEvent)
  if (Option.isSome(cached)) return cached.value
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ id: number }>`SELECT get_event() AS id`
  yield* FiberRef.set(currentEvent, Option.some(row!.id))
  return row!.id
})

/**
 * The rows current at `event` (or now, when `event` is null): a WHERE fragment for
 * a versioned table (optionally qualified by `alias`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const activeAt = (
  sql: SqlClient.SqlClient,
  event: number | null | undefined,
  alias?: string
): Statement.Fragment => {
  const col = (name: string) => alias === undefined ? sql(name) : sql(`${alias}.${name}`)
  return event === null || event === undefined
    ? sql`${col("active")} IS TRUE`
    : sql`(${col("create_event")} <= ${event} AND (${col("revoke_event")} IS NULL OR ${event} < ${col("revoke_event")}))`
}

/**
 * Revoke the current row(s) of `table` matching `key` in this call's event; answers how many.
 *
 * @since 0.1.0
 * @category combinators
 */
export const revoke = (table: string, key: Readonly<Record<string, unknown>>, userId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const event = yield* eventId
    const where = sql.and(Object.entries(key).map(([k, v]) => sql`${sql(k)} = ${v as any}`))
    const rows = yield* sql`
      UPDATE ${sql(table)} SET active = NULL, revoke_event = ${event}, revoker_id = ${userId}
       WHERE ${where} AND active IS TRUE RETURNING 1 AS one`
    return rows.length
  })

/**
 * Insert a new current row into `table` in this call's event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const insert = (table: string, row: Readonly<Record<string, unknown>>, userId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const event = yield* eventId
    yield* sql`INSERT INTO ${sql(table)} ${sql.insert({ ...row, create_event: event, creator_id: userId } as any)}`
  })

/**
 * Replace the current row of `table` at `key` by `row` (revoke + insert, one event).
 *
 * @since 0.1.0
 * @category combinators
 */
export const replace = (
  table: string,
  key: Readonly<Record<string, unknown>>,
  row: Readonly<Record<string, unknown>>,
  userId: number
) =>
  Effect.zipRight(revoke(table, key, userId), insert(table, { ...key, ...row }, userId))
