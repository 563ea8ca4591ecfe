/**
 * First start: the `admin` user with the `admin` permission.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { UserStatus, UserType } from "../domain/Enums.js"
import * as Passwords from "./Passwords.js"
import * as Versioned from "./Versioned.js"

/**
 * Create `name` as an admin when no user has the `admin` permission yet. Answers
 * the password it set when it created the user (generated when not given), or
 * undefined when an admin already existed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const ensureAdmin = (options: { readonly name?: string | undefined; readonly password?: string | undefined } = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // a call of its own: its own event (not one cached from another database)
    return yield* Versioned.withFreshEvent(sql.withTransaction(Effect.gen(function*() {
      // two hubs starting together create one admin
      yield* sql`SELECT pg_advisory_xact_lock(${0x61646d6e})`
      const admins = yield* sql`
        SELECT 1 FROM user_perms up JOIN permissions p ON p.id = up.perm_id
         WHERE p.name = 'admin' AND up.active IS TRUE LIMIT 1`
      if (admins.length > 0) return undefined
      const name = options.name ?? "admin"
      const password = options.password ?? randomBytes(12).toString("base64url")
      const hash = yield* Passwords.hash(password)
      const [user] = yield* sql<{ id: number }>`
        INSERT INTO users ${sql.insert({ name, password: hash, status: UserStatus.NORMAL, usertype: UserType.NORMAL })}
        ON CONFLICT (name) DO UPDATE SET password = EXCLUDED.password
        RETURNING id`
      const [perm] = yield* sql<{ id: number }>`SELECT id FROM permissions WHERE name = 'admin'`
      yield* Versioned.insert("user_perms", { user_id: user!.id, perm_id: perm!.id }, user!.id)
      return password
    })))
  })
