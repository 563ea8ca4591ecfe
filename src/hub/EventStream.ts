/**
 * The event stream behind `events.watch` and `events.list`, the scheduler's
 * wake-ups and the builders' assignments.
 *
 * Writing: `publish` adds an event to the current call's buffer; the buffer is
 * written when the call's transaction ends (`collect`, used by the dispatcher
 * and by background jobs), so a call that fails publishes nothing, and each
 * multicall sub-call keeps or drops its own events. The rows are numbered under
 * a transaction advisory lock held until commit, so they become visible in id
 * order, and a `pg_notify` at commit wakes every hub.
 *
 * Reading: each hub has one reader that follows the table after each
 * notification and fans the new events out in process; a subscriber first
 * reads what it missed from the table, then follows the live events, so a
 * client resuming after id N gets every later event exactly once.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Chunk, Context, Effect, FiberRef, Layer, Option, PubSub, Queue, Schedule, type Scope, Stream } from "effect"
import type { EventFilter } from "../api/EventStream.js"
import { StreamEvent } from "../api/EventStream.js"
import { Notifications } from "../db/Notifications.js"

/**
 * The notification channel.
 *
 * @since 0.1.0
 * @category constants
 */
export const channel = "koji_events"

// an arbitrary constant: the advisory lock that orders event ids
const orderLock = 7_261_001

/**
 * An event to publish.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewEvent {
  readonly kind: string
  readonly task_id?: number | null | undefined
  readonly parent_id?: number | null | undefined
  readonly host_id?: number | null | undefined
  readonly tag_id?: number | null | undefined
  readonly build_id?: number | null | undefined
  readonly data?: Readonly<Record<string, unknown>> | undefined
}

const pending = FiberRef.unsafeMake<Array<NewEvent> | undefined>(undefined)

/**
 * Write events now (in a transaction of their own, or the current one).
 *
 * @since 0.1.0
 * @category combinators
 */
export const write = (events: ReadonlyArray<NewEvent>): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  events.length === 0 ? Effect.void : Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(Effect.gen(function*() {
      yield* sql`SELECT pg_advisory_xact_lock(${orderLock})`
      const rows = JSON.stringify(events.map((e) => ({
        kind: e.kind,
        task_id: e.task_id ?? null,
        parent_id: e.parent_id ?? null,
        host_id: e.host_id ?? null,
        tag_id: e.tag_id ?? null,
        build_id: e.build_id ?? null,
        data: e.data ?? {}
      })))
      const [row] = yield* sql<{ last: number }>`
        WITH inserted AS (
          INSERT INTO event_stream (kind, task_id, parent_id, host_id, tag_id, build_id, data)
          SELECT kind, task_id, parent_id, host_id, tag_id, build_id, data
            FROM jsonb_to_recordset(${rows}::jsonb)
              AS x(kind text, task_id int, parent_id int, host_id int, tag_id int, build_id int, data jsonb)
          RETURNING id)
        SELECT max(id)::float8 AS last, pg_notify(${channel}, max(id)::text) FROM inserted`
      yield* FiberRef.set(lastWritten, Number(row!.last))
    })))

/**
 * The newest event id this fiber wrote (what a write call answers as `Koji-Event-Id`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const lastWritten: FiberRef.FiberRef<number | undefined> = FiberRef.unsafeMake<number | undefined>(undefined)

/**
 * Publish an event with the current call (written when the call commits; dropped if it fails).
 * Outside `collect` it is written at once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const publish = (...events: ReadonlyArray<NewEvent>): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(FiberRef.get(pending), (buffer) => {
    if (buffer === undefined) return write(events)
    buffer.push(...events)
    return Effect.void
  })

/**
 * Run `effect` collecting what it publishes: on success the events join the
 * enclosing `collect` (a multicall sub-call) or are written (call this inside
 * the transaction, so they commit with it); on failure they are dropped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const collect = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const outer = yield* FiberRef.get(pending)
    const inner: Array<NewEvent> = []
    const result = yield* Effect.locally(effect, pending, inner)
    if (outer !== undefined) outer.push(...inner)
    else yield* write(inner)
    return result
  })

/**
 * Run `effect` in a transaction that publishes its events at commit.
 *
 * @since 0.1.0
 * @category combinators
 */
export const transaction = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(collect(effect)))

interface EventRow {
  readonly id: number
  readonly ts: number
  readonly kind: string
  readonly task_id: number | null
  readonly parent_id: number | null
  readonly host_id: number | null
  readonly tag_id: number | null
  readonly build_id: number | null
  readonly data: unknown
}

const toEvent = (row: EventRow): StreamEvent =>
  new StreamEvent({
    id: Number(row.id),
    ts: Number(row.ts),
    kind: row.kind,
    task_id: row.task_id,
    parent_id: row.parent_id,
    host_id: row.host_id,
    tag_id: row.tag_id,
    build_id: row.build_id,
    data: (typeof row.data === "string" ? JSON.parse(row.data) : row.data ?? {}) as Record<string, unknown>
  })

/**
 * A filter made ready to test events: a task filter follows the task's tree as it grows.
 *
 * @since 0.1.0
 * @category models
 */
export interface Matcher {
  readonly test: (event: StreamEvent) => boolean
  readonly where: Statement.Fragment
}

/**
 * @since 0.1.0
 * @category tags
 */
export class EventStream extends Context.Tag("koji/hub/EventStream")<EventStream, {
  /** The newest event id. */
  readonly lastId: Effect.Effect<number, SqlError.SqlError>
  /** Events after `after` (null: none, only the newest id), filtered, at most `limit`; `wait` seconds for one when none. */
  readonly list: (options: {
    readonly after: number | null
    readonly filter: EventFilter | null
    readonly limit: number
    readonly wait: number
  }) => Effect.Effect<{ readonly events: ReadonlyArray<StreamEvent>; readonly last: number }, SqlError.SqlError>
  /** The events after `after` (null: from now), then every new one, filtered. */
  readonly watch: (after: number | null, filter: EventFilter | null) => Stream.Stream<StreamEvent, SqlError.SqlError>
  /** Every new event committed from now on (in process, no backlog): for the scheduler and other hub jobs. */
  readonly live: Effect.Effect<Queue.Dequeue<StreamEvent>, never, Scope.Scope>
}>() {}

const page = 1000

/**
 * The stream on the database: one reader per hub, woken by notifications (and
 * every few seconds, in case a notification was lost).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const notifications = yield* Notifications
  const hub = yield* PubSub.unbounded<StreamEvent>()

  const lastId = Effect.map(
    sql<{ id: number | null }>`SELECT max(id)::float8 AS id FROM event_stream`,
    ([row]) => Number(row?.id ?? 0)
  )

  const columns = sql`id::float8 AS id, date_part('epoch', time) AS ts, kind, task_id, parent_id, host_id, tag_id,
    build_id, data`

  const matcher = (filter: EventFilter | null) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = []
      const tests: Array<(e: StreamEvent) => boolean> = []
      if (filter?.kinds != null) {
        const kinds = new Set(filter.kinds)
        clauses.push(filter.kinds.length === 0 ? sql`FALSE` : sql.in("kind", filter.kinds))
        tests.push((e) => kinds.has(e.kind))
      }
      for (const key of ["host", "tag", "build"] as const) {
        const value = filter?.[key]
        if (value != null) {
          const column = `${key}_id` as const
          clauses.push(sql`${sql(column)} = ${value}`)
          tests.push((e) => e[column] === value)
        }
      }
      if (filter?.task != null) {
        // the tree as it is now; it grows with the events of new children
        const rows = yield* sql<{ id: number }>`
          WITH RECURSIVE tree(id) AS (
            SELECT ${filter.task}::int UNION ALL SELECT task.id FROM task JOIN tree ON task.parent = tree.id)
          SELECT id FROM tree`
        const tree = new Set(rows.map((r) => r.id))
        clauses.push(sql.in("task_id", [...tree]))
        tests.push((e) => {
          if (e.task_id === null) return false
          if (e.parent_id !== null && tree.has(e.parent_id)) tree.add(e.task_id)
          return tree.has(e.task_id)
        })
      }
      return {
        where: clauses.length === 0 ? sql`TRUE` : sql.and(clauses),
        test: (e: StreamEvent) => tests.every((t) => t(e))
      } satisfies Matcher
    })

  const read = (after: number, upto: number, where: Statement.Fragment, limit: number) =>
    Effect.map(
      sql<EventRow>`SELECT ${columns} FROM event_stream
        WHERE id > ${after} AND id <= ${upto} AND ${where} ORDER BY id LIMIT ${limit}`,
      (rows) => rows.map(toEvent)
    )

  // the reader: follows the table and fans out
  const wake = yield* Queue.sliding<void>(1)
  let cursor = yield* lastId
  yield* notifications.listen(channel).pipe(
    Stream.runForEach(() => wake.offer(undefined)),
    Effect.catchAllCause((cause) => Effect.logWarning("event stream: notifications stopped", cause)),
    Effect.forkScoped
  )
  yield* wake.offer(undefined).pipe(Effect.repeat(Schedule.spaced("5 seconds")), Effect.forkScoped)
  const follow = Effect.gen(function*() {
    yield* wake.take
    while (true) {
      const rows = yield* sql<EventRow>`SELECT ${columns} FROM event_stream WHERE id > ${cursor} ORDER BY id LIMIT ${page}`
      if (rows.length === 0) break
      const events = rows.map(toEvent)
      cursor = events[events.length - 1]!.id
      yield* hub.publishAll(events)
      if (rows.length < page) break
    }
  }).pipe(
    Effect.catchAllCause((cause) => Effect.logWarning("event stream: read failed", cause)),
    Effect.forever
  )
  yield* Effect.forkScoped(follow)

  const watch = (after: number | null, filter: EventFilter | null): Stream.Stream<StreamEvent, SqlError.SqlError> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      // subscribe first, then read the backlog up to `upper`: nothing falls between the two
      const subscription = yield* PubSub.subscribe(hub)
      const match = yield* matcher(filter)
      const upper = yield* lastId
      const backlog = after === null || after >= upper
        ? Stream.empty
        : Stream.paginateChunkEffect(after, (from) =>
          Effect.map(read(from, upper, match.where, page), (events) => {
            const next = events.length === page ? Option.some(events[events.length - 1]!.id) : Option.none()
            return [Chunk.unsafeFromArray(events), next] as const
          }))
      const live = Stream.fromQueue(subscription).pipe(Stream.filter((e) => e.id > upper && match.test(e)))
      return Stream.concat(backlog.pipe(Stream.tap((e) => Effect.sync(() => match.test(e)))), live)
    }))

  const list: EventStream["Type"]["list"] = (options) =>
    Effect.scoped(Effect.gen(function*() {
      const subscription = options.wait > 0 ? yield* PubSub.subscribe(hub) : undefined
      const match = yield* matcher(options.filter)
      const upper = yield* lastId
      if (options.after === null) return { events: [], last: upper }
      const events = yield* read(options.after, upper, match.where, options.limit)
      if (events.length === options.limit) return { events, last: events[events.length - 1]!.id }
      if (events.length > 0 || subscription === undefined) return { events, last: Math.max(upper, options.after) }
      // nothing yet: wait for the first matching event
      const next = yield* Queue.take(subscription).pipe(
        Effect.repeat({ until: (e) => e.id > upper && match.test(e) }),
        Effect.timeoutOption(`${options.wait} seconds`)
      )
      return Option.match(next, {
        onNone: () => ({ events: [], last: Math.max(upper, options.after ?? 0) }),
        onSome: (e) => ({ events: [e], last: e.id })
      })
    }))

  const live = PubSub.subscribe(hub)

  return EventStream.of({ lastId, list, watch, live })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EventStream, SqlError.SqlError, SqlClient.SqlClient | Notifications> = Layer.scoped(
  EventStream,
  make
)
