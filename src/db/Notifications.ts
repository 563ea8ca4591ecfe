/**
 * LISTEN/NOTIFY, on PostgreSQL and on PGlite.
 *
 * Services publish with `notify` (inside their transaction: PostgreSQL delivers
 * the message at commit and drops it on rollback) and other fibers, or other hubs
 * on the same PostgreSQL, `listen`.
 *
 * @since 0.1.0
 */
import { type SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, type Stream } from "effect"
import { PgliteClient } from "./PgliteClient.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class Notifications extends Context.Tag("koji/db/Notifications")<Notifications, {
  /** Send `payload` on `channel` (`pg_notify`). Inside a transaction it is delivered at commit. */
  readonly notify: (channel: string, payload: string) => Effect.Effect<void, SqlError.SqlError>
  /** Every payload sent on `channel` from now on. */
  readonly listen: (channel: string) => Stream.Stream<string, SqlError.SqlError>
}>() {}

/**
 * On a PostgreSQL server. `pg_notify` is used rather than `PgClient.notify`, which sends
 * `NOTIFY chan, $1` (parameters are not allowed there) in `@effect/sql-pg` 0.53.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg: Layer.Layer<Notifications, never, PgClient.PgClient> = Layer.effect(
  Notifications,
  Effect.map(PgClient.PgClient, (pg) =>
    Notifications.of({
      notify: (channel, payload) => Effect.asVoid(pg`SELECT pg_notify(${channel}, ${payload})`),
      listen: (channel) => pg.listen(channel)
    }))
)

/**
 * On PGlite, in process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPglite: Layer.Layer<Notifications, never, PgliteClient> = Layer.effect(
  Notifications,
  Effect.map(PgliteClient, (db) => Notifications.of({ notify: db.notify, listen: db.listen }))
)
