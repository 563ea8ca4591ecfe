import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Errors from "../src/domain/Errors.js"
import { TaskState } from "../src/domain/Enums.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Builders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

const response = (value: unknown) => Effect.orDie(TaskRequest.encodeResult(value))
const fault = (code: number, text: string) => TaskRequest.encodeFailure(code, text)

const stateOf = (id: number) =>
  Effect.flatMap(TestHub.client, (c) => Effect.map(c.getTaskInfo({ task_id: id }), (t) => (t as any)?.state as number))

// wait until the scheduler has assigned task `id` (to any host, or to `host`)
const assignedTo = (id: number, host?: number) =>
  Builders.eventually(
    Effect.flatMap(TestHub.client, (c) => c.getTaskInfo({ task_id: id })),
    (t: any) => t?.state === TaskState.ASSIGNED && (host === undefined || t.host_id === host)
  )

describe("Tasks", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.allTransports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = transport.slice(0, 1)
          const wire = transport === "xmlrpc"

          it.scoped("a read-only multicall of getTaskInfo (batched lookups) answers as the single calls do, in order", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              yield* admin.addChannel({ channel_name: `batch-${t}` })
              const ids: Array<number> = []
              for (let i = 0; i < 4; i++) {
                ids.push(yield* admin.makeTask({ method: "sleep", arglist: [i], channel: `batch-${t}` }))
              }
              // ids with and without the request, lists, unknown ids, a strict miss, an explained one
              const calls: Array<{ task_id: number | Array<number>; request?: boolean; strict?: boolean; explain?: boolean }> = []
              for (let round = 0; round < 12; round++) {
                calls.push({ task_id: ids[round % 4]! }, { task_id: ids[(round + 1) % 4]!, request: true })
                if (round % 4 === 0) {
                  calls.push({ task_id: [ids[0]!, 999_999, ids[3]!] }, { task_id: 999_998 }, { task_id: 999_997, strict: true })
                  calls.push({ task_id: ids[1]!, explain: true })
                }
              }
              const batched = yield* anon.multicall((m) => calls.map((c) => m.getTaskInfo(c)))
              yield* TestHub.sameAsSingleCalls(batched, calls.length, (i) => anon.getTaskInfo(calls[i]!))
              expect(Either.getOrThrow(batched[1]!)).toMatchObject({ id: ids[1], request: [1] })
            }))

          it.scoped("makeTask, getTaskInfo with the request, listTasks", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              yield* admin.addChannel({ channel_name: `quiet-${t}` })
              const id = yield* admin.makeTask({ method: "sleep", arglist: [1], channel: `quiet-${t}` })
              const info: any = yield* anon.getTaskInfo({ task_id: id, request: true })
              expect(info).toMatchObject({
                id,
                state: TaskState.FREE,
                method: "sleep",
                arch: "noarch",
                priority: 20,
                weight: 1,
                parent: null,
                label: null,
                host_id: null,
                waiting: null,
                awaited: null,
                request: [1]
              })
              expect(typeof info.create_ts).toBe("number")
              expect(info.create_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00$/)
              // why it waits (koji-ts): nobody serves its channel
              const explained: any = yield* anon.getTaskInfo({ task_id: id, explain: true })
              expect(explained.why).toEqual([`no enabled host in channel quiet-${t}`])
              expect(yield* anon.getTaskInfo({ task_id: 999999 })).toBeNull()
              const strict = yield* Effect.flip(anon.getTaskInfo({ task_id: 999999, strict: true }))
              expect(strict).toMatchObject({ _tag: "GenericError", message: "No such task: 999999" })
              const many: any = yield* anon.getTaskInfo({ task_id: [id, 999999] })
              expect(many.map((x: any) => x?.id ?? null)).toEqual([id, null])

              const listed: any = yield* anon.listTasks({
                opts: { method: "sleep", state: [TaskState.FREE], decode: true },
                queryOpts: { order: "-id", limit: 5 }
              })
              expect(listed[0]).toMatchObject({ id, request: [1], result: null, owner_name: "admin", owner_type: 0 })
              const raw: any = yield* anon.listTasks({ opts: { method: "sleep" }, queryOpts: { order: "-id", limit: 1 } })
              expect(raw[0].request).toContain("<methodName>sleep</methodName>")
              expect(yield* anon.listTasks({ opts: { owner: [999999] }, queryOpts: { countOnly: true } })).toBe(0)
              const bad = yield* Effect.flip(anon.listTasks({ opts: {}, queryOpts: { order: "nonsense" } }))
              expect(bad).toMatchObject({ _tag: "ParameterError" })

              // over HTTP a write answers the newest event id it published (Koji-Event-Id)
              if (transport !== "in-process") {
                const produced = yield* admin.lastEventId
                const mine: any = yield* anon.events.list({ after: produced! - 1 })
                expect(mine.events.map((e: any) => [e.id, e.task_id, e.data.state])).toEqual([[produced, id, TaskState.FREE]])
              }

              // only admins make arbitrary tasks
              const refused = yield* Effect.flip(anon.makeTask({ method: "sleep", arglist: [1] }))
              expect(Errors.isA(refused, "ActionNotAllowed") || Errors.isA(refused, "AuthError")).toBe(true)
            }))

          it.scoped("a builder's whole flow: assigned at once, opened, a labelled subtask, wait, results, close", () =>
            Effect.gen(function*() {
              const channel = `flow-${t}`
              const admin = yield* TestHub.admin
              yield* admin.addChannel({ channel_name: channel })
              const { client: host, id: hostId } = yield* Builders.builder(`flow-host-${t}`, { channels: [channel] })
              const id = yield* admin.makeTask({ method: "fork", arglist: [2], channel })
              yield* assignedTo(id, hostId)
              const mine: any = yield* host.host.getTasks({})
              expect(mine.map((x: any) => x.id)).toContain(id)
              const opened: any = yield* host.host.openTask({ task_id: id })
              expect(opened).toMatchObject({ id, state: TaskState.OPEN, host_id: hostId })
              expect(opened.request).toContain("<methodName>fork</methodName>")
              expect(yield* host.host.openTask({ task_id: id })).toBeNull()
              yield* host.host.setTaskWeight({ task_id: id, weight: 0.5 })

              const kids: Array<number> = []
              for (const label of ["a", "b", "c"]) {
                kids.push(yield* host.host.subtask({ method: "sleep", arglist: [0], parent: id, label }))
              }
              // a label names one child: asking again answers the same task
              expect(yield* host.host.subtask({ method: "sleep", arglist: [0], parent: id, label: "a" })).toBe(kids[0])
              const children: any = yield* admin.getTaskChildren({ task_id: id })
              expect(children.map((c: any) => [c.label, c.priority, c.arch])).toEqual([
                ["a", 19, "noarch"],
                ["b", 19, "noarch"],
                ["c", 19, "noarch"]
              ])
              yield* host.host.taskSetWait({ parent: id, tasks: null })
              expect(yield* host.host.taskWait({ parent: id })).toEqual([[], kids])
              const hostTasks: any = yield* host.host.getHostTasks({})
              expect(hostTasks.find((x: any) => x.id === id)).toMatchObject({ waiting: true, weight: 0.5, alert: false })

              // the children run (on the same host) and close
              for (const [i, kid] of kids.entries()) {
                yield* assignedTo(kid, hostId)
                expect(yield* host.host.openTask({ task_id: kid })).not.toBeNull()
                yield* host.host.closeTask({ task_id: kid, response: yield* response({ n: i }) })
                if (i === 0) {
                  const alert: any = yield* host.host.getHostTasks({})
                  expect(alert.find((x: any) => x.id === id)?.alert).toBe(true)
                }
              }
              expect(yield* host.host.taskWait({ parent: id })).toEqual([kids, []])
              const results = yield* host.host.taskWaitResults({ parent: id, tasks: kids })
              expect(results).toEqual(kids.map((kid, i) => [kid, { n: i }]))
              yield* host.host.closeTask({ task_id: id, response: yield* response(["done", 1.5]) })
              expect(yield* admin.getTaskResult({ taskId: id })).toEqual(["done", 1.5])
              expect(yield* admin.taskFinished({ taskId: id })).toBe(true)
              const descendants: any = yield* admin.getTaskDescendents({ task_id: id })
              expect(Object.keys(descendants).sort()).toEqual([id, ...kids].map(String).sort())
              expect(descendants[String(id)].map((c: any) => c.id)).toEqual(kids)

              // finished tasks never change
              const again = yield* Effect.flip(host.host.closeTask({ task_id: id, response: yield* response(1) }))
              expect(again.message).toBe(`Cannot close task ${id}, state is CLOSED`)
              const free = yield* Effect.flip(admin.freeTask({ task_id: id }))
              expect(free.message).toBe(`Cannot free task ${id}, state is CLOSED`)
              expect(yield* admin.cancelTask({ task_id: id })).toBe(false)
            }))

          it.scoped("failed and canceled tasks: stored faults, failany waits, cancel cascades", () =>
            Effect.gen(function*() {
              const channel = `fail-${t}`
              const admin = yield* TestHub.admin
              yield* admin.addChannel({ channel_name: channel })
              const { client: host, id: hostId } = yield* Builders.builder(`fail-host-${t}`, {
                channels: [channel],
                capacity: 10
              })
              const id = yield* admin.makeTask({ method: "fork", arglist: [], channel })
              yield* assignedTo(id, hostId)
              yield* host.host.openTask({ task_id: id })
              const a = yield* host.host.subtask({ method: "sleep", arglist: [1], parent: id, label: "a" })
              const b = yield* host.host.subtask({ method: "sleep", arglist: [1], parent: id, label: "b" })
              yield* assignedTo(a, hostId)
              yield* host.host.openTask({ task_id: a })
              yield* host.host.failTask({ task_id: a, response: fault(1005, "BuildError: no luck") })
              const raised = yield* Effect.flip(admin.getTaskResult({ taskId: a }))
              expect(raised).toMatchObject({ _tag: "BuildError", message: "BuildError: no luck" })
              expect(yield* admin.getTaskResult({ taskId: a, raise_fault: false })).toEqual({
                faultCode: 1005,
                faultString: "BuildError: no luck"
              })
              const unfinished = yield* Effect.flip(admin.getTaskResult({ taskId: b }))
              expect(unfinished.message).toBe(`Task ${b} is not finished`)
              // a failed child raises in waitResults unless it may fail
              const failing = yield* Effect.flip(host.host.taskWaitResults({ parent: id, tasks: [a] }))
              expect(failing).toMatchObject({ _tag: "BuildError" })
              expect(yield* host.host.taskWaitResults({ parent: id, tasks: [a], canfail: [a] })).toEqual([
                [a, { faultCode: 1005, faultString: "BuildError: no luck" }]
              ])
              // a non-fault document cannot fail a task
              const notFault = yield* Effect.flip(host.host.failTask({ task_id: id, response: yield* response(1) }))
              expect(notFault).toMatchObject({ _tag: "ParameterError" })

              // cancelling the parent cancels the children; the canceled result is an error
              expect(yield* admin.cancelTask({ task_id: id })).toBe(true)
              expect(yield* stateOf(id)).toBe(TaskState.CANCELED)
              expect(yield* stateOf(b)).toBe(TaskState.CANCELED)
              expect(yield* stateOf(a)).toBe(TaskState.FAILED)
              const canceled = yield* Effect.flip(admin.getTaskResult({ taskId: b }))
              expect(canceled.message).toBe(`Task ${b} is canceled`)
              // resubmit makes a copy of a canceled top-level task; not of a child
              const copy = yield* admin.resubmitTask({ taskID: id })
              const copied: any = yield* admin.getTaskInfo({ task_id: copy, request: true })
              expect(copied).toMatchObject({ method: "fork", request: [], channel_id: copied.channel_id })
              expect([TaskState.FREE, TaskState.ASSIGNED]).toContain(copied.state)
              const child = yield* Effect.flip(admin.resubmitTask({ taskID: b }))
              expect(child.message).toBe(`Task ${b} is not a top-level task`)
              yield* admin.cancelTaskFull({ task_id: copy })
              const notTop = yield* Effect.flip(admin.cancelTaskFull({ task_id: b }))
              expect(notTop.message).toBe(`Task ${b} is not top-level (parent=${id})`)
            }))

          it.scoped("who may do what: owners, hosts, admins", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              yield* admin.createUser({ username: `carol-${t}`, password: "pw-carol" })
              const carol = yield* TestHub.loggedIn(`carol-${t}`, "pw-carol")
              yield* admin.addChannel({ channel_name: `rights-${t}` })
              const id = yield* admin.makeTask({ method: "sleep", arglist: [5], channel: `rights-${t}` })
              const cancel = yield* Effect.flip(carol.cancelTask({ task_id: id }))
              expect(cancel).toMatchObject({ _tag: "ActionNotAllowed", message: "Cannot cancel task, not owner" })
              const hostCall = yield* Effect.flip(carol.host.getTasks({}))
              expect(Errors.isA(hostCall, "AuthError")).toBe(true)
              const prio = yield* Effect.flip(carol.setTaskPriority({ task_id: id, priority: 1 }))
              expect(prio).toMatchObject({ _tag: "ActionNotAllowed" })
              yield* admin.setTaskPriority({ task_id: id, priority: 3 })
              expect(yield* admin.getTaskInfo({ task_id: id })).toMatchObject({ priority: 3 })
              // a host may not close a task it does not run
              const { client: host } = yield* Builders.builder(`rights-host-${t}`)
              const notMine = yield* Effect.flip(host.host.closeTask({ task_id: id, response: yield* response(1) }))
              expect(notMine).toMatchObject({ _tag: "ActionNotAllowed" })
              expect(yield* host.host.openTask({ task_id: id })).not.toBeNull()
            }))

          if (!wire) {
            it.scoped("the event stream: resume after an id gets exactly what was missed", () =>
              Effect.gen(function*() {
                const admin = yield* TestHub.admin
                const anon = yield* TestHub.client
                yield* admin.addChannel({ channel_name: `events-${t}` })
                const start = yield* anon.events.lastId({})
                const ids: Array<number> = []
                for (let i = 0; i < 3; i++) {
                  ids.push(yield* admin.makeTask({ method: "sleep", arglist: [i], channel: `events-${t}` }))
                }
                const page: any = yield* anon.events.list({ after: start, filter: { kinds: ["task.state"] } })
                const made = page.events.filter((e: any) => ids.includes(e.task_id))
                expect(made.map((e: any) => e.task_id)).toEqual(ids)
                expect(made.every((e: any) => e.data.state === TaskState.FREE && e.data.method === "sleep")).toBe(true)
                // resume from the middle: exactly the later ones
                const resumed: any = yield* anon.events.list({ after: made[0].id, filter: { kinds: ["task.state"] } })
                expect(resumed.events.filter((e: any) => ids.includes(e.task_id)).map((e: any) => e.task_id)).toEqual(
                  ids.slice(1)
                )
                // a failed call publishes nothing
                const before = yield* anon.events.lastId({})
                yield* Effect.flip(admin.makeTask({ method: "sleep", arglist: [1], channel: "no-such-channel" }))
                const none: any = yield* anon.events.list({ after: before, filter: { task: ids[0]! } })
                expect(none.events).toEqual([])
                // waiting for the next event
                const waiter = yield* Effect.fork(anon.events.list({ after: before, filter: { kinds: ["task.state"] }, wait: 10 }))
                const next = yield* admin.makeTask({ method: "sleep", arglist: [9], channel: `events-${t}` })
                const woke: any = yield* waiter
                expect(woke.events.map((e: any) => e.task_id)).toContain(next)
              }))
          }
        }
      )
    }
  }
})
