/**
 * Handlers of the Users area (the logic lives in the `Users` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { BareUser, BareUserWithGroups, UsersApi, type UserInfo, UserWithGroups } from "../api/Users.js"
import type { UserStatus, UserType } from "../domain/Enums.js"
import { UserStatus as Status } from "../domain/Enums.js"
import { GenericError } from "../domain/Errors.js"
import type { PermissionId, UserId } from "../domain/Ids.js"
import { Permission } from "../domain/Permission.js"
import { User } from "../domain/User.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { layer as usersLayer, type UserRow, Users } from "./Users.js"

// Koji's get_user(None): the caller, or "No user provided" when anonymous
const orCaller = (info: UserInfo | null): Effect.Effect<UserInfo, GenericError, Caller.CurrentCaller> =>
  info !== null ? Effect.succeed(info) : Effect.flatMap(Caller.CurrentCaller, (caller) =>
    caller.session === undefined
      ? Effect.fail(new GenericError({ message: "No user provided" }))
      : Effect.succeed(caller.session.userId))

const userFields = (row: UserRow) => ({
  id: row.id as UserId,
  name: row.name,
  status: row.status as UserStatus,
  usertype: row.usertype as UserType
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(UsersApi, Effect.gen(function*() {
  const users = yield* Users
  const actor = Effect.map(Caller.session, (s) => s.userId)
  return {
    getUser: ({ groups, krb_princs, strict, userInfo }) =>
      Effect.gen(function*() {
        const info = yield* orCaller(userInfo)
        const row = strict ? yield* users.require(info) : yield* users.find(info)
        if (row === undefined) return null
        const base = userFields(row)
        const groupNames = groups ? (yield* users.groups(row.id)).map((g) => g.name) : []
        if (krb_princs) {
          const withPrincipals = { ...base, krb_principals: row.krb_principals }
          return groups ? new UserWithGroups({ ...withPrincipals, groups: groupNames }) : new User(withPrincipals)
        }
        return groups ? new BareUserWithGroups({ ...base, groups: groupNames }) : new BareUser(base)
      }),
    listUsers: ({ inherited_perm, perm, prefix, queryOpts, userType }) =>
      Effect.map(
        users.list({ userType, prefix, queryOpts, perm, inheritedPerm: inherited_perm }),
        (result) =>
          typeof result === "number"
            ? result
            : result.map((row) => new User({ ...userFields(row), krb_principals: row.krb_principals }))
      ),
    createUser: ({ krb_principal, password, status, username }) =>
      Effect.map(
        users.create({ name: username, status, krbPrincipal: krb_principal, password }),
        (id) => id as UserId
      ),
    editUser: ({ krb_principal_mappings, name, password, userInfo }) =>
      Effect.as(users.edit(userInfo, { name, krbPrincipalMappings: krb_principal_mappings, password }), null),
    enableUser: ({ username }) => Effect.as(users.setStatus(username, Status.NORMAL), null),
    disableUser: ({ username }) => Effect.as(users.setStatus(username, Status.BLOCKED), null),
    getAllPerms: () =>
      Effect.map(users.allPerms, (rows) =>
        rows.map((p) => new Permission({ id: p.id as PermissionId, name: p.name, description: p.description }))),
    getPerms: () =>
      Effect.flatMap(Caller.CurrentCaller, (caller) =>
        caller.session === undefined ? Effect.succeed([]) : users.perms(caller.session.userId, true)),
    getUserPerms: ({ userID, with_groups }) =>
      Effect.gen(function*() {
        const user = yield* users.require(yield* orCaller(userID))
        return yield* users.perms(user.id, with_groups)
      }),
    getUserPermsInheritance: ({ userID }) =>
      Effect.gen(function*() {
        const user = yield* users.require(userID)
        return Object.fromEntries(yield* users.permSources(user.id, true))
      }),
    grantPermission: ({ create, description, permission, userinfo }) =>
      Effect.gen(function*() {
        yield* users.grant(userinfo, permission, { create, description }, yield* actor)
        return null
      }),
    revokePermission: ({ permission, userinfo }) =>
      Effect.gen(function*() {
        yield* users.revoke(userinfo, permission, yield* actor)
        return null
      }),
    hasPerm: ({ perm, strict }) =>
      Effect.gen(function*() {
        if (strict && (yield* users.lookupPerm(perm)) === undefined) {
          return yield* new GenericError({ message: `No such permission ${perm} defined` })
        }
        // Koji's session.hasPerm: the permission itself (directly or from a group); admin does not imply it
        const caller = yield* Caller.CurrentCaller
        if (caller.session === undefined) return false
        return (yield* caller.perms).has(perm)
      }),
    getUserGroups: ({ user }) =>
      Effect.gen(function*() {
        const row = yield* users.require(user)
        return (yield* users.groups(row.id)).map((g) => ({ id: g.id as UserId, name: g.name }))
      })
  }
})).pipe(Layer.provide(usersLayer))
