/**
 * Koji's `queryOpts` (`order`, `offset`, `limit`, `countOnly`) applied to a SQL
 * query, once for every list method: the order terms are checked against the
 * fields a method exposes (a bad term is a `ParameterError`, never SQL), and
 * `countOnly` counts the rows the same window would answer.
 *
 * @since 0.1.0
 */
import type { SqlClient, SqlError, Statement } from "@effect/sql"
import { Effect } from "effect"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, ParameterError } from "../domain/Errors.js"

/**
 * The ORDER BY terms of `queryOpts.order` (`"priority,-id"`), mapped through
 * `columns` (field name -> SQL expression), then `tiebreak` for a stable order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const orderBy = (
  order: string | null | undefined,
  columns: Readonly<Record<string, string>>,
  tiebreak: string
): Effect.Effect<string, ParameterError> =>
  Effect.suspend(() => {
    const terms: Array<string> = []
    for (const raw of (order ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0)) {
      const descending = raw.startsWith("-")
      const field = descending ? raw.slice(1) : raw
      // Koji's QueryProcessor takes an alias or the column itself (`buildroot.id`)
      const column = Object.hasOwn(columns, field)
        ? columns[field]
        : Object.values(columns).includes(field)
        ? field
        : undefined
      if (column === undefined) return Effect.fail(new ParameterError({ message: `Invalid order term: ${field}` }))
      terms.push(`${column}${descending ? " DESC" : ""}`)
    }
    terms.push(tiebreak)
    return Effect.succeed(terms.join(", "))
  })

/**
 * Run a list query with `queryOpts`: `select` gets the ORDER BY terms and the
 * OFFSET/LIMIT fragment and answers the rows; with `countOnly`, `from` (the
 * query without its columns, as `SELECT 1 FROM ... WHERE ...`) is counted.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = <Row, E, R>(
  sql: SqlClient.SqlClient,
  opts: QueryOpts | null | undefined,
  options: {
    readonly columns: Readonly<Record<string, string>>
    readonly tiebreak: string
    readonly defaultOrder?: string | undefined
    readonly from: Statement.Fragment
    readonly select: (order: Statement.Fragment, window: Statement.Fragment) => Effect.Effect<ReadonlyArray<Row>, E, R>
  }
): Effect.Effect<ReadonlyArray<Row> | number, E | ParameterError | GenericError | SqlError.SqlError, R> =>
  Effect.gen(function*() {
    const o = opts ?? {}
    if (o.group) return yield* new GenericError({ message: "queryOpts.group is not available for this API" })
    const offset = o.offset ? sql`OFFSET ${o.offset}` : sql.literal("")
    const limit = o.limit ? sql`LIMIT ${o.limit}` : sql.literal("")
    const window = sql`${offset} ${limit}`
    if (o.countOnly) {
      const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM (${options.from} ${window}) numrows`
      return row!.n
    }
    const terms = yield* orderBy(o.order ?? options.defaultOrder, options.columns, options.tiebreak)
    return yield* options.select(sql.literal(terms), window)
  })

/**
 * Koji's `_applyQueryOpts`: `order` (one field, `-` for descending), `offset`, `limit` and
 * `countOnly` on rows already in memory. An unknown order field is a `ParameterError`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const inMemory = <A extends object>(
  rows: ReadonlyArray<A>,
  opts: QueryOpts | null | undefined,
  fields: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<A> | number, ParameterError | GenericError> =>
  Effect.suspend((): Effect.Effect<ReadonlyArray<A> | number, ParameterError | GenericError> => {
    const o = opts ?? {}
    if (o.group) return Effect.fail(new GenericError({ message: "queryOpts.group is not available for this API" }))
    let result = [...rows]
    if (o.order) {
      const descending = o.order.startsWith("-")
      const field = descending ? o.order.slice(1) : o.order
      if (!fields.includes(field)) return Effect.fail(new ParameterError({ message: `Invalid order term: ${field}` }))
      const key = (row: A) => (row as Record<string, unknown>)[field]
      result.sort((a, b) => {
        const x = key(a) as any
        const y = key(b) as any
        return x < y ? -1 : x > y ? 1 : 0
      })
      if (descending) result.reverse()
    }
    if (o.offset) result = result.slice(o.offset)
    if (o.limit) result = result.slice(0, o.limit)
    return Effect.succeed(o.countOnly ? result.length : result)
  })
