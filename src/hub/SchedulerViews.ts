/**
 * The scheduler's tables as Koji's query views (`scheduler.getTaskRuns`,
 * `getTaskRefusals`, `getLogMessages`, `getHostData`): Koji's field maps,
 * clauses `[[field, op, value]]`, `fields` and query options.
 *
 * @since 0.1.0
 */
import type { SqlClient, Statement } from "@effect/sql"
import { Effect } from "effect"
import type { HostInfo } from "../api/Hosts.js"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import * as QueryOptsRun from "./QueryOpts.js"

const taskFields = {
  method: "task.method",
  state: "task.state",
  owner: "task.owner",
  arch: "task.arch",
  channel_id: "task.channel_id",
  host_name: "host.name",
  host_ready: "host.ready"
}

interface View {
  readonly table: string
  readonly fields: Readonly<Record<string, string>>
  /** Koji's `default_fields`: what a query without `fields` answers. */
  readonly defaults: ReadonlyArray<string>
  /** Fields that need no join of task or host (what `*` means). */
  readonly own: ReadonlyArray<string>
  readonly order: string
}

const views = {
  runs: {
    table: "scheduler_task_runs",
    order: "scheduler_task_runs.id",
    defaults: ["id", "task_id", "host_id", "active", "create_ts"],
    own: ["id", "task_id", "host_id", "active", "create_ts"],
    fields: {
      id: "scheduler_task_runs.id",
      task_id: "scheduler_task_runs.task_id",
      ...taskFields,
      host_id: "scheduler_task_runs.host_id",
      active: "scheduler_task_runs.active",
      create_ts: "date_part('epoch', scheduler_task_runs.create_time)",
      start_ts: "date_part('epoch', task.start_time)",
      completion_ts: "date_part('epoch', task.completion_time)"
    }
  },
  refusals: {
    table: "scheduler_task_refusals",
    order: "scheduler_task_refusals.id",
    defaults: ["id", "task_id", "host_id", "by_host", "soft", "msg", "ts"],
    own: ["id", "task_id", "host_id", "by_host", "soft", "msg", "ts"],
    fields: {
      id: "scheduler_task_refusals.id",
      task_id: "scheduler_task_refusals.task_id",
      host_id: "scheduler_task_refusals.host_id",
      by_host: "scheduler_task_refusals.by_host",
      soft: "scheduler_task_refusals.soft",
      msg: "scheduler_task_refusals.msg",
      ts: "date_part('epoch', scheduler_task_refusals.time)",
      ...taskFields
    }
  },
  messages: {
    table: "scheduler_log_messages",
    order: "scheduler_log_messages.id",
    defaults: ["id", "task_id", "host_id", "msg", "msg_ts"],
    own: ["id", "task_id", "host_id", "msg_ts", "msg"],
    fields: {
      id: "scheduler_log_messages.id",
      task_id: "scheduler_log_messages.task_id",
      host_id: "scheduler_log_messages.host_id",
      msg_ts: "date_part('epoch', scheduler_log_messages.msg_time)",
      msg: "scheduler_log_messages.msg",
      ...taskFields
    }
  }
} satisfies Record<string, View>

const operators = new Set(["=", "!=", "<", ">", "<=", ">=", "IN", "NOT IN", "IS", "IS NOT"])

type Clause = readonly [string, string, unknown] | readonly [string, unknown]

const invalidField = (field: string) => new ParameterError({ message: `Invalid field for query ${field}` })

/**
 * The views on a database.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sql: SqlClient.SqlClient) => {
  const query = (
    view: View,
    clauses: ReadonlyArray<Clause> | null,
    fields: ReadonlyArray<string> | null,
    opts: QueryOpts | null
  ) =>
    Effect.gen(function*() {
      // Koji: no fields -> the view's defaults; `*` -> those needing no join; `**` -> all
      const names: Array<string> = []
      for (const name of fields !== null && fields.length > 0 ? fields : view.defaults) {
        const expanded = name === "*" ? view.own : name === "**" ? Object.keys(view.fields) : [name]
        for (const n of expanded) {
          if (!Object.hasOwn(view.fields, n)) return yield* invalidField(n)
          if (!names.includes(n)) names.push(n)
        }
      }
      const where: Array<Statement.Fragment> = []
      for (const clause of clauses ?? []) {
        // [field, value]: `=`, or `IN` for a list (Koji's implicit operator)
        const [field, rawOp, value] = clause.length === 2
          ? [clause[0], Array.isArray(clause[1]) ? "IN" : "=", clause[1]] as const
          : clause
        if (typeof rawOp !== "string") return yield* new ParameterError({ message: `Invalid operator: ${rawOp}` })
        const op = rawOp.toUpperCase()
        if (!Object.hasOwn(view.fields, field)) return yield* invalidField(field)
        if (!operators.has(op)) return yield* new ParameterError({ message: `Invalid operator: ${op}` })
        const column = sql.literal(view.fields[field as keyof typeof view.fields]!)
        if (op === "IN" || op === "NOT IN") {
          const list = Array.isArray(value) ? value : [value]
          const inList = list.length === 0 ? sql`FALSE` : sql`${column} IN ${sql.in(list as Array<any>)}`
          where.push(op === "IN" ? inList : sql`NOT (${inList})`)
        } else if (op === "IS" || op === "IS NOT") {
          if (value !== null && typeof value !== "boolean") {
            return yield* new ParameterError({ message: `${op} takes only None, True or False` })
          }
          where.push(sql`${column} ${sql.literal(op)} ${sql.literal(value === null ? "NULL" : value ? "TRUE" : "FALSE")}`)
        } else {
          where.push(sql`${column} ${sql.literal(op)} ${value as any}`)
        }
      }
      const whereSql = where.length === 0 ? sql`TRUE` : sql.and(where)
      const from = sql`${sql.literal(view.table)} LEFT JOIN task ON task.id = ${sql.literal(view.table)}.task_id
        LEFT JOIN host ON host.id = ${sql.literal(view.table)}.host_id WHERE ${whereSql}`
      const select = sql.literal(names.map((n) => `${view.fields[n as keyof typeof view.fields]} AS "${n}"`).join(", "))
      return yield* QueryOptsRun.run(sql, opts, {
        columns: view.fields,
        tiebreak: view.order,
        from: sql`SELECT 1 FROM ${from}`,
        select: (order, window) =>
          Effect.map(
            sql<Record<string, unknown>>`SELECT ${select} FROM ${from} ORDER BY ${order} ${window}`,
            (rows) => rows.map(numbers)
          )
      })
    })

  return {
    taskRuns: (clauses: ReadonlyArray<Clause> | null, fields: ReadonlyArray<string> | null, opts: QueryOpts | null) =>
      query(views.runs, clauses, fields, opts),
    refusals: (clauses: ReadonlyArray<Clause> | null, fields: ReadonlyArray<string> | null) =>
      Effect.map(query(views.refusals, clauses, fields, null), (rows) => rows as ReadonlyArray<Record<string, unknown>>),
    logMessages: (clauses: ReadonlyArray<Clause> | null, fields: ReadonlyArray<string> | null, opts: QueryOpts | null) =>
      query(views.messages, clauses, fields, opts),
    hostData: (host: HostInfo | null) =>
      Effect.gen(function*() {
        const filter = host === null
          ? sql`TRUE`
          : typeof host === "number"
          ? sql`d.host_id = ${host}`
          : sql`d.host_id = (SELECT id FROM host WHERE name = ${host})`
        const rows = yield* sql<{ host_id: number; data: unknown }>`
          SELECT d.host_id, d.data FROM scheduler_host_data d WHERE ${filter} ORDER BY d.host_id`
        if (host !== null && typeof host === "string" && rows.length === 0) {
          const [known] = yield* sql`SELECT 1 FROM host WHERE name = ${host}`
          if (known === undefined) return yield* new GenericError({ message: `No such host: ${host}` })
        }
        return rows.map((r) => ({ host_id: r.host_id, data: typeof r.data === "string" ? JSON.parse(r.data) : r.data }))
      })
  }
}

// epochs and floats arrive as numbers from both databases; counts and ids too
const numbers = (row: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) out[k] = k.endsWith("_ts") && v !== null ? Number(v) : v
  return out
}
