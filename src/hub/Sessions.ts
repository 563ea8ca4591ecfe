/**
 * Koji's sessions: id + key issued at login, checked on every call; call numbers
 * against replays; exclusive and shared sessions; subsessions closed with their
 * master; expiry after `SessionRenewalTimeout` and renewal; password, certificate
 * and proxy logins; a sweep that removes dead sessions.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { randomInt } from "node:crypto"
import { AuthExpired, AuthError, AuthLockError, ActionNotAllowed, GenericError, RetryError, SequenceError } from "../domain/Errors.js"
import { AuthType, UserStatus, UserType } from "../domain/Enums.js"
import type { Transport } from "./Caller.js"
import { HubConfig } from "./HubConfig.js"
import * as Passwords from "./Passwords.js"

/**
 * A validated session.
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  readonly id: number
  readonly key: string
  readonly userId: number
  readonly userName: string
  readonly usertype: number
  readonly authtype: number
  readonly master: number | null
  /** This session (or its master) holds the user's exclusive lock. */
  readonly exclusive: boolean
  /** Another session holds the user's exclusive lock: calls other than login/logout/exclusiveSession fail. */
  readonly lockError: string | undefined
  readonly expired: boolean
  readonly hostip: string
  /** The builder host this user is, for host sessions. */
  readonly hostId: number | null
}

/**
 * What a client sends with each call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly sessionId: number
  readonly sessionKey: string
  readonly callnum: number | undefined
}

/**
 * Koji's login answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoginInfo {
  readonly "session-id": number
  readonly "session-key": string
  readonly "header-auth": boolean
}

/**
 * Calls that may repeat a call number (Koji's `RetryWhitelist`).
 *
 * @since 0.1.0
 * @category constants
 */
export const retryWhitelist: ReadonlySet<string> = new Set([
  "host.taskWait",
  "host.taskUnwait",
  "host.taskSetWait",
  "host.updateHost",
  "host.setBuildRootState",
  "repoExpire",
  "repoDelete",
  "repoProblem"
])

/**
 * Calls an expired session may still make (to renew itself).
 *
 * @since 0.1.0
 * @category constants
 */
export const authMethods: ReadonlySet<string> = new Set(["login", "sslLogin"])

type Failure = AuthError | AuthExpired | SequenceError | RetryError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Sessions extends Context.Tag("koji/hub/Sessions")<Sessions, {
  /** Check credentials for a call to `method`. */
  readonly resolve: (credentials: Credentials, method: string, transport: Transport) => Effect.Effect<Session, Failure>
  /** Record a call number once the call wrote something (inside its transaction). */
  readonly recordCallnum: (sessionId: number, callnum: number) => Effect.Effect<void, SqlError.SqlError>
  /** Password login; `renew` re-keys the given (expired) session. */
  readonly passwordLogin: (options: {
    readonly user: string
    readonly password: string
    readonly hostip: string | undefined
    readonly transport: Transport
    readonly current: Session | undefined
    readonly renew: boolean
    readonly exclusive: boolean
  }) => Effect.Effect<LoginInfo, AuthError | AuthLockError | GenericError | SqlError.SqlError>
  /** Certificate, front-proxy or `proxyuser` login. */
  readonly sslLogin: (options: {
    readonly transport: Transport
    readonly current: Session | undefined
    readonly proxyuser: string | null
    readonly proxyauthtype: number | null
    readonly renew: boolean
    readonly exclusive: boolean
  }) => Effect.Effect<LoginInfo, AuthError | AuthLockError | GenericError | SqlError.SqlError>
  readonly logout: (session: Session, other: number | null, isAdmin: boolean) => Effect.Effect<void, ActionNotAllowed | SqlError.SqlError>
  readonly subsession: (session: Session) => Effect.Effect<LoginInfo, SqlError.SqlError>
  readonly logoutChild: (session: Session, child: number) => Effect.Effect<void, SqlError.SqlError>
  readonly makeExclusive: (session: Session, force: boolean) => Effect.Effect<void, GenericError | AuthLockError | SqlError.SqlError>
  readonly makeShared: (session: Session) => Effect.Effect<void, SqlError.SqlError>
  /** The permission names of a user, with those of its groups. */
  readonly permissions: (userId: number) => Effect.Effect<ReadonlySet<string>, SqlError.SqlError>
  /** Remove closed sessions and sessions idle for longer than `sessionIdleTimeout`; answers how many. */
  readonly sweep: Effect.Effect<number, SqlError.SqlError>
}>() {}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const newKey = (userId: number) => `${userId}-${Array.from({ length: 19 }, () => alnum[randomInt(alnum.length)]).join("")}`

interface SessionRow {
  readonly id: number
  readonly user_id: number
  readonly expired: boolean
  readonly master: number | null
  readonly authtype: number
  readonly hostip: string
  readonly callnum: number | null
  readonly exclusive: boolean | null
  readonly renew_cutoff: number
  readonly now_ts: number
  readonly stale: boolean
  readonly name: string
  readonly status: number
  readonly usertype: number
  readonly host_id: number | null
  readonly exclusive_id: number | null
}

/**
 * The sessions service on the `sessions` table.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const config = yield* HubConfig

  const hostipOf = (transport: Transport, override?: string | undefined) =>
    !config.checkClientIp ? "-" : override ?? transport.remoteAddress

  const resolve = (credentials: Credentials, method: string, transport: Transport) =>
    Effect.gen(function*() {
      const hostip = hostipOf(transport)
      const rows = yield* sql<SessionRow>`
        SELECT s.id, s.user_id, s.expired, s.master, s.authtype, s.hostip, s.callnum, s.exclusive,
               date_part('epoch', COALESCE(s.renew_time, s.start_time)) + ${config.sessionRenewalTimeout * 60} AS renew_cutoff,
               date_part('epoch', now()) AS now_ts,
               s.update_time < now() - interval '1 minute' AS stale,
               u.name, u.status, u.usertype, h.id AS host_id,
               (SELECT x.id FROM sessions x
                 WHERE x.user_id = s.user_id AND x.exclusive IS TRUE AND x.closed IS FALSE) AS exclusive_id
          FROM sessions s
          JOIN users u ON u.id = s.user_id
          LEFT JOIN host h ON h.user_id = s.user_id
         WHERE s.id = ${credentials.sessionId} AND s.key = ${credentials.sessionKey}
           AND s.hostip = ${hostip} AND s.closed IS FALSE`
      const row = rows[0]
      if (row === undefined) return yield* new AuthError({ message: "Invalid session or bad credentials" })
      let expired = row.expired
      if (!expired && config.sessionRenewalTimeout !== 0 && row.now_ts > row.renew_cutoff) {
        expired = true
        yield* sql`UPDATE sessions SET expired = TRUE WHERE id = ${row.id} OR master = ${row.id}`
      }
      if (expired && !authMethods.has(method)) {
        return yield* new AuthExpired({ message: `session "${row.id}" has expired` })
      }
      if (credentials.callnum !== undefined && row.callnum !== null) {
        if (row.callnum > credentials.callnum) {
          return yield* new SequenceError({ message: `${row.callnum} > ${credentials.callnum} (session ${row.id})` })
        }
        if (row.callnum === credentials.callnum && !retryWhitelist.has(method)) {
          return yield* new RetryError({
            message: `unable to retry call ${credentials.callnum} (method ${method}) for session ${row.id}`
          })
        }
      }
      if (!expired && row.status !== UserStatus.NORMAL) {
        return yield* new AuthError({ message: `logins by ${row.name} are not allowed` })
      }
      const exclusive = row.exclusive === true || (row.exclusive_id !== null && row.exclusive_id === row.master)
      const lockError = !exclusive && row.exclusive_id !== null ? "User locked by another session" : undefined
      if (row.stale) yield* sql`UPDATE sessions SET update_time = now() WHERE id = ${row.id}`
      return {
        id: row.id,
        key: credentials.sessionKey,
        userId: row.user_id,
        userName: row.name,
        usertype: row.usertype,
        authtype: row.authtype,
        master: row.master,
        exclusive,
        lockError,
        expired,
        hostip: row.hostip,
        hostId: row.host_id
      } satisfies Session
    })

  const recordCallnum = (sessionId: number, callnum: number) =>
    Effect.asVoid(sql`UPDATE sessions SET callnum = ${callnum} WHERE id = ${sessionId}`)

  const create = (userId: number, hostip: string, authtype: number, master: number | null) =>
    Effect.gen(function*() {
      const key = newKey(userId)
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO sessions ${sql.insert({ user_id: userId, key, hostip, authtype, master })} RETURNING id`
      return { "session-id": row!.id, "session-key": key, "header-auth": true } satisfies LoginInfo
    })

  const renewSession = (session: Session) =>
    Effect.gen(function*() {
      const key = newKey(session.userId)
      yield* sql`UPDATE sessions SET key = ${key}, expired = FALSE, update_time = now(), renew_time = now()
                 WHERE id = ${session.id}`
      return { "session-id": session.id, "session-key": key, "header-auth": true } satisfies LoginInfo
    })

  const makeExclusiveById = (sessionId: number, userId: number, master: number | null, force: boolean) =>
    sql.withTransaction(Effect.gen(function*() {
      if (master !== null) return yield* new GenericError({ message: "subsessions cannot become exclusive" })
      yield* sql`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`
      const [other] = yield* sql<{ id: number }>`
        SELECT id FROM sessions WHERE user_id = ${userId} AND closed IS FALSE AND exclusive IS TRUE FOR UPDATE`
      if (other !== undefined && other.id === sessionId) {
        return yield* new GenericError({ message: "session is already exclusive" })
      }
      if (other !== undefined) {
        if (!force) return yield* new AuthLockError({ message: "Cannot get exclusive session" })
        yield* sql`UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE WHERE id = ${other.id}`
      }
      yield* sql`UPDATE sessions SET exclusive = TRUE WHERE id = ${sessionId}`
    }))

  const checkLoginAllowed = (user: { readonly name: string; readonly status: number }) =>
    user.status === UserStatus.NORMAL
      ? Effect.void
      : new AuthError({ message: `logins by ${user.name} are not allowed` })

  const startSession = (options: {
    readonly userId: number
    readonly hostip: string
    readonly authtype: number
    readonly current: Session | undefined
    readonly renew: boolean
    readonly exclusive: boolean
  }) =>
    sql.withTransaction(Effect.gen(function*() {
      if (options.current !== undefined && !options.current.expired) {
        return yield* new AuthError({ message: "Already logged in" })
      }
      const info = options.renew && options.current !== undefined
        ? yield* renewSession(options.current)
        : yield* create(options.userId, options.hostip, options.authtype, null)
      if (options.exclusive) yield* makeExclusiveById(info["session-id"], options.userId, null, false)
      return info
    }))

  const passwordLogin: Sessions["Type"]["passwordLogin"] = (options) =>
    Effect.gen(function*() {
      const invalid = new AuthError({ message: "invalid username or password" })
      if (options.password.length === 0) return yield* invalid
      const [user] = yield* sql<{ id: number; name: string; status: number; password: string | null }>`
        SELECT id, name, status, password FROM users WHERE name = ${options.user}`
      // the hash is checked even for unknown users, so timing does not reveal who exists
      const ok = yield* Passwords.verify(options.password, user?.password ?? null)
      if (!ok || user === undefined) return yield* invalid
      yield* checkLoginAllowed(user)
      return yield* startSession({
        userId: user.id,
        hostip: hostipOf(options.transport, options.hostip),
        authtype: AuthType.NORMAL,
        current: options.current,
        renew: options.renew,
        exclusive: options.exclusive
      })
    })

  const userByName = (name: string) =>
    Effect.map(
      sql<{ id: number; name: string; status: number }>`SELECT id, name, status FROM users WHERE name = ${name}`,
      (rows) => rows[0]
    )

  const sslLogin: Sessions["Type"]["sslLogin"] = (options) =>
    Effect.gen(function*() {
      const { certificate, proxyUser } = options.transport
      let username: string
      let clientDn: string
      let authtype: number
      if (proxyUser !== undefined) {
        // a trusted front proxy authenticated the user (Koji's REMOTE_USER)
        username = proxyUser
        clientDn = proxyUser
        authtype = AuthType.GSSAPI
      } else if (certificate !== undefined) {
        const name = certificate.subject[config.dnUsernameComponent]
        if (name === undefined || name.length === 0) {
          return yield* new AuthError({
            message: `unable to get user information (${config.dnUsernameComponent}) from client certificate`
          })
        }
        username = name
        clientDn = certificate.dn
        authtype = AuthType.SSL
      } else {
        return yield* new AuthError({ message: "could not verify client: NONE" })
      }
      if (options.proxyuser !== null) {
        if (!config.proxyDns.includes(clientDn)) {
          return yield* new AuthError({ message: `${clientDn} is not authorized to login other users` })
        }
        username = options.proxyuser
        if (options.proxyauthtype !== null) {
          if (!config.allowProxyAuthType && authtype !== options.proxyauthtype) {
            return yield* new AuthError({
              message: "Proxy must use same auth mechanism as hub (behaviour can be overriden via AllowProxyAuthType hub option)"
            })
          }
          if (options.proxyauthtype !== AuthType.GSSAPI && options.proxyauthtype !== AuthType.SSL) {
            return yield* new AuthError({ message: `Proxied authtype ${options.proxyauthtype} is not valid for sslLogin` })
          }
          authtype = options.proxyauthtype
        }
      }
      let user = yield* userByName(username)
      if (user === undefined) {
        if (!config.loginCreatesUser) return yield* new AuthError({ message: `Unknown user: ${username}` })
        const [created] = yield* sql<{ id: number; name: string; status: number }>`
          INSERT INTO users ${sql.insert({ name: username, status: UserStatus.NORMAL, usertype: UserType.NORMAL })}
          ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
          RETURNING id, name, status`
        user = created!
      }
      yield* checkLoginAllowed(user)
      return yield* startSession({
        userId: user.id,
        hostip: hostipOf(options.transport),
        authtype,
        current: options.current,
        renew: options.renew,
        exclusive: options.exclusive
      })
    })

  const close = (where: "self-and-children" | "child", id: number, master?: number) =>
    where === "self-and-children"
      ? sql`UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE WHERE id = ${id} OR master = ${id}`
      : sql`UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE WHERE id = ${id} AND master = ${master!}`

  const logout: Sessions["Type"]["logout"] = (session, other, isAdmin) =>
    Effect.gen(function*() {
      if (other !== null && other !== session.id && !isAdmin) {
        const owned = yield* sql`SELECT id FROM sessions WHERE id = ${other} AND user_id = ${session.userId}`
        if (owned.length === 0) {
          return yield* new ActionNotAllowed({ message: "only admins or owner may logout other session" })
        }
      }
      yield* close("self-and-children", other ?? session.id)
    })

  const permissions = (userId: number) =>
    Effect.map(
      sql<{ name: string }>`
        SELECT DISTINCT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
         WHERE up.active IS TRUE
           AND (up.user_id = ${userId}
                OR up.user_id IN (SELECT group_id FROM user_groups WHERE user_id = ${userId} AND active IS TRUE))`,
      (rows): ReadonlySet<string> => new Set(rows.map((r) => r.name))
    )

  const sweep = Effect.gen(function*() {
    // subsessions first (they reference their master)
    const children = yield* sql<{ id: number }>`
      DELETE FROM sessions WHERE master IS NOT NULL AND (closed IS TRUE
        OR update_time < now() - make_interval(mins => ${config.sessionIdleTimeout})
        OR master IN (SELECT id FROM sessions WHERE closed IS TRUE))
      RETURNING id`
    const masters = yield* sql<{ id: number }>`
      DELETE FROM sessions s WHERE s.master IS NULL
        AND (s.closed IS TRUE OR s.update_time < now() - make_interval(mins => ${config.sessionIdleTimeout}))
        AND NOT EXISTS (SELECT 1 FROM sessions c WHERE c.master = s.id)
      RETURNING id`
    return children.length + masters.length
  })

  return Sessions.of({
    resolve,
    recordCallnum,
    passwordLogin,
    sslLogin,
    logout,
    subsession: (session) => create(session.userId, session.hostip, session.authtype, session.master ?? session.id),
    logoutChild: (session, child) => Effect.asVoid(close("child", child, session.id)),
    makeExclusive: (session, force) => makeExclusiveById(session.id, session.userId, session.master, force),
    makeShared: (session) => Effect.asVoid(sql`UPDATE sessions SET exclusive = NULL WHERE id = ${session.id}`),
    permissions,
    sweep
  })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Sessions, never, SqlClient.SqlClient | HubConfig> = Layer.effect(Sessions, make)
