/**
 * Handlers of the Events area: `getEvent`, `getLastEvent` and `queryHistory` (the
 * history engine lives in the `History` service).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { EventsApi } from "../api/Events.js"
import { Event } from "../domain/Event.js"
import { GenericError } from "../domain/Errors.js"
import type { EventId } from "../domain/Ids.js"
import * as Handlers from "./Handlers.js"
import { History, layer as historyLayer } from "./History.js"

interface EventRow {
  readonly id: number
  readonly ts: number
}

// Koji's executeOne(strict): the row, null, or "query returned no rows"
const one = (rows: ReadonlyArray<EventRow>, strict: boolean) => {
  const row = rows[0]
  if (row === undefined) {
    return strict ? Effect.fail(new GenericError({ message: "query returned no rows" })) : Effect.succeed(null)
  }
  return Effect.succeed(new Event({ id: row.id as EventId, ts: row.ts }))
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(EventsApi, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const history = yield* History
  return {
    getEvent: ({ id, strict }) =>
      Effect.flatMap(
        sql<EventRow>`SELECT id, date_part('epoch', time) AS ts FROM events WHERE id = ${id}`,
        (rows) => one(rows, strict)
      ),
    getLastEvent: ({ before, strict }) =>
      Effect.flatMap(
        before === null
          ? sql<EventRow>`SELECT id, date_part('epoch', time) AS ts FROM events ORDER BY id DESC LIMIT 1`
          : sql<EventRow>`
              SELECT id, date_part('epoch', time) AS ts FROM events
               WHERE date_part('epoch', time) < ${before}::float8 ORDER BY id DESC LIMIT 1`,
        (rows) => one(rows, strict)
      ),
    queryHistory: ({ active, after, afterEvent, before, beforeEvent, editor, queryOpts, tables, ...filters }) =>
      history.query({ tables, before, after, beforeEvent, afterEvent, active, editor, filters, queryOpts })
  }
})).pipe(Layer.provide(historyLayer))
