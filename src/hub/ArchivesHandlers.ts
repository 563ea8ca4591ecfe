/**
 * Handlers of the Archives area (the logic lives in the `Archives` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { ArchivesApi } from "../api/Archives.js"
import { Archives, layer as archivesLayer } from "./Archives.js"
import * as Handlers from "./Handlers.js"

const orNull = <A, E, R>(effect: Effect.Effect<A | undefined, E, R>) => Effect.map(effect, (a) => a ?? null)

/**
 * The Archives area.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(ArchivesApi, Effect.gen(function*() {
  const archives = yield* Archives
  return {
    listArchives: (p) =>
      archives.list({
        buildID: p.buildID,
        buildrootID: p.buildrootID,
        componentBuildrootID: p.componentBuildrootID,
        hostID: p.hostID,
        type: p.type,
        filename: p.filename,
        size: p.size,
        checksum: p.checksum,
        checksum_type: p.checksum_type,
        typeInfo: p.typeInfo,
        queryOpts: p.queryOpts,
        imageID: p.imageID,
        archiveID: p.archiveID,
        strict: p.strict
      }),
    getArchive: ({ archive_id, strict }) => orNull(archives.get(archive_id, strict)),
    listArchiveFiles: ({ archive_id, queryOpts, strict }) => archives.listFiles(archive_id, queryOpts, strict),
    listBTypes: ({ query, queryOpts }) => archives.listBTypes(query, queryOpts),
    getMavenBuild: ({ buildInfo, strict }) => orNull(archives.mavenBuild(buildInfo, strict)),
    getWinBuild: ({ buildInfo, strict }) => orNull(archives.winBuild(buildInfo, strict)),
    getImageBuild: ({ buildInfo, strict }) => orNull(archives.imageBuild(buildInfo, strict)),
    getBuildType: ({ buildInfo, strict }) => orNull(archives.buildType(buildInfo, strict)),
    queryRPMSigs: ({ queryOpts, rpm_id, sigkey }) => archives.rpmSigs(rpm_id, sigkey, queryOpts),
    getChangelogEntries: (p) =>
      archives.changelog({
        buildID: p.buildID,
        taskID: p.taskID,
        filepath: p.filepath,
        author: p.author,
        before: p.before,
        after: p.after,
        queryOpts: p.queryOpts,
        strict: p.strict
      })
  }
})).pipe(Layer.provide(archivesLayer))
