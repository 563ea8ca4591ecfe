/**
 * Users, Kerberos principals, permissions and group membership (reference 13), for the
 * Users handlers and for any area that looks users up or checks their permissions.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import * as Method from "../api/Method.js"
import type { PermInfo, QueryOpts, UserInfo } from "../api/Users.js"
import { UserStatus, UserType } from "../domain/Enums.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import * as Database from "../db/Database.js"
import * as Passwords from "./Passwords.js"
import * as Versioned from "./Versioned.js"

/**
 * A `users` row with its Kerberos principals.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserRow {
  readonly id: number
  readonly name: string
  readonly status: number
  readonly usertype: number
  readonly krb_principals: ReadonlyArray<string>
}

/**
 * A `permissions` row.
 *
 * @since 0.1.0
 * @category models
 */
export interface PermRow {
  readonly id: number
  readonly name: string
  readonly description: string | null
}

/**
 * Koji's `MaxNameLengthInternal` default.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxNameLength = 256

/**
 * Koji's `RegexUserName` default: user names and Kerberos principals.
 *
 * @since 0.1.0
 * @category constants
 */
export const userNamePattern = /^[A-Za-z0-9/_.@-]+$/

/**
 * Koji's `RegexNameInternal` default: permission (and other internal) names.
 *
 * @since 0.1.0
 * @category constants
 */
export const internalNamePattern = /^[A-Za-z0-9/_.+-]+$/

/**
 * Python's `str()` of an argument, as Koji's `%s` prints it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonStr = (value: unknown): string => typeof value === "string" ? value : Method.pythonRepr(value)

/**
 * Koji's `verify_name_user`: length and `RegexUserName` checks of a user name and/or principal.
 *
 * @since 0.1.0
 * @category combinators
 */
export const verifyUserName = (name: string | null | undefined, krb?: string | null): Effect.Effect<void, GenericError> =>
  Effect.suspend(() => {
    if (name && name.length > maxNameLength) {
      return new GenericError({ message: `Name ${name} is too long. Max length is ${maxNameLength} characters` })
    }
    if (krb && krb.length > maxNameLength) {
      return new GenericError({
        message: `Kerberos principal ${krb} is too long. Max length is ${maxNameLength} characters`
      })
    }
    if (name !== null && name !== undefined && !userNamePattern.test(name)) {
      return new GenericError({ message: `Name ${name} does not match RegexUserName value` })
    }
    if (krb !== null && krb !== undefined && !userNamePattern.test(krb)) {
      return new GenericError({ message: `Kerberos principal ${krb} does not match RegexUserName value` })
    }
    return Effect.void
  })

/**
 * Koji's `verify_name_internal`: length and `RegexNameInternal` checks.
 *
 * @since 0.1.0
 * @category combinators
 */
export const verifyInternalName = (name: unknown): Effect.Effect<void, GenericError> =>
  Effect.suspend(() => {
    if (typeof name !== "string") return new GenericError({ message: "Name should be string" })
    if (name.length > maxNameLength) {
      return new GenericError({ message: `Name ${name} is too long. Max length is ${maxNameLength} characters` })
    }
    if (!internalNamePattern.test(name)) {
      return new GenericError({ message: `Name ${name} does not match RegexNameInternal value` })
    }
    return Effect.void
  })

/**
 * Filters and options of `listUsers`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly userType: number | ReadonlyArray<number> | null
  readonly prefix: string | null
  readonly queryOpts: QueryOpts | null
  readonly perm: PermInfo | null
  readonly inheritedPerm: boolean
}

type Failure = GenericError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Users extends Context.Tag("koji/hub/Users")<Users, {
  /** Koji's `get_user`: by id, name or principal (a string matches either), or a dict; `undefined` when unknown. */
  readonly find: (info: UserInfo) => Effect.Effect<UserRow | undefined, SqlError.SqlError>
  /** `get_user(info, strict=True)`: `GenericError: No such user: <repr>` when unknown. */
  readonly require: (info: UserInfo) => Effect.Effect<UserRow, Failure>
  /** The groups a user belongs to (active memberships of GROUP users), by id. */
  readonly groups: (userId: number) => Effect.Effect<ReadonlyArray<{ readonly id: number; readonly name: string }>, SqlError.SqlError>
  /** `listUsers`: the users, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<UserRow> | number, Failure | ParameterError>
  /** Create a user (NORMAL unless `usertype` says otherwise); answers its id. */
  readonly create: (options: {
    readonly name: string
    readonly status?: number | null | undefined
    readonly krbPrincipal?: string | null | undefined
    readonly password?: string | undefined
    readonly usertype?: number | undefined
  }) => Effect.Effect<number, Failure | ParameterError>
  /** `editUser`: rename, principal mappings, and (koji-ts) the password (`null` removes it). */
  readonly edit: (info: UserInfo, changes: {
    readonly name?: string | null | undefined
    readonly krbPrincipalMappings?: ReadonlyArray<{ readonly old?: string | null | undefined; readonly new?: string | null | undefined }> | null | undefined
    readonly password?: string | null | undefined
  }) => Effect.Effect<void, Failure | ParameterError>
  /** `enableUser` / `disableUser`. */
  readonly setStatus: (info: UserInfo, status: number) => Effect.Effect<void, Failure>
  /** A permission by name or id. */
  readonly lookupPerm: (info: PermInfo) => Effect.Effect<PermRow | undefined, SqlError.SqlError>
  /** Every permission, by id. */
  readonly allPerms: Effect.Effect<ReadonlyArray<PermRow>, SqlError.SqlError>
  /** Koji's `get_user_perms(..., inheritance_data=True)`: perm name -> sources (`null` for a direct grant, else group names). */
  readonly permSources: (userId: number, withGroups: boolean) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<string | null>>, SqlError.SqlError>
  /** The permission names of a user: direct grants first, then those of its groups. */
  readonly perms: (userId: number, withGroups: boolean) => Effect.Effect<ReadonlyArray<string>, SqlError.SqlError>
  /** `grantPermission`, recorded as `actorId`. */
  readonly grant: (info: UserInfo, permission: PermInfo, options: {
    readonly create: boolean
    readonly description: string | null
  }, actorId: number) => Effect.Effect<void, Failure>
  /** `revokePermission`, recorded as `actorId`. */
  readonly revoke: (info: UserInfo, permission: PermInfo, actorId: number) => Effect.Effect<void, Failure>
}>() {}

interface BaseRow {
  readonly id: number
  readonly name: string
  readonly status: number
  readonly usertype: number
}

const orderColumns: Readonly<Record<string, string>> = {
  id: "users.id",
  "users.id": "users.id",
  name: "users.name",
  "users.name": "users.name",
  status: "users.status",
  usertype: "users.usertype"
}

/**
 * The users service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const principalsOf = (ids: ReadonlyArray<number>) =>
    ids.length === 0
      ? Effect.succeed(new Map<number, Array<string>>())
      : Effect.map(
        sql<{ user_id: number; krb_principal: string }>`
          SELECT user_id, krb_principal FROM user_krb_principals
           WHERE ${sql.in("user_id", ids)} ORDER BY krb_principal`,
        (rows) => {
          const byUser = new Map<number, Array<string>>()
          for (const row of rows) {
            const list = byUser.get(row.user_id) ?? []
            list.push(row.krb_principal)
            byUser.set(row.user_id, list)
          }
          return byUser
        }
      )

  const withPrincipals = (rows: ReadonlyArray<BaseRow>) =>
    Effect.map(principalsOf(rows.map((r) => r.id)), (byUser): ReadonlyArray<UserRow> =>
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        usertype: r.usertype,
        krb_principals: byUser.get(r.id) ?? []
      })))

  const hasPrincipal = (principal: string) =>
    sql`EXISTS (SELECT 1 FROM user_krb_principals k WHERE k.user_id = users.id AND k.krb_principal = ${principal})`

  const find = (info: UserInfo) =>
    Effect.gen(function*() {
      let rows: ReadonlyArray<BaseRow>
      if (typeof info === "number") {
        rows = yield* sql<BaseRow>`SELECT id, name, status, usertype FROM users WHERE id = ${info}`
      } else if (typeof info === "string") {
        // a name or a principal; a user named so wins over another with that principal
        rows = yield* sql<BaseRow>`
          SELECT id, name, status, usertype FROM users
           WHERE name = ${info} OR ${hasPrincipal(info)}
           ORDER BY (name = ${info}) DESC, id LIMIT 1`
      } else {
        const clauses = [
          ...(info.id !== null && info.id !== undefined ? [sql`users.id = ${info.id}`] : []),
          ...(info.name ? [sql`users.name = ${info.name}`] : []),
          ...(info.krb_principal ? [hasPrincipal(info.krb_principal)] : [])
        ]
        if (clauses.length === 0) return undefined
        rows = yield* sql<BaseRow>`
          SELECT id, name, status, usertype FROM users WHERE ${sql.and(clauses)} ORDER BY id LIMIT 1`
      }
      const [user] = yield* withPrincipals(rows)
      return user
    })

  const require = (info: UserInfo) =>
    Effect.flatMap(find(info), (user) =>
      user === undefined
        ? Effect.fail(new GenericError({ message: `No such user: ${Method.pythonRepr(info)}` }))
        : Effect.succeed(user))

  const groups = (userId: number) =>
    sql<{ id: number; name: string }>`
      SELECT g.id, g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id
       WHERE ug.active IS TRUE AND g.usertype = ${UserType.GROUP} AND ug.user_id = ${userId}
       ORDER BY g.id`

  const lookupPerm = (info: PermInfo) =>
    Effect.map(
      typeof info === "number"
        ? sql<PermRow>`SELECT id, name, description FROM permissions WHERE id = ${info}`
        : sql<PermRow>`SELECT id, name, description FROM permissions WHERE name = ${info}`,
      (rows) => rows[0]
    )

  const requirePerm = (info: PermInfo) =>
    Effect.flatMap(lookupPerm(info), (perm) =>
      perm === undefined
        ? Effect.fail(new GenericError({ message: `No such entry in table permissions: ${pythonStr(info)}` }))
        : Effect.succeed(perm))

  const permSources = (userId: number, withGroups: boolean) =>
    Effect.gen(function*() {
      const sources = new Map<string, Array<string | null>>()
      const direct = yield* sql<{ name: string }>`
        SELECT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
         WHERE up.active IS TRUE AND up.user_id = ${userId} ORDER BY p.name`
      for (const row of direct) sources.set(row.name, [null])
      if (withGroups) {
        const inherited = yield* sql<{ name: string; group: string }>`
          SELECT p.name, g.name AS "group"
            FROM user_groups ug
            JOIN user_perms up ON up.user_id = ug.group_id
            JOIN permissions p ON p.id = up.perm_id
            JOIN users g ON g.id = ug.group_id
           WHERE ug.active IS TRUE AND up.active IS TRUE AND ug.user_id = ${userId}
           ORDER BY p.name, g.name`
        for (const row of inherited) {
          const list = sources.get(row.name) ?? []
          list.push(row.group)
          sources.set(row.name, list)
        }
      }
      return sources as ReadonlyMap<string, ReadonlyArray<string | null>>
    })

  const perms = (userId: number, withGroups: boolean) =>
    Effect.map(permSources(userId, withGroups), (sources) => [...sources.keys()])

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const opts = options.queryOpts ?? {}
      if (options.inheritedPerm && !options.perm) {
        return yield* new GenericError({ message: "inherited_perm option must be used with perm option" })
      }
      if (opts.group) return yield* new GenericError({ message: "queryOpts.group is not available for this API" })
      const clauses: Array<Statement.Fragment> = []
      if (options.userType !== null) {
        const types = typeof options.userType === "number" ? [options.userType] : options.userType
        clauses.push(types.length === 0 ? sql`FALSE` : sql.in("users.usertype", types))
      }
      if (options.perm) {
        const perm = yield* requirePerm(options.perm)
        clauses.push(
          options.inheritedPerm
            ? sql`EXISTS (SELECT 1 FROM user_perms up WHERE up.active IS TRUE AND up.perm_id = ${perm.id}
                    AND (up.user_id = users.id OR up.user_id IN (
                      SELECT ug.group_id FROM user_groups ug WHERE ug.user_id = users.id AND ug.active IS TRUE)))`
            : sql`EXISTS (SELECT 1 FROM user_perms up WHERE up.active IS TRUE AND up.perm_id = ${perm.id}
                    AND up.user_id = users.id)`
        )
      }
      if (options.prefix) clauses.push(sql`users.name ILIKE ${options.prefix} || '%'`)
      const terms: Array<string> = []
      for (const raw of (opts.order ?? "").split(",").filter((t) => t.length > 0)) {
        const descending = raw.startsWith("-")
        const column = orderColumns[descending ? raw.slice(1) : raw]
        if (column === undefined) {
          return yield* new ParameterError({ message: `Invalid order term: ${descending ? raw.slice(1) : raw}` })
        }
        terms.push(`${column}${descending ? " DESC" : ""}`)
      }
      terms.push("users.id")
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const offset = opts.offset ? sql`OFFSET ${opts.offset}` : sql.literal("")
      const limit = opts.limit ? sql`LIMIT ${opts.limit}` : sql.literal("")
      if (opts.countOnly) {
        const [row] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM (SELECT users.id FROM users WHERE ${where} ${offset} ${limit}) numrows`
        return row!.n
      }
      const rows = yield* sql<BaseRow>`
        SELECT users.id, users.name, users.status, users.usertype FROM users
         WHERE ${where} ORDER BY ${sql.literal(terms.join(", "))} ${offset} ${limit}`
      return yield* withPrincipals(rows)
    })

  const checkPassword = (password: string) =>
    password.length === 0
      ? Effect.fail(new ParameterError({ message: "password must not be empty" }))
      : Passwords.hash(password)

  const principalOwner = (principal: string) =>
    Effect.map(
      sql<{ user_id: number }>`SELECT user_id FROM user_krb_principals WHERE krb_principal = ${principal}`,
      (rows) => rows[0]?.user_id
    )

  const create: Users["Type"]["create"] = (options) =>
    Effect.gen(function*() {
      yield* verifyUserName(options.name, options.krbPrincipal)
      const usertype = options.usertype ?? UserType.NORMAL
      if (!UserType.is(usertype)) return yield* new GenericError({ message: `invalid user type: ${usertype}` })
      const status = options.status ?? UserStatus.NORMAL
      if (!UserStatus.is(status)) return yield* new GenericError({ message: `invalid status: ${status}` })
      const hash = options.password === undefined ? null : yield* checkPassword(options.password)
      return yield* sql.withTransaction(Effect.gen(function*() {
        if ((yield* find(options.name)) !== undefined) {
          return yield* new GenericError({ message: `user already exists: ${options.name}` })
        }
        if (options.krbPrincipal && (yield* principalOwner(options.krbPrincipal)) !== undefined) {
          return yield* new GenericError({
            message: `user with this Kerberos principal already exists: ${options.krbPrincipal}`
          })
        }
        const [row] = yield* sql<{ id: number }>`
          INSERT INTO users ${sql.insert({ name: options.name, password: hash, status, usertype })} RETURNING id`
        if (options.krbPrincipal) {
          yield* sql`INSERT INTO user_krb_principals ${
            sql.insert({ user_id: row!.id, krb_principal: options.krbPrincipal })
          }`
        }
        return row!.id
      }))
    })

  const edit: Users["Type"]["edit"] = (info, changes) =>
    Effect.gen(function*() {
      const hash = changes.password === undefined || changes.password === null
        ? changes.password
        : yield* checkPassword(changes.password)
      yield* sql.withTransaction(Effect.gen(function*() {
        const user = yield* require(info)
        const name = changes.name
        if (name && name !== user.name) {
          yield* verifyUserName(name)
          const [taken] = yield* sql<{ id: number }>`SELECT id FROM users WHERE name = ${name}`
          if (taken !== undefined) {
            return yield* new GenericError({ message: `Name ${name} already taken by user ${taken.id}` })
          }
          yield* sql`UPDATE users SET name = ${name} WHERE id = ${user.id}`
        }
        const mappings = changes.krbPrincipalMappings
        if (mappings && mappings.length > 0) {
          const added = new Set<string>()
          const removed = new Set<string>()
          for (const pair of mappings) {
            if (pair.old) removed.add(pair.old)
            if (pair.new) {
              yield* verifyUserName(null, pair.new)
              added.add(pair.new)
            }
          }
          const both = [...added].filter((p) => removed.has(p))
          if (both.length > 0) {
            return yield* new GenericError({
              message: `There are some conflicts between added and removed Kerberos principals: ${both.join(", ")}`
            })
          }
          const current = new Set(user.krb_principals)
          const existing = [...added].filter((p) => current.has(p))
          if (existing.length > 0) {
            return yield* new GenericError({ message: `Cannot add existing Kerberos principals: ${existing.join(", ")}` })
          }
          const missing = [...removed].filter((p) => !current.has(p))
          if (missing.length > 0) {
            return yield* new GenericError({
              message: `Cannot remove non-existent Kerberos principals: ${missing.join(", ")}`
            })
          }
          for (const principal of removed) {
            yield* sql`DELETE FROM user_krb_principals WHERE user_id = ${user.id} AND krb_principal = ${principal}`
          }
          for (const principal of added) {
            if ((yield* principalOwner(principal)) !== undefined) {
              return yield* new GenericError({
                message: `user with this Kerberos principal already exists: ${principal}`
              })
            }
            yield* sql`INSERT INTO user_krb_principals ${sql.insert({ user_id: user.id, krb_principal: principal })}`
          }
        }
        if (hash !== undefined) yield* sql`UPDATE users SET password = ${hash} WHERE id = ${user.id}`
      }))
    })

  const setStatus = (info: UserInfo, status: number) =>
    Effect.gen(function*() {
      const user = yield* find(info)
      if (user === undefined) return yield* new GenericError({ message: `No such user: ${pythonStr(info)}` })
      if (!UserStatus.is(status)) return yield* new GenericError({ message: `No such status: ${status}` })
      if (user.status === status) return
      yield* sql`UPDATE users SET status = ${status} WHERE id = ${user.id}`
    })

  const grant: Users["Type"]["grant"] = (info, permission, options, actorId) =>
    sql.withTransaction(Effect.gen(function*() {
      if (options.create) yield* verifyInternalName(permission)
      if (options.description !== null && !options.create) {
        return yield* new GenericError({ message: "Description should be specified only with create." })
      }
      const user = yield* require(info)
      let perm = yield* lookupPerm(permission)
      if (perm === undefined) {
        if (!options.create) {
          return yield* new GenericError({ message: `No such entry in table permissions: ${pythonStr(permission)}` })
        }
        const [row] = yield* sql<PermRow>`
          INSERT INTO permissions ${sql.insert({ name: permission as string })} RETURNING id, name, description`
        perm = row!
      }
      if (options.create && options.description !== null) {
        yield* sql`UPDATE permissions SET description = ${options.description} WHERE id = ${perm.id}`
      }
      if ((yield* perms(user.id, false)).includes(perm.name)) {
        return yield* new GenericError({ message: `user ${pythonStr(info)} already has permission: ${perm.name}` })
      }
      yield* Versioned.insert("user_perms", { user_id: user.id, perm_id: perm.id }, actorId)
    })).pipe(Database.withSql(sql))

  const revoke: Users["Type"]["revoke"] = (info, permission, actorId) =>
    sql.withTransaction(Effect.gen(function*() {
      const user = yield* require(info)
      const perm = yield* requirePerm(permission)
      if (!(yield* perms(user.id, false)).includes(perm.name)) {
        return yield* new GenericError({ message: `user ${pythonStr(info)} does not have permission: ${perm.name}` })
      }
      yield* Versioned.revoke("user_perms", { user_id: user.id, perm_id: perm.id }, actorId)
    })).pipe(Database.withSql(sql))

  return Users.of({
    find,
    require,
    groups,
    list,
    create,
    edit,
    setStatus,
    lookupPerm,
    allPerms: sql<PermRow>`SELECT id, name, description FROM permissions ORDER BY id`,
    permSources,
    perms,
    grant,
    revoke
  })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Users, never, SqlClient.SqlClient> = Layer.effect(Users, make)
