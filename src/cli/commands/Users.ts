/**
 * Users and permissions: `add-user`, `edit-user`, `enable-user`, `disable-user`,
 * `list-users`, `userinfo`, `grant-permission`, `revoke-permission`, `list-permissions`.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { UserStatus, UserType } from "../../domain/Enums.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import * as Literal from "../Literal.js"
import { error, print, Session, usageError, warn } from "../Session.js"

interface UserInfo {
  readonly id: number
  readonly name: string
  readonly status: number
  readonly usertype: number
  readonly krb_principals?: ReadonlyArray<string>
  readonly groups?: ReadonlyArray<string>
}

const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const orNull = <A>(o: Option.Option<A>): A | null => Option.getOrNull(o)

/**
 * `add-user`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addUser = Handler.make("add-user", {
  category: "admin",
  summary: "Add a user",
  usage: "add-user <username> [options]"
}, {
  principal: optionalText("principal", "The Kerberos principal for this user"),
  disable: Options.boolean("disable").pipe(Options.withDescription("Prohibit logins by this user")),
  username: Args.text({ name: "username" })
}, ({ disable, principal, username }) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const id = yield* session.call("createUser", {
      username,
      status: disable ? UserStatus.BLOCKED : UserStatus.NORMAL,
      krb_principal: orNull(principal)
    })
    yield* print(`Added user ${username} (${id})`)
  }))

// Koji reads principals with arg_filter: "None" is no principal
const principalArg = (text: string): string | null => Literal.argFilter(text) === null ? null : text

/**
 * `edit-user`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editUser = Handler.make("edit-user", {
  category: "admin",
  summary: "Alter user information",
  usage: "edit-user <username> [options]"
}, {
  rename: optionalText("rename", "Rename the user"),
  editKrb: Options.text("edit-krb").pipe(
    Options.withPseudoName("OLD=NEW"),
    Options.repeated,
    Options.withDescription("Change kerberos principal of the user")
  ),
  addKrb: Options.text("add-krb").pipe(
    Options.withPseudoName("KRB"),
    Options.repeated,
    Options.withDescription("Add kerberos principal of the user")
  ),
  removeKrb: Options.text("remove-krb").pipe(
    Options.withPseudoName("KRB"),
    Options.repeated,
    Options.withDescription("Remove kerberos principal of the user")
  ),
  username: Args.text({ name: "username" })
}, ({ addKrb, editKrb, removeKrb, rename, username }) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const mappings: Array<{ old: string | null; new: string | null }> = []
    for (const mapping of editKrb) {
      const eq = mapping.indexOf("=")
      if (eq === -1) return yield* usageError(`Invalid value for --edit-krb (OLD=NEW): ${mapping}`)
      mappings.push({ old: principalArg(mapping.slice(0, eq)), new: principalArg(mapping.slice(eq + 1)) })
    }
    for (const added of addKrb) mappings.push({ old: null, new: principalArg(added) })
    for (const removed of removeKrb) mappings.push({ old: principalArg(removed), new: null })
    yield* session.call("editUser", { userInfo: username, name: orNull(rename), krb_principal_mappings: mappings })
  }))

const userStatusCommand = (name: "enable-user" | "disable-user", method: string, summary: string, verb: string) =>
  Handler.make(name, { category: "admin", summary, usage: `${name} <username>` }, {
    username: Args.text({ name: "username" }).pipe(Args.withDescription(`The user to ${verb}`))
  }, ({ username }) =>
    Effect.gen(function*() {
      const session = yield* Session
      yield* session.activate
      yield* session.call(method, { username })
    }))

/**
 * `enable-user`.
 *
 * @since 0.1.0
 * @category commands
 */
export const enableUser = userStatusCommand("enable-user", "enableUser", "Enable logins by a user", "enable")

/**
 * `disable-user`.
 *
 * @since 0.1.0
 * @category commands
 */
export const disableUser = userStatusCommand("disable-user", "disableUser", "Disable logins by a user", "disable")

/**
 * `list-users`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listUsers = Handler.make("list-users", {
  category: "admin",
  summary: "List of users",
  usage: "list-users [options]",
  anonymous: true
}, {
  usertype: Options.text("usertype").pipe(
    Options.withDefault("NORMAL"),
    Options.withDescription("List users that have a given usertype (e.g. NORMAL, HOST, GROUP). Use \"any\" to get all types")
  ),
  prefix: optionalText("prefix", "List users that have a given prefix"),
  perm: optionalText("perm", "List users that have a given permission"),
  inheritedPerm: Options.boolean("inherited-perm").pipe(Options.withDescription("Consider inherited permissions")),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.inheritedPerm && Option.isNone(options.perm)) {
      return yield* usageError("inherited_perm option must be used with perm option")
    }
    yield* session.activate
    const utype = options.usertype.toUpperCase()
    let userType: number | null
    if (UserType.isName(utype)) userType = UserType.value(utype)
    else if (utype === "ANY" || utype === "ALL") userType = null
    else return yield* error(`Invalid usertype: ${options.usertype}`)
    const payload: Record<string, unknown> = { userType }
    if (Option.isSome(options.prefix) && options.prefix.value !== "") payload["prefix"] = options.prefix.value
    const perm = Option.getOrElse(options.perm, () => "")
    if (perm !== "") {
      const perms: ReadonlyArray<{ name: string }> = yield* session.call("getAllPerms")
      if (!perms.some((p) => p.name === perm)) return yield* error(`Invalid permission: ${perm}`)
      payload["perm"] = perm
      if (options.inheritedPerm) payload["inherited_perm"] = true
    }
    const users: ReadonlyArray<UserInfo> = yield* session.call("listUsers", payload)
    if (options.json) return yield* print(Format.jsonDumps(users))
    for (const user of users) yield* print(user.name)
  }))

/**
 * `userinfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const userinfo = Handler.make("userinfo", {
  category: "admin",
  summary: "Show information about a user",
  usage: "userinfo [options] <username> [<username> ...]",
  anonymous: true
}, {
  json,
  usernames: Args.text({ name: "username" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    const found: Array<UserInfo> = []
    for (const name of options.usernames) {
      const user: UserInfo | null = yield* session.call("getUser", { userInfo: name, groups: true })
      if (user === null) yield* warn(`No such user: ${name}\n`)
      else found.push(user)
    }
    // the counts come from other areas' calls; each is shown when this hub has it
    const count = (method: string, payload: Record<string, unknown>) =>
      Effect.flatMap(session.canCall(method), (can) => can ? session.call(method, payload) : Effect.succeed(undefined))
    const infos = []
    for (const user of found) {
      const permissions: ReadonlyArray<string> = yield* session.call("getUserPerms", { userID: user.id })
      const packages: number | undefined = yield* count("listPackages", {
        userID: user.id,
        with_dups: true,
        queryOpts: { countOnly: true }
      })
      const tasks: number | undefined = yield* count("listTasks", {
        opts: { owner: user.id, parent: null },
        queryOpts: { countOnly: true }
      })
      const builds: number | undefined = yield* count("listBuilds", { userID: user.id, queryOpts: { countOnly: true } })
      infos.push({ ...user, permissions, packages, tasks, builds })
    }
    if (options.json) return yield* print(Format.jsonDumps(infos))
    for (const info of infos) {
      yield* print(`User name: ${info.name}`)
      yield* print(`User ID: ${info.id}`)
      if (info.krb_principals !== undefined) {
        yield* print("krb principals:")
        for (const krb of info.krb_principals) yield* print(`  ${krb}`)
      }
      if (info.permissions.length > 0) {
        yield* print("Permissions:")
        for (const perm of info.permissions) yield* print(`  ${perm}`)
      }
      if (info.groups !== undefined && info.groups.length > 0) {
        yield* print("Groups:")
        for (const group of [...info.groups].sort()) yield* print(`  ${group}`)
      }
      yield* print(`Status: ${UserStatus.name(info.status) ?? info.status}`)
      yield* print(`Usertype: ${UserType.name(info.usertype) ?? info.usertype}`)
      if (info.packages !== undefined) yield* print(`Number of packages: ${info.packages}`)
      if (info.tasks !== undefined) yield* print(`Number of tasks: ${info.tasks}`)
      if (info.builds !== undefined) yield* print(`Number of builds: ${info.builds}`)
      yield* print("")
    }
  }))

const lookupUsers = (names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const session = yield* Session
    const users: Array<UserInfo> = []
    for (const name of names) {
      const user: UserInfo | null = yield* session.call("getUser", { userInfo: name })
      if (user === null) return yield* usageError(`No such user: ${name}`)
      users.push(user)
    }
    return users
  })

/**
 * `grant-permission`.
 *
 * @since 0.1.0
 * @category commands
 */
export const grantPermission = Handler.make("grant-permission", {
  category: "admin",
  summary: "Grant a permission to a user",
  usage: "grant-permission [options] <permission> <user> [<user> ...]"
}, {
  new: Options.boolean("new").pipe(Options.withDescription("Create this permission if the permission does not exist")),
  description: optionalText("description", "Add description about new permission"),
  permission: Args.text({ name: "permission" }),
  users: Args.text({ name: "user" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const users = yield* lookupUsers(options.users)
    const description = Option.filter(options.description, (d) => d !== "")
    if (Option.isSome(description) && !options.new) {
      return yield* usageError("Option new must be specified with option description.")
    }
    const extra: Record<string, unknown> = options.new
      ? { create: true, ...(Option.isSome(description) ? { description: description.value } : {}) }
      : {}
    for (const user of users) {
      yield* session.call("grantPermission", { userinfo: user.name, permission: options.permission, ...extra })
    }
  }))

/**
 * `revoke-permission`.
 *
 * @since 0.1.0
 * @category commands
 */
export const revokePermission = Handler.make("revoke-permission", {
  category: "admin",
  summary: "Revoke a permission from a user",
  usage: "revoke-permission <permission> <user> [<user> ...]"
}, {
  permission: Args.text({ name: "permission" }),
  users: Args.text({ name: "user" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const users = yield* lookupUsers(options.users)
    for (const user of users) {
      yield* session.call("revokePermission", { userinfo: user.name, permission: options.permission })
    }
  }))

/**
 * `list-permissions`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listPermissions = Handler.make("list-permissions", {
  category: "info",
  summary: "List user permissions",
  usage: "list-permissions [options]"
}, {
  user: optionalText("user", "List permissions for the given user"),
  mine: Options.boolean("mine").pipe(Options.withDescription("List your permissions")),
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print the header information")),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const quiet = options.quiet || session.settings.quiet
    let who: string | number | undefined = Option.getOrUndefined(options.user)
    if (options.mine) {
      const me: { id: number } | null = yield* session.call("getLoggedInUser")
      if (me === null) return yield* error("Unable to determine user")
      who = me.id
    }
    const perms: Array<{ name: string; description?: string | null }> = []
    if (who !== undefined && who !== "") {
      const user: UserInfo | null = yield* session.call("getUser", { userInfo: who })
      if (user === null) return yield* error(`No such user: ${who}`)
      const inherited: Record<string, ReadonlyArray<string | null>> = yield* session.call(
        "getUserPermsInheritance",
        { userID: user.id }
      )
      for (const [name, groups] of Object.entries(inherited)) {
        const named = groups.filter((g): g is string => g !== null)
        perms.push(named.length > 0 ? { name, description: `inherited from: ${named.join(", ")}` } : { name })
      }
    } else {
      const all: ReadonlyArray<{ name: string; description: string | null }> = yield* session.call("getAllPerms")
      for (const p of all) perms.push({ name: p.name, description: p.description })
    }
    perms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    if (options.json) return yield* print(Format.jsonDumps(perms))
    const longest = Math.max(perms.length > 0 ? Math.max(...perms.map((p) => p.name.length)) : 8, "Permission name   ".length)
    if (!quiet) {
      let header = Format.ljust("Permission name", longest)
      if (perms.length > 0 && perms[0]!.description) header += Format.ljust("   Description", 53)
      yield* print(header)
      yield* print("-".repeat(header.length))
    }
    for (const perm of perms) {
      yield* print(Format.ljust(perm.name, longest) + (perm.description ? `   ${perm.description}` : ""))
    }
  }))

/**
 * The user and permission commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  addUser,
  editUser,
  enableUser,
  disableUser,
  listUsers,
  userinfo,
  grantPermission,
  revokePermission,
  listPermissions
]
