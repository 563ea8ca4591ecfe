/**
 * Koji's task state machine as a table: every operation from every state, with
 * the outcome (the new state, or the typed error) — and finished tasks never change.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import type * as KojiClient from "../src/client/KojiClient.js"
import { TaskState } from "../src/domain/Enums.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Builders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

type State = "FREE" | "ASSIGNED" | "OPEN" | "CLOSED" | "FAILED" | "CANCELED"
type Op = "open" | "close" | "fail" | "free" | "cancel" | "assign" | "refuse"

// what each operation does from each state: the state after it, or the error it fails with
const table: Record<Op, Record<State, State | { readonly error: string }>> = {
  open: { FREE: "OPEN", ASSIGNED: "OPEN", OPEN: "OPEN", CLOSED: "CLOSED", FAILED: "FAILED", CANCELED: "CANCELED" },
  close: {
    FREE: { error: "ActionNotAllowed" },
    ASSIGNED: { error: "GenericError" },
    OPEN: "CLOSED",
    CLOSED: { error: "GenericError" },
    FAILED: { error: "GenericError" },
    // canceled while FREE: never this host's
    CANCELED: { error: "ActionNotAllowed" }
  },
  fail: {
    FREE: { error: "ActionNotAllowed" },
    ASSIGNED: { error: "GenericError" },
    OPEN: "FAILED",
    CLOSED: { error: "GenericError" },
    FAILED: { error: "GenericError" },
    CANCELED: { error: "ActionNotAllowed" }
  },
  free: {
    FREE: "FREE",
    ASSIGNED: "FREE",
    OPEN: "FREE",
    CLOSED: { error: "GenericError" },
    FAILED: { error: "GenericError" },
    CANCELED: { error: "GenericError" }
  },
  cancel: { FREE: "CANCELED", ASSIGNED: "CANCELED", OPEN: "CANCELED", CLOSED: "CLOSED", FAILED: "FAILED", CANCELED: "CANCELED" },
  assign: { FREE: "ASSIGNED", ASSIGNED: "ASSIGNED", OPEN: "OPEN", CLOSED: "CLOSED", FAILED: "FAILED", CANCELED: "CANCELED" },
  refuse: {
    FREE: { error: "ActionNotAllowed" },
    ASSIGNED: "FREE",
    OPEN: "FREE",
    CLOSED: { error: "GenericError" },
    FAILED: { error: "GenericError" },
    CANCELED: { error: "ActionNotAllowed" }
  }
}

const states: ReadonlyArray<State> = ["FREE", "ASSIGNED", "OPEN", "CLOSED", "FAILED", "CANCELED"]
const ops = Object.keys(table) as ReadonlyArray<Op>

describe("Task states", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      db,
      (it) => {
        it.scoped("every operation from every state", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            // a channel nobody serves, and a host that is not ready: nothing moves but what the table does
            yield* admin.addChannel({ channel_name: "table" })
            const { client: host } = yield* Builders.builder("table-host", { ready: false })
            const ok = yield* Effect.orDie(TaskRequest.encodeResult(null))
            const fault = TaskRequest.encodeFailure(1000, "no")

            const inState = (state: State) =>
              Effect.gen(function*() {
                const id = yield* admin.makeTask({ method: "sleep", arglist: [0], channel: "table" })
                if (state === "FREE") return id
                if (state === "CANCELED") {
                  yield* admin.cancelTask({ task_id: id })
                  return id
                }
                yield* admin.assignTask({ task_id: id, host: "table-host", override: true })
                if (state === "ASSIGNED") return id
                yield* host.host.openTask({ task_id: id })
                if (state === "CLOSED") yield* host.host.closeTask({ task_id: id, response: ok })
                if (state === "FAILED") yield* host.host.failTask({ task_id: id, response: fault })
                return id
              })

            const apply = (op: Op, id: number, client: KojiClient.Client): Effect.Effect<unknown, { _tag: string }> => {
              switch (op) {
                case "open":
                  return client.host.openTask({ task_id: id })
                case "close":
                  return client.host.closeTask({ task_id: id, response: ok })
                case "fail":
                  return client.host.failTask({ task_id: id, response: fault })
                case "free":
                  return admin.freeTask({ task_id: id })
                case "cancel":
                  return admin.cancelTask({ task_id: id })
                case "assign":
                  return admin.assignTask({ task_id: id, host: "table-host" })
                case "refuse":
                  return client.host.refuseTask({ task_id: id, soft: true, msg: "not now" })
              }
            }

            const outcomes: Array<string> = []
            const expected: Array<string> = []
            for (const op of ops) {
              for (const from of states) {
                const id = yield* inState(from)
                expect(TaskState.name(((yield* admin.getTaskInfo({ task_id: id })) as any).state)).toBe(from)
                const result = yield* Effect.either(apply(op, id, host))
                const after = TaskState.name(((yield* admin.getTaskInfo({ task_id: id })) as any).state)
                const want = table[op][from]
                outcomes.push(
                  `${op} ${from}: ${Either.isLeft(result) ? `${result.left._tag}, stays ${after}` : after}`
                )
                expected.push(
                  `${op} ${from}: ${typeof want === "string" ? want : `${want.error}, stays ${from}`}`
                )
              }
            }
            expect(outcomes).toEqual(expected)
          }))
      }
    )
  }
})
