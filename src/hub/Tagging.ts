/**
 * Tagged builds (reference 8): the versioned `tag_listing` and what reads it.
 *
 * Writes follow Koji: a build must be COMPLETE; the tag must not be locked and
 * its permission (if any) must be held (an admin may force both); a build
 * already in the tag is refused unless forced, and then re-tagged (revoked and
 * added in the same event, which makes it the latest again); the `tag` policy
 * is asserted with Koji's data (`tag`, `fromtag`, `build`, `operation`,
 * `user_id`). `tag` is what Koji's `host.tagBuild` does for the `tagBuild`
 * task; `checkRequest` is the checking half of Koji's `tagBuild` call.
 *
 * Reads (`readTaggedBuilds`, `readTaggedRpms`: TaggedBuilds.ts) pick builds as
 * Koji does — tag order, then the newest tagging, never the highest N-V-R — in
 * one query over the walked inheritance; change events are in TagChanges.ts.
 *
 * Tag changes are published on the event stream (`tag.change`).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { BuildInfo } from "../api/Builds.js"
import * as Method from "../api/Method.js"
import type { TagInfo } from "../api/Tagging.js"
import type { Build, TaggedBuild } from "../domain/Build.js"
import { BuildState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, type ParameterError, TagError } from "../domain/Errors.js"
import type { TaggedRpm } from "../domain/Rpm.js"
import * as Database from "../db/Database.js"
import { Builds, layerWithoutUsers as buildsLayerWithoutUsers } from "./Builds.js"
import * as EventStream from "./EventStream.js"
import type { HubConfig } from "./HubConfig.js"
import { layer as packagesLayer, type PackageEntry, Packages, readPackageList } from "./Packages.js"
import { Policy } from "./Policy.js"
import * as TagChanges from "./TagChanges.js"
import * as TaggedBuilds from "./TaggedBuilds.js"
import type { ReadOptions, RpmReadOptions } from "./TaggedBuilds.js"
import { layer as tagsLayer } from "./Tags.js"
import { layer as usersLayer, Users } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * A tag as the tagging checks need it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagRef {
  readonly id: number
  readonly name: string
  readonly locked: boolean
  readonly perm_id: number | null
  readonly perm: string | null
}

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Tagging extends Context.Tag("koji/hub/Tagging")<Tagging, {
  /** Koji's `get_tag` for tagging: by id or name, now or as of `event`; `undefined` when unknown. */
  readonly findTag: (info: TagInfo, event?: number | null) => Effect.Effect<TagRef | undefined, SqlError.SqlError>
  /** `get_tag(..., strict=True)`: `GenericError: No such tagInfo: 'x'`. */
  readonly requireTag: (info: TagInfo, event?: number | null) => Effect.Effect<TagRef, Failure>
  /** Koji's `assert_tag_access`: locked tags and tag permissions (an admin may force). */
  readonly assertAccess: (tag: TagRef, userId: number, force: boolean) => Effect.Effect<void, ActionNotAllowed | Failure>
  /** A package's entry in a tag's package list (Koji's `readPackageList` with inheritance), now or as of `event`. */
  readonly packageEntry: (
    tagId: number,
    packageId: number,
    event?: number | null
  ) => Effect.Effect<PackageEntry | undefined, Failure>
  /** Koji's `_direct_tag_build`: no access or policy check. */
  readonly directTag: (tag: TagRef, build: Build, userId: number, force: boolean) => Effect.Effect<void, TagError | Failure>
  /** Koji's `_direct_untag_build`: no access or policy check; `strict` refuses a build not in the tag. */
  readonly directUntag: (tag: TagRef, build: Build, userId: number, strict: boolean) => Effect.Effect<void, TagError | Failure>
  /** `tagBuildBypass`: policy (`operation: tag`), tag access, then tag. */
  readonly tagBypass: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** `untagBuild` / `untagBuildBypass`: policy (`operation: untag`), tag access, then untag. */
  readonly untag: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean; readonly strict: boolean }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** `massTag`: every build tagged (forced, no checks), each in its own event to keep their order. */
  readonly massTag: (
    tag: TagInfo,
    builds: ReadonlyArray<BuildInfo>,
    userId: number
  ) => Effect.Effect<void, TagError | Failure>
  /**
   * The checks of Koji's `tagBuild` call before it makes the task: build COMPLETE, access to the
   * tag (and `fromtag`), package listed and unblocked (an admin forcing adds it), `tag` policy
   * (`operation: tag` or `move`). Answers the ids for the task's arguments
   * `[tag_id, build_id, force, fromtag_id]`.
   */
  readonly checkRequest: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean; readonly fromtag?: TagInfo | null | undefined }
  ) => Effect.Effect<
    { readonly tagId: number; readonly buildId: number; readonly fromtagId: number | null },
    TagError | ActionNotAllowed | Failure
  >
  /**
   * The checks of Koji's `moveAllBuilds` before it makes the chain of tasks: the package listed
   * and unblocked in `tag2` (an admin forcing adds it), access to both tags, the `tag` policy
   * (`operation: move`) for each build. Answers the tag ids and the builds of the package in
   * `tag1`, oldest tagging first.
   */
  readonly checkMoveAll: (
    tag1: TagInfo,
    tag2: TagInfo,
    packageName: string,
    options: { readonly userId: number; readonly force: boolean }
  ) => Effect.Effect<
    { readonly tag1Id: number; readonly tag2Id: number; readonly builds: ReadonlyArray<number> },
    TagError | ActionNotAllowed | Failure
  >
  /**
   * What Koji's `host.tagBuild` does for the `tagBuild` task, as `user` (the task's owner):
   * `tag` policy (`operation: tag` or `move`), package list (an admin forcing adds it), untag from
   * `fromtag` (a move), then tag; each with the tag access check.
   */
  readonly tag: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly user: number; readonly force: boolean; readonly fromtag?: TagInfo | null | undefined }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** Koji's `readTaggedBuilds` on a tag id. */
  readonly readTaggedBuilds: (tagId: number, options: ReadOptions) => Effect.Effect<ReadonlyArray<TaggedBuild>, Failure>
  /** Koji's `readTaggedRPMS`: `[rpms, builds]`. */
  readonly readTaggedRpms: (
    tagId: number,
    options: RpmReadOptions
  ) => Effect.Effect<readonly [ReadonlyArray<TaggedRpm>, ReadonlyArray<TaggedBuild>], Failure>
  /** `tagLastChangeEvent`. */
  readonly lastChangeEvent: (
    tag: TagInfo,
    before: number | null,
    inherit: boolean
  ) => Effect.Effect<number | null, Failure>
  /** `tagChangedSinceEvent` (no inheritance). */
  readonly changedSinceEvent: (event: number, tagIds: ReadonlyArray<number>) => Effect.Effect<boolean, SqlError.SqlError>
}>() {}

interface TagRow {
  readonly id: number
  readonly name: string
  readonly locked: boolean
  readonly perm_id: number | null
  readonly perm: string | null
}

/**
 * The tagging service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* Users
  const builds = yield* Builds
  const policy = yield* Policy
  const packages = yield* Packages
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))

  const findTag = (info: TagInfo, event?: number | null) =>
    Effect.map(
      sql<TagRow>`
        SELECT tag.id, tag.name, tag_config.locked, tag_config.perm_id, permissions.name AS perm
          FROM tag_config JOIN tag ON tag.id = tag_config.tag_id
          LEFT JOIN permissions ON permissions.id = tag_config.perm_id
         WHERE ${Versioned.activeAt(sql, event, "tag_config")}
           AND ${typeof info === "number" ? sql`tag.id = ${info}` : sql`tag.name = ${info}`}`,
      (rows): TagRef | undefined => rows[0]
    )

  const requireTag = (info: TagInfo, event?: number | null) =>
    Effect.flatMap(findTag(info, event), (tag) =>
      tag === undefined
        ? Effect.fail(new GenericError({ message: `No such tagInfo: ${Method.pythonRepr(info)}` }))
        : Effect.succeed(tag))

  const isAdmin = (userId: number) => Effect.map(users.perms(userId, true), (perms) => perms.includes("admin"))

  const assertAccess: Tagging["Type"]["assertAccess"] = (tag, userId, force) =>
    Effect.gen(function*() {
      const perms = yield* users.perms(userId, true)
      const override = perms.includes("admin")
      let reason: string | undefined
      if (tag.locked) reason = "tag is locked"
      else if (tag.perm_id !== null && !perms.includes(tag.perm ?? "")) reason = `tag requires ${tag.perm} permission`
      if (reason !== undefined && !(override && force)) return yield* new ActionNotAllowed({ message: reason })
    })

  const packageEntry: Tagging["Type"]["packageEntry"] = (tagId, packageId, event) =>
    Effect.map(
      withSql(readPackageList({ tagId, pkgId: packageId, event, inherit: true, withOwners: false })),
      (entries) => entries.get(packageId)
    )

  const readTaggedBuilds: Tagging["Type"]["readTaggedBuilds"] = (tagId, options) =>
    withSql(TaggedBuilds.readTaggedBuilds(tagId, options))

  const readTaggedRpms: Tagging["Type"]["readTaggedRpms"] = (tagId, options) =>
    withSql(TaggedBuilds.readTaggedRpms(tagId, options))

  const publishChange = (tag: TagRef, build: Build, action: "tag" | "untag", userId: number) =>
    EventStream.publish({
      kind: "tag.change",
      tag_id: tag.id,
      build_id: build.id,
      data: { action, tag: tag.name, nvr: build.nvr, user_id: userId }
    })

  const directTag: Tagging["Type"]["directTag"] = (tag, build, userId, force) =>
    Effect.gen(function*() {
      if (build.state !== BuildState.COMPLETE) {
        return yield* new TagError({
          message: `build ${build.nvr} not complete: state ${BuildState.name(build.state)}`
        })
      }
      const current = yield* sql`
        SELECT build_id FROM tag_listing
         WHERE tag_id = ${tag.id} AND build_id = ${build.id} AND active IS TRUE FOR UPDATE`
      if (current.length > 0) {
        if (!force) return yield* new TagError({ message: `build ${build.nvr} already tagged (${tag.name})` })
        yield* Versioned.revoke("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      }
      yield* Versioned.insert("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      yield* publishChange(tag, build, "tag", userId)
    }).pipe(withSql)

  const directUntag: Tagging["Type"]["directUntag"] = (tag, build, userId, strict) =>
    Effect.gen(function*() {
      const count = yield* Versioned.revoke("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      if (count === 0 && strict) {
        return yield* new TagError({ message: `build ${build.nvr} not in tag ${tag.name}` })
      }
      if (count > 0) yield* publishChange(tag, build, "untag", userId)
    }).pipe(withSql)

  const tagBypass: Tagging["Type"]["tagBypass"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      const build = yield* builds.require(buildInfo)
      yield* policy.assert("tag", { tag: tag.id, build: build.id, fromtag: null, operation: "tag" }, {
        force: options.force
      })
      yield* assertAccess(tag, options.userId, options.force)
      yield* directTag(tag, build, options.userId, options.force)
    }))

  const untag: Tagging["Type"]["untag"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      const build = yield* builds.require(buildInfo)
      yield* policy.assert("tag", { tag: null, build: build.id, fromtag: tag.id, operation: "untag" }, {
        force: options.force
      })
      yield* assertAccess(tag, options.userId, options.force)
      yield* directUntag(tag, build, options.userId, options.strict)
    }))

  const massTag: Tagging["Type"]["massTag"] = (tagInfo, buildInfos, userId) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      for (const info of buildInfos) {
        const build = yield* builds.require(info)
        // a fresh event for each build keeps the tagging order (Koji's _delete_event_id)
        yield* Versioned.withFreshEvent(directTag(tag, build, userId, true))
      }
    }))

  // the package must be listed and not blocked (with inheritance); an admin forcing adds it
  const checkPackage = (tag: TagRef, build: Build, userId: number, force: boolean, tagText: string) =>
    Effect.gen(function*() {
      const entry = yield* packageEntry(tag.id, build.package_id)
      const problem = entry === undefined
        ? `Package ${build.name} not in list for ${tagText}`
        : entry.blocked
        ? `Package ${build.name} blocked in ${tagText}`
        : undefined
      if (problem === undefined) return
      if (!(force && (yield* isAdmin(userId)))) return yield* new TagError({ message: problem })
      yield* forceListPackage(tag, build.package_id, userId)
    })

  // Koji's pkglist_add(tag, pkg, force=True, block=False), as the actor
  const forceListPackage = (tag: TagRef, packageId: number, userId: number) =>
    packages.add(tag.id, packageId, { force: true, block: false }, userId)

  const checkRequest: Tagging["Type"]["checkRequest"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const build = yield* builds.require(buildInfo)
      const tag = yield* requireTag(tagInfo)
      const fromtag = options.fromtag === null || options.fromtag === undefined || options.fromtag === ""
        ? undefined
        : yield* requireTag(options.fromtag)
      if (build.state !== BuildState.COMPLETE) {
        return yield* new TagError({ message: `build ${build.nvr} not complete: state ${BuildState.name(build.state)}` })
      }
      yield* assertAccess(tag, options.userId, options.force)
      if (fromtag !== undefined) yield* assertAccess(fromtag, options.userId, options.force)
      yield* checkPackage(tag, build, options.userId, options.force, tag.name)
      yield* policy.assert("tag", {
        tag: tag.id,
        build: build.id,
        fromtag: fromtag?.id ?? null,
        operation: fromtag === undefined ? "tag" : "move"
      }, { force: options.force })
      return { tagId: tag.id, buildId: build.id, fromtagId: fromtag?.id ?? null }
    }))

  // Koji's get_tag_id(info, strict=True): deleted tags too
  const tagIdOf = (info: TagInfo) =>
    Effect.flatMap(
      sql<{ id: number }>`SELECT id FROM tag WHERE ${typeof info === "number" ? sql`id = ${info}` : sql`name = ${info}`}`,
      (rows) =>
        rows[0] === undefined
          ? Effect.fail(new GenericError({ message: `No such entry in table tag: ${info}` }))
          : Effect.succeed(rows[0].id)
    )

  const checkMoveAll: Tagging["Type"]["checkMoveAll"] = (tag1, tag2, packageName, options) =>
    transaction(Effect.gen(function*() {
      const pkgId = yield* builds.packageId(packageName, false)
      if (pkgId === undefined) {
        return yield* new GenericError({ message: `No such entry in table package: ${packageName}` })
      }
      const tag1Id = yield* tagIdOf(tag1)
      const tag2Id = yield* tagIdOf(tag2)
      const entry = yield* packageEntry(tag2Id, pkgId)
      const problem = entry === undefined
        ? `Package ${packageName} not in list for tag ${tag2}`
        : entry.blocked
        ? `Package ${packageName} blocked in tag ${tag2}`
        : undefined
      if (problem !== undefined) {
        if (!(options.force && (yield* isAdmin(options.userId)))) return yield* new TagError({ message: problem })
        yield* packages.add(tag2Id, pkgId, { force: true, block: false }, options.userId)
      }
      yield* assertAccess(yield* requireTag(tag1Id), options.userId, options.force)
      yield* assertAccess(yield* requireTag(tag2Id), options.userId, options.force)
      const listed = [...yield* readTaggedBuilds(tag1Id, { package: packageName })].reverse()
      for (const build of listed) {
        yield* policy.assert("tag", { tag: tag2, fromtag: tag1, operation: "move", build: build.id })
      }
      return { tag1Id, tag2Id, builds: listed.map((b) => b.id) }
    }))

  const tag: Tagging["Type"]["tag"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const build = yield* builds.require(buildInfo)
      const target = yield* requireTag(tagInfo)
      const fromtag = options.fromtag === null || options.fromtag === undefined || options.fromtag === ""
        ? undefined
        : yield* requireTag(options.fromtag)
      yield* policy.assert("tag", {
        tag: target.id,
        build: build.id,
        fromtag: fromtag?.name ?? null,
        user_id: options.user,
        operation: fromtag === undefined ? "tag" : "move"
      }, { force: options.force })
      yield* checkPackage(target, build, options.user, options.force, String(tagInfo))
      if (fromtag !== undefined) {
        yield* assertAccess(fromtag, options.user, options.force)
        yield* directUntag(fromtag, build, options.user, true)
      }
      yield* assertAccess(target, options.user, options.force)
      yield* directTag(target, build, options.user, options.force)
    }))

  const lastChangeEvent: Tagging["Type"]["lastChangeEvent"] = (tagInfo, before, inherit) =>
    withSql(TagChanges.lastChangeEvent(tagInfo, before, inherit))

  const changedSinceEvent: Tagging["Type"]["changedSinceEvent"] = (event, tagIds) =>
    withSql(TagChanges.changedSinceEvent(event, tagIds))

  return Tagging.of({
    findTag,
    requireTag,
    assertAccess,
    packageEntry,
    directTag,
    directUntag,
    tagBypass,
    untag,
    massTag,
    checkRequest,
    checkMoveAll,
    tag,
    readTaggedBuilds,
    readTaggedRpms,
    lastChangeEvent,
    changedSinceEvent
  })
})

/**
 * The service alone (needs `Users`, `Builds` and `Policy`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutDependencies: Layer.Layer<
  Tagging,
  never,
  SqlClient.SqlClient | Users | Builds | Packages | Policy
> = Layer.effect(Tagging, make)

/**
 * The service with `Users`, `Builds` and `Packages` (needs `Policy` and the hub's settings).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Tagging, never, SqlClient.SqlClient | Policy | HubConfig> = layerWithoutDependencies.pipe(
  Layer.provide(Layer.mergeAll(buildsLayerWithoutUsers, packagesLayer)),
  Layer.provide(Layer.merge(usersLayer, tagsLayer))
)
