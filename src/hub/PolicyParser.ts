/**
 * Koji's policy language (`koji.policy.SimpleRuleSet`, reference 12): parsing a
 * rule set once, and applying it to policy data.
 *
 * One rule per line:
 *
 *     test [args] [&& test [args] ...] :: action      (applies when every test is true)
 *     test [args] [&& test [args] ...] !! action      (applies when they are not all true)
 *     test [args] :: {                                 (a nested block; `}` alone on its line)
 *         ...
 *     }
 *
 * `#` starts a comment (anywhere on a line), blank lines are skipped, the last `::`
 * of a line separates tests from the action (else the last `!!`), tests are joined
 * only by `&&`. Rules are tried in order and the first matching rule's action wins;
 * when no rule of a nested block matches, evaluation continues after the block. The
 * action's first word is the verdict, the rest a reason.
 *
 * A test is built from its text by a constructor of the test library (see
 * `PolicyTests`), so bad arguments are reported when the rule set is parsed, with
 * the line and column of the test.
 *
 * @since 0.1.0
 */
import { type SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { ConfigurationError } from "../domain/Errors.js"
import type { PolicyData, PolicyFailure } from "./Policy.js"

/**
 * What a test sees while it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestEnv {
  /** The hub's database. */
  readonly sql: SqlClient.SqlClient
  /** The calling session's user, when there is one (Koji's default user of the user tests). */
  readonly sessionUserId: number | undefined
  /** The policy being evaluated (the innermost one, for `policy NAME` tests). */
  readonly policy: string
  /**
   * Apply another policy (the `policy NAME` test): its matching action, if any.
   * `guard` is the calling test itself: applying a policy while the same test is
   * already running is Koji's "encountered policy loop".
   */
  readonly applyPolicy: (name: string, data: PolicyData, guard: object) => Effect.Effect<string | undefined, PolicyFailure>
  /** The tests running further up this evaluation (loop detection). */
  readonly running: ReadonlySet<object>
  /**
   * Run a lookup once per evaluation: the same `key` answers the first result
   * (a user's permissions, a build, ...) to every later test of the same check.
   */
  readonly memo: <A>(key: string, lookup: Effect.Effect<A, PolicyFailure>) => Effect.Effect<A, PolicyFailure>
}

/**
 * A ready test: true or false on the data.
 *
 * @since 0.1.0
 * @category models
 */
export type TestRun = (data: PolicyData, env: TestEnv) => Effect.Effect<boolean, PolicyFailure>

/**
 * Builds a test from its arguments (the words after the test's name) and its whole
 * text; answers a message (Koji's, where it has one) for bad arguments.
 *
 * @since 0.1.0
 * @category models
 */
export type TestConstructor = (args: ReadonlyArray<string>, text: string) => Either.Either<TestRun, string>

/**
 * A test of the library; `policies`, when given, limits it to those policies
 * (Koji's `policy` attribute of a test class).
 *
 * @since 0.1.0
 * @category models
 */
export interface TestDefinition {
  readonly make: TestConstructor
  readonly policies?: ReadonlyArray<string> | undefined
}

/**
 * Tests by name. A team embedding the hub adds its own (or replaces built-ins)
 * by merging records.
 *
 * @since 0.1.0
 * @category models
 */
export type TestLibrary = Readonly<Record<string, TestConstructor | TestDefinition>>

/**
 * A test in a parsed rule: its name, its text as written (Koji's `str(test)`), where
 * it starts and how it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Test {
  readonly name: string
  readonly text: string
  readonly line: number
  readonly column: number
  readonly run: TestRun
}

/**
 * One rule: its tests, whether it is negated (`!!`), and its action (a string) or
 * nested rules; the line it is on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  readonly tests: ReadonlyArray<Test>
  readonly negate: boolean
  readonly action: string | ReadonlyArray<Rule>
  readonly line: number
}

/**
 * A parsed policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface RuleSet {
  readonly name: string
  readonly rules: ReadonlyArray<Rule>
  /** Where the text came from (`KOJI_POLICY_TAG`, a file name, ...), for messages. */
  readonly origin: string
}

/**
 * The rule that matched: its action, and the chain of rules (outer blocks first)
 * that led to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly action: string
  readonly path: ReadonlyArray<Rule>
}

/**
 * Options of `parse`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** Added to line numbers (the text starts on this line + 1 of a file). */
  readonly lineOffset?: number | undefined
  /** Where the text came from, for messages (default `policy NAME`). */
  readonly origin?: string | undefined
}

const definition = (entry: TestConstructor | TestDefinition): TestDefinition =>
  typeof entry === "function" ? { make: entry } : entry

/**
 * The tests of `library` usable in policy `name` (those without a `policies` list,
 * and those listing `name`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const testsFor = (library: TestLibrary, name: string): ReadonlyMap<string, TestConstructor> => {
  const tests = new Map<string, TestConstructor>()
  for (const [testName, entry] of Object.entries(library)) {
    const def = definition(entry)
    if (def.policies !== undefined && !def.policies.includes(name)) continue
    tests.set(testName, def.make)
  }
  return tests
}

/**
 * Python's `str.split()`: words separated by runs of whitespace.
 *
 * @since 0.1.0
 * @category combinators
 */
export const words = (s: string): Array<string> => s.split(/\s+/).filter((w) => w.length > 0)

interface Frame {
  readonly rules: Array<Rule>
  /** The rule that opened this block (undefined at the top). */
  readonly opener: { readonly line: number; readonly column: number } | undefined
}

/**
 * Parse the text of policy `name` with the tests of `library`: the rule set, or a
 * `ConfigurationError` "policy NAME: line N, column M: problem" for the first bad
 * line (an unknown test, bad test arguments, a line without `::` or `!!`, a `}`
 * without its block or a block never closed, a missing action).
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (
  name: string,
  text: string,
  library: TestLibrary,
  options: ParseOptions = {}
): Either.Either<RuleSet, ConfigurationError> => {
  const tests = testsFor(library, name)
  const offset = options.lineOffset ?? 0
  const origin = options.origin ?? `policy ${name}`
  const fail = (line: number, column: number, problem: string) =>
    Either.left(new ConfigurationError({ message: `${origin}: line ${line}, column ${column}: ${problem}` }))
  const top: Frame = { rules: [], opener: undefined }
  const stack: Array<Frame> = [top]
  const lines = text.split(/\r\n|\r|\n/)
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1 + offset
    const raw = lines[index]!
    const hash = raw.indexOf("#")
    const uncommented = hash === -1 ? raw : raw.slice(0, hash)
    const content = uncommented.trim()
    if (content.length === 0) continue
    const start = uncommented.indexOf(content) // where the stripped line starts in the raw one
    const cursor = stack[stack.length - 1]!
    if (content === "}") {
      if (stack.length === 1) return fail(lineNo, start + 1, "nesting error in rule set (unexpected })")
      stack.pop()
      continue
    }
    let negate = false
    let pos = content.lastIndexOf("::")
    if (pos === -1) {
      pos = content.lastIndexOf("!!")
      if (pos === -1) return fail(lineNo, start + 1, `bad policy line: ${content}`)
      negate = true
    }
    const after = content.slice(pos + 2)
    const action = after.trim()
    const actionColumn = start + pos + 2 + (after.length - after.trimStart().length) + 1
    if (action.length === 0) return fail(lineNo, actionColumn, "missing action")
    if (action === "}") return fail(lineNo, actionColumn, "bad action: } (a block closes with } alone on its line)")
    const built: Array<Test> = []
    let segmentStart = 0
    for (const segment of content.slice(0, pos).split("&&")) {
      const column = start + segmentStart + (segment.length - segment.trimStart().length) + 1
      segmentStart += segment.length + 2
      const parts = words(segment)
      if (parts.length === 0) return fail(lineNo, column, "missing test")
      const testName = parts[0]!
      const make = tests.get(testName)
      if (make === undefined) return fail(lineNo, column, `missing test handler: ${testName}`)
      const made = make(parts.slice(1), segment)
      if (Either.isLeft(made)) return fail(lineNo, column, made.left)
      built.push({ name: testName, text: segment, line: lineNo, column, run: made.right })
    }
    if (action === "{") {
      const rules: Array<Rule> = []
      cursor.rules.push({ tests: built, negate, action: rules, line: lineNo })
      stack.push({ rules, opener: { line: lineNo, column: start + content.length } })
    } else {
      cursor.rules.push({ tests: built, negate, action, line: lineNo })
    }
  }
  if (stack.length > 1) {
    const opener = stack[stack.length - 1]!.opener!
    return fail(opener.line, opener.column, "nesting error in rule set ({ never closed)")
  }
  return Either.right({ name, rules: top.rules, origin })
}

const applyRules = (
  rules: ReadonlyArray<Rule>,
  data: PolicyData,
  env: TestEnv,
  path: ReadonlyArray<Rule>
): Effect.Effect<Match | undefined, PolicyFailure> =>
  Effect.gen(function*() {
    for (const rule of rules) {
      let value = true
      for (const test of rule.tests) {
        if (!(yield* test.run(data, env))) {
          value = false
          break
        }
      }
      if (rule.negate) value = !value
      if (!value) continue
      if (typeof rule.action === "string") return { action: rule.action, path: [...path, rule] }
      const nested = yield* applyRules(rule.action, data, env, [...path, rule])
      if (nested !== undefined) return nested
    }
    return undefined
  })

/**
 * Koji's `SimpleRuleSet.apply`: the first matching rule (depth first through
 * nested blocks), or undefined when none matches.
 *
 * @since 0.1.0
 * @category combinators
 */
export const apply = (ruleSet: RuleSet, data: PolicyData, env: TestEnv): Effect.Effect<Match | undefined, PolicyFailure> =>
  applyRules(ruleSet.rules, data, env, [])

/**
 * A matched rule as Koji's `last_rule()` prints it: each rule of the path as its
 * tests joined by `&&` and `:: ` (or `!! `), the rules joined by `... `, then the
 * action, or `(no match)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const formatRule = (match: Match | undefined): string => {
  if (match === undefined) return "(no match)"
  return match.path.map((rule) => rule.tests.map((t) => t.text).join("&&") + (rule.negate ? "!! " : ":: "))
    .join("... ") + match.action
}

/**
 * Koji's split of an action: the verdict (first word, lowercased) and the reason
 * (the rest).
 *
 * @since 0.1.0
 * @category combinators
 */
export const splitAction = (action: string): { readonly verdict: string; readonly reason: string } => {
  const trimmed = action.trimStart()
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)
  return m === null ? { verdict: "", reason: "" } : { verdict: m[1]!.toLowerCase(), reason: m[2]! }
}

/**
 * Every action word of a rule set (Koji's `all_actions`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const allActions = (ruleSet: RuleSet): ReadonlyArray<string> => {
  const found = new Set<string>()
  const walk = (rules: ReadonlyArray<Rule>) => {
    for (const rule of rules) {
      if (typeof rule.action === "string") found.add(words(rule.action)[0] ?? "")
      else walk(rule.action)
    }
  }
  walk(ruleSet.rules)
  return [...found]
}

/**
 * The sub-policies a rule set names with `policy NAME` tests, with where.
 *
 * @since 0.1.0
 * @category combinators
 */
export const references = (
  ruleSet: RuleSet,
  testName = "policy"
): ReadonlyArray<{ readonly policy: string; readonly line: number; readonly column: number }> => {
  const found: Array<{ policy: string; line: number; column: number }> = []
  const walk = (rules: ReadonlyArray<Rule>) => {
    for (const rule of rules) {
      for (const test of rule.tests) {
        const target = words(test.text)[1]
        if (test.name === testName && target !== undefined) {
          found.push({ policy: target, line: test.line, column: test.column })
        }
      }
      if (typeof rule.action !== "string") walk(rule.action)
    }
  }
  walk(ruleSet.rules)
  return found
}
