/**
 * Handlers of the Tagging area (the logic lives in the `Tagging` service; a move
 * is a `tagBuild` task made through the hub's `Tasks` service).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import type { BuildInfo } from "../api/Builds.js"
import type { TagInfo } from "../api/Tagging.js"
import { TaggingApi } from "../api/Tagging.js"
import { GenericError } from "../domain/Errors.js"
import type { EventId, TaskId } from "../domain/Ids.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { layer as taggingLayer, Tagging } from "./Tagging.js"
import { Tasks } from "./Tasks.js"

/**
 * Koji's priority of `tagBuild` tasks.
 *
 * @since 0.1.0
 * @category constants
 */
export const tagBuildPriority = 10

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(TaggingApi, Effect.gen(function*() {
  const tagging = yield* Tagging
  const tasks = yield* Tasks
  const sql = yield* SqlClient.SqlClient
  const actor = Effect.map(Caller.session, (s) => s.userId)

  // Koji's get_tag_id(tag, strict=True) for a name; an id is taken as it is
  const tagId = (tag: TagInfo) =>
    typeof tag === "number"
      ? Effect.succeed(tag)
      : Effect.flatMap(sql<{ id: number }>`SELECT id FROM tag WHERE name = ${tag}`, (rows) =>
        rows[0] === undefined
          ? Effect.fail(new GenericError({ message: `No such entry in table tag: ${tag}` }))
          : Effect.succeed(rows[0].id))

  // Koji's tagBuild: checked now, done by a tagBuild task (which calls host.tagBuild)
  const requestTag = (tag: TagInfo, build: BuildInfo, force: boolean, fromtag: TagInfo | null) =>
    Effect.gen(function*() {
      const userId = yield* actor
      const checked = yield* tagging.checkRequest(tag, build, { userId, force, fromtag })
      const id = yield* tasks.make({
        method: "tagBuild",
        arglist: [checked.tagId, checked.buildId, force, checked.fromtagId],
        priority: tagBuildPriority
      }, userId)
      return id as TaskId
    })

  return {
    tagBuildBypass: ({ build, force, tag }) =>
      Effect.flatMap(actor, (userId) => Effect.as(tagging.tagBypass(tag, build, { userId, force: force === true }), null)),
    untagBuild: ({ build, force, strict, tag }) =>
      Effect.flatMap(actor, (userId) =>
        Effect.as(tagging.untag(tag, build, { userId, force: force === true, strict: strict !== false }), null)),
    untagBuildBypass: ({ build, force, strict, tag }) =>
      Effect.flatMap(actor, (userId) =>
        Effect.as(tagging.untag(tag, build, { userId, force: force === true, strict: strict !== false }), null)),
    massTag: ({ builds, tag }) => Effect.flatMap(actor, (userId) => Effect.as(tagging.massTag(tag, builds, userId), null)),
    tagBuild: ({ build, force, fromtag, tag }) => requestTag(tag, build, force === true, fromtag),
    "host.tagBuild": ({ build, force, fromtag, tag, task_id }) =>
      Effect.gen(function*() {
        const { hostId } = yield* Caller.host
        yield* tasks.assertHost(hostId, task_id)
        // as the task's owner: the one who asked
        const { owner } = yield* tasks.ownership(task_id)
        yield* tagging.tag(tag, build, { user: owner, force: force === true, fromtag })
        return null
      }),
    moveBuild: ({ build, force, tag1, tag2 }) => requestTag(tag2, build, force === true, tag1),
    moveAllBuilds: (p) =>
      Effect.gen(function*() {
        const userId = yield* actor
        const force = p.force === true
        const checked = yield* tagging.checkMoveAll(p.tag1, p.tag2, p.package, { userId, force })
        // a chain: each move waits for the one before it (Koji's dependantTask)
        const ids: Array<TaskId> = []
        let waitOn: Array<number> = []
        for (const buildId of checked.builds) {
          const id = yield* tasks.make({
            method: "dependantTask",
            arglist: [waitOn, [["tagBuild", [checked.tag2Id, buildId, force, checked.tag1Id], { priority: 15 }]]]
          }, userId)
          waitOn = [id]
          ids.push(id as TaskId)
        }
        return ids
      }),
    listTagged: (p) =>
      Effect.gen(function*() {
        const tag = p.strict === false ? yield* tagging.findTag(p.tag, p.event) : yield* tagging.requireTag(p.tag, p.event)
        if (tag === undefined) return []
        const builds = yield* tagging.readTaggedBuilds(tag.id, {
          event: p.event,
          inherit: p.inherit,
          latest: p.latest,
          package: p.package,
          owner: p.owner,
          type: p.type,
          extra: p.extra,
          draft: p.draft
        })
        if (!p.prefix) return builds
        const prefix = p.prefix.toLowerCase()
        return builds.filter((b) => b.package_name.toLowerCase().startsWith(prefix))
      }),
    getLatestBuilds: (p) =>
      Effect.flatMap(tagId(p.tag), (id) =>
        tagging.readTaggedBuilds(id, {
          event: p.event,
          inherit: true,
          latest: true,
          package: p.package,
          type: p.type,
          draft: p.draft
        })),
    listTaggedRPMS: (p) =>
      Effect.gen(function*() {
        const tag = p.strict === false ? yield* tagging.findTag(p.tag, p.event) : yield* tagging.requireTag(p.tag, p.event)
        if (tag === undefined) return [] as const
        return yield* tagging.readTaggedRpms(tag.id, {
          event: p.event,
          inherit: p.inherit,
          latest: p.latest,
          package: p.package,
          arch: p.arch,
          rpmsigs: p.rpmsigs,
          owner: p.owner,
          type: p.type,
          rpmExtra: p.extra,
          draft: p.draft
        })
      }),
    getLatestRPMS: (p) =>
      Effect.flatMap(tagId(p.tag), (id) =>
        tagging.readTaggedRpms(id, {
          event: p.event,
          inherit: true,
          latest: true,
          package: p.package,
          arch: p.arch,
          rpmsigs: p.rpmsigs,
          type: p.type,
          draft: p.draft
        })),
    tagLastChangeEvent: ({ before, inherit, tag }) =>
      Effect.map(tagging.lastChangeEvent(tag, before, inherit !== false), (event) => event as EventId | null),
    tagChangedSinceEvent: ({ event, taglist }) => tagging.changedSinceEvent(event, taglist)
  }
})).pipe(Layer.provide(taggingLayer))
