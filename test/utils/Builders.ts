/**
 * Builder hosts for tests: a host added by the admin, given a password, logged
 * in with an exclusive session and reporting itself ready.
 */
import { type Duration, Effect, Schedule } from "effect"
import * as TestHub from "./Hub.js"

/** The password of test hosts. */
export const hostPassword = "host-test-password"

/** Add a host (arches, capacity, channels) and give its user a password. */
export const addHost = (
  name: string,
  options: { readonly arches?: ReadonlyArray<string>; readonly capacity?: number; readonly channels?: ReadonlyArray<string> } = {}
) =>
  Effect.gen(function*() {
    const admin = yield* TestHub.admin
    const id = yield* admin.addHost({ hostname: name, arches: options.arches ?? ["x86_64"] })
    if (options.capacity !== undefined) yield* admin.editHost({ hostInfo: id, capacity: options.capacity })
    for (const channel of options.channels ?? []) {
      yield* admin.addHostToChannel({ hostname: name, channel_name: channel, create: true })
    }
    yield* TestHub.setPassword(name, hostPassword)
    return id
  })

/** Log a host in (exclusive session) and report it ready. */
export const hostClient = (name: string, options: { readonly ready?: boolean; readonly data?: Record<string, unknown> } = {}) =>
  Effect.gen(function*() {
    const client = yield* TestHub.loggedIn(name, hostPassword)
    yield* client.exclusiveSession({})
    yield* client.host.updateHost({ task_load: 0, ready: options.ready ?? true, data: options.data ?? null })
    return client
  })

/** A host added and logged in. */
export const builder = (
  name: string,
  options: {
    readonly arches?: ReadonlyArray<string>
    readonly capacity?: number
    readonly channels?: ReadonlyArray<string>
    readonly ready?: boolean
    readonly data?: Record<string, unknown>
  } = {}
) =>
  Effect.gen(function*() {
    const id = yield* addHost(name, options)
    const client = yield* hostClient(name, options)
    return { id, client }
  })

class NotYet {
  readonly _tag = "NotYet"
}

/** Repeat `effect` until `done` holds (every 20 ms, up to `timeout`); answers the value that made it hold. */
export const eventually = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  timeout: Duration.DurationInput = "10 seconds"
) =>
  Effect.filterOrFail(effect, done, () => new NotYet()).pipe(
    Effect.retry({ schedule: Schedule.spaced("20 millis"), while: (e) => e instanceof NotYet }),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => new Error("condition not reached in time") })
  )
