/**
 * Build targets (reference 8): `build_target(id, name)` and the versioned
 * `build_target_config(build_tag, dest_tag)`. A build for a target builds in its
 * build tag's buildroot and lands in its destination tag.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import type { TagId, TargetId } from "../domain/Ids.js"
import { Target } from "../domain/Target.js"
import * as Database from "../db/Database.js"
import * as Lookup from "./Lookup.js"
import * as QueryOptsSql from "./QueryOpts.js"
import { Tags, type TagInfo } from "./Tags.js"
import { pythonStr, verifyInternalName } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * Filters of `getBuildTargets`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly info?: Lookup.NameOrId | null | undefined
  readonly event?: number | null | undefined
  readonly buildTagID?: TagInfo | null | undefined
  readonly destTagID?: TagInfo | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
}

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Targets extends Context.Tag("koji/hub/Targets")<Targets, {
  /** `getBuildTargets`: targets, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<Target> | number, Failure>
  /** `getBuildTarget`: one target, `undefined` when unknown (`No such build target: X` when strict). */
  readonly find: (info: Lookup.NameOrId, options?: {
    readonly event?: number | null | undefined
    readonly strict?: boolean | undefined
  }) => Effect.Effect<Target | undefined, Failure>
  /** `createBuildTarget`: answers the target's id. */
  readonly create: (name: string, buildTag: TagInfo, destTag: TagInfo, actorId: number) => Effect.Effect<number, Failure>
  /** `editBuildTarget`. */
  readonly edit: (info: Lookup.NameOrId, name: string, buildTag: TagInfo, destTag: TagInfo, actorId: number) => Effect.Effect<void, Failure>
  /** `deleteBuildTarget`. */
  readonly remove: (info: Lookup.NameOrId, actorId: number) => Effect.Effect<void, Failure>
}>() {}

interface Row {
  readonly id: number
  readonly name: string
  readonly build_tag: number
  readonly build_tag_name: string
  readonly dest_tag: number
  readonly dest_tag_name: string
}

const columns: Readonly<Record<string, string>> = {
  id: "build_target.id",
  name: "build_target.name",
  build_tag: "build_target_config.build_tag",
  build_tag_name: "tag1.name",
  dest_tag: "build_target_config.dest_tag",
  dest_tag_name: "tag2.name"
}

/**
 * The targets service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tags = yield* Tags
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = [Versioned.activeAt(sql, options.event, "build_target_config")]
      if (options.info !== null && options.info !== undefined && options.info !== "" && options.info !== 0) {
        clauses.push(Lookup.keyClause(sql, "build_target", yield* Lookup.nameOrId(options.info)))
      }
      // Koji looks a tag given by name up without strict: an unknown one matches nothing
      const tagClause = (column: string, info: TagInfo) =>
        Effect.map(
          typeof info === "number" ? Effect.succeed<number | null>(info) : tags.tagId(info),
          (id) => id === null ? sql`FALSE` : sql`${sql(column)} = ${id}`
        )
      if (options.buildTagID !== null && options.buildTagID !== undefined) {
        clauses.push(yield* tagClause("build_target_config.build_tag", options.buildTagID))
      }
      if (options.destTagID !== null && options.destTagID !== undefined) {
        clauses.push(yield* tagClause("build_target_config.dest_tag", options.destTagID))
      }
      const from = sql`
        FROM build_target_config
        JOIN build_target ON build_target.id = build_target_config.build_target_id
        JOIN tag AS tag1 ON tag1.id = build_target_config.build_tag
        JOIN tag AS tag2 ON tag2.id = build_target_config.dest_tag
       WHERE ${sql.and(clauses)}`
      const rows = yield* QueryOptsSql.run(sql, options.queryOpts, {
        columns,
        tiebreak: "build_target.id",
        from: sql`SELECT 1 ${from}`,
        select: (order, window) =>
          sql<Row>`
            SELECT build_target.id, build_target.name, build_target_config.build_tag, tag1.name AS build_tag_name,
                   build_target_config.dest_tag, tag2.name AS dest_tag_name
              ${from} ORDER BY ${order} ${window}`
      })
      if (typeof rows === "number") return rows
      return rows.map((row) =>
        new Target({
          id: row.id as TargetId,
          name: row.name,
          build_tag: row.build_tag as TagId,
          build_tag_name: row.build_tag_name,
          dest_tag: row.dest_tag as TagId,
          dest_tag_name: row.dest_tag_name
        })
      )
    })

  const find = (info: Lookup.NameOrId, options: {
    readonly event?: number | null | undefined
    readonly strict?: boolean | undefined
  } = {}) =>
    Effect.gen(function*() {
      const found = yield* list({ info, event: options.event })
      const targets = found as ReadonlyArray<Target>
      if (targets.length === 1) return targets[0]
      if (options.strict) return yield* new GenericError({ message: `No such build target: ${pythonStr(info)}` })
      return undefined
    })

  const tagIdOf = (info: TagInfo, what: "build tag" | "destination tag") =>
    Effect.flatMap(tags.find(info), (tag) =>
      tag === undefined
        ? Effect.fail(new GenericError({ message: `${what} '${pythonStr(info)}' does not exist` }))
        : Effect.succeed(tag.id))

  const create = (name: string, buildTag: TagInfo, destTag: TagInfo, actorId: number) =>
    transaction(Effect.gen(function*() {
      yield* verifyInternalName(name)
      const existing = yield* list({ info: name })
      if (typeof existing !== "number" && existing.length > 0) {
        return yield* new GenericError({ message: `A build target with the name '${name}' already exists` })
      }
      const buildTagId = yield* tagIdOf(buildTag, "build tag")
      const destTagId = yield* tagIdOf(destTag, "destination tag")
      // a deleted target's name (and id) is reused
      const id = (yield* withSql(Lookup.lookupName("build_target", name, { create: true })))!.id
      yield* withSql(Versioned.insert("build_target_config", {
        build_target_id: id,
        build_tag: buildTagId,
        dest_tag: destTagId
      }, actorId))
      return id
    }))

  const edit = (info: Lookup.NameOrId, name: string, buildTag: TagInfo, destTag: TagInfo, actorId: number) =>
    transaction(Effect.gen(function*() {
      yield* verifyInternalName(name)
      const target = yield* withSql(Lookup.lookupName("build_target", info))
      if (target === undefined) return yield* new GenericError({ message: `No such build target: ${pythonStr(info)}` })
      const buildTagId = yield* tagIdOf(buildTag, "build tag")
      const destTagId = yield* tagIdOf(destTag, "destination tag")
      if (target.name !== name) {
        const [taken] = yield* sql<{ id: number }>`SELECT id FROM build_target WHERE name = ${name}`
        if (taken !== undefined) {
          return yield* new GenericError({ message: `name "${name}" is already taken by build target ${taken.id}` })
        }
        yield* sql`UPDATE build_target SET name = ${name} WHERE id = ${target.id}`
      }
      yield* withSql(Versioned.replace(
        "build_target_config",
        { build_target_id: target.id },
        { build_tag: buildTagId, dest_tag: destTagId },
        actorId
      ))
    }))

  const remove = (info: Lookup.NameOrId, actorId: number) =>
    transaction(Effect.gen(function*() {
      const target = yield* withSql(Lookup.lookupName("build_target", info))
      if (target === undefined) return yield* new GenericError({ message: `No such build target: ${pythonStr(info)}` })
      yield* withSql(Versioned.revoke("build_target_config", { build_target_id: target.id }, actorId))
    }))

  return Targets.of({ list, find, create, edit, remove })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Targets, never, SqlClient.SqlClient | Tags> = Layer.effect(Targets, make)
