/**
 * Who is calling: the transport's facts (address, verified client certificate,
 * trusted proxy user) and the session, if any. Handlers read it with
 * `yield* CurrentCaller` and check rights with `assertPerm`, `assertLogin`.
 *
 * @since 0.1.0
 */
import { Context, Effect } from "effect"
import { ActionNotAllowed, AuthError } from "../domain/Errors.js"
import type { Session } from "./Sessions.js"

/**
 * What the transport knows about the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  /** The client's address (`in-process` for embedded callers). */
  readonly remoteAddress: string
  /** A TLS client certificate the server verified: its subject components and the whole DN. */
  readonly certificate?: { readonly subject: Readonly<Record<string, string>>; readonly dn: string } | undefined
  /** A user name vouched for by a trusted front proxy (`REMOTE_USER`). */
  readonly proxyUser?: string | undefined
  /** Filled in by the dispatcher: the newest event id the call published (sent back as `Koji-Event-Id`). */
  readonly produced?: { eventId?: number | undefined } | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Caller {
  readonly transport: Transport
  readonly session: Session | undefined
  /** The caller's permissions (with those of its groups), read once per call. */
  readonly perms: Effect.Effect<ReadonlySet<string>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class CurrentCaller extends Context.Tag("koji/hub/CurrentCaller")<CurrentCaller, Caller>() {}

/**
 * An anonymous in-process caller (embedding, tests, internal jobs).
 *
 * @since 0.1.0
 * @category constructors
 */
export const anonymous: Caller = {
  transport: { remoteAddress: "in-process" },
  session: undefined,
  perms: Effect.succeed(new Set())
}

/**
 * True when the caller holds `perm` or `admin`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const hasPerm = (perm: string): Effect.Effect<boolean, never, CurrentCaller> =>
  Effect.flatMap(CurrentCaller, (caller) =>
    caller.session === undefined
      ? Effect.succeed(false)
      : Effect.map(caller.perms, (perms) => perms.has(perm) || perms.has("admin")))

/**
 * Koji's `assertPerm`: `ActionNotAllowed: X permission required (logged in as U)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const assertPerm = (perm: string): Effect.Effect<void, ActionNotAllowed, CurrentCaller> =>
  Effect.flatMap(hasPerm(perm), (ok) =>
    ok ? Effect.void : Effect.flatMap(CurrentCaller, (caller) =>
      new ActionNotAllowed({
        message: `${perm} permission required ${
          caller.session === undefined ? "(user not logged in)" : `(logged in as ${caller.session.userName})`
        }`
      })))

/**
 * Koji's `assertLogin`; answers the session.
 *
 * @since 0.1.0
 * @category combinators
 */
export const assertLogin: Effect.Effect<Session, ActionNotAllowed, CurrentCaller> = Effect.flatMap(
  CurrentCaller,
  (caller) =>
    caller.session === undefined
      ? new ActionNotAllowed({ message: "you must be logged in for this operation" })
      : Effect.succeed(caller.session)
)

/**
 * The session of a logged-in caller, or Koji's `AuthError: Not logged in`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const session: Effect.Effect<Session, AuthError, CurrentCaller> = Effect.flatMap(
  CurrentCaller,
  (caller) => caller.session === undefined ? new AuthError({ message: "Not logged in" }) : Effect.succeed(caller.session)
)

/**
 * The builder host behind a host session (Koji's `Host` check for `host.*` calls).
 *
 * @since 0.1.0
 * @category combinators
 */
export const host: Effect.Effect<{ readonly hostId: number; readonly session: Session }, AuthError, CurrentCaller> =
  Effect.flatMap(session, (s) => {
    if (s.hostId === null) return new AuthError({ message: "Not a host" })
    if (!s.exclusive) return new AuthError({ message: "This method requires an exclusive session" })
    return Effect.succeed({ hostId: s.hostId, session: s })
  })
