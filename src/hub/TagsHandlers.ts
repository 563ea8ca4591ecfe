/**
 * Handlers of the Tags area (the logic lives in the `Tags` service and `Inheritance`).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { TagsApi } from "../api/Tags.js"
import { ParameterError } from "../domain/Errors.js"
import type { TagId } from "../domain/Ids.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import * as Lookup from "./Lookup.js"
import { layer as tagsLayer, Tags } from "./Tags.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(TagsApi, Effect.gen(function*() {
  const tags = yield* Tags
  const actor = Effect.map(Caller.session, (s) => s.userId)
  return {
    createTag: ({ arches, extra, locked, maven_include_all, maven_support, name, parent, perm }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.map(
          tags.create({
            name,
            parent,
            arches,
            perm,
            locked,
            mavenSupport: maven_support,
            mavenIncludeAll: maven_include_all,
            extra
          }, actorId),
          (id) => id as TagId
        )),
    editTag2: ({ tagInfo, ...changes }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(tags.edit(tagInfo, changes, actorId), null)),
    editTag: ({ arches, extra, locked, name, permissionID, tagInfo }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.as(
          tags.edit(tagInfo, {
            name,
            arches,
            perm_id: permissionID,
            ...(locked === null ? {} : { locked }),
            ...(extra === null ? {} : { extra })
          }, actorId),
          null
        )),
    deleteTag: ({ tagInfo }) => Effect.flatMap(actor, (actorId) => Effect.as(tags.remove(tagInfo, actorId), null)),
    getTag: Lookup.wanting(
      ({ blocked, event, strict, tagInfo }) =>
        Effect.map(
          strict ? tags.require(tagInfo, { event, blocked }) : tags.find(tagInfo, { event, blocked }),
          (tag) => tag ?? null
        ),
      ({ blocked, event, tagInfo }) => tags.wants(tagInfo, { event, blocked })
    ),
    listTags: (payload) => tags.list(payload),
    getTagID: ({ create, info, strict }) =>
      Effect.zipRight(
        // Koji lets anyone create here; koji-ts asks for the tag permission
        create ? Caller.assertPerm("tag") : Effect.void,
        Effect.map(tags.tagId(info, { strict, create }), (id) => id as TagId | null)
      ),
    getInheritanceData: ({ event, tag }) => tags.inheritanceData(tag, event),
    setInheritanceData: ({ clear, data, tag }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(tags.setInheritance(tag, data, clear, actorId), null)),
    getFullInheritance: ({ event, jumps, reverse, stops, tag }) =>
      Effect.gen(function*() {
        for (const [name, value] of [["stops", stops], ["jumps", jumps]] as const) {
          if (value !== undefined && value !== null && value !== false &&
            !(typeof value === "object" && Object.keys(value).length === 0)) {
            return yield* new ParameterError({ message: `${name} option has been removed since 1.26` })
          }
        }
        const links = yield* tags.fullInheritance(tag, { event, reverse })
        // a reverse walk names the child tag_id, as Koji's does
        return reverse ? links.map(({ child_id: _, ...link }) => link) : links
      }),
    getBuildConfig: ({ event, tag }) => tags.buildConfig(tag, event)
  }
})).pipe(Layer.provide(tagsLayer))
