/**
 * Users and permissions area of the hub API (reference 13): users, their Kerberos
 * principals and status, permission grants (versioned) and group membership.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { UserType } from "../domain/Enums.js"
import { Permission } from "../domain/Permission.js"
import { User } from "../domain/User.js"
import { UserId } from "../domain/Ids.js"
import * as Method from "./Method.js"

/**
 * How Koji names a user: an id, a name (or Kerberos principal), or a dict of `id`, `name`, `krb_principal`.
 *
 * @since 0.1.0
 * @category models
 */
export const UserInfo = Schema.Union(
  Schema.Int,
  Schema.String,
  Schema.Struct({
    id: Schema.optional(Schema.NullOr(Schema.Int)),
    name: Schema.optional(Schema.NullOr(Schema.String)),
    krb_principal: Schema.optional(Schema.NullOr(Schema.String))
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type UserInfo = typeof UserInfo.Type

/**
 * A permission named by its name or its id.
 *
 * @since 0.1.0
 * @category models
 */
export const PermInfo = Schema.Union(Schema.String, Schema.Int)

/**
 * @since 0.1.0
 * @category models
 */
export type PermInfo = typeof PermInfo.Type

/**
 * `getUser(..., groups=True)`: the user plus the names of its groups.
 *
 * @since 0.1.0
 * @category models
 */
export class UserWithGroups extends User.extend<UserWithGroups>("UserWithGroups")({
  groups: Schema.Array(Schema.String)
}) {}

/**
 * `getUser(..., krb_princs=False)`: the user without its Kerberos principals.
 *
 * @since 0.1.0
 * @category models
 */
export class BareUser extends Schema.Class<BareUser>("BareUser")({
  id: UserId,
  name: Schema.String,
  status: User.fields.status,
  usertype: User.fields.usertype
}) {}

/**
 * `getUser(..., krb_princs=False, groups=True)`.
 *
 * @since 0.1.0
 * @category models
 */
export class BareUserWithGroups extends BareUser.extend<BareUserWithGroups>("BareUserWithGroups")({
  groups: Schema.Array(Schema.String)
}) {}

/**
 * Any form `getUser` answers (the most specific first, so decoding keeps every field).
 *
 * @since 0.1.0
 * @category models
 */
export const AnyUser = Schema.Union(UserWithGroups, User, BareUserWithGroups, BareUser)

/**
 * A group of a user, as `getUserGroups` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export const GroupRef = Schema.Struct({ id: UserId, name: Schema.String })

/**
 * Koji's `queryOpts` for list calls: `order` (comma-separated fields, `-` for descending),
 * `offset`, `limit` and `countOnly` (answer the number of rows). `group` is refused, as by Koji.
 *
 * @since 0.1.0
 * @category models
 */
export const QueryOpts = Schema.Struct({
  order: Schema.optional(Schema.NullOr(Schema.String)),
  offset: Schema.optional(Schema.NullOr(Schema.Int)),
  limit: Schema.optional(Schema.NullOr(Schema.Int)),
  countOnly: Schema.optional(Schema.NullOr(Schema.Boolean)),
  group: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export type QueryOpts = typeof QueryOpts.Type

/**
 * One change of `editUser`'s `krb_principal_mappings`: add (`old` null), remove (`new` null) or replace.
 *
 * @since 0.1.0
 * @category models
 */
export const KrbPrincipalMapping = Schema.Struct({
  old: Schema.optional(Schema.NullOr(Schema.String)),
  new: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getUser = Method.make("getUser", {
  params: {
    userInfo: Method.optional(Schema.NullOr(UserInfo), null),
    strict: Method.optional(Schema.Boolean, false),
    krb_princs: Method.optional(Schema.Boolean, true),
    groups: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(AnyUser),
  readOnly: true,
  access: "anon",
  doc: "User info {id,name,status,usertype,krb_principals[,groups]} by id, name, principal or dict; None = the caller"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listUsers = Method.make("listUsers", {
  params: {
    userType: Method.optional(Schema.NullOr(Schema.Union(Schema.Int, Schema.Array(Schema.Int))), UserType.NORMAL),
    prefix: Method.optional(Schema.NullOr(Schema.String), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    perm: Method.optional(Schema.NullOr(PermInfo), null),
    inherited_perm: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.Array(User), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List users by type (default NORMAL), name prefix, permission (optionally inherited via groups)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const createUser = Method.make("createUser", {
  params: {
    username: Schema.String,
    status: Method.optional(Schema.NullOr(Schema.Int), null),
    krb_principal: Method.optional(Schema.NullOr(Schema.String), null),
    password: Method.keywordOption(Schema.String)
  },
  success: UserId,
  access: { perm: "admin" },
  doc: "Create a NORMAL user (status, krb_principal optional; koji-ts: password keyword); returns its id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editUser = Method.make("editUser", {
  params: {
    userInfo: UserInfo,
    name: Method.optional(Schema.NullOr(Schema.String), null),
    krb_principal_mappings: Method.optional(Schema.NullOr(Schema.Array(KrbPrincipalMapping)), null),
    password: Method.keywordOption(Schema.NullOr(Schema.String))
  },
  access: { perm: "admin" },
  doc: "Rename a user and/or edit its Kerberos principals [{old,new}] (koji-ts: password keyword, null removes it)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const enableUser = Method.make("enableUser", {
  params: { username: UserInfo },
  access: { perm: "admin" },
  doc: "Set user status NORMAL"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const disableUser = Method.make("disableUser", {
  params: { username: UserInfo },
  access: { perm: "admin" },
  doc: "Set user status BLOCKED (its logins and sessions are refused)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getAllPerms = Method.make("getAllPerms", {
  success: Schema.Array(Permission),
  readOnly: true,
  access: "anon",
  doc: "All permissions [{id,name,description}]"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getPerms = Method.make("getPerms", {
  success: Schema.Array(Schema.String),
  access: "anon",
  doc: "Permission names of the caller ([] if anonymous)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getUserPerms = Method.make("getUserPerms", {
  params: {
    userID: Method.optional(Schema.NullOr(UserInfo), null),
    with_groups: Method.optional(Schema.Boolean, true)
  },
  success: Schema.Array(Schema.String),
  readOnly: true,
  access: "anon",
  doc: "Permission names of a user (default the caller), with_groups includes group perms"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getUserPermsInheritance = Method.make("getUserPermsInheritance", {
  params: { userID: UserInfo },
  success: Schema.Record({ key: Schema.String, value: Schema.Array(Schema.NullOr(Schema.String)) }),
  access: "anon",
  doc: "{perm: [group names or None for direct]} for a user"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const grantPermission = Method.make("grantPermission", {
  params: {
    userinfo: UserInfo,
    permission: PermInfo,
    create: Method.optional(Schema.Boolean, false),
    description: Method.optional(Schema.NullOr(Schema.String), null)
  },
  access: { perm: "admin" },
  doc: "Grant permission to user/group; create=True creates unknown permission with description"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const revokePermission = Method.make("revokePermission", {
  params: { userinfo: UserInfo, permission: PermInfo },
  access: { perm: "admin" },
  doc: "Revoke permission from user"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hasPerm = Method.make("hasPerm", {
  params: { perm: Schema.String, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.Boolean,
  readOnly: true,
  access: "anon",
  doc: "True if the caller has the permission (admin does not imply it; strict errors on unknown permission)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getUserGroups = Method.make("getUserGroups", {
  params: { user: UserInfo },
  success: Schema.Array(GroupRef),
  access: "anon",
  doc: "Groups the user belongs to [{id,name}]"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class UsersApi extends RpcGroup.make(
  getUser,
  listUsers,
  createUser,
  editUser,
  enableUser,
  disableUser,
  getAllPerms,
  getPerms,
  getUserPerms,
  getUserPermsInheritance,
  grantPermission,
  revokePermission,
  hasPerm,
  getUserGroups
) {}
