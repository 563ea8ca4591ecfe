/**
 * Handlers of the Builds and RPMs areas (the logic lives in the `Builds`, `Rpms`,
 * `RpmFiles`, `Import` and `Tasks` services and in `Search`).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { BuildsApi } from "../api/Builds.js"
import { RpmsApi } from "../api/Rpms.js"
import { ActionNotAllowed } from "../domain/Errors.js"
import type { BuildId } from "../domain/Ids.js"
import * as Database from "../db/Database.js"
import { Builds, layer as buildsLayer } from "./Builds.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { Import, layer as importLayer } from "./Import.js"
import { layer as rpmFilesLayer, RpmFiles } from "./RpmFiles.js"
import { layer as rpmsLayer, Rpms } from "./Rpms.js"
import { search } from "./Search.js"
import { Tasks } from "./Tasks.js"

/**
 * The Builds area.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBuilds = Handlers.toLayer(BuildsApi, Effect.gen(function*() {
  const builds = yield* Builds
  const tasks = yield* Tasks
  const importer = yield* Import
  const sql = yield* SqlClient.SqlClient
  const actor = Effect.map(Caller.session, (s) => s.userId)

  // Koji's cancel_build: the build first, then its task tree (cancelFull, not strict)
  const cancelBuildAndTask = (buildId: number, taskId: number | null) =>
    Effect.gen(function*() {
      const canceled = yield* builds.cancel(buildId)
      if (canceled && taskId !== null) yield* tasks.cancelFull(taskId, false)
      return canceled
    })

  return {
    getBuild: ({ buildInfo, strict }) =>
      Effect.map(strict ? builds.require(buildInfo) : builds.find(buildInfo), (build) => build ?? null),
    listBuilds: (p) =>
      builds.list({
        packageID: p.packageID,
        userID: p.userID,
        taskID: p.taskID,
        prefix: p.prefix,
        state: p.state,
        volumeID: p.volumeID,
        source: p.source,
        createdBefore: p.createdBefore,
        createdAfter: p.createdAfter,
        completeBefore: p.completeBefore,
        completeAfter: p.completeAfter,
        promotedBefore: p.promotedBefore,
        promotedAfter: p.promotedAfter,
        promoter: p.promoter,
        type: p.type,
        typeInfo: p.typeInfo,
        pattern: p.pattern,
        cgID: p.cgID,
        draft: p.draft,
        queryOpts: p.queryOpts
      }),
    getNextRelease: ({ build_info, incr }) => builds.nextRelease(build_info, incr),
    createEmptyBuild: ({ draft, epoch, name, owner, release, version }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.map(
          builds.createEmpty({ name, version, release, epoch, owner, draft }, actorId),
          (id) => id as BuildId
        )),
    deleteBuild: ({ build, min_ref_age, strict }) =>
      Effect.flatMap(actor, (actorId) => builds.delete(build, { strict, minRefAge: min_ref_age }, actorId)),
    cancelBuild: ({ buildID, strict }) =>
      Effect.gen(function*() {
        const session = yield* Caller.assertLogin
        const build = strict ? yield* builds.require(buildID) : yield* builds.find(buildID)
        if (build === undefined) return false
        if (build.owner_id !== session.userId && !(yield* Caller.hasPerm("admin"))) {
          return yield* new ActionNotAllowed({ message: "Cannot cancel build, not owner" })
        }
        return yield* cancelBuildAndTask(build.id, build.task_id)
      }),
    resetBuild: ({ build }) => Effect.as(builds.reset(build), null),
    search: ({ matchType, queryOpts, terms, type }) =>
      Database.withSql(sql)(search(terms, type, matchType, queryOpts)),
    importRPM: ({ basename, path }) => Effect.flatMap(actor, (actorId) => importer.importRpm(path, basename, actorId)),
    getBuildLogs: ({ build }) => importer.buildLogs(build)
  }
})).pipe(Layer.provide(Layer.mergeAll(buildsLayer, importLayer)))

/**
 * The RPMs area.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRpms = Handlers.toLayer(RpmsApi, Effect.gen(function*() {
  const rpms = yield* Rpms
  const builds = yield* Builds
  const rpmFiles = yield* RpmFiles
  return {
    getRPM: ({ multi, rpminfo, strict }) =>
      multi
        ? rpms.findAll(rpminfo)
        : Effect.map(strict ? rpms.require(rpminfo) : rpms.find(rpminfo), (rpm) => rpm ?? null),
    listRPMs: (p) =>
      rpms.list({
        buildID: p.buildID,
        buildrootID: p.buildrootID,
        imageID: p.imageID,
        componentBuildrootID: p.componentBuildrootID,
        hostID: p.hostID,
        arches: p.arches,
        draft: p.draft,
        queryOpts: p.queryOpts
      }),
    listBuildRPMs: ({ build }) =>
      Effect.gen(function*() {
        // Koji looks a non-int up strictly; an id is taken as it is
        const id = typeof build === "number" ? build : (yield* builds.require(build)).id
        const list = yield* rpms.list({ buildID: id })
        return typeof list === "number" ? [] : list
      }),
    listRPMFiles: ({ queryOpts, rpmID }) => rpmFiles.list(rpmID, queryOpts),
    getRPMFile: ({ filename, rpmID, strict }) =>
      Effect.map(rpmFiles.get(rpmID, filename, strict), (file) => file ?? {}),
    getRPMHeaders: (p) => rpmFiles.headers(p)
  }
})).pipe(
  Layer.provide(rpmFilesLayer),
  Layer.provide(Layer.mergeAll(rpmsLayer, buildsLayer))
)

/**
 * Both areas.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.mergeAll(layerBuilds, layerRpms)
