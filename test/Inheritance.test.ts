/**
 * Tag inheritance: Koji's walk on hand-worked graphs (pure), then the same walks,
 * edits, as-of-event reads, history and refusals through the hub on both databases.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Inheritance from "../src/hub/Inheritance.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// a link child -> parent (named t<parent>)
const L = (
  child: number,
  parent: number,
  priority: number,
  opts: Partial<Pick<Inheritance.InheritanceLink, "maxdepth" | "intransitive" | "noconfig" | "pkg_filter">> = {}
): Inheritance.InheritanceLink => ({
  child_id: child,
  parent_id: parent,
  name: `t${parent}`,
  priority,
  maxdepth: opts.maxdepth ?? null,
  intransitive: opts.intransitive ?? false,
  noconfig: opts.noconfig ?? false,
  pkg_filter: opts.pkg_filter ?? ""
})

// [child, parent, currdepth, nextdepth, filter] of each walk entry
const brief = (links: ReadonlyArray<Inheritance.FullInheritanceLink>) =>
  links.map((l) => [l.child_id, l.parent_id, l.currdepth, l.nextdepth, l.filter.join("|")])

describe("Inheritance walk (Koji's readFullInheritance)", () => {
  it("diamond: the shared ancestor is expanded once, parents in priority order", () => {
    const links = [L(1, 3, 20), L(1, 2, 10), L(2, 4, 0), L(3, 4, 0), L(4, 5, 0)]
      .sort((a, b) => a.priority - b.priority)
    expect(brief(Inheritance.walk(links, 1))).toEqual([
      [1, 2, 1, null, ""],
      [2, 4, 2, null, ""],
      [4, 5, 3, null, ""],
      [1, 3, 1, null, ""]
    ])
  })

  it("maxdepth: a root link passes its limit on; deeper links take the smaller limit minus one", () => {
    const links = [L(1, 2, 0, { maxdepth: 1 }), L(2, 3, 0), L(3, 4, 0)]
    // 2 and its parent 3 are listed, 3 is not expanded
    expect(brief(Inheritance.walk(links, 1))).toEqual([[1, 2, 1, 1, ""], [2, 3, 2, 0, ""]])
    // maxdepth 0: only the parent itself
    expect(brief(Inheritance.walk([L(1, 2, 0, { maxdepth: 0 }), L(2, 3, 0)], 1))).toEqual([[1, 2, 1, 0, ""]])
    // from 2 the limit does not apply
    expect(brief(Inheritance.walk(links, 2))).toEqual([[2, 3, 1, null, ""], [3, 4, 2, null, ""]])
  })

  it("intransitive links are followed only from the starting tag", () => {
    const links = [L(1, 2, 0, { intransitive: true }), L(2, 3, 0, { intransitive: true }), L(3, 4, 0)]
    expect(brief(Inheritance.walk(links, 1))).toEqual([[1, 2, 1, null, ""]])
    expect(brief(Inheritance.walk(links, 2))).toEqual([[2, 3, 1, null, ""], [3, 4, 2, null, ""]])
  })

  it("pkg_filter regexes accumulate along the path", () => {
    const links = [L(1, 2, 0, { pkg_filter: "^foo" }), L(2, 3, 0, { pkg_filter: "bar" }), L(3, 4, 0)]
    expect(brief(Inheritance.walk(links, 1))).toEqual([
      [1, 2, 1, null, "^foo"],
      [2, 3, 2, null, "^foo|bar"],
      [3, 4, 3, null, "^foo|bar"]
    ])
  })

  it("a tag reached again is re-expanded when the earlier path was more restricted", () => {
    // filtered first path: 4 is listed again through the unfiltered one
    const filtered = [L(1, 2, 1, { pkg_filter: "a" }), L(1, 3, 2), L(2, 4, 0), L(3, 4, 0)]
    expect(brief(Inheritance.walk(filtered, 1))).toEqual([
      [1, 2, 1, null, "a"],
      [2, 4, 2, null, "a"],
      [1, 3, 1, null, ""],
      [3, 4, 2, null, ""]
    ])
    // depth-limited first path: 4 is expanded (to 5) only through the unlimited one
    const limited = [L(1, 2, 1, { maxdepth: 1 }), L(1, 3, 2), L(2, 4, 0), L(3, 4, 0), L(4, 5, 0)]
    expect(brief(Inheritance.walk(limited, 1))).toEqual([
      [1, 2, 1, 1, ""],
      [2, 4, 2, 0, ""],
      [1, 3, 1, null, ""],
      [3, 4, 2, null, ""],
      [4, 5, 3, null, ""]
    ])
    // reached first through a noconfig link: reached again without noconfig, it is listed again
    const noconfig = [L(1, 2, 1), L(1, 3, 2), L(2, 4, 0, { noconfig: true }), L(3, 4, 0), L(4, 5, 0)]
    const walked = Inheritance.walk(noconfig, 1)
    expect(brief(walked)).toEqual([
      [1, 2, 1, null, ""],
      [2, 4, 2, null, ""],
      [4, 5, 3, null, ""],
      [1, 3, 1, null, ""],
      [3, 4, 2, null, ""]
      // 5 is not listed again: Koji compares with the earlier link's own noconfig flag (false)
    ])
    expect(walked.map((l) => l.noconfig)).toEqual([false, true, false, false, false])
  })

  it("loops are pruned", () => {
    const links = [L(1, 2, 0), L(2, 3, 0), L(3, 1, 0), L(3, 4, 1)]
    expect(brief(Inheritance.walk(links, 1))).toEqual([[1, 2, 1, null, ""], [2, 3, 2, null, ""], [3, 4, 3, null, ""]])
    expect(brief(Inheritance.walk([L(1, 1, 0), L(1, 2, 1)], 1))).toEqual([[1, 2, 1, null, ""]])
  })

  it("reverse lists descendants: maxdepth of a child link limits how deep it is reached, intransitive is not followed", () => {
    const links = [L(2, 1, 0), L(3, 1, 5, { intransitive: true }), L(4, 2, 0, { maxdepth: 0 }), L(6, 3, 0), L(5, 4, 0)]
      .sort((a, b) => a.parent_id - b.parent_id || a.priority - b.priority)
    const walked = Inheritance.walk(links, 1, true)
    expect(walked.map((l) => [l.tag_id, l.parent_id, l.currdepth, l.nextdepth])).toEqual([[2, 1, 1, null], [3, 1, 1, null]])
    const deeper = links.map((l) => l.child_id === 4 ? { ...l, maxdepth: 1 } : l)
    expect(Inheritance.walk(deeper, 1, true).map((l) => [l.tag_id, l.currdepth])).toEqual([[2, 1], [4, 2], [5, 3], [3, 1]])
  })

  it("a 50-tag tree walks in well under 5 ms", () => {
    // a binary-ish tree: tag i inherits from 2i and 2i+1 (up to 50)
    const links: Array<Inheritance.InheritanceLink> = []
    for (let i = 1; i <= 50; i++) {
      for (const [n, p] of [[2 * i, 0], [2 * i + 1, 1]] as const) if (n <= 50) links.push(L(i, n, p))
    }
    const start = performance.now()
    for (let i = 0; i < 100; i++) expect(Inheritance.walk(links, 1).length).toBe(49)
    expect((performance.now() - start) / 100).toBeLessThan(5)
  })
})

// the rows of a table for a tag, for "no partial writes" checks
const countRows = (table: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    return row!.n
  })

describe("Inheritance through the hub", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.transports) {
      layer(TestHub.layer(Database, Transport), { timeout: "120 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          const t = transport === "http" ? "h" : "i"

          it.scoped("setInheritanceData, getInheritanceData, getFullInheritance, as of events, history", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const n = (s: string) => `inh-${s}-${t}`
              const id: Record<string, number> = {}
              for (const s of ["child", "a", "b", "base", "top"]) id[s] = yield* admin.createTag({ name: n(s) })
              yield* admin.setInheritanceData({
                tag: n("child"),
                data: [
                  { parent_id: id.a!, priority: 10, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" },
                  { parent_id: id.b!, priority: 20, maxdepth: null, intransitive: false, noconfig: true, pkg_filter: "^lib" }
                ]
              })
              yield* admin.setInheritanceData({
                tag: id.a!,
                data: { parent_id: id.base!, priority: 0, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" }
              })
              yield* admin.setInheritanceData({
                tag: id.b!,
                data: { parent_id: id.base!, priority: 0, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" }
              })
              yield* admin.setInheritanceData({
                tag: id.base!,
                data: { parent_id: id.top!, priority: 0, maxdepth: null, intransitive: true, noconfig: false, pkg_filter: "" }
              })
              const before = (yield* anon.getLastEvent({}))!.id

              const direct = yield* anon.getInheritanceData({ tag: n("child") })
              expect(direct).toEqual([
                { parent_id: id.a, child_id: id.child, name: n("a"), priority: 10, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" },
                { parent_id: id.b, child_id: id.child, name: n("b"), priority: 20, maxdepth: null, intransitive: false, noconfig: true, pkg_filter: "^lib" }
              ])
              const full = yield* anon.getFullInheritance({ tag: n("child") })
              // base's intransitive link to top is not followed from child; base is listed once (via a)
              // base's intransitive link to top is not followed from child; base, reached again through b
              // with a filter after an unfiltered visit, is not repeated
              expect(full.map((l) => [l.child_id, l.parent_id, l.currdepth, l.filter])).toEqual([
                [id.child, id.a, 1, []],
                [id.a, id.base, 2, []],
                [id.child, id.b, 1, ["^lib"]]
              ])
              expect(full[0]).toEqual({
                parent_id: id.a,
                child_id: id.child,
                name: n("a"),
                priority: 10,
                maxdepth: null,
                intransitive: false,
                noconfig: false,
                pkg_filter: "",
                currdepth: 1,
                nextdepth: null,
                filter: []
              })
              expect((yield* anon.getFullInheritance({ tag: n("base") })).map((l) => l.parent_id)).toEqual([id.top])
              const reverse = yield* anon.getFullInheritance({ tag: id.base!, reverse: true })
              expect(reverse.map((l) => [l.tag_id, l.parent_id, l.currdepth])).toEqual([
                [id.a, id.base, 1],
                [id.child, id.a, 2],
                [id.b, id.base, 1]
              ])
              expect(reverse[0]).not.toHaveProperty("child_id")

              // edit: change a link, delete another; the old state stays readable
              const changed = direct.map((l) => l.parent_id === id.a ? { ...l, priority: 5, maxdepth: 0 } : l)
              yield* admin.setInheritanceData({ tag: n("child"), data: changed })
              yield* admin.setInheritanceData({ tag: n("child"), data: [{ parent_id: id.b!, "delete link": true }] })
              const after = (yield* anon.getLastEvent({}))!.id
              expect((yield* anon.getInheritanceData({ tag: n("child") })).map((l) => [l.parent_id, l.priority, l.maxdepth]))
                .toEqual([[id.a, 5, 0]])
              expect((yield* anon.getInheritanceData({ tag: n("child"), event: before })).map((l) => l.parent_id))
                .toEqual([id.a, id.b])
              expect((yield* anon.getFullInheritance({ tag: n("child") })).map((l) => l.parent_id)).toEqual([id.a])
              expect((yield* anon.getFullInheritance({ tag: n("child"), event: before })).map((l) => l.parent_id))
                .toEqual([id.a, id.base, id.b])

              // clear: only the links given remain
              yield* admin.setInheritanceData({
                tag: n("child"),
                data: [{ parent_id: id.top!, priority: 1, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" }],
                clear: true
              })
              expect((yield* anon.getInheritanceData({ tag: n("child") })).map((l) => l.parent_id)).toEqual([id.top])

              // history: each edit with its events and user
              const history = yield* anon.queryHistory({ tables: ["tag_inheritance"], tag: n("child") })
              const rows = history.tag_inheritance as ReadonlyArray<Record<string, unknown>>
              expect(rows.length).toBe(4)
              expect(rows.every((r) => r.creator_name === "admin")).toBe(true)
              const ofB = rows.filter((r) => r.parent_id === id.b)
              expect(ofB).toHaveLength(1)
              expect(ofB[0]).toMatchObject({ active: null, revoker_name: "admin", "tag.name": n("child"), "parent.name": n("b") })
              expect(ofB[0]!.revoke_event as number).toBeGreaterThan(before)
              expect(ofB[0]!.revoke_event as number).toBeLessThanOrEqual(after)
              const ofA = rows.filter((r) => r.parent_id === id.a)
              expect(ofA.map((r) => [r.priority, r.active])).toEqual([[10, null], [5, null]])
              // the revoke of the first version and the create of the second are one event
              expect(ofA[0]!.revoke_event).toBe(ofA[1]!.create_event)
            }))

          it.scoped("refusals: unknown tags, missing fields, duplicate priorities, loops, permission; nothing written", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const n = (s: string) => `inhbad-${s}-${t}`
              const child = yield* admin.createTag({ name: n("child") })
              const p1 = yield* admin.createTag({ name: n("p1") })
              const p2 = yield* admin.createTag({ name: n("p2"), parent: n("p1") })
              yield* admin.setInheritanceData({
                tag: child,
                data: { parent_id: p1, priority: 10, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: "" }
              })
              const link = (parent: number, priority: number) => ({
                parent_id: parent,
                priority,
                maxdepth: null,
                intransitive: false,
                noconfig: false,
                pkg_filter: ""
              })
              const rowsBefore = yield* countRows("tag_inheritance")

              const unknown = yield* Effect.flip(admin.getInheritanceData({ tag: n("nope") }))
              expect(unknown).toMatchObject({ _tag: "GenericError", faultCode: 1000, message: `No such entry in table tag: ${n("nope")}` })
              const unknownFull = yield* Effect.flip(admin.getFullInheritance({ tag: n("nope") }))
              expect(unknownFull.message).toBe(`No such entry in table tag: ${n("nope")}`)
              const unknownParent = yield* Effect.flip(admin.setInheritanceData({ tag: child, data: link(987654, 1) }))
              expect(unknownParent).toMatchObject({ _tag: "GenericError", message: "No such tagInfo: 987654" })
              const missing = yield* Effect.flip(admin.setInheritanceData({ tag: child, data: { parent_id: p2, priority: 1 } }))
              expect(missing.message).toBe("No value for maxdepth")
              // p2 at p1's priority
              const dup = yield* Effect.flip(admin.setInheritanceData({ tag: child, data: link(p2, 10) }))
              expect(dup).toMatchObject({
                _tag: "GenericError",
                message: `Multiple parent tags ([${p1}, ${p2}]) cannot have the same priority value (10) on child tag ${child}`
              })
              // p2 inherits from p1; p1 inheriting from p2 (or itself) would loop
              const loop = yield* Effect.flip(admin.setInheritanceData({ tag: p1, data: link(p2, 1) }))
              expect(loop._tag).toBe("GenericError")
              expect(loop.message).toContain("Inheritance loop")
              const self = yield* Effect.flip(admin.setInheritanceData({ tag: p1, data: link(p1, 1) }))
              expect(self.message).toContain("Inheritance loop")
              // a batch with one bad link writes nothing
              const partial = yield* Effect.flip(admin.setInheritanceData({ tag: child, data: [link(p2, 20), { parent_id: 987654 }] }))
              expect(partial.message).toBe("No value for priority")
              // a stops/jumps option is refused as in Koji
              const stops = yield* Effect.flip(admin.getFullInheritance({ tag: child, stops: { 1: true } }))
              expect(stops).toMatchObject({ _tag: "ParameterError", faultCode: 1019, message: "stops option has been removed since 1.26" })

              // without the tag permission
              yield* admin.createUser({ username: `inhuser-${t}` })
              yield* admin.editUser({ userInfo: `inhuser-${t}`, password: "pw-inh" })
              const user = yield* TestHub.loggedIn(`inhuser-${t}`, "pw-inh")
              const denied = yield* Effect.flip(user.setInheritanceData({ tag: child, data: link(p2, 20) }))
              expect(denied).toMatchObject({
                _tag: "ActionNotAllowed",
                faultCode: 1004,
                message: `tag permission required (logged in as inhuser-${t})`
              })
              expect(yield* countRows("tag_inheritance")).toBe(rowsBefore)
              expect((yield* admin.getInheritanceData({ tag: child })).map((l) => l.parent_id)).toEqual([p1])
            }))

          it.scoped("loops already in the data (older hubs store them) are pruned on read", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const n = (s: string) => `inhloop-${s}-${t}`
              const a = yield* admin.createTag({ name: n("a") })
              const b = yield* admin.createTag({ name: n("b"), parent: n("a") })
              // a -> b written directly, as Koji would have accepted it
              const sql = yield* SqlClient.SqlClient
              const [ev] = yield* sql<{ id: number }>`SELECT get_event() AS id`
              yield* sql`INSERT INTO tag_inheritance (tag_id, parent_id, priority, create_event, creator_id)
                         VALUES (${a}, ${b}, 0, ${ev!.id}, 1)`
              expect((yield* admin.getFullInheritance({ tag: a })).map((l) => [l.child_id, l.parent_id])).toEqual([[a, b]])
              expect((yield* admin.getFullInheritance({ tag: b })).map((l) => [l.child_id, l.parent_id])).toEqual([[b, a]])
              expect((yield* admin.getFullInheritance({ tag: a, reverse: true })).map((l) => l.tag_id)).toEqual([b])
            }))
        }
      )
    }
  }
})
