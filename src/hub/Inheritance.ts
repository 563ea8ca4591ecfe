/**
 * Tag inheritance (reference 8): the direct parent links of a tag (Koji's
 * `readInheritanceData`) and the full walk (`readFullInheritance`), now or as of
 * an event.
 *
 * The full walk loads every link reachable from the tag in one recursive query
 * and then walks in memory with Koji's rules: parents in priority order, depth
 * first; a parent already on the current path is a loop and is pruned;
 * intransitive links are followed only from the starting tag; `maxdepth`
 * propagates (the smaller of the link's and the inherited limit, minus one per
 * level); `noconfig` propagates; `pkg_filter` regexes accumulate; a tag reached a
 * second time is expanded again only when the new path is less restricted.
 * `reverse` walks children instead (no depth propagation; a child's `maxdepth`
 * stops the walk when it is reached deeper than that; intransitive links are
 * listed but not followed).
 *
 * Only `SqlClient` is needed, so other services (tagging, latest builds, repos)
 * call these functions directly.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import { GenericError } from "../domain/Errors.js"
import * as Versioned from "./Versioned.js"

/**
 * One parent link of a tag, as Koji's `getInheritanceData` returns it: `child_id`
 * inherits from `parent_id` (named `name`).
 *
 * @since 0.1.0
 * @category models
 */
export interface InheritanceLink {
  readonly parent_id: number
  readonly child_id: number
  /** The parent's name (the child's name in a reverse walk). */
  readonly name: string
  readonly priority: number
  readonly maxdepth: number | null
  readonly intransitive: boolean
  readonly noconfig: boolean
  /** A regex packages must match to be inherited through this link; "" = none. */
  readonly pkg_filter: string
}

/**
 * One entry of the full walk (`getFullInheritance`): the link plus where the walk
 * met it. `currdepth` counts from 1 at the starting tag's own links; `nextdepth`
 * is the depth limit passed on (null = unlimited); `filter` is every `pkg_filter`
 * on the path, this link's last. In a reverse walk `tag_id` is the child (Koji
 * names it so; `child_id` holds the same value) and `name` is the child's name.
 *
 * @since 0.1.0
 * @category models
 */
export interface FullInheritanceLink extends InheritanceLink {
  readonly currdepth: number
  readonly nextdepth: number | null
  readonly filter: ReadonlyArray<string>
  /** Only in reverse walks: the child tag (same as `child_id`). */
  readonly tag_id?: number
}

/**
 * Options of the full walk.
 *
 * @since 0.1.0
 * @category models
 */
export interface FullInheritanceOptions {
  /** As of this event (null or absent = now). */
  readonly event?: number | null | undefined
  /** Walk the children (descendants) instead of the parents. */
  readonly reverse?: boolean | undefined
}

interface LinkRow {
  readonly tag_id: number
  readonly parent_id: number
  readonly name: string
  readonly priority: number
  readonly maxdepth: number | null
  readonly intransitive: boolean
  readonly noconfig: boolean
  readonly pkg_filter: string | null
}

const toLink = (row: LinkRow): InheritanceLink => ({
  parent_id: row.parent_id,
  child_id: row.tag_id,
  name: row.name,
  priority: Number(row.priority),
  maxdepth: row.maxdepth === null ? null : Number(row.maxdepth),
  intransitive: row.intransitive,
  noconfig: row.noconfig,
  pkg_filter: row.pkg_filter ?? ""
})

/**
 * The direct parents of a tag, by priority (Koji's `readInheritanceData`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const readInheritanceData = (
  tagId: number,
  event?: number | null
): Effect.Effect<ReadonlyArray<InheritanceLink>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<LinkRow>`
      SELECT ti.tag_id, ti.parent_id, tag.name, ti.priority, ti.maxdepth, ti.intransitive,
             ti.noconfig, ti.pkg_filter
        FROM tag_inheritance ti JOIN tag ON tag.id = ti.parent_id
       WHERE ti.tag_id = ${tagId} AND ${Versioned.activeAt(sql, event, "ti")}
       ORDER BY ti.priority`
    return rows.map(toLink)
  })

/**
 * Every link reachable from `tagId` (upwards, or downwards with `reverse`) as of
 * `event`, in one recursive query. `name` is the parent's name (the child's in
 * reverse), as the walk reports it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const loadReachableLinks = (
  tagId: number,
  options?: FullInheritanceOptions
): Effect.Effect<ReadonlyArray<InheritanceLink>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const event = options?.event
    const reverse = options?.reverse === true
    const columns = sql`ti.tag_id, ti.parent_id, ti.priority, ti.maxdepth, ti.intransitive, ti.noconfig, ti.pkg_filter`
    const rows = reverse
      ? yield* sql<LinkRow>`
        WITH RECURSIVE links AS (
          SELECT ${columns} FROM tag_inheritance ti
           WHERE ti.parent_id = ${tagId} AND ${Versioned.activeAt(sql, event, "ti")}
          UNION
          SELECT ${columns} FROM tag_inheritance ti JOIN links l ON ti.parent_id = l.tag_id
           WHERE ${Versioned.activeAt(sql, event, "ti")}
        )
        SELECT links.*, tag.name FROM links JOIN tag ON tag.id = links.tag_id
         ORDER BY links.parent_id, links.priority, links.tag_id`
      : yield* sql<LinkRow>`
        WITH RECURSIVE links AS (
          SELECT ${columns} FROM tag_inheritance ti
           WHERE ti.tag_id = ${tagId} AND ${Versioned.activeAt(sql, event, "ti")}
          UNION
          SELECT ${columns} FROM tag_inheritance ti JOIN links l ON ti.tag_id = l.parent_id
           WHERE ${Versioned.activeAt(sql, event, "ti")}
        )
        SELECT links.*, tag.name FROM links JOIN tag ON tag.id = links.parent_id
         ORDER BY links.tag_id, links.priority`
    return rows.map(toLink)
  })

interface Visit {
  readonly nextdepth: number | null
  readonly noconfig: boolean
  readonly filter: ReadonlyArray<string>
}

/**
 * Koji's walk over already loaded links (pure): `links` must hold every link
 * reachable from `tagId` in the chosen direction, ordered by priority.
 *
 * @since 0.1.0
 * @category combinators
 */
export const walk = (
  links: ReadonlyArray<InheritanceLink>,
  tagId: number,
  reverse = false
): Array<FullInheritanceLink> => {
  const byNode = new Map<number, Array<InheritanceLink>>()
  for (const link of links) {
    const key = reverse ? link.parent_id : link.child_id
    const list = byNode.get(key)
    if (list === undefined) byNode.set(key, [link])
    else list.push(link)
  }
  const order: Array<FullInheritanceLink> = []
  const hist = new Map<number, Array<Visit>>()
  const path = new Set<number>()

  const recurse = (
    node: number,
    currdepth0: number,
    maxdepth: number | null,
    noconfig0: boolean,
    pfilter: ReadonlyArray<string>
  ): void => {
    if (maxdepth !== null && maxdepth < 1) return
    // maxdepth is relative to this node; currdepth is absolute from the start
    const currdepth = currdepth0 + 1
    const atRoot = path.size === 0
    path.add(node)
    // Koji's noconfig is sticky across the remaining siblings once a link sets it
    let noconfig = noconfig0
    for (const link of byNode.get(node) ?? []) {
      const next = reverse ? link.child_id : link.parent_id
      if (path.has(next)) continue // a loop: pruned
      if (link.intransitive && !atRoot && !reverse) continue
      let nextdepth: number | null
      if (reverse) {
        if (link.maxdepth !== null && link.maxdepth < currdepth - 1) continue
        nextdepth = null
      } else if (link.maxdepth === null) {
        nextdepth = maxdepth === null ? null : maxdepth - 1
      } else {
        // as Koji: the link's own limit is passed on as is when nothing limits the walk yet
        nextdepth = maxdepth === null ? link.maxdepth : Math.min(link.maxdepth, maxdepth) - 1
      }
      if (link.noconfig) noconfig = true
      const filter = link.pkg_filter ? [...pfilter, link.pkg_filter] : [...pfilter]
      const previous = hist.get(next)
      if (previous !== undefined) {
        // reached before: expand again only if every earlier visit was more restricted
        const sufficient = previous.some((p) =>
          !(nextdepth === null ? p.nextdepth !== null : p.nextdepth !== null && p.nextdepth < nextdepth) &&
          !(p.noconfig && !noconfig) &&
          p.filter.length === 0
        )
        if (sufficient) continue
      }
      // Koji compares against the link's own noconfig flag when rescanning
      const entry: FullInheritanceLink = reverse
        ? { ...link, tag_id: link.child_id, currdepth, nextdepth, filter }
        : { ...link, currdepth, nextdepth, filter }
      if (previous === undefined) hist.set(next, [{ nextdepth, noconfig: link.noconfig, filter }])
      else previous.push({ nextdepth, noconfig: link.noconfig, filter })
      order.push(entry)
      if (link.intransitive && reverse) continue // listed, not followed
      recurse(next, currdepth, nextdepth, noconfig, filter)
    }
    path.delete(node)
  }

  recurse(tagId, 0, null, false, [])
  return order
}

/**
 * The full, ordered inheritance of a tag (Koji's `readFullInheritance`), now or as
 * of `options.event`; `options.reverse` lists descendants instead.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fullInheritance = (
  tagId: number,
  options?: FullInheritanceOptions
): Effect.Effect<ReadonlyArray<FullInheritanceLink>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(loadReachableLinks(tagId, options), (links) => walk(links, tagId, options?.reverse === true))

/**
 * The tag itself followed by every tag of its full inheritance, in walk order and
 * without repeats: the order in which content (packages, builds) is searched.
 *
 * @since 0.1.0
 * @category combinators
 */
export const inheritanceOrder = (
  tagId: number,
  event?: number | null
): Effect.Effect<ReadonlyArray<number>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(fullInheritance(tagId, { event }), (links) => {
    const seen = new Set<number>([tagId])
    const order = [tagId]
    for (const link of links) {
      if (!seen.has(link.parent_id)) {
        seen.add(link.parent_id)
        order.push(link.parent_id)
      }
    }
    return order
  })

/**
 * One change of `setInheritanceData`: a link (every field needed), or
 * `"delete link": true` with its `parent_id`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkChange {
  readonly parent_id?: number | undefined
  readonly priority?: number | undefined
  readonly maxdepth?: number | null | undefined
  readonly intransitive?: boolean | undefined
  readonly noconfig?: boolean | undefined
  readonly pkg_filter?: string | null | undefined
  readonly "delete link"?: boolean | undefined
}

const linkFields = ["parent_id", "priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"] as const

interface Planned {
  readonly parent_id: number
  readonly priority: number
  readonly maxdepth: number | null
  readonly intransitive: boolean
  readonly noconfig: boolean
  readonly pkg_filter: string
  readonly update: boolean
  readonly remove: boolean
}

/**
 * Koji's `_writeInheritanceData(tag_id, changes, clear)` (no access check): add,
 * change or delete the parent links of `tagId` in this call's event. Every field
 * is required unless the change deletes (`No value for X`); the parent must be a
 * live tag; with `clear`, links not named are deleted; priorities must stay
 * unique. koji-ts also refuses a link that would make the tag its own ancestor
 * (Koji stores such loops and prunes them when reading).
 *
 * @since 0.1.0
 * @category combinators
 */
export const writeInheritanceData = (
  tagId: number,
  changes: LinkChange | ReadonlyArray<LinkChange>,
  clear: boolean,
  actorId: number
): Effect.Effect<void, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const list: ReadonlyArray<LinkChange> = Array.isArray(changes) ? changes : [changes as LinkChange]
    for (const link of list) {
      const needed = link["delete link"] ? (["parent_id"] as const) : linkFields
      for (const field of needed) {
        if (link[field] === undefined) return yield* new GenericError({ message: `No value for ${field}` })
      }
      const [parent] = yield* sql<{ id: number }>`
        SELECT tag_id AS id FROM tag_config WHERE tag_id = ${link.parent_id!} AND active IS TRUE`
      if (parent === undefined) return yield* new GenericError({ message: `No such tagInfo: ${link.parent_id}` })
    }
    const current = yield* readInheritanceData(tagId)
    const data = new Map<number, Planned>(
      current.map((l) => [l.parent_id, { ...l, update: false, remove: false }])
    )
    for (const link of list) {
      const parentId = link.parent_id!
      const orig = data.get(parentId)
      const planned: Planned = {
        parent_id: parentId,
        priority: Number(link.priority),
        maxdepth: link.maxdepth ?? null,
        intransitive: link.intransitive === true,
        noconfig: link.noconfig === true,
        pkg_filter: link.pkg_filter ?? "",
        update: true,
        remove: false
      }
      if (link["delete link"]) {
        if (orig !== undefined) data.set(parentId, { ...orig, update: true, remove: true })
      } else if (orig === undefined || clear) {
        data.set(parentId, planned)
      } else if (
        orig.priority !== planned.priority || orig.maxdepth !== planned.maxdepth ||
        orig.intransitive !== planned.intransitive || orig.noconfig !== planned.noconfig ||
        orig.pkg_filter !== planned.pkg_filter
      ) {
        data.set(parentId, planned)
      }
    }
    if (clear) {
      for (const [parentId, link] of data) {
        if (!link.update) data.set(parentId, { ...link, update: true, remove: true })
      }
    }
    const links = [...data.values()]
    if (!links.some((l) => l.update)) return // no inheritance changes
    const byPriority = new Map<number, Array<number>>()
    for (const link of links) {
      if (link.remove) continue
      const ids = byPriority.get(link.priority) ?? []
      ids.push(link.parent_id)
      byPriority.set(link.priority, ids)
    }
    for (const [priority, ids] of byPriority) {
      if (ids.length > 1) {
        return yield* new GenericError({
          message: `Multiple parent tags ([${ids.join(", ")}]) cannot have the same priority value (${priority}) ` +
            `on child tag ${tagId}`
        })
      }
    }
    // a new parent must not be the tag itself or one of its descendants
    const added = links.filter((l) => l.update && !l.remove).map((l) => l.parent_id)
    if (added.length > 0) {
      const below = new Set([tagId, ...(yield* loadReachableLinks(tagId, { reverse: true })).map((l) => l.child_id)])
      const looping = added.find((id) => below.has(id))
      if (looping !== undefined) {
        const [row] = yield* sql<{ name: string }>`SELECT name FROM tag WHERE id = ${looping}`
        return yield* new GenericError({
          message: `Inheritance loop: tag ${row?.name ?? looping} (${looping}) cannot be a parent of tag ${tagId}, ` +
            `which it inherits from or is`
        })
      }
    }
    for (const link of links) {
      if (!link.update) continue
      yield* Versioned.revoke("tag_inheritance", { tag_id: tagId, parent_id: link.parent_id }, actorId)
    }
    for (const link of links) {
      if (!link.update || link.remove) continue
      yield* Versioned.insert("tag_inheritance", {
        tag_id: tagId,
        parent_id: link.parent_id,
        priority: link.priority,
        maxdepth: link.maxdepth,
        intransitive: link.intransitive,
        noconfig: link.noconfig,
        pkg_filter: link.pkg_filter
      }, actorId)
    }
  })
