/**
 * Handlers of the Buildroots area (the logic lives in the `Buildroots` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { BuildrootsApi } from "../api/Buildroots.js"
import type { BuildrootId } from "../domain/Ids.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import { Buildroots, layer as buildrootsLayer } from "./Buildroots.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"

// Koji's convert_value(buildrootID, cast=int)
const toId = (value: number | string): Effect.Effect<number, ParameterError> => {
  if (typeof value === "number") return Effect.succeed(value)
  const trimmed = value.trim()
  return /^[+-]?\d+$/.test(trimmed)
    ? Effect.succeed(Number(trimmed))
    : Effect.fail(new ParameterError({ message: `Invalid type for value '${value}': <class 'str'>, expected type <class 'int'>` }))
}

/**
 * The Buildroots area.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(BuildrootsApi, Effect.gen(function*() {
  const buildroots = yield* Buildroots
  const host = Effect.map(Caller.host, (h) => h.hostId)
  return {
    "host.newBuildRoot": ({ arch, repo, task_id }) =>
      Effect.flatMap(host, (hostId) =>
        Effect.map(buildroots.create(hostId, { repo, arch, taskId: task_id }), (id) => id as BuildrootId)),
    "host.setBuildRootState": ({ brootid, state, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(buildroots.setState(hostId, brootid, state, task_id), null)),
    "host.setBuildRootList": ({ brootid, rpmlist, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(buildroots.setList(hostId, brootid, rpmlist, task_id, false), null)),
    "host.updateBuildRootList": ({ brootid, rpmlist, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(buildroots.setList(hostId, brootid, rpmlist, task_id, true), null)),
    listBuildroots: (p) =>
      buildroots.list({
        hostID: p.hostID,
        tagID: p.tagID,
        state: p.state,
        rpmID: p.rpmID,
        archiveID: p.archiveID,
        taskID: p.taskID,
        buildrootID: p.buildrootID,
        repoID: p.repoID,
        queryOpts: p.queryOpts
      }),
    getBuildroot: ({ buildrootID, strict }) =>
      Effect.gen(function*() {
        const id = yield* toId(buildrootID)
        const found = yield* buildroots.find(id)
        if (found === undefined && strict) return yield* new GenericError({ message: `No such buildroot: ${id}` })
        return found ?? null
      }),
    getBuildrootListing: ({ id }) => buildroots.listing(id)
  }
})).pipe(Layer.provide(buildrootsLayer))
