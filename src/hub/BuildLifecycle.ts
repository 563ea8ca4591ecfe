/**
 * A build's life on the hub as the builder drives it (reference 9 and 5.8;
 * Koji's `host.initBuild`, `host.completeBuild`, `host.failBuild`,
 * `host.moveBuildToScratch`): BUILDING when the build task knows its SRPM's
 * N-V-R, COMPLETE when its packages are imported, FAILED when it fails; scratch
 * builds only move their files. Each call is made by the host running the build
 * task (OPEN, on that host).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { InitBuildData } from "../api/HostBuilds.js"
import * as Method from "../api/Method.js"
import type { Build } from "../domain/Build.js"
import { BuildState, TaskState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, type KojiError } from "../domain/Errors.js"
import { FileStore } from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"
import { Builds, layer as buildsLayer } from "./Builds.js"
import * as EventStream from "./EventStream.js"
import { type CompleteSpec, Import, layer as importLayer } from "./Import.js"
import { pythonJson } from "./Lookup.js"
import type { Policy } from "./Policy.js"
import type { Tasks } from "./Tasks.js"

type Failure = KojiError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class BuildLifecycle extends Context.Tag("koji/hub/BuildLifecycle")<BuildLifecycle, {
  /** Koji's `Task.assertHost`: the task is OPEN on this host; answers its owner. */
  readonly assertHostTask: (hostId: number, taskId: number) => Effect.Effect<{ readonly owner: number }, Failure>
  /**
   * `host.initBuild`: a BUILDING build owned by the task's owner (a FAILED or CANCELED N-V-R
   * with nothing left behind is recycled; a BUILDING one only by its own task). Answers its id.
   */
  readonly init: (hostId: number, data: InitBuildData) => Effect.Effect<number, Failure>
  /** `host.completeBuild`: import the task's uploads; the build COMPLETE. */
  readonly complete: (hostId: number, spec: CompleteSpec) => Effect.Effect<Build, Failure>
  /** `host.failBuild`: the task's BUILDING build FAILED. */
  readonly fail: (hostId: number, taskId: number, buildId: number) => Effect.Effect<void, Failure>
  /** `host.moveBuildToScratch`: a scratch build's files to `scratch/<owner>/task_<id>/`. */
  readonly moveToScratch: (
    hostId: number,
    spec: {
      readonly taskId: number
      readonly srpm: string
      readonly rpms: ReadonlyArray<string>
      readonly logs?: Readonly<Record<string, ReadonlyArray<string>>> | null | undefined
    }
  ) => Effect.Effect<void, Failure>
}>() {}

/**
 * The service on the database, the file store and the import service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const builds = yield* Builds
  const importer = yield* Import
  const store = yield* FileStore

  const assertHostTask: BuildLifecycle["Type"]["assertHostTask"] = (hostId, taskId) =>
    Effect.gen(function*() {
      // the row locked: no other call changes the task under us
      const [task] = yield* sql<{ state: number; host_id: number | null; owner: number }>`
        SELECT state, host_id, owner FROM task WHERE id = ${taskId} FOR UPDATE`
      if (task === undefined) return yield* new GenericError({ message: `No such task: ${taskId}` })
      if (task.state !== TaskState.OPEN || task.host_id !== hostId) {
        return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${taskId}` })
      }
      return { owner: task.owner }
    })

  const init: BuildLifecycle["Type"]["init"] = (hostId, data) =>
    Effect.gen(function*() {
      const { owner } = yield* assertHostTask(hostId, data.task_id)
      const draft = data.draft ?? false
      const old = yield* builds.find({ name: data.name, version: data.version, release: data.release })
      if (old !== undefined && !draft) {
        const state = BuildState.name(old.state)
        if (state !== "BUILDING" && state !== "FAILED" && state !== "CANCELED") {
          // Koji's recycle_build refusal, with the data new_build was given (%r of the dict)
          const [pkg] = yield* sql<{ id: number }>`SELECT id FROM package WHERE name = ${data.name}`
          return yield* new GenericError({
            message: `Build already exists (id=${old.id}, state=${state}): ${
              Method.pythonRepr(newBuildData(data, owner, pkg?.id ?? old.package_id))
            }`
          })
        }
      }
      const id = yield* builds.import({
        name: data.name,
        version: data.version,
        release: data.release,
        epoch: data.epoch,
        owner,
        draft,
        state: BuildState.BUILDING,
        taskId: data.task_id,
        source: data.source ?? null,
        extra: data.extra ?? null,
        volumeId: 0
      }, owner)
      // Koji's recycle_build removes what a failed attempt left in the build's directory
      if (old !== undefined && old.state !== BuildState.BUILDING) {
        yield* Effect.ignore(store.remove(Paths.build(old, old.volume_name)))
      }
      yield* sql`
        INSERT INTO build_types (build_id, btype_id)
        SELECT ${id}, btype.id FROM btype WHERE btype.name = 'rpm'
        ON CONFLICT DO NOTHING`
      return id
    })

  const complete: BuildLifecycle["Type"]["complete"] = (hostId, spec) =>
    Effect.zipRight(assertHostTask(hostId, spec.taskId), importer.completeBuild(spec))

  const fail: BuildLifecycle["Type"]["fail"] = (hostId, taskId, buildId) =>
    Effect.gen(function*() {
      yield* assertHostTask(hostId, taskId)
      const [row] = yield* sql<{ state: number; completion_ts: number | null; task_id: number | null }>`
        SELECT state, date_part('epoch', completion_time) AS completion_ts, task_id
          FROM build WHERE id = ${buildId} FOR UPDATE`
      if (row === undefined) return yield* new GenericError({ message: `No such build: ${buildId}` })
      if (row.state !== BuildState.BUILDING) {
        return yield* new GenericError({
          message: `cannot update build ${buildId}, state: ${BuildState.name(row.state as BuildState)}`
        })
      }
      if (row.completion_ts !== null) {
        return yield* new GenericError({ message: `cannot update build ${buildId}, completed at ${row.completion_ts}` })
      }
      if (row.task_id !== taskId) {
        return yield* new ActionNotAllowed({ message: `build ${buildId} does not belong to task ${taskId}` })
      }
      const build = yield* builds.require(buildId)
      yield* sql`UPDATE build SET state = ${BuildState.FAILED}, completion_time = now() WHERE id = ${buildId}`
      yield* Effect.provideService(
        EventStream.publish({
          kind: "build.state",
          build_id: buildId,
          task_id: taskId,
          data: { old: BuildState.BUILDING, new: BuildState.FAILED, nvr: build.nvr }
        }),
        SqlClient.SqlClient,
        sql
      )
    })

  const moveToScratch: BuildLifecycle["Type"]["moveToScratch"] = (hostId, spec) =>
    Effect.gen(function*() {
      const { owner } = yield* assertHostTask(hostId, spec.taskId)
      const [user] = yield* sql<{ name: string }>`SELECT name FROM users WHERE id = ${owner}`
      yield* importer.moveToScratch({ ...spec, owner: user!.name })
    })

  return BuildLifecycle.of({ assertHostTask, init, complete, fail, moveToScratch })
})

// the dict Koji's new_build holds when it refuses an existing build (keys in Koji's order)
const newBuildData = (data: InitBuildData, owner: number, pkgId: number): Record<string, unknown> => {
  const out: Record<string, unknown> = {
    name: data.name,
    version: data.version,
    release: data.release,
    epoch: data.epoch,
    task_id: data.task_id
  }
  if (data.source !== undefined) out.source = data.source
  if (data.extra !== undefined) out.extra = data.extra === null ? "null" : pythonJson(data.extra)
  if (data.draft !== undefined) out.draft = Boolean(data.draft)
  out.owner = owner
  out.state = BuildState.BUILDING
  out.completion_time = null
  out.pkg_id = pkgId
  if (!("extra" in out)) out.extra = null
  out.start_time = "NOW"
  if (!("source" in out)) out.source = null
  out.volume_id = 0
  if (!("draft" in out)) out.draft = false
  return out
}

/**
 * The service (with the `Builds` and `Import` services it uses).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<BuildLifecycle | Import, never, SqlClient.SqlClient | FileStore | Policy | Tasks> = Layer
  .effect(BuildLifecycle, make).pipe(
    Layer.provideMerge(importLayer),
    Layer.provide(buildsLayer)
  )
