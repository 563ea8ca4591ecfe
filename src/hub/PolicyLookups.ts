/**
 * What the hub's policy tests read from the database, as Koji's policy helpers
 * find it (`policy_get_user`, `policy_get_pkg`, `policy_get_version`,
 * `policy_get_release`, `policy_get_build_tags`, `policy_get_brs`,
 * `policy_get_cgs`, `get_build`, `get_tag`, `list_tags(build=...)`, ...), with
 * Koji's messages when the data names something that does not exist.
 *
 * Every lookup is memoized for the evaluation (`TestEnv.memo`).
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { pythonRepr } from "../api/Method.js"
import { GenericError } from "../domain/Errors.js"
import { parseNVR } from "./Nvr.js"
import type { PolicyData, PolicyFailure } from "./Policy.js"
import type { TestEnv } from "./PolicyParser.js"
import { decodeRequest } from "./TaskRequest.js"
import { split as splitArgs } from "../xmlrpc/Arguments.js"

type Key = { readonly id: number; readonly name?: undefined } | { readonly id?: undefined; readonly name: string }

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Koji's `name_or_id_clause`: an id (integer), a name (string), or a map with `id` or `name`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const nameOrId = (info: unknown): Either.Either<Key, GenericError> => {
  if (typeof info === "number" && Number.isInteger(info)) return Either.right({ id: info })
  if (typeof info === "string") return Either.right({ name: info })
  if (isRecord(info)) {
    if (typeof info.id === "number") return Either.right({ id: info.id })
    if (typeof info.name === "string") return Either.right({ name: info.name })
  }
  return Either.left(new GenericError({ message: `Invalid name or id value: ${pythonRepr(info)}` }))
}

const keyText = (key: Key) => key.id !== undefined ? `#${key.id}` : `=${key.name}`

const where = (env: TestEnv, column: string, key: Key) =>
  key.id !== undefined ? env.sql`${env.sql(`${column}.id`)} = ${key.id}` : env.sql`${env.sql(`${column}.name`)} = ${key.name}`

/**
 * A user (or group) row.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserRow {
  readonly id: number
  readonly name: string
  readonly usertype: number
}

/**
 * A user by id or name (Koji's `get_user`), undefined when unknown.
 *
 * @since 0.1.0
 * @category combinators
 */
export const user = (info: unknown, env: TestEnv): Effect.Effect<UserRow | undefined, PolicyFailure> =>
  Effect.flatMap(nameOrId(info), (key) =>
    env.memo(
      `user${keyText(key)}`,
      Effect.map(
        env.sql<UserRow>`SELECT users.id, users.name, users.usertype FROM users WHERE ${where(env, "users", key)}`,
        (rows) => rows[0] === undefined ? undefined : { ...rows[0], id: Number(rows[0].id) }
      )
    ))

/**
 * Koji's `policy_get_user`: the data's `user_id`, else the calling session's user.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyUser = (data: PolicyData, env: TestEnv): Effect.Effect<UserRow | undefined, PolicyFailure> => {
  if (data.user_id !== undefined && data.user_id !== null) return user(data.user_id, env)
  if (env.sessionUserId !== undefined) return user(env.sessionUserId, env)
  return Effect.succeed(undefined)
}

/**
 * Koji's `get_user_perms(user_id)`: direct grants and those of the user's groups.
 *
 * @since 0.1.0
 * @category combinators
 */
export const perms = (userId: number, env: TestEnv): Effect.Effect<ReadonlyArray<string>, PolicyFailure> =>
  env.memo(
    `perms#${userId}`,
    Effect.map(
      env.sql<{ name: string }>`
        SELECT p.name FROM user_perms up JOIN permissions p ON p.id = up.perm_id
         WHERE up.active IS TRUE AND up.user_id = ${userId}
        UNION
        SELECT p.name FROM user_groups ug
          JOIN user_perms up ON up.user_id = ug.group_id AND up.active IS TRUE
          JOIN permissions p ON p.id = up.perm_id
         WHERE ug.active IS TRUE AND ug.user_id = ${userId}`,
      (rows) => rows.map((r) => r.name)
    )
  )

/**
 * Koji's `get_user_groups(user_id)`: the names of the groups the user is in.
 *
 * @since 0.1.0
 * @category combinators
 */
export const groups = (userId: number, env: TestEnv): Effect.Effect<ReadonlyArray<string>, PolicyFailure> =>
  env.memo(
    `groups#${userId}`,
    Effect.map(
      env.sql<{ name: string; id: number }>`
        SELECT g.id, g.name FROM user_groups ug JOIN users g ON g.id = ug.group_id
         WHERE ug.active IS TRUE AND g.usertype = 2 AND ug.user_id = ${userId}`,
      (rows) => rows.map((r) => r.name)
    )
  )

/**
 * A tag that exists now (Koji's `get_tag(info)`), undefined otherwise.
 *
 * @since 0.1.0
 * @category combinators
 */
export const tag = (
  info: unknown,
  env: TestEnv
): Effect.Effect<{ readonly id: number; readonly name: string } | undefined, PolicyFailure> =>
  Effect.flatMap(nameOrId(info), (key) =>
    env.memo(
      `tag${keyText(key)}`,
      Effect.map(
        env.sql<{ id: number; name: string }>`
          SELECT tag.id, tag.name FROM tag JOIN tag_config tc ON tc.tag_id = tag.id AND tc.active IS TRUE
           WHERE ${where(env, "tag", key)}`,
        (rows) => rows[0] === undefined ? undefined : { id: Number(rows[0].id), name: rows[0].name }
      )
    ))

/**
 * A tag with the event it is read at (null = now).
 *
 * @since 0.1.0
 * @category models
 */
export interface TagAt {
  readonly id: number
  readonly name: string
  readonly event: number | null
}

/**
 * Koji's `get_tag(info, strict=True, event="auto")`: a deleted tag is read just
 * before its deletion; `No such tagInfo: X` when it never existed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const tagAuto = (info: unknown, env: TestEnv): Effect.Effect<TagAt, PolicyFailure> =>
  Effect.flatMap(nameOrId(info), (key) =>
    env.memo(
      `tagauto${keyText(key)}`,
      Effect.flatMap(
        env.sql<{ id: number; name: string; revoke_event: number | null }>`
          SELECT tag.id, tag.name, tc.revoke_event FROM tag JOIN tag_config tc ON tc.tag_id = tag.id
           WHERE ${where(env, "tag", key)} ORDER BY tc.create_event DESC LIMIT 1`,
        (rows) =>
          rows[0] === undefined
            ? Effect.fail(new GenericError({ message: `No such tagInfo: ${pythonRepr(info)}` }))
            : Effect.succeed({
              id: Number(rows[0].id),
              name: rows[0].name,
              event: rows[0].revoke_event === null ? null : Number(rows[0].revoke_event) - 1
            })
      )
    ))

/**
 * A build as the policy tests need it.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildRow {
  readonly id: number
  readonly package_id: number
  readonly name: string
  readonly version: string
  readonly release: string
  readonly owner_id: number
  readonly volume_id: number
  readonly volume_name: string
  readonly source: string | null
  readonly task_id: number | null
  readonly draft: boolean
  readonly extra: string | null
}

/**
 * Koji's `get_build(info, strict)`: by id, N-V-R string or a map with `name`,
 * `version` and `release`; with `strict`, `No such build: X` when unknown.
 *
 * @since 0.1.0
 * @category combinators
 */
export const build = (info: unknown, env: TestEnv, strict: boolean): Effect.Effect<BuildRow | undefined, PolicyFailure> =>
  Effect.gen(function*() {
    let clause
    if (typeof info === "number" && Number.isInteger(info)) {
      clause = env.sql`b.id = ${info}`
    } else {
      let nvr: { readonly name: unknown; readonly version: unknown; readonly release: unknown }
      if (typeof info === "string") nvr = yield* parseNVR(info)
      else if (isRecord(info)) nvr = info as typeof nvr
      else return yield* new GenericError({ message: `Invalid type for argument: ${pythonRepr(info)}` })
      if (nvr.name === undefined || nvr.version === undefined || nvr.release === undefined) {
        return yield* new GenericError({ message: "did not provide name, version, and release" })
      }
      clause = env.sql`p.name = ${String(nvr.name)} AND b.version = ${String(nvr.version)} AND b.release = ${
        String(nvr.release)
      }`
    }
    const found = yield* env.memo(
      `build=${JSON.stringify(info)}`,
      Effect.map(
        env.sql<BuildRow>`
          SELECT b.id, b.pkg_id AS package_id, p.name, b.version, b.release, b.owner AS owner_id,
                 b.volume_id, v.name AS volume_name, b.source, b.task_id, b.draft, b.extra
            FROM build b JOIN package p ON p.id = b.pkg_id JOIN volume v ON v.id = b.volume_id
           WHERE ${clause}`,
        (rows): BuildRow | undefined =>
          rows[0] === undefined ? undefined : {
            ...rows[0],
            id: Number(rows[0].id),
            package_id: Number(rows[0].package_id),
            owner_id: Number(rows[0].owner_id),
            volume_id: Number(rows[0].volume_id),
            task_id: rows[0].task_id === null ? null : Number(rows[0].task_id)
          }
      )
    )
    if (found === undefined && strict) {
      return yield* new GenericError({
        message: `No such build: ${typeof info === "number" ? info : pythonRepr(info)}`
      })
    }
    return found
  })

/**
 * Koji's `policy_get_pkg`: the data's `package` (a package not created yet has
 * `id: null`), else the build's package; `policy requires package data` otherwise.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyPackage = (
  data: PolicyData,
  env: TestEnv
): Effect.Effect<{ readonly id: number | null; readonly name: string }, PolicyFailure> =>
  Effect.gen(function*() {
    if (data.package !== undefined) {
      const key = yield* nameOrId(data.package)
      const rows = yield* env.memo(
        `package${keyText(key)}`,
        env.sql<{ id: number; name: string }>`SELECT package.id, package.name FROM package WHERE ${
          where(env, "package", key)
        }`
      )
      if (rows[0] !== undefined) return { id: Number(rows[0].id), name: rows[0].name }
      if (typeof data.package === "string") return { id: null, name: data.package }
      return yield* new GenericError({ message: `No such package: ${pythonRepr(data.package)}` })
    }
    if (data.build !== undefined) {
      const b = (yield* build(data.build, env, true))!
      return { id: b.package_id, name: b.name }
    }
    return yield* new GenericError({ message: "policy requires package data" })
  })

/**
 * Koji's `policy_get_version`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyVersion = (data: PolicyData, env: TestEnv): Effect.Effect<unknown, PolicyFailure> =>
  data.version !== undefined
    ? Effect.succeed(data.version)
    : data.build !== undefined
    ? Effect.map(build(data.build, env, true), (b) => b!.version)
    : Effect.fail(new GenericError({ message: "policy requires version data" }))

/**
 * Koji's `policy_get_release`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyRelease = (data: PolicyData, env: TestEnv): Effect.Effect<unknown, PolicyFailure> =>
  data.release !== undefined
    ? Effect.succeed(data.release)
    : data.build !== undefined
    ? Effect.map(build(data.build, env, true), (b) => b!.release)
    : Effect.fail(new GenericError({ message: "policy requires release data" }))

/**
 * The volume of Koji's `VolumeTest`: the data's `volume` (if it exists), else the build's.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyVolume = (data: PolicyData, env: TestEnv): Effect.Effect<string | undefined, PolicyFailure> =>
  Effect.gen(function*() {
    if (data.volume !== undefined) {
      const key = yield* nameOrId(data.volume)
      const rows = yield* env.memo(
        `volume${keyText(key)}`,
        env.sql<{ name: string }>`SELECT volume.name FROM volume WHERE ${where(env, "volume", key)}`
      )
      return rows[0]?.name
    }
    if (data.build !== undefined) return (yield* build(data.build, env, false))?.volume_name
    return undefined
  })

/**
 * Koji's `list_tags(build=...)`: the names of the tags the build is in now.
 *
 * @since 0.1.0
 * @category combinators
 */
export const buildTagNames = (info: unknown, env: TestEnv): Effect.Effect<ReadonlyArray<string>, PolicyFailure> =>
  Effect.gen(function*() {
    const b = yield* build(info, env, false)
    if (b === undefined) return yield* new GenericError({ message: `No such build: ${pythonRepr(info)}` })
    const rows = yield* env.memo(
      `tagsof#${b.id}`,
      env.sql<{ name: string }>`
        SELECT tag.name FROM tag_listing tl
          JOIN tag ON tag.id = tl.tag_id
          JOIN tag_config tc ON tc.tag_id = tag.id AND tc.active IS TRUE
         WHERE tl.active IS TRUE AND tl.build_id = ${b.id}`
    )
    return rows.map((r) => r.name)
  })

/**
 * Koji's `policy_get_brs`: the data's `buildroots`, else those of the build's RPMs
 * and archives (null for a component without one).
 *
 * @since 0.1.0
 * @category combinators
 */
export const buildroots = (data: PolicyData, env: TestEnv): Effect.Effect<ReadonlyArray<number | null>, PolicyFailure> =>
  Effect.gen(function*() {
    if (Array.isArray(data.buildroots)) {
      return [...new Set(data.buildroots.map((b) => b === null ? null : Number(b)))]
    }
    if (data.build === undefined) return []
    const b = (yield* build(data.build, env, true))!
    const rows = yield* env.memo(
      `brs#${b.id}`,
      env.sql<{ buildroot_id: number | null }>`
        SELECT buildroot_id FROM rpminfo WHERE build_id = ${b.id}
        UNION SELECT buildroot_id FROM archiveinfo WHERE build_id = ${b.id}`
    )
    return rows.map((r) => r.buildroot_id === null ? null : Number(r.buildroot_id))
  })

interface BuildrootRow {
  readonly id: number
  readonly tag_id: number | null
  readonly tag_name: string | null
  readonly repo_event: number | null
  readonly cg_name: string | null
}

const buildrootRows = (ids: ReadonlyArray<number>, env: TestEnv) =>
  Effect.gen(function*() {
    if (ids.length === 0) return []
    const rows = yield* env.sql<BuildrootRow>`
      SELECT br.id, r.tag_id, t.name AS tag_name, r.create_event AS repo_event, cg.name AS cg_name
        FROM buildroot br
        LEFT JOIN standard_buildroot sb ON sb.buildroot_id = br.id
        LEFT JOIN repo r ON r.id = sb.repo_id
        LEFT JOIN tag t ON t.id = r.tag_id
        LEFT JOIN content_generator cg ON cg.id = br.cg_id
       WHERE ${env.sql.in("br.id", ids)}`
    const found = new Set(rows.map((r) => Number(r.id)))
    const missing = ids.find((id) => !found.has(id))
    if (missing !== undefined) return yield* new GenericError({ message: `No such buildroot: ${missing}` })
    return rows
  })

/**
 * Koji's `policy_get_build_tags`: the data's `build_tag` or `build_tags`, else the
 * build tag of the data's `target`, else the tags of the build's buildroots (read
 * at their repo's event; null for buildroots without a tag).
 *
 * @since 0.1.0
 * @category combinators
 */
export const buildTags = (data: PolicyData, env: TestEnv): Effect.Effect<ReadonlyArray<TagAt | null>, PolicyFailure> =>
  Effect.gen(function*() {
    const tags = new Map<string | null, TagAt | null>()
    if (data.build_tag !== undefined) {
      const t = yield* tagAuto(data.build_tag, env)
      tags.set(t.name, t)
    } else if (Array.isArray(data.build_tags)) {
      for (const info of data.build_tags) {
        const t = yield* tagAuto(info, env)
        tags.set(t.name, t)
      }
    }
    if (tags.size === 0 && pythonTruthyScalar(data.target)) {
      const key = yield* nameOrId(data.target)
      const rows = yield* env.memo(
        `target${keyText(key)}`,
        env.sql<{ build_tag: number }>`
          SELECT c.build_tag FROM build_target JOIN build_target_config c
              ON c.build_target_id = build_target.id AND c.active IS TRUE
           WHERE ${where(env, "build_target", key)}`
      )
      if (rows[0] !== undefined) {
        const t = yield* tagAuto(Number(rows[0].build_tag), env)
        tags.set(t.name, t)
      }
    }
    if (tags.size === 0) {
      const ids = yield* buildroots(data, env)
      if (ids.includes(null)) tags.set(null, null)
      for (const row of yield* buildrootRows(ids.filter((i): i is number => i !== null), env)) {
        if (row.tag_name !== null && row.tag_id !== null) {
          tags.set(row.tag_name, {
            id: Number(row.tag_id),
            name: row.tag_name,
            event: row.repo_event === null ? null : Number(row.repo_event)
          })
        }
      }
    }
    return [...tags.values()]
  })

const pythonTruthyScalar = (u: unknown) => u !== undefined && u !== null && u !== "" && u !== 0 && u !== false

/**
 * Koji's `policy_get_cgs`: the content generators of the data's `cg_list`, else of
 * the buildroots (null for a component without one or a buildroot of no generator).
 *
 * @since 0.1.0
 * @category combinators
 */
export const contentGenerators = (
  data: PolicyData,
  env: TestEnv
): Effect.Effect<ReadonlyArray<string | null>, PolicyFailure> =>
  Effect.gen(function*() {
    const cgs = new Set<string | null>()
    if (Array.isArray(data.cg_list)) {
      for (const info of data.cg_list) {
        const key = yield* nameOrId(info)
        const rows = yield* env.sql<{ name: string }>`
          SELECT content_generator.name FROM content_generator WHERE ${where(env, "content_generator", key)}`
        if (rows[0] === undefined) {
          return yield* new GenericError({ message: `No such entry in table content_generator: ${String(info)}` })
        }
        cgs.add(rows[0].name)
      }
      return [...cgs]
    }
    const ids = yield* buildroots(data, env)
    if (ids.includes(null)) cgs.add(null)
    for (const row of yield* buildrootRows(ids.filter((i): i is number => i !== null), env)) cgs.add(row.cg_name)
    return [...cgs]
  })

/**
 * Koji's `policy_get_build_types`: the data's `btypes`, else the build's types.
 *
 * @since 0.1.0
 * @category combinators
 */
export const buildTypes = (data: PolicyData, env: TestEnv): Effect.Effect<ReadonlyArray<string>, PolicyFailure> =>
  Effect.gen(function*() {
    if (Array.isArray(data.btypes)) return data.btypes.map(String)
    if (data.build === undefined) return []
    const b = (yield* build(data.build, env, true))!
    const rows = yield* env.sql<{ name: string }>`
      SELECT btype.name FROM build_types JOIN btype ON btype.id = build_types.btype_id WHERE build_types.build_id = ${b.id}`
    return rows.map((r) => r.name)
  })

/**
 * Koji's `ImportedTest`: some RPM or archive of the build has no buildroot.
 *
 * @since 0.1.0
 * @category combinators
 */
export const imported = (data: PolicyData, env: TestEnv): Effect.Effect<boolean, PolicyFailure> =>
  Effect.gen(function*() {
    if (!pythonTruthyScalar(data.build) && !isRecord(data.build)) {
      return yield* new GenericError({ message: "policy data must contain a build" })
    }
    const b = (yield* build(data.build, env, true))!
    const rows = yield* env.sql<{ one: number }>`
      SELECT 1 AS one FROM rpminfo WHERE build_id = ${b.id} AND buildroot_id IS NULL
      UNION SELECT 1 AS one FROM archiveinfo WHERE build_id = ${b.id} AND buildroot_id IS NULL`
    return rows.length > 0
  })

/**
 * Koji's `IsBuildOwnerTest`: the user owns the build, or is in the group owning it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isBuildOwner = (data: PolicyData, env: TestEnv): Effect.Effect<boolean, PolicyFailure> =>
  Effect.gen(function*() {
    if (data.build === undefined) return false
    const b = yield* build(data.build, env, true)
    const u = yield* policyUser(data, env)
    if (b === undefined || u === undefined) return false
    if (b.owner_id === u.id) return true
    const owner = yield* user(b.owner_id, env)
    if (owner === undefined || owner.usertype !== 2) return false
    const rows = yield* env.sql<{ one: number }>`
      SELECT 1 AS one FROM user_groups WHERE active IS TRUE AND user_id = ${u.id} AND group_id = ${owner.id}`
    return rows.length > 0
  })

/**
 * Koji's `IsDraftTest`: the data's `draft`, else the build's draft flag.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isDraft = (data: PolicyData, env: TestEnv): Effect.Effect<boolean, PolicyFailure> =>
  data.draft !== undefined
    ? Effect.succeed(pythonTruthyScalar(data.draft))
    : data.build !== undefined
    ? Effect.map(build(data.build, env, false), (b) => b?.draft === true)
    : Effect.succeed(false)

/** Where the source of a build is in its task's request, by task method (Koji's `parse_task_params` names). */
const sourceParam: Readonly<Record<string, { readonly index: number; readonly names: ReadonlyArray<string> }>> = {
  build: { index: 0, names: ["src"] },
  maven: { index: 0, names: ["url"] },
  wrapperRPM: { index: 0, names: ["spec_url"] },
  winbuild: { index: 1, names: ["source_url"] },
  buildSRPMFromSCM: { index: 0, names: ["url"] },
  buildMaven: { index: 0, names: ["url"] },
  buildContainer: { index: 0, names: ["src"] },
  chainmaven: { index: -1, names: [] }
}

/**
 * Koji's `SourceTest` value: the data's `source`, else the build's source, else
 * the source in the request of the task that made the build; undefined when
 * there is none.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policySource = (data: PolicyData, env: TestEnv): Effect.Effect<unknown, PolicyFailure> =>
  Effect.gen(function*() {
    if (data.source !== undefined) return data.source
    if (data.build === undefined) return undefined
    const b = (yield* build(data.build, env, true))!
    if (b.source !== null) return b.source
    let taskId = b.task_id
    if (taskId === null && b.extra !== null) {
      try {
        const extra = JSON.parse(b.extra) as Record<string, unknown>
        if (typeof extra.container_koji_task_id === "number") taskId = extra.container_koji_task_id
      } catch {
        // extra that is not JSON carries no task
      }
    }
    if (taskId === null) return undefined
    const rows = yield* env.sql<{ method: string; request: string | null }>`
      SELECT method, request FROM task WHERE id = ${taskId}`
    const task = rows[0]
    if (task === undefined || task.request === null) return undefined
    const where = sourceParam[task.method]
    if (where === undefined || where.index < 0) return undefined
    const { args, kwargs } = splitArgs(yield* decodeRequest(task.request))
    const value = args[where.index] ?? where.names.map((n) => kwargs[n]).find((v) => v !== undefined)
    return typeof value === "string" ? value : undefined
  })
