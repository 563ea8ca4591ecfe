/**
 * Koji's auth calls: logins, logout, subsessions, exclusive sessions.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import * as Method from "./Method.js"

/**
 * Koji's login answer; the client sends `session-id`/`session-key` with every later call.
 *
 * @since 0.1.0
 * @category models
 */
export const LoginInfo = Schema.Struct({
  "session-id": Schema.Int,
  "session-key": Schema.String,
  "header-auth": Schema.Boolean
})

/**
 * `getLoggedInUser`: `getUser` of the caller plus `authtype` and `krb_principal`.
 *
 * @since 0.1.0
 * @category models
 */
export const LoggedInUser = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  status: Schema.Int,
  usertype: Schema.Int,
  krb_principals: Schema.Array(Schema.String),
  authtype: Schema.Int,
  krb_principal: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category methods
 */
export const login = Method.make("login", {
  params: {
    user: Schema.String,
    password: Schema.String,
    opts: Method.optional(Schema.NullOr(Schema.Struct({ hostip: Schema.optional(Schema.String) })), null),
    renew: Method.optional(Schema.Boolean, false),
    exclusive: Method.optional(Schema.Boolean, false)
  },
  success: LoginInfo,
  access: "anon",
  doc: "Create a login session with a user name and password"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const sslLogin = Method.make("sslLogin", {
  params: {
    proxyuser: Method.optional(Schema.NullOr(Schema.String), null),
    proxyauthtype: Method.optional(Schema.NullOr(Schema.Int), null),
    renew: Method.optional(Schema.Boolean, false),
    exclusive: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: LoginInfo,
  access: "anon",
  doc: "Log in with the verified TLS client certificate (or a trusted proxy's user)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const logout = Method.make("logout", {
  params: { session_id: Method.optional(Schema.NullOr(Schema.Int), null) },
  access: "login",
  doc: "Close the session (or another of yours; any, for admins) and its subsessions"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const subsession = Method.make("subsession", {
  success: LoginInfo,
  access: "login",
  doc: "Create a subsession of the current session"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const logoutChild = Method.make("logoutChild", {
  params: { session_id: Schema.Int },
  access: "login",
  doc: "Close a subsession of the current session"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const exclusiveSession = Method.make("exclusiveSession", {
  params: { force: Method.optional(Schema.Boolean, false) },
  access: "login",
  doc: "Make this session the user's only usable one (force closes the previous holder)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const sharedSession = Method.make("sharedSession", {
  access: "login",
  doc: "Drop the exclusive flag of this session"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLoggedInUser = Method.make("getLoggedInUser", {
  success: Schema.NullOr(LoggedInUser),
  readOnly: true,
  access: "anon",
  doc: "The calling user with its auth type, or null when not logged in"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class AuthApi extends RpcGroup.make(
  login,
  sslLogin,
  logout,
  subsession,
  logoutChild,
  exclusiveSession,
  sharedSession,
  getLoggedInUser
) {}
