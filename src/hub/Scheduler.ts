/**
 * The hub's task scheduler (reference 6): assigns FREE tasks to the hosts that
 * can take them, frees work that hosts do not pick up or stopped running, and
 * explains in words why a task waits.
 *
 * Koji runs a pass at most every `RunInterval` (60 s) when a builder polls; here
 * a pass runs as soon as work appears — a task made, freed or finished, a host
 * ready — from the event stream, with a slow periodic pass as a safety net. One
 * pass at a time across every hub on the database (a transaction advisory lock;
 * a hub that finds it taken looks again shortly); a task is assigned only while
 * still FREE, so never twice. Koji's housekeeping (hosts that stopped checking
 * in, stale refusals, the assignment and host timeouts) runs with a forced pass
 * and at most once a second otherwise. A batch holds only tasks some host could
 * take now, so work nobody can run never starves the rest.
 *
 * Within one priority, tasks are ordered fairly between owners (round-robin, or
 * weighted shares, by what each owner was given lately; Koji's FIFO as an
 * option), and a task's priority rises the longer it waits, so low priorities
 * never starve.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Layer, Queue, Schedule } from "effect"
import { TaskState } from "../domain/Enums.js"
import { GenericError } from "../domain/Errors.js"
import * as Database from "../db/Database.js"
import * as EventStream from "./EventStream.js"
import { HubConfig, type SchedulerSettings } from "./HubConfig.js"
import { archesOf } from "./Hosts.js"
import { taskEvent } from "./Tasks.js"

// an arbitrary constant: one scheduler pass at a time on a database
const schedulerLock = 7_261_002

/**
 * What a pass did.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunReport {
  /** Another hub's pass held the lock. */
  readonly skipped: boolean
  readonly assigned: number
  readonly freed: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Scheduler extends Context.Tag("koji/hub/Scheduler")<Scheduler, {
  /** Run passes now until nothing more can be assigned (`force`: wait for another hub's pass instead of skipping). */
  readonly run: (force: boolean) => Effect.Effect<RunReport, SqlError.SqlError>
  /** Ask for a pass soon (coalesced). */
  readonly trigger: Effect.Effect<void>
  /** Why a task is not running yet, in words. */
  readonly explain: (taskId: number) => Effect.Effect<ReadonlyArray<string>, SqlError.SqlError | GenericError>
}>() {}

interface FreeTask {
  readonly id: number
  readonly owner: number
  readonly owner_name: string
  readonly channel_id: number
  readonly arch: string
  readonly priority: number
  readonly weight: number
  readonly age: number
}

interface HostState {
  readonly id: number
  readonly name: string
  readonly ready: boolean
  readonly capacity: number
  readonly maxjobs: number
  readonly bins: Set<string>
  load: number
  ntasks: number
  demand: number
}

const binOf = (channelId: number, arch: string) => `${channelId}:${arch}`

/**
 * An owner's share of the slots: 1 (round-robin), its `ownerWeights` entry (weighted).
 *
 * @since 0.1.0
 * @category combinators
 */
export const shareOf = (owner: string, settings: Pick<SchedulerSettings, "fairShare" | "ownerWeights">): number =>
  settings.fairShare === "weighted" ? settings.ownerWeights[owner] ?? 1 : 1

/**
 * Order FREE tasks (already sorted by effective priority, then age) fairly between
 * owners within each priority (stride scheduling): each owner has a virtual time
 * (`vtime`, carried over from earlier passes: what it was given lately) that grows
 * by 1/share with each task it gets; the owner with the lowest goes next, ties to
 * the owner whose next task is oldest. `fifo` keeps Koji's order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fairOrder = <T extends { readonly owner: number; readonly owner_name: string; readonly effective: number }>(
  tasks: ReadonlyArray<T>,
  settings: Pick<SchedulerSettings, "fairShare" | "ownerWeights">,
  vtime: ReadonlyMap<number, number> = new Map()
): ReadonlyArray<T> => {
  if (settings.fairShare === "fifo") return tasks
  const clock = new Map<number, number>()
  const out: Array<T> = []
  let start = 0
  while (start < tasks.length) {
    let end = start
    while (end < tasks.length && tasks[end]!.effective === tasks[start]!.effective) end++
    // each owner's tasks of this priority, oldest first (owners in the order of their oldest task)
    const queues = new Map<number, { share: number; list: Array<T>; next: number }>()
    for (let i = start; i < end; i++) {
      const task = tasks[i]!
      let queue = queues.get(task.owner)
      if (queue === undefined) {
        const share = shareOf(task.owner_name, settings)
        queue = { share, list: [], next: 0 }
        queues.set(task.owner, queue)
        if (!clock.has(task.owner)) clock.set(task.owner, share > 0 ? vtime.get(task.owner) ?? 0 : Infinity)
      }
      queue.list.push(task)
    }
    const index = new Map(tasks.slice(start, end).map((t, i) => [t, i]))
    for (let n = start; n < end; n++) {
      let best: number | undefined
      for (const [owner, queue] of queues) {
        if (queue.next >= queue.list.length) continue
        if (best === undefined) {
          best = owner
          continue
        }
        const a = clock.get(owner)!
        const b = clock.get(best)!
        const older = index.get(queue.list[queue.next]!)! < index.get(queues.get(best)!.list[queues.get(best)!.next]!)!
        if (a < b || (a === b && older)) best = owner
      }
      const queue = queues.get(best!)!
      out.push(queue.list[queue.next++]!)
      clock.set(best!, clock.get(best!)! + 1 / queue.share)
    }
    start = end
  }
  return out
}

/**
 * The scheduler on the database; its loop wakes on the event stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const config = yield* HubConfig
  const events = yield* EventStream.EventStream
  const s = config.scheduler
  const provide = Database.withSql(sql)
  const seconds = (n: number) => sql`make_interval(secs => ${n})`
  const json = (rows: ReadonlyArray<unknown>) => JSON.stringify(rows)

  const log = (entries: ReadonlyArray<{ task_id: number | null; host_id: number | null; msg: string }>) =>
    entries.length === 0 ? Effect.void : Effect.asVoid(sql`
      INSERT INTO scheduler_log_messages (task_id, host_id, msg)
      SELECT task_id, host_id, msg FROM jsonb_to_recordset(${json(entries)}::jsonb) AS x(task_id int, host_id int, msg text)`)

  // free tasks, with what their events need
  const freeTasks = (ids: ReadonlyArray<number>, msg: string, refuse: ReadonlyArray<number> = []) =>
    Effect.gen(function*() {
      if (ids.length === 0) return 0
      const rows = yield* sql<{ id: number; old_host: number | null; state: number; parent: number | null; method: string; owner: number; channel_id: number; arch: string; priority: number; label: string | null }>`
        WITH old AS (SELECT id, host_id, state FROM task WHERE id IN ${sql.in(ids)} FOR UPDATE)
        UPDATE task SET state = ${TaskState.FREE}, host_id = NULL FROM old
         WHERE task.id = old.id AND old.state IN (${TaskState.OPEN}, ${TaskState.ASSIGNED})
        RETURNING task.id, old.host_id AS old_host, old.state, task.parent, task.method, task.owner, task.channel_id,
          task.arch, task.priority, task.label`
      if (rows.length === 0) return 0
      const freed = rows.map((r) => r.id)
      yield* sql`UPDATE scheduler_task_runs SET active = FALSE WHERE task_id IN ${sql.in(freed)} AND active IS TRUE`
      const refusals = rows.filter((r) => refuse.includes(r.id) && r.old_host !== null)
      if (refusals.length > 0) {
        yield* sql`
          INSERT INTO scheduler_task_refusals (task_id, host_id, by_host, soft, msg)
          SELECT task_id, host_id, FALSE, TRUE, 'assignment timeout'
            FROM jsonb_to_recordset(${json(refusals.map((r) => ({ task_id: r.id, host_id: r.old_host })))}::jsonb)
              AS x(task_id int, host_id int)
          ON CONFLICT (task_id, host_id) DO UPDATE SET soft = TRUE, msg = 'assignment timeout', time = now()`
      }
      yield* log(rows.map((r) => ({ task_id: r.id, host_id: r.old_host, msg })))
      yield* provide(EventStream.publish(...rows.map((r) => taskEvent(r, TaskState.FREE, r.old_host, { reason: msg }))))
      return rows.length
    })

  // Koji's check_active_tasks
  const checkActive = Effect.gen(function*() {
    let freed = 0
    const orphans = yield* sql<{ id: number }>`
      SELECT id FROM task WHERE state IN (${TaskState.OPEN}, ${TaskState.ASSIGNED}) AND host_id IS NULL`
    freed += yield* freeTasks(orphans.map((r) => r.id), "Freeing task with no host")
    const late = yield* sql<{ id: number; checked_in: boolean }>`
      SELECT t.id, COALESCE(h.update_time > r.create_time, FALSE) AS checked_in
        FROM task t JOIN scheduler_task_runs r ON r.task_id = t.id AND r.active IS TRUE
        JOIN host h ON h.id = t.host_id
       WHERE t.state = ${TaskState.ASSIGNED} AND r.create_time < now() - ${seconds(s.assignTimeout)}`
    freed += yield* freeTasks(
      late.map((r) => r.id),
      "Freeing task: not opened in time (assignment timeout)",
      late.filter((r) => r.checked_in).map((r) => r.id)
    )
    const lost = yield* sql<{ id: number }>`
      SELECT t.id FROM task t JOIN host h ON h.id = t.host_id
       WHERE t.state = ${TaskState.OPEN}
         AND (h.update_time IS NULL OR h.update_time < now() - ${seconds(s.hostTimeout)})
         AND EXISTS (SELECT 1 FROM scheduler_task_runs r WHERE r.task_id = t.id AND r.active IS TRUE)`
    freed += yield* freeTasks(lost.map((r) => r.id), "Freeing task from unresponsive host")
    yield* sql`UPDATE scheduler_task_runs r SET active = FALSE FROM task t
      WHERE r.task_id = t.id AND r.active IS TRUE AND t.state NOT IN (${TaskState.OPEN}, ${TaskState.ASSIGNED})`
    return freed
  })

  const loadHosts = Effect.gen(function*() {
    const rows = yield* sql<{ id: number; name: string; ready: boolean; arches: string | null; capacity: number; data: unknown }>`
      SELECT h.id, h.name, h.ready, hc.arches, hc.capacity, d.data
        FROM host h JOIN host_config hc ON hc.host_id = h.id AND hc.active IS TRUE AND hc.enabled IS TRUE
        LEFT JOIN scheduler_host_data d ON d.host_id = h.id`
    const channels = yield* sql<{ host_id: number; channel_id: number }>`
      SELECT hc.host_id, hc.channel_id FROM host_channels hc JOIN channels c ON c.id = hc.channel_id
       WHERE hc.active IS TRUE AND c.enabled IS TRUE`
    const loads = yield* sql<{ host_id: number; n: number; load: number }>`
      SELECT host_id, count(*)::int AS n, COALESCE(sum(weight) FILTER (WHERE waiting IS NOT TRUE), 0)::float8 AS load
        FROM task WHERE state IN (${TaskState.OPEN}, ${TaskState.ASSIGNED}) AND host_id IS NOT NULL GROUP BY host_id`
    const byHost = new Map<number, Array<number>>()
    for (const c of channels) {
      const list = byHost.get(c.host_id) ?? []
      list.push(c.channel_id)
      byHost.set(c.host_id, list)
    }
    const loadOf = new Map(loads.map((l) => [l.host_id, l]))
    return rows.map((row): HostState => {
      const data = (typeof row.data === "string" ? JSON.parse(row.data) : row.data) as { maxjobs?: unknown } | null
      const arches = [...archesOf({ arches: row.arches ?? "" }), "noarch"]
      const bins = new Set<string>()
      for (const channel of byHost.get(row.id) ?? []) for (const arch of arches) bins.add(binOf(channel, arch))
      const l = loadOf.get(row.id)
      return {
        id: row.id,
        name: row.name,
        ready: row.ready,
        capacity: Number(row.capacity),
        // Koji: `hostdata.get('maxjobs') or MaxJobs` (0 or missing: the hub's)
        maxjobs: typeof data?.maxjobs === "number" && data.maxjobs > 0 ? data.maxjobs : s.maxJobs,
        bins,
        load: Number(l?.load ?? 0),
        ntasks: l?.n ?? 0,
        demand: 0
      }
    })
  })

  // the most urgent FREE tasks of the bins some host could take work in now: tasks no host can take
  // (an arch nobody builds, full hosts) must not fill the batch and starve the others
  const loadFree = (limit: number, bins: ReadonlyArray<{ channel_id: number; arch: string }>) =>
    sql<FreeTask>`
      SELECT t.id, t.owner, u.name AS owner_name, t.channel_id, t.arch, t.priority, t.weight,
             date_part('epoch', now() - t.create_time) AS age
        FROM task t JOIN users u ON u.id = t.owner
        JOIN jsonb_to_recordset(${json(bins)}::jsonb) AS b(channel_id int, arch text)
          ON b.channel_id = t.channel_id AND b.arch = t.arch
       WHERE t.state = ${TaskState.FREE}
       ORDER BY ${
      s.priorityAging > 0
        ? sql`t.priority - floor(date_part('epoch', now() - t.create_time) / ${s.priorityAging})`
        : sql.literal("t.priority")
    }, t.create_time, t.id
       LIMIT ${limit}`

  const effective = (t: FreeTask) =>
    s.priorityAging > 0 ? t.priority - Math.floor(Number(t.age) / s.priorityAging) : t.priority

  const fits = (host: HostState, weight: number) =>
    host.ntasks < host.maxjobs && host.capacity - host.load > Math.max(0, weight - s.capacityOvercommit)

  // fair share: the owners' virtual times, kept between passes (and hubs) in scheduler_sys_data
  const loadVtime = Effect.map(
    sql<{ data: unknown }>`SELECT data FROM scheduler_sys_data WHERE name = 'fair_share'`,
    ([row]) => {
      const data = (typeof row?.data === "string" ? JSON.parse(row.data) : row?.data ?? {}) as Record<string, number>
      return new Map(Object.entries(data).map(([owner, v]) => [Number(owner), Number(v)]))
    }
  )
  // what the owners of this batch were given, relative to the least served of them (owners
  // with no FREE task are forgotten: they come back level with the least served, no credit)
  const saveVtime = (
    free: ReadonlyArray<FreeTask>,
    assignments: ReadonlyArray<{ id: number }>,
    vtime: ReadonlyMap<number, number>
  ) => {
    const ownerOf = new Map(free.map((t) => [t.id, t]))
    const next = new Map<number, number>()
    for (const t of free) {
      if (shareOf(t.owner_name, s) > 0) next.set(t.owner, vtime.get(t.owner) ?? 0)
    }
    for (const a of assignments) {
      const t = ownerOf.get(a.id)!
      if (next.has(t.owner)) next.set(t.owner, next.get(t.owner)! + 1 / shareOf(t.owner_name, s))
    }
    const floor = Math.min(...next.values())
    const data: Record<string, number> = {}
    for (const [owner, v] of next) data[owner] = v - floor
    return sql`
      INSERT INTO scheduler_sys_data (name, data) VALUES ('fair_share', ${JSON.stringify(data)}::jsonb)
      ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data`
  }

  // Koji's do_schedule, over one batch of FREE tasks
  const schedule = Effect.gen(function*() {
    const hosts = yield* loadHosts
    const open = new Map<string, { channel_id: number; arch: string }>()
    for (const host of hosts) {
      if (!host.ready || !fits(host, 0)) continue
      for (const bin of host.bins) {
        const at = bin.indexOf(":")
        open.set(bin, { channel_id: Number(bin.slice(0, at)), arch: bin.slice(at + 1) })
      }
    }
    if (open.size === 0) return { assigned: 0, more: false }
    const free = yield* loadFree(s.batchSize, [...open.values()])
    if (free.length === 0) return { assigned: 0, more: false }
    const refusals = yield* sql<{ task_id: number; host_id: number }>`
      SELECT task_id, host_id FROM scheduler_task_refusals
       WHERE task_id IN ${sql.in(free.map((t) => t.id))}
         AND NOT (soft IS TRUE AND time < now() - ${seconds(s.softRefusalTimeout)})`
    const refused = new Set(refusals.map((r) => `${r.task_id}:${r.host_id}`))
    const byBin = new Map<string, Array<HostState>>()
    for (const host of hosts) {
      if (!host.ready) continue
      for (const bin of host.bins) {
        const list = byBin.get(bin) ?? []
        list.push(host)
        byBin.set(bin, list)
      }
    }
    const vtime = s.fairShare === "fifo" ? new Map<number, number>() : yield* loadVtime
    const ordered = fairOrder(free.map((t) => ({ ...t, effective: effective(t) })), s, vtime)
    const candidates = new Map<number, Array<HostState>>()
    for (const task of ordered) {
      const list = (byBin.get(binOf(task.channel_id, task.arch)) ?? []).filter((h) =>
        fits(h, Number(task.weight)) && !refused.has(`${task.id}:${h.id}`)
      )
      candidates.set(task.id, list)
      for (const h of list) h.demand += Number(task.weight) / list.length
    }
    const totalDemand = hosts.reduce((sum, h) => sum + h.demand, 0)
    if (totalDemand > 0) for (const h of hosts) h.demand /= totalDemand
    const rank = (h: HostState) => h.load + h.ntasks + h.demand
    const assignments: Array<{ id: number; host: number }> = []
    for (const task of ordered) {
      const list = candidates.get(task.id)!
      if (list.length === 0) continue
      list.sort((a, b) => rank(a) - rank(b))
      const host = list.find((h) => fits(h, Number(task.weight)))
      if (host === undefined) continue
      host.load += Number(task.weight)
      host.ntasks += 1
      assignments.push({ id: task.id, host: host.id })
    }
    if (assignments.length === 0) return { assigned: 0, more: false }
    if (s.fairShare !== "fifo") yield* saveVtime(free, assignments, vtime)
    const done = yield* sql<{ id: number; host_id: number; parent: number | null; method: string; owner: number; channel_id: number; arch: string; priority: number; label: string | null }>`
      UPDATE task SET state = ${TaskState.ASSIGNED}, host_id = v.host
        FROM jsonb_to_recordset(${json(assignments)}::jsonb) AS v(id int, host int)
       WHERE task.id = v.id AND task.state = ${TaskState.FREE} AND task.host_id IS NULL
      RETURNING task.id, task.host_id, task.parent, task.method, task.owner, task.channel_id, task.arch, task.priority,
        task.label`
    if (done.length > 0) {
      const pairs = json(done.map((d) => ({ task_id: d.id, host_id: d.host_id })))
      yield* sql`
        INSERT INTO scheduler_task_runs (task_id, host_id)
        SELECT task_id, host_id FROM jsonb_to_recordset(${pairs}::jsonb) AS x(task_id int, host_id int)`
      yield* log(done.map((d) => ({ task_id: d.id, host_id: d.host_id, msg: "Assigning task" })))
      yield* provide(EventStream.publish(
        ...done.map((d) => taskEvent({ ...d, state: TaskState.FREE }, TaskState.ASSIGNED, d.host_id))
      ))
    }
    return { assigned: done.length, more: free.length === s.batchSize }
  })

  // Koji's housekeeping (check_hosts, stale refusals, check_active_tasks) deals in timeouts of
  // seconds to minutes: a forced run does it, and the passes that work wakes do it at most once a second
  let lastHousekeeping = 0
  const housekeeping = Effect.gen(function*() {
    yield* sql`
      INSERT INTO scheduler_sys_data (name, data) VALUES ('last_run_ts', to_jsonb(date_part('epoch', now())))
      ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data`
    // Koji's check_hosts: a ready host that stopped checking in is not ready
    const stale = yield* sql<{ id: number }>`
      UPDATE host SET ready = FALSE
       WHERE ready IS TRUE AND (update_time IS NULL OR update_time < now() - ${seconds(s.readyTimeout)})
      RETURNING id`
    yield* log(stale.map((h) => ({ task_id: null, host_id: h.id, msg: "Marking host not ready" })))
    yield* provide(EventStream.publish(
      ...stale.map((h) => ({ kind: "host.ready", host_id: h.id, data: { ready: false, reason: "not checking in" } }))
    ))
    yield* sql`
      DELETE FROM scheduler_task_refusals r
       WHERE (r.soft IS TRUE AND r.time < now() - ${seconds(s.softRefusalTimeout)})
          OR NOT EXISTS (SELECT 1 FROM task t WHERE t.id = r.task_id
                           AND t.state IN (${TaskState.FREE}, ${TaskState.OPEN}, ${TaskState.ASSIGNED}))`
    return yield* checkActive
  })

  const pass = (force: boolean, full: boolean) =>
    provide(EventStream.transaction(Effect.gen(function*() {
      if (force) {
        yield* sql`SELECT pg_advisory_xact_lock(${schedulerLock})`
      } else {
        const [row] = yield* sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${schedulerLock}) AS ok`
        if (!row?.ok) return { skipped: true, assigned: 0, freed: 0, more: false }
      }
      const freed = full ? yield* housekeeping : 0
      const { assigned, more } = yield* schedule
      return { skipped: false, assigned, freed, more }
    }))).pipe(Effect.tap((report) => {
      if (full && !report.skipped) lastHousekeeping = Date.now()
    }))

  const run = (force: boolean) =>
    Effect.gen(function*() {
      let assigned = 0
      let freed = 0
      let first = true
      while (true) {
        const full = first && (force || Date.now() - lastHousekeeping >= 1000)
        first = false
        const report = yield* pass(force, full)
        if (report.skipped) return { skipped: true, assigned, freed }
        assigned += report.assigned
        freed += report.freed
        if (!report.more || report.assigned === 0) return { skipped: false, assigned, freed }
      }
    })

  const explain = (taskId: number) =>
    Effect.gen(function*() {
      const [task] = yield* sql<{ state: number; channel_id: number; channel: string; arch: string; priority: number; weight: number; host: string | null; create_time: unknown }>`
        SELECT t.state, t.channel_id, c.name AS channel, t.arch, t.priority, t.weight, h.name AS host, t.create_time
          FROM task t JOIN channels c ON c.id = t.channel_id LEFT JOIN host h ON h.id = t.host_id WHERE t.id = ${taskId}`
      if (task === undefined) return yield* new GenericError({ message: `No such task: ${taskId}` })
      const state = TaskState.name(task.state as TaskState)
      if (task.state === TaskState.ASSIGNED) return [`assigned to ${task.host}, waiting for it to open the task`]
      if (task.state === TaskState.OPEN) return [`running on ${task.host}`]
      if (task.state !== TaskState.FREE) return [`the task is ${state}`]
      const hosts = yield* loadHosts
      const bin = binOf(task.channel_id, task.arch)
      const inChannel = hosts.filter((h) => [...h.bins].some((b) => b.startsWith(`${task.channel_id}:`)))
      const able = hosts.filter((h) => h.bins.has(bin))
      const reasons: Array<string> = []
      if (inChannel.length === 0) {
        return [`no enabled host in channel ${task.channel}`]
      }
      if (able.length === 0) {
        return [`no enabled host in channel ${task.channel} supports ${task.arch}`]
      }
      const refusals = yield* sql<{ host: string; soft: boolean; msg: string | null; by_host: boolean }>`
        SELECT h.name AS host, r.soft, r.msg, r.by_host FROM scheduler_task_refusals r JOIN host h ON h.id = r.host_id
         WHERE r.task_id = ${taskId} AND NOT (r.soft IS TRUE AND r.time < now() - ${seconds(s.softRefusalTimeout)})
         ORDER BY r.id`
      for (const r of refusals) {
        reasons.push(`refused by ${r.host}${r.soft ? " (soft, for a while)" : ""}: ${r.msg ?? ""}`.trimEnd())
      }
      const refusedNames = new Set(refusals.map((r) => r.host))
      const usable = able.filter((h) => !refusedNames.has(h.name))
      const ready = usable.filter((h) => h.ready)
      const notReady = usable.filter((h) => !h.ready)
      if (notReady.length > 0) {
        reasons.push(`${notReady.length} of the ${usable.length} hosts that can take it ${
          notReady.length === 1 ? "is" : "are"
        } not ready (${notReady.map((h) => h.name).slice(0, 5).join(", ")})`)
      }
      if (ready.length === 0) {
        if (reasons.length === 0) reasons.push("no host that can take it is available")
        return reasons
      }
      const full = ready.filter((h) => !fits(h, Number(task.weight)))
      if (full.length === ready.length) {
        const [ahead] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM task t
           WHERE t.state = ${TaskState.FREE} AND t.channel_id = ${task.channel_id} AND t.arch = ${task.arch}
             AND (t.priority, t.create_time, t.id) < (${task.priority}, ${task.create_time as any}, ${taskId})`
        reasons.push(
          `${ahead!.n} task${ahead!.n === 1 ? "" : "s"} ahead of it on the ${ready.length} host${
            ready.length === 1 ? "" : "s"
          } that can take it, which ${ready.length === 1 ? "is" : "are"} busy (at capacity or maxjobs)`
        )
      } else {
        reasons.push(`${ready.length - full.length} host(s) can take it now; the next scheduler pass will assign it`)
      }
      return reasons
    })

  // the loop: a pass whenever work appears, and every RunInterval anyway
  const wake = yield* Queue.sliding<void>(1)
  const trigger = Effect.asVoid(wake.offer(undefined))
  const subscription = yield* events.live
  const wakesScheduler = (e: { readonly kind: string; readonly data: Readonly<Record<string, unknown>> }) =>
    e.kind === "host.ready" || (e.kind === "task.state" && e.data.state !== TaskState.ASSIGNED
      && e.data.state !== TaskState.OPEN)
  yield* Queue.take(subscription).pipe(
    Effect.flatMap((e) => wakesScheduler(e) ? trigger : Effect.void),
    Effect.forever,
    Effect.forkScoped
  )
  yield* trigger.pipe(Effect.repeat(Schedule.spaced(`${s.runInterval} seconds`)), Effect.forkScoped)
  yield* wake.take.pipe(
    Effect.zipRight(run(false)),
    // another pass (another hub's, or scheduler.doRun) held the lock: it may have read the FREE
    // tasks before the work that woke us committed, so look again shortly
    Effect.flatMap((report) => report.skipped ? Effect.zipRight(Effect.sleep("50 millis"), trigger) : Effect.void),
    Effect.catchAllCause((cause) => Effect.logWarning("scheduler pass failed", cause)),
    Effect.forever,
    Effect.forkScoped
  )

  return Scheduler.of({ run, trigger, explain })
})

/**
 * The scheduler and its loop (scoped to the layer).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Scheduler, never, SqlClient.SqlClient | HubConfig | EventStream.EventStream> = Layer
  .scoped(Scheduler, make)
