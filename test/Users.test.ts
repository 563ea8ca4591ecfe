import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// a GROUP user with `members`, made in SQL (the group calls belong to another area)
const makeGroup = (name: string, members: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [group] = yield* sql<{ id: number }>`
      INSERT INTO users (name, status, usertype) VALUES (${name}, 0, 2) RETURNING id`
    const [admin] = yield* sql<{ id: number }>`SELECT id FROM users WHERE name = 'admin'`
    for (const member of members) {
      yield* sql`INSERT INTO user_groups (user_id, group_id, creator_id) VALUES (${member}, ${group!.id}, ${admin!.id})`
    }
    return group!.id
  })

describe("Users", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.transports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = transport === "http" ? "h" : "i"

          it.scoped("getUser by id, name, principal and dict; unknown users; the caller", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `alice-${t}`
              const principal = `alice-${t}@EXAMPLE.COM`
              const id = yield* admin.createUser({ username: name, krb_principal: principal })
              expect(typeof id).toBe("number")
              const expected = { id, name, status: 0, usertype: 0, krb_principals: [principal] }
              expect(yield* anon.getUser({ userInfo: id })).toEqual(expect.objectContaining(expected))
              expect(yield* anon.getUser({ userInfo: name })).toMatchObject(expected)
              expect(yield* anon.getUser({ userInfo: principal })).toMatchObject(expected)
              expect(yield* anon.getUser({ userInfo: { krb_principal: principal } })).toMatchObject(expected)
              expect(yield* anon.getUser({ userInfo: { id, name } })).toMatchObject(expected)
              expect(yield* anon.getUser({ userInfo: { id, name: "someone-else" } })).toBeNull()

              const bare = yield* anon.getUser({ userInfo: id, krb_princs: false })
              expect(bare).toMatchObject({ id, name, status: 0, usertype: 0 })
              expect(bare !== null && "krb_principals" in bare).toBe(false)
              const grouped = yield* anon.getUser({ userInfo: id, groups: true })
              expect(grouped).toMatchObject({ ...expected, groups: [] })

              expect(yield* anon.getUser({ userInfo: `nobody-${t}` })).toBeNull()
              const strict = yield* Effect.flip(anon.getUser({ userInfo: `nobody-${t}`, strict: true }))
              expect(strict).toMatchObject({ _tag: "GenericError", message: `No such user: 'nobody-${t}'` })
              const strictId = yield* Effect.flip(anon.getUser({ userInfo: 987654, strict: true }))
              expect(strictId.message).toBe("No such user: 987654")

              expect(yield* admin.getUser({})).toMatchObject({ name: "admin", usertype: 0, krb_principals: [] })
              const noUser = yield* Effect.flip(anon.getUser({}))
              expect(noUser).toMatchObject({ _tag: "GenericError", message: "No user provided" })
            }))

          it.scoped("createUser validates names, statuses and duplicates", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const badName = yield* Effect.flip(admin.createUser({ username: "bad name!" }))
              expect(badName).toMatchObject({
                _tag: "GenericError",
                message: "Name bad name! does not match RegexUserName value"
              })
              const badPrincipal = yield* Effect.flip(admin.createUser({ username: `ok-${t}`, krb_principal: "a b@X" }))
              expect(badPrincipal.message).toBe("Kerberos principal a b@X does not match RegexUserName value")
              const tooLong = yield* Effect.flip(admin.createUser({ username: "x".repeat(257) }))
              expect(tooLong.message).toContain("is too long. Max length is 256 characters")

              const name = `erin-${t}`
              yield* admin.createUser({ username: name, krb_principal: `erin-${t}@EXAMPLE.COM` })
              const duplicate = yield* Effect.flip(admin.createUser({ username: name }))
              expect(duplicate).toMatchObject({ _tag: "GenericError", message: `user already exists: ${name}` })
              const samePrincipal = yield* Effect.flip(
                admin.createUser({ username: `erin2-${t}`, krb_principal: `erin-${t}@EXAMPLE.COM` })
              )
              expect(samePrincipal.message).toBe(`user with this Kerberos principal already exists: erin-${t}@EXAMPLE.COM`)
              expect(yield* admin.getUser({ userInfo: `erin2-${t}` })).toBeNull()

              const blockedId = yield* admin.createUser({ username: `frank-${t}`, status: 1 })
              expect(yield* admin.getUser({ userInfo: blockedId })).toMatchObject({ status: 1 })
              const badStatus = yield* Effect.flip(admin.createUser({ username: `gina-${t}`, status: 7 }))
              expect(badStatus).toMatchObject({ _tag: "GenericError", message: "invalid status: 7" })
              const emptyPassword = yield* Effect.flip(admin.createUser({ username: `gina-${t}`, password: "" }))
              expect(emptyPassword._tag).toBe("ParameterError")
              expect(yield* admin.getUser({ userInfo: `gina-${t}` })).toBeNull()
            }))

          it.scoped("permission-gated calls: not admin, not logged in", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const bobName = `bob-${t}`
              yield* admin.createUser({ username: bobName, password: "bob-pw" })
              const bob = yield* TestHub.loggedIn(bobName, "bob-pw")
              const denied = yield* Effect.flip(bob.createUser({ username: `x-${t}` }))
              expect(denied).toMatchObject({
                _tag: "ActionNotAllowed",
                message: `admin permission required (logged in as ${bobName})`
              })
              const anonymous = yield* Effect.flip(anon.createUser({ username: `x-${t}` }))
              expect(anonymous).toMatchObject({
                _tag: "ActionNotAllowed",
                message: "admin permission required (user not logged in)"
              })
              for (
                const refused of [
                  bob.editUser({ userInfo: bobName, name: `bobby-${t}` }),
                  bob.disableUser({ username: "admin" }),
                  bob.enableUser({ username: bobName }),
                  bob.grantPermission({ userinfo: bobName, permission: "admin" }),
                  bob.revokePermission({ userinfo: "admin", permission: "admin" }),
                  anon.grantPermission({ userinfo: bobName, permission: "admin" })
                ]
              ) {
                expect((yield* Effect.flip(refused))._tag).toBe("ActionNotAllowed")
              }
              expect(yield* bob.getPerms({})).toEqual([])
              // granting admin opens the gate on the very next call
              yield* admin.grantPermission({ userinfo: bobName, permission: "admin" })
              const created = yield* bob.createUser({ username: `made-by-bob-${t}` })
              expect(yield* admin.getUser({ userInfo: created })).toMatchObject({ name: `made-by-bob-${t}` })
            }))

          it.scoped("passwords: set by the admin, stored hashed; blocked users cannot log in or go on", () =>
            Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `hank-${t}`
              yield* admin.createUser({ username: name, password: "first-pw" })
              const [stored] = yield* sql<{ password: string }>`SELECT password FROM users WHERE name = ${name}`
              expect(stored!.password).not.toBe("first-pw")
              expect(stored!.password).not.toContain("first-pw")
              expect(stored!.password.startsWith("scrypt$")).toBe(true)

              const hank = yield* TestHub.loggedIn(name, "first-pw")
              expect(yield* hank.getLoggedInUser({})).toMatchObject({ name })

              // the admin replaces the password: the old one stops working
              yield* admin.editUser({ userInfo: name, password: "second-pw" })
              const [changed] = yield* sql<{ password: string }>`SELECT password FROM users WHERE name = ${name}`
              expect(changed!.password).not.toBe(stored!.password)
              expect(changed!.password).not.toContain("second-pw")
              const old = yield* Effect.flip(anon.login({ user: name, password: "first-pw" }))
              expect(old).toMatchObject({ _tag: "AuthError", message: "invalid username or password" })
              const again = yield* TestHub.loggedIn(name, "second-pw")
              expect(yield* again.getLoggedInUser({})).toMatchObject({ name })

              // blocked: the open session fails on its next call, and new logins are refused
              yield* admin.disableUser({ username: name })
              expect(yield* admin.getUser({ userInfo: name })).toMatchObject({ status: 1 })
              const cut = yield* Effect.flip(hank.getLoggedInUser({}))
              expect(cut).toMatchObject({ _tag: "AuthError", message: `logins by ${name} are not allowed` })
              const refused = yield* Effect.flip((yield* TestHub.client).login({ user: name, password: "second-pw" }))
              expect(refused).toMatchObject({ _tag: "AuthError", message: `logins by ${name} are not allowed` })
              // disabling twice is fine
              yield* admin.disableUser({ username: name })

              yield* admin.enableUser({ username: name })
              expect(yield* admin.getUser({ userInfo: name })).toMatchObject({ status: 0 })
              const back = yield* TestHub.loggedIn(name, "second-pw")
              expect(yield* back.getLoggedInUser({})).toMatchObject({ name })

              // null removes password logins
              yield* admin.editUser({ userInfo: name, password: null })
              const none = yield* Effect.flip((yield* TestHub.client).login({ user: name, password: "second-pw" }))
              expect(none._tag).toBe("AuthError")

              const ghost = yield* Effect.flip(admin.disableUser({ username: `ghost-${t}` }))
              expect(ghost).toMatchObject({ _tag: "GenericError", message: `No such user: ghost-${t}` })
              const ghostEnable = yield* Effect.flip(admin.enableUser({ username: 424242 }))
              expect(ghostEnable.message).toBe("No such user: 424242")
            }))

          it.scoped("editUser renames and edits Kerberos principals", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const name = `ivan-${t}`
              const id = yield* admin.createUser({ username: name, krb_principal: `ivan-${t}@OLD.ORG` })
              yield* admin.createUser({ username: `judy-${t}` })

              yield* admin.editUser({ userInfo: name, name: `ivan2-${t}` })
              expect(yield* admin.getUser({ userInfo: name })).toBeNull()
              expect(yield* admin.getUser({ userInfo: id })).toMatchObject({ name: `ivan2-${t}` })
              const taken = yield* Effect.flip(admin.editUser({ userInfo: id, name: `judy-${t}` }))
              expect(taken.message).toMatch(new RegExp(`^Name judy-${t} already taken by user \\d+$`))
              const badName = yield* Effect.flip(admin.editUser({ userInfo: id, name: "no spaces" }))
              expect(badName.message).toBe("Name no spaces does not match RegexUserName value")

              yield* admin.editUser({
                userInfo: id,
                krb_principal_mappings: [{ old: `ivan-${t}@OLD.ORG`, new: `ivan-${t}@NEW.ORG` }, { old: null, new: `ivan-${t}@EXTRA.ORG` }]
              })
              expect((yield* admin.getUser({ userInfo: id }))).toMatchObject({
                krb_principals: [`ivan-${t}@EXTRA.ORG`, `ivan-${t}@NEW.ORG`]
              })
              expect(yield* admin.getUser({ userInfo: `ivan-${t}@NEW.ORG` })).toMatchObject({ id })

              const conflict = yield* Effect.flip(admin.editUser({
                userInfo: id,
                krb_principal_mappings: [{ old: `ivan-${t}@NEW.ORG`, new: null }, { old: null, new: `ivan-${t}@NEW.ORG` }]
              }))
              expect(conflict.message).toBe(
                `There are some conflicts between added and removed Kerberos principals: ivan-${t}@NEW.ORG`
              )
              const existing = yield* Effect.flip(admin.editUser({
                userInfo: id,
                krb_principal_mappings: [{ old: null, new: `ivan-${t}@NEW.ORG` }]
              }))
              expect(existing.message).toBe(`Cannot add existing Kerberos principals: ivan-${t}@NEW.ORG`)
              const missing = yield* Effect.flip(admin.editUser({
                userInfo: id,
                name: `ivan3-${t}`,
                krb_principal_mappings: [{ old: `ivan-${t}@NOPE.ORG`, new: null }]
              }))
              expect(missing.message).toBe(`Cannot remove non-existent Kerberos principals: ivan-${t}@NOPE.ORG`)
              // the failed call's rename did not stay
              expect(yield* admin.getUser({ userInfo: id })).toMatchObject({ name: `ivan2-${t}` })

              yield* admin.editUser({ userInfo: id, krb_principal_mappings: [{ old: `ivan-${t}@EXTRA.ORG`, new: null }] })
              expect(yield* admin.getUser({ userInfo: id })).toMatchObject({ krb_principals: [`ivan-${t}@NEW.ORG`] })

              const unknown = yield* Effect.flip(admin.editUser({ userInfo: `nobody-${t}`, name: `x-${t}` }))
              expect(unknown).toMatchObject({ _tag: "GenericError", message: `No such user: 'nobody-${t}'` })
            }))

          it.scoped("grant, revoke and re-grant permissions; versioned history; hasPerm", () =>
            Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `kate-${t}`
              const id = yield* admin.createUser({ username: name, password: "kate-pw" })

              yield* admin.grantPermission({ userinfo: name, permission: "tag" })
              expect(yield* anon.getUserPerms({ userID: id })).toEqual(["tag"])
              const twice = yield* Effect.flip(admin.grantPermission({ userinfo: name, permission: "tag" }))
              expect(twice).toMatchObject({ _tag: "GenericError", message: `user ${name} already has permission: tag` })
              const unknownPerm = yield* Effect.flip(admin.grantPermission({ userinfo: name, permission: `nope-${t}` }))
              expect(unknownPerm.message).toBe(`No such entry in table permissions: nope-${t}`)
              const described = yield* Effect.flip(
                admin.grantPermission({ userinfo: name, permission: "repo", description: "x" })
              )
              expect(described.message).toBe("Description should be specified only with create.")
              const ghost = yield* Effect.flip(admin.grantPermission({ userinfo: `ghost-${t}`, permission: "tag" }))
              expect(ghost.message).toBe(`No such user: 'ghost-${t}'`)
              const badNew = yield* Effect.flip(
                admin.grantPermission({ userinfo: name, permission: "bad perm", create: true })
              )
              expect(badNew.message).toBe("Name bad perm does not match RegexNameInternal value")

              // create=True makes an unknown permission, with its description
              const custom = `custom-${t}`
              yield* admin.grantPermission({ userinfo: id, permission: custom, create: true, description: "made here" })
              const all = yield* anon.getAllPerms({})
              expect(all[0]).toMatchObject({ id: 1, name: "admin", description: "Full administrator access. Perform all actions." })
              expect(all.find((p) => p.name === custom)).toMatchObject({ description: "made here" })
              expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort((a, b) => a - b))

              // the user's own view
              const kate = yield* TestHub.loggedIn(name, "kate-pw")
              expect([...(yield* kate.getPerms({}))].sort()).toEqual([custom, "tag"].sort())
              expect(yield* kate.hasPerm({ perm: "tag" })).toBe(true)
              expect(yield* kate.hasPerm({ perm: "admin" })).toBe(false)
              expect(yield* kate.hasPerm({ perm: "no-such-perm" })).toBe(false)
              const strict = yield* Effect.flip(kate.hasPerm({ perm: "no-such-perm", strict: true }))
              expect(strict).toMatchObject({ _tag: "GenericError", message: "No such permission no-such-perm defined" })
              expect([...(yield* kate.getUserPerms({}))].sort()).toEqual([custom, "tag"].sort())
              // as in Koji, admin does not imply other permissions for hasPerm
              expect(yield* admin.hasPerm({ perm: "admin" })).toBe(true)
              expect(yield* admin.hasPerm({ perm: "tag" })).toBe(false)
              expect(yield* anon.hasPerm({ perm: "admin" })).toBe(false)
              expect(yield* anon.getPerms({})).toEqual([])
              expect((yield* Effect.flip(anon.getUserPerms({})))._tag).toBe("GenericError")

              // revoke, refuse a second revoke, grant again: history keeps both rows
              yield* admin.revokePermission({ userinfo: name, permission: "tag" })
              expect(yield* anon.getUserPerms({ userID: name })).toEqual([custom])
              expect(yield* kate.hasPerm({ perm: "tag" })).toBe(false)
              const notGranted = yield* Effect.flip(admin.revokePermission({ userinfo: name, permission: "tag" }))
              expect(notGranted).toMatchObject({
                _tag: "GenericError",
                message: `user ${name} does not have permission: tag`
              })
              const unknownRevoke = yield* Effect.flip(admin.revokePermission({ userinfo: name, permission: `nope-${t}` }))
              expect(unknownRevoke.message).toBe(`No such entry in table permissions: nope-${t}`)
              yield* admin.grantPermission({ userinfo: name, permission: "tag" })
              expect(yield* kate.hasPerm({ perm: "tag" })).toBe(true)

              const [adminRow] = yield* sql<{ id: number }>`SELECT id FROM users WHERE name = 'admin'`
              const history = yield* sql<{
                create_event: number
                revoke_event: number | null
                creator_id: number
                revoker_id: number | null
                active: boolean | null
              }>`
                SELECT up.create_event, up.revoke_event, up.creator_id, up.revoker_id, up.active
                  FROM user_perms up JOIN permissions p ON p.id = up.perm_id
                 WHERE up.user_id = ${id} AND p.name = 'tag' ORDER BY up.create_event`
              expect(history.length).toBe(2)
              expect(history[0]).toMatchObject({ active: null, creator_id: adminRow!.id, revoker_id: adminRow!.id })
              expect(history[0]!.revoke_event).toBeGreaterThan(history[0]!.create_event)
              expect(history[1]).toMatchObject({ active: true, revoke_event: null, revoker_id: null })
              expect(history[1]!.create_event).toBeGreaterThan(history[0]!.revoke_event!)
            }))

          it.scoped("groups: getUserGroups, inherited permissions, listUsers filters", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const name = `lena-${t}`
              const id = yield* admin.createUser({ username: name, password: "lena-pw", krb_principal: `lena-${t}@X.ORG` })
              const other = yield* admin.createUser({ username: `lena-${t}-other` })
              const groupName = `packagers-${t}`
              const groupId = yield* makeGroup(groupName, [id])

              expect(yield* anon.getUserGroups({ user: name })).toEqual([{ id: groupId, name: groupName }])
              expect(yield* anon.getUserGroups({ user: other })).toEqual([])
              const unknown = yield* Effect.flip(anon.getUserGroups({ user: `ghost-${t}` }))
              expect(unknown.message).toBe(`No such user: 'ghost-${t}'`)
              expect(yield* anon.getUser({ userInfo: id, groups: true })).toMatchObject({ groups: [groupName] })
              expect(yield* anon.getUser({ userInfo: id, groups: true, krb_princs: false })).toEqual(
                expect.objectContaining({ id, groups: [groupName] })
              )

              // a group's permissions reach its members
              yield* admin.grantPermission({ userinfo: groupName, permission: "repo" })
              yield* admin.grantPermission({ userinfo: name, permission: "target" })
              yield* admin.grantPermission({ userinfo: name, permission: "repo" })
              expect(yield* anon.getUserPerms({ userID: id })).toEqual(["repo", "target"])
              expect(yield* anon.getUserPerms({ userID: id, with_groups: false })).toEqual(["repo", "target"])
              expect(yield* anon.getUserPermsInheritance({ userID: id })).toEqual({ repo: [null, groupName], target: [null] })
              yield* admin.revokePermission({ userinfo: name, permission: "repo" })
              expect(yield* anon.getUserPerms({ userID: id, with_groups: false })).toEqual(["target"])
              expect(yield* anon.getUserPerms({ userID: id })).toEqual(["target", "repo"])
              expect(yield* anon.getUserPermsInheritance({ userID: name })).toEqual({ repo: [groupName], target: [null] })
              const lena = yield* TestHub.loggedIn(name, "lena-pw")
              expect(yield* lena.hasPerm({ perm: "repo" })).toBe(true)

              // listUsers
              const byPrefix = yield* anon.listUsers({ prefix: `LENA-${t}` })
              expect(Array.isArray(byPrefix) && byPrefix.map((u) => u.name)).toEqual([name, `lena-${t}-other`])
              expect(byPrefix).toEqual(
                expect.arrayContaining([expect.objectContaining({ id, krb_principals: [`lena-${t}@X.ORG`] })])
              )
              const direct = yield* anon.listUsers({ perm: "repo", prefix: `lena-${t}` })
              expect(direct).toEqual([])
              const inherited = yield* anon.listUsers({ perm: "repo", inherited_perm: true, prefix: `lena-${t}` })
              expect(Array.isArray(inherited) && inherited.map((u) => u.name)).toEqual([name])
              const groups = yield* anon.listUsers({ userType: 2, perm: "repo" })
              expect(Array.isArray(groups) && groups.map((u) => u.name)).toContain(groupName)
              const both = yield* anon.listUsers({ userType: [0, 2], prefix: `packagers-${t}` })
              expect(Array.isArray(both) && both.map((u) => u.name)).toEqual([groupName])
              expect(yield* anon.listUsers({ prefix: `lena-${t}`, queryOpts: { countOnly: true } })).toBe(2)
              expect(yield* anon.listUsers({ prefix: `lena-${t}`, queryOpts: { countOnly: true, limit: 1 } })).toBe(1)
              const ordered = yield* anon.listUsers({ prefix: `lena-${t}`, queryOpts: { order: "-name", limit: 1, offset: 1 } })
              expect(Array.isArray(ordered) && ordered.length).toBe(1)
              const allUsers = yield* anon.listUsers({ userType: null, queryOpts: { order: "id" } })
              expect(Array.isArray(allUsers) && allUsers[0]!.name).toBe("admin")

              const noPerm = yield* Effect.flip(anon.listUsers({ inherited_perm: true }))
              expect(noPerm.message).toBe("inherited_perm option must be used with perm option")
              const grouped = yield* Effect.flip(anon.listUsers({ queryOpts: { group: "name" } }))
              expect(grouped.message).toBe("queryOpts.group is not available for this API")
              const badOrder = yield* Effect.flip(anon.listUsers({ queryOpts: { order: "password" } }))
              expect(badOrder).toMatchObject({ _tag: "ParameterError", message: "Invalid order term: password" })
              const badPerm = yield* Effect.flip(anon.listUsers({ perm: `nope-${t}` }))
              expect(badPerm.message).toBe(`No such entry in table permissions: nope-${t}`)
            }))

          it.scoped("multicall: a failed call is rolled back alone, its neighbours' writes stay", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const a = `mona-${t}`
              const b = `nina-${t}`
              const results = yield* admin.multicall((m) => [
                m.createUser({ username: a }),
                m.createUser({ username: a }),
                m.editUser({ userInfo: a, name: `mona2-${t}`, krb_principal_mappings: [{ old: "gone@X.ORG", new: null }] }),
                m.grantPermission({ userinfo: a, permission: "sign" }),
                m.grantPermission({ userinfo: a, permission: `mc-${t}`, create: true, description: "d" }),
                m.grantPermission({ userinfo: a, permission: `mc-${t}`, create: true }),
                m.createUser({ username: b, password: "nina-pw" })
              ])
              expect(Either.isRight(results[0]!)).toBe(true)
              expect(Either.isLeft(results[1]!) && results[1].left).toMatchObject({
                _tag: "GenericError",
                message: `user already exists: ${a}`
              })
              expect(Either.isLeft(results[2]!) && results[2].left._tag).toBe("GenericError")
              expect(Either.isRight(results[3]!)).toBe(true)
              expect(Either.isRight(results[4]!)).toBe(true)
              expect(Either.isLeft(results[5]!) && results[5].left.message).toBe(`user ${a} already has permission: mc-${t}`)
              expect(Either.isRight(results[6]!)).toBe(true)

              expect(yield* admin.getUser({ userInfo: a })).toMatchObject({ name: a })
              expect(yield* admin.getUser({ userInfo: `mona2-${t}` })).toBeNull()
              expect(yield* admin.getUserPerms({ userID: a })).toEqual(["mc-" + t, "sign"].sort())
              const nina = yield* TestHub.loggedIn(b, "nina-pw")
              expect(yield* nina.getLoggedInUser({})).toMatchObject({ name: b })
            }))
        }
      )
    }
  }
})
