/**
 * Handlers of the auth calls.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { AuthApi } from "../api/Auth.js"
import { AuthError } from "../domain/Errors.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { Sessions } from "./Sessions.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(AuthApi, Effect.gen(function*() {
  const sessions = yield* Sessions
  const sql = yield* SqlClient.SqlClient
  return {
    login: ({ exclusive, opts, password, renew, user }) =>
      Effect.flatMap(Caller.CurrentCaller, (caller) =>
        sessions.passwordLogin({
          user,
          password,
          hostip: opts?.hostip,
          transport: caller.transport,
          current: caller.session,
          renew,
          exclusive
        })),
    sslLogin: ({ exclusive, proxyauthtype, proxyuser, renew }) =>
      Effect.flatMap(Caller.CurrentCaller, (caller) =>
        sessions.sslLogin({
          transport: caller.transport,
          current: caller.session,
          proxyuser,
          proxyauthtype,
          renew,
          exclusive: exclusive ?? false
        })),
    logout: ({ session_id }) =>
      Effect.gen(function*() {
        const session = yield* Caller.session
        yield* sessions.logout(session, session_id, yield* Caller.hasPerm("admin"))
        return null
      }),
    subsession: () => Effect.flatMap(Caller.session, sessions.subsession),
    logoutChild: ({ session_id }) =>
      Effect.flatMap(Caller.session, (session) => sessions.logoutChild(session, session_id)).pipe(Effect.as(null)),
    exclusiveSession: ({ force }) =>
      Effect.flatMap(Caller.session, (session) =>
        session.exclusive && session.master === null
          ? Effect.succeed(null)
          : Effect.as(sessions.makeExclusive(session, force), null)),
    sharedSession: () => Effect.flatMap(Caller.session, sessions.makeShared).pipe(Effect.as(null)),
    getLoggedInUser: () =>
      Effect.gen(function*() {
        const { session } = yield* Caller.CurrentCaller
        if (session === undefined) return null
        const principals = yield* sql<{ krb_principal: string }>`
          SELECT krb_principal FROM user_krb_principals WHERE user_id = ${session.userId} ORDER BY krb_principal`
        const [user] = yield* sql<{ status: number; usertype: number }>`
          SELECT status, usertype FROM users WHERE id = ${session.userId}`
        if (user === undefined) return yield* new AuthError({ message: `invalid user_id: ${session.userId}` })
        return {
          id: session.userId,
          name: session.userName,
          status: user.status,
          usertype: user.usertype,
          krb_principals: principals.map((p) => p.krb_principal),
          authtype: session.authtype,
          krb_principal: principals[0]?.krb_principal ?? null
        }
      })
  }
}))
