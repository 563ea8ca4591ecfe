/**
 * What the tag, inheritance, package-list and target commands share: their
 * record shapes, options, lookups, Koji's `eventFromOpts`, `fnmatch`, the
 * inheritance flags and the CLI's strict multicall.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import * as Literal from "../Literal.js"
import { print, Session, usageError } from "../Session.js"
import { asctime } from "../TaskLabel.js"
import { fnmatch as PolicyFnmatch } from "../../hub/PolicyTests.js"

/**
 * A tag as `getTag` answers it (the fields the commands use).
 *
 * @since 0.1.0
 * @category models
 */
export interface TagInfo {
  readonly id: number
  readonly name: string
  readonly perm_id: number | null
  readonly perm?: string | null
  readonly arches: string | null
  readonly locked: boolean
  readonly maven_support: boolean
  readonly maven_include_all: boolean
  readonly extra?: Readonly<Record<string, unknown>>
  readonly config_inheritance?: { readonly extra: Readonly<Record<string, { readonly name: string }>> }
}

/**
 * An inheritance link as `getInheritanceData` / `getFullInheritance` answer it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Link {
  readonly parent_id: number
  readonly child_id?: number
  readonly tag_id?: number
  readonly name: string
  readonly priority: number
  readonly maxdepth: number | null
  readonly intransitive: boolean
  readonly noconfig: boolean
  readonly pkg_filter: string
  readonly currdepth?: number
}

/**
 * A build target as `getBuildTarget(s)` answer it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TargetInfo {
  readonly id: number
  readonly name: string
  readonly build_tag: number
  readonly build_tag_name: string
  readonly dest_tag: number
  readonly dest_tag_name: string
}

/**
 * `--json`.
 *
 * @since 0.1.0
 * @category constants
 */
export const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

/**
 * An optional text option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

/**
 * A boolean flag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

/**
 * `--event`, `--ts`, `--repo`.
 *
 * @since 0.1.0
 * @category constants
 */
export const eventOptions = {
  event: Options.integer("event").pipe(Options.optional, Options.withDescription("query at event")),
  ts: Options.integer("ts").pipe(Options.optional, Options.withDescription("query at last event before timestamp")),
  repo: Options.integer("repo").pipe(Options.optional, Options.withDescription("query at event for a repo"))
}

/**
 * Koji's `eventFromOpts`, printing Koji's "Querying at event" line.
 *
 * @since 0.1.0
 * @category combinators
 */
export const eventFromOpts = (options: {
  readonly event: Option.Option<number>
  readonly ts: Option.Option<number>
  readonly repo: Option.Option<number>
}) =>
  Effect.gen(function*() {
    const session = yield* Session
    let event: { readonly id: number; readonly ts: number } | null = null
    if (Option.isSome(options.event) && options.event.value) {
      event = yield* session.call("getEvent", { id: options.event.value })
    } else if (Option.isSome(options.ts)) {
      event = yield* session.call("getLastEvent", { before: options.ts.value })
    } else if (Option.isSome(options.repo)) {
      const repo: { readonly create_event: number; readonly create_ts: number } = yield* session.call("repoInfo", {
        repo_id: options.repo.value,
        strict: true
      })
      event = { id: repo.create_event, ts: repo.create_ts }
    }
    if (event !== null) yield* print(`Querying at event ${event.id} (${asctime(event.ts)})`)
    return event
  })

/**
 * `getTag`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const getTag = (tagInfo: string | number, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(Session, (s) => s.call("getTag", { tagInfo, ...extra }) as Effect.Effect<TagInfo | null>)

/**
 * `hasPerm`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const hasPerm = (perm: string) => Effect.flatMap(Session, (s) => s.call("hasPerm", { perm }) as Effect.Effect<boolean>)

/**
 * Koji's "This action requires X or admin privileges" check.
 *
 * @since 0.1.0
 * @category combinators
 */
export const requirePerm = (perm: string) =>
  Effect.gen(function*() {
    if (!(yield* hasPerm("admin")) && !(yield* hasPerm(perm))) {
      return yield* usageError(`This action requires ${perm} or admin privileges`)
    }
  })

/**
 * Python's `fnmatch.fnmatch` (case-sensitive, as on POSIX): the policy engine's.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fnmatch: (name: string, pattern: string) => boolean = PolicyFnmatch

/**
 * Koji's `format_inheritance_flags`: `M`axdepth, `F`ilter, `I`ntransitive, `N`oconfig or `.`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const inheritanceFlags = (link: Link): string =>
  (link.maxdepth !== null ? "M" : ".") + (link.pkg_filter ? "F" : ".") + (link.intransitive ? "I" : ".") +
  (link.noconfig ? "N" : ".")

/**
 * Koji's `multicall(strict=True)` as the CLI uses it: every call runs (each on its
 * own), then the first failure is raised.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strictBatch = (calls: ReadonlyArray<readonly [string, Record<string, unknown>]>) =>
  Effect.gen(function*() {
    const session = yield* Session
    const results = yield* Effect.forEach(calls, ([method, payload]) => Effect.either(session.call(method, payload)))
    const failed = results.find(Either.isLeft)
    if (failed !== undefined) return yield* Effect.fail(failed.left)
  })

/**
 * `-x key=value` options into an extra map (`parseJson`: values may be JSON).
 *
 * @since 0.1.0
 * @category combinators
 */
export const extraOptions = (values: ReadonlyArray<string>, parseJson: boolean) =>
  Effect.gen(function*() {
    const extra: Record<string, unknown> = {}
    for (const option of values) {
      const at = option.indexOf("=")
      if (at === -1) return yield* usageError(`Invalid extra option: ${option} (expected key=value)`)
      const key = option.slice(0, at)
      const text = option.slice(at + 1)
      if (parseJson && Object.hasOwn(extra, key)) return yield* usageError(`Duplicate extra key: ${key}`)
      let value = Literal.argFilter(text)
      if (parseJson && typeof value === "string") {
        const parsed = Literal.jsonLoads(text)
        if (Either.isRight(parsed)) value = parsed.right
      }
      extra[key] = value
    }
    return extra
  })

/**
 * `-x/--extra`.
 *
 * @since 0.1.0
 * @category constants
 */
export const extraOption = Options.text("extra").pipe(
  Options.withAlias("x"),
  Options.repeated,
  Options.withDescription("Set tag extra option (key=value)")
)

/**
 * Order by name.
 *
 * @since 0.1.0
 * @category combinators
 */
export const byName = <A extends { readonly name: string }>(a: A, b: A) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

