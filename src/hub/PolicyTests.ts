/**
 * The policy tests (reference 12): Koji's generic tests (`koji.policy`) and hub
 * tests (`kojihub`), each with Koji's semantics, as a `TestLibrary` that embedding
 * teams extend by merging their own record (a name may replace a built-in).
 *
 * Tests that need the database read it directly with the `SqlClient` of the
 * evaluation; lookups are memoized per evaluation, so the user, its permissions
 * or a build are read once per check however many tests use them.
 *
 * Values that Koji compares as text (`match`, `target`, ...) are strings; numbers
 * and booleans are compared by their Python text (`5`, `True`); other values
 * (null, lists, maps) match no pattern.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { pythonRepr } from "../api/Method.js"
import { GenericError } from "../domain/Errors.js"
import { fullInheritance } from "./Inheritance.js"
import type { PolicyData, PolicyFailure } from "./Policy.js"
import type { TestConstructor, TestEnv, TestLibrary, TestRun } from "./PolicyParser.js"
import * as Lookups from "./PolicyLookups.js"

/**
 * Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fnmatch = (name: string, pattern: string): boolean => compile(pattern).test(name)

const cache = new Map<string, RegExp>()

const compile = (pattern: string): RegExp => {
  const hit = cache.get(pattern)
  if (hit !== undefined) return hit
  let re = ""
  let i = 0
  const n = pattern.length
  while (i < n) {
    const c = pattern[i++]!
    if (c === "*") {
      if (!re.endsWith(".*")) re += ".*"
    } else if (c === "?") {
      re += "."
    } else if (c === "[") {
      let j = i
      if (j < n && pattern[j] === "!") j++
      if (j < n && pattern[j] === "]") j++
      while (j < n && pattern[j] !== "]") j++
      if (j >= n) {
        re += "\\["
      } else {
        let stuff = pattern.slice(i, j).replace(/[\\\]]/g, (x) => `\\${x}`).replace(/\[/g, "\\[")
        i = j + 1
        if (stuff.startsWith("!")) stuff = `^${stuff.slice(1)}`
        else if (stuff.startsWith("^")) stuff = `\\${stuff}`
        re += stuff.length === 0 ? "(?!)" : `[${stuff}]`
      }
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/-]/g, (x) => `\\${x}`)
    }
  }
  const compiled = new RegExp(`^${re}$`, "s")
  if (cache.size > 1000) cache.clear()
  cache.set(pattern, compiled)
  return compiled
}

/**
 * Koji's `multi_fnmatch`: true when `name` matches any of the patterns.
 *
 * @since 0.1.0
 * @category combinators
 */
export const multiFnmatch = (name: string, patterns: ReadonlyArray<string>): boolean =>
  patterns.some((p) => fnmatch(name, p))

/**
 * Python's `str()` of a scalar (`True`, `5`, `None`); undefined for lists and maps.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonText = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "True" : "False"
  if (value === null) return "None"
  return undefined
}

/**
 * Python's truth of a value (`bool(x)`): None, False, 0, "", empty lists and maps are false.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonTruthy = (value: unknown): boolean => {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false
  if (Array.isArray(value)) return value.length > 0
  if (value instanceof Set || value instanceof Map) return value.size > 0
  if (typeof value === "object") return Object.keys(value).length > 0
  return true
}

/**
 * `field in data` (a key whose value is `undefined` counts as absent).
 *
 * @since 0.1.0
 * @category combinators
 */
export const has = (data: PolicyData, field: string): boolean =>
  Object.prototype.hasOwnProperty.call(data, field) && data[field] !== undefined

const listOf = (value: unknown): ReadonlyArray<unknown> | undefined =>
  Array.isArray(value) ? value : value instanceof Set ? [...value] : undefined

const right = Either.right
const left = Either.left

/**
 * A test of a constant answer (`true`/`all`, `false`/`none`); arguments are ignored.
 *
 * @since 0.1.0
 * @category constructors
 */
export const constant = (answer: boolean): TestConstructor => () => right(() => Effect.succeed(answer))

/**
 * Koji's `MatchTest`: a value (from `get`) against glob patterns; with `field`
 * undefined, the first argument names the data field and the rest are patterns.
 * No value (undefined) or None matches nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const matchTest = (
  get?: (data: PolicyData, env: TestEnv) => Effect.Effect<unknown, PolicyFailure>
): TestConstructor =>
(args) => {
  if (get === undefined && args.length === 0) return left("match test requires a field")
  const patterns = get === undefined ? args.slice(1) : args
  const read = get ?? ((data: PolicyData) => Effect.succeed(has(data, args[0]!) ? data[args[0]!] : undefined))
  return right((data, env) =>
    Effect.map(read(data, env), (value) => {
      if (value === undefined || value === null) return false
      const text = pythonText(value)
      return text !== undefined && multiFnmatch(text, patterns)
    })
  )
}

/**
 * A `MatchTest` on a fixed data field (`target`, `operation`, `method`, `vm_name`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fieldMatch = (field: string): TestConstructor =>
  matchTest((data) => Effect.succeed(has(data, field) ? data[field] : undefined))

const listMatch = (all: boolean): TestConstructor => (args) => {
  if (args.length === 0) return left(`match_${all ? "all" : "any"} test requires a field`)
  const [field, ...patterns] = args as [string, ...Array<string>]
  return right((data) =>
    Effect.sync(() => {
      const items = pythonTruthy(data[field]) ? listOf(data[field]) : undefined
      if (items === undefined) return false
      const hit = (i: unknown) => {
        const text = i === null || i === undefined ? undefined : pythonText(i) ?? pythonRepr(i)
        return text !== undefined && multiFnmatch(text, patterns)
      }
      return all ? items.every(hit) : items.some(hit)
    })
  )
}

const operators: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  "<": (a, b) => a < b,
  ">": (a, b) => a > b,
  "<=": (a, b) => a <= b,
  ">=": (a, b) => a >= b,
  "=": (a, b) => a === b,
  "!=": (a, b) => a !== b
}

/**
 * Python's `int(s)`, else `float(s)`, of a compare operand; undefined when neither reads it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseNumber = (s: string): number | undefined => {
  const t = s.trim().replace(/(\d)_(?=\d)/g, "$1")
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t)
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity
  if (/^[+-]?nan$/i.test(t)) return NaN
  return undefined
}

/**
 * Koji's `CompareTest`: `compare FIELD OP NUMBER` (OP one of `< > <= >= = !=`);
 * false when the field is absent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const compare: TestConstructor = (args) => {
  if (args.length < 3) return left("compare test requires: FIELD OP NUMBER")
  const [field, op, ...rest] = args as [string, string, ...Array<string>]
  const func = operators[op]
  if (func === undefined) return left("Invalid comparison in test.")
  const value = parseNumber(rest.join(" "))
  if (value === undefined) return left(`Invalid number in compare test: ${rest.join(" ")}`)
  return right((data) => {
    if (!has(data, field)) return Effect.succeed(false)
    const v = data[field]
    if (typeof v === "number" || typeof v === "boolean") return Effect.succeed(func(Number(v), value))
    if (op === "=" || op === "!=") return Effect.succeed(op === "!=")
    return Effect.fail(new GenericError({ message: `compare test: ${field} is not a number: ${pythonRepr(v)}` }))
  })
}

/** A test over a set of names (tags, groups, perms, ...) taken from the data: true if any matches a pattern. */
const anyNameMatches = (
  names: (data: PolicyData, env: TestEnv) => Effect.Effect<ReadonlyArray<string | null>, PolicyFailure>
): TestConstructor =>
(args) =>
  right((data, env) =>
    Effect.map(names(data, env), (list) => list.some((name) => name !== null && multiFnmatch(name, args)))
  )

const simple = (run: TestRun): TestConstructor => () => right(run)

/**
 * Koji's `PolicyTest`: `policy NAME` is true when policy NAME's action is `yes`,
 * `true` or `allow` (any case); false when no rule matches. Re-entering the same
 * test while it runs is Koji's "encountered policy loop".
 *
 * @since 0.1.0
 * @category constructors
 */
export const policyTest: TestConstructor = (args, text) => {
  if (args.length === 0) return left("policy test requires a policy name")
  const name = args[0]!
  const guard = {}
  return right((data, env) =>
    env.running.has(guard)
      ? Effect.fail(new GenericError({ message: `encountered policy loop at ${text.trim()}` }))
      : Effect.map(
        env.applyPolicy(name, data, guard),
        (action) => action !== undefined && ["yes", "true", "allow"].includes(action.toLowerCase())
      )
  )
}

/**
 * Koji's generic tests (`koji.policy`): `true`, `all`, `false`, `none`, `has`,
 * `bool`, `match`, `match_any`, `match_all`, `target`, `compare`.
 *
 * @since 0.1.0
 * @category constants
 */
export const generic: TestLibrary = {
  true: constant(true),
  all: constant(true),
  false: constant(false),
  none: constant(false),
  has: (args) =>
    args.length === 0
      ? left("Invalid or missing field in policy test")
      : right((data) => Effect.succeed(has(data, args[0]!))),
  bool: (args) =>
    args.length === 0
      ? left("bool test requires a field")
      : right((data) => Effect.succeed(has(data, args[0]!) && pythonTruthy(data[args[0]!]))),
  match: matchTest(),
  match_any: listMatch(false),
  match_all: listMatch(true),
  target: fieldMatch("target"),
  compare
}

const buildTagsFor = (data: PolicyData, env: TestEnv) => Lookups.buildTags(data, env)

/**
 * Koji's hub tests (`kojihub`): `operation`, `is_new_package`, `package`,
 * `version`, `release`, `volume`, `tag`, `fromtag`, `hastag`, `skip_tag`,
 * `buildtag`, `buildtag_inherits_from`, `buildtype`, `imported`, `is_child_task`,
 * `method`, `user`, `vm_name`, `is_build_owner`, `is_draft`, `user_in_group`,
 * `has_perm`, `source`, `cg_match_any`, `cg_match_all`, `policy`.
 *
 * @since 0.1.0
 * @category constants
 */
export const hub: TestLibrary = {
  operation: fieldMatch("operation"),
  is_new_package: simple((data, env) => Effect.map(Lookups.policyPackage(data, env), (p) => p.id === null)),
  package: matchTest((data, env) => Effect.map(Lookups.policyPackage(data, env), (p) => p.name)),
  version: matchTest((data, env) => Lookups.policyVersion(data, env)),
  release: matchTest((data, env) => Lookups.policyRelease(data, env)),
  volume: matchTest((data, env) => Lookups.policyVolume(data, env)),
  tag: matchTest((data, env) =>
    has(data, "tag") && data.tag !== null
      ? Effect.map(Lookups.tag(data.tag, env), (t) => t?.name)
      : Effect.succeed(undefined)
  ),
  fromtag: matchTest((data, env) =>
    has(data, "fromtag") && data.fromtag !== null
      ? Effect.map(Lookups.tag(data.fromtag, env), (t) => t?.name)
      : Effect.succeed(undefined)
  ),
  hastag: anyNameMatches((data, env) =>
    has(data, "build") ? Lookups.buildTagNames(data.build, env) : Effect.succeed([])
  ),
  skip_tag: simple((data) => Effect.succeed(pythonTruthy(data.skip_tag))),
  buildtag: anyNameMatches((data, env) => Effect.map(buildTagsFor(data, env), (tags) => tags.map((t) => t?.name ?? null))),
  buildtag_inherits_from: anyNameMatches((data, env) =>
    Effect.flatMap(buildTagsFor(data, env), (tags) =>
      Effect.map(
        Effect.forEach(tags, (t) =>
          t === null
            ? Effect.succeed([])
            : env.memo(
              `inheritance:${t.id}:${t.event ?? ""}`,
              fullInheritance(t.id, { event: t.event }).pipe(Effect.provideService(SqlClient.SqlClient, env.sql))
            ).pipe(Effect.map((links) => links.map((l) => l.name)))),
        (lists) => lists.flat()
      ))
  ),
  buildtype: anyNameMatches((data, env) => Lookups.buildTypes(data, env)),
  imported: simple((data, env) => Lookups.imported(data, env)),
  is_child_task: simple((data) => Effect.succeed(has(data, "parent") && pythonTruthy(data.parent))),
  method: fieldMatch("method"),
  user: matchTest((data, env) => Effect.map(Lookups.policyUser(data, env), (u) => u?.name)),
  vm_name: fieldMatch("vm_name"),
  is_build_owner: simple((data, env) => Lookups.isBuildOwner(data, env)),
  is_draft: simple((data, env) => Lookups.isDraft(data, env)),
  user_in_group: anyNameMatches((data, env) =>
    Effect.flatMap(Lookups.policyUser(data, env), (u) => u === undefined ? Effect.succeed([]) : Lookups.groups(u.id, env))
  ),
  has_perm: anyNameMatches((data, env) =>
    Effect.flatMap(Lookups.policyUser(data, env), (u) => u === undefined ? Effect.succeed([]) : Lookups.perms(u.id, env))
  ),
  source: matchTest((data, env) => Lookups.policySource(data, env)),
  cg_match_any: (args) =>
    right((data, env) =>
      Effect.map(Lookups.contentGenerators(data, env), (cgs) => cgs.some((cg) => cg !== null && multiFnmatch(cg, args)))
    ),
  cg_match_all: (args) =>
    right((data, env) =>
      Effect.map(
        Lookups.contentGenerators(data, env),
        (cgs) => cgs.length > 0 && cgs.every((cg) => cg !== null && multiFnmatch(cg, args))
      )
    ),
  policy: policyTest
}

/**
 * Every built-in test: the generic ones and the hub's.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtins: TestLibrary = { ...generic, ...hub }
