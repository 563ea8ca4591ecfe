/**
 * Koji's hub policies (reference 12): named rule sets from the hub's settings,
 * parsed once when the layer is built, evaluated on policy data by `check`,
 * enforced by `assert` (Koji's `assert_policy`), or read raw by `apply` (what
 * Koji's `make_task` and volume code do with the `channel`, `priority` and
 * `volume` policies, whose actions are not allow/deny).
 *
 * Koji's built-in defaults (`build_rpm`, `build_from_srpm`, `build_from_repo_id`,
 * `build_from_scm`, `package_list`, `channel`, `vm`, `cg_import`, `volume`,
 * `priority`, `draft_promotion`) apply to every policy the settings do not name.
 * A policy missing altogether (like `tag` by default) allows, as Koji's
 * `MissingPolicyOk` does.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Either, Layer } from "effect"
import * as Fs from "node:fs"
import { ActionNotAllowed, ConfigurationError, GenericError } from "../domain/Errors.js"
import { CurrentCaller } from "./Caller.js"
import { HubConfig } from "./HubConfig.js"
import * as Parser from "./PolicyParser.js"
import { policyUser, perms } from "./PolicyLookups.js"
import * as PolicyTests from "./PolicyTests.js"

/**
 * The data a policy is evaluated on, with Koji's keys: `tag`, `fromtag`, `build`,
 * `package`, `version`, `release`, `user_id`, `operation`, `method`, `arch`,
 * `parent`, `label`, `owner`, `req_channel`, `target`, `build_tag`, `source`,
 * `scratch`, `skip_tag`, `volume`, `force`, `action`, ... Tags, builds, packages
 * and volumes may be given by id or name (a build also by NVR string or map), as
 * Koji accepts them. Without `user_id`, user tests use the calling session's user.
 *
 * @since 0.1.0
 * @category models
 */
export type PolicyData = Readonly<Record<string, unknown>>

/**
 * What evaluating a policy failed with: a test could not run (Koji's messages,
 * e.g. `policy requires package data`, `no such policy: X`,
 * `encountered policy loop at policy X`), or the database failed.
 *
 * @since 0.1.0
 * @category models
 */
export type PolicyFailure = GenericError | SqlError.SqlError

/**
 * The outcome of `check` (Koji's `check_policy`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  /**
   * The verdict word: the lowercased first word of the matching rule's action
   * (`allow`, `deny`, `use`, `set`, ...); the `default` when no rule matched; for
   * a missing policy `allow` (or `deny` when missing policies are not ok).
   */
  readonly result: string
  /**
   * The reason: the rest of the action after the first word (Koji splits once on
   * whitespace), `not covered by policy` when no rule matched, `missing policy`.
   */
  readonly reason: string
  /** The matching rule's action exactly as written (`set 5`, `use default`), undefined when none matched. */
  readonly action: string | undefined
  /**
   * The matching rule as Koji's `last_rule()` prints it (`has_perm admin :: allow`;
   * nested blocks joined by `... `; `(no match)` when none matched; empty for a
   * missing policy).
   */
  readonly rule: string
  /** The line of the matching rule in the policy's text (1-based), undefined when none matched. */
  readonly line: number | undefined
  /** The policy exists (configured or one of Koji's defaults). */
  readonly exists: boolean
}

/**
 * The outcome of `apply` (Koji's `ruleset.apply(data)`): the action as written,
 * if a rule matched, with the rule and its line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Applied {
  readonly action: string | undefined
  readonly rule: string
  readonly line: number | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Policy extends Context.Tag("koji/hub/Policy")<Policy, {
  /**
   * Evaluate policy `name` on `data` (Koji's `check_policy` without `strict`):
   * the verdict word, the reason and the matching rule. `default` (Koji's
   * `default='deny'`) is the verdict when no rule matches.
   */
  readonly check: (
    name: string,
    data: PolicyData,
    options?: { readonly default?: string | undefined }
  ) => Effect.Effect<Verdict, PolicyFailure>
  /**
   * Koji's `assert_policy`: fail with `ActionNotAllowed` ("policy violation (NAME)"
   * + ": reason" when there is one, + " [rule: ...]" with `verbosePolicy`) unless
   * the verdict is `allow`. A verdict other than allow/deny has the reason
   * `error in policy`. With `force`, an admin (the data's `user_id`, else the
   * caller) passes anyway, as in Koji.
   */
  readonly assert: (
    name: string,
    data: PolicyData,
    options?: { readonly force?: boolean | undefined; readonly default?: string | undefined }
  ) => Effect.Effect<void, ActionNotAllowed | PolicyFailure>
  /**
   * Koji's `ruleset.apply(data)`: the first matching rule's action as written, for
   * policies whose actions are not allow/deny (`channel`: `use X`/`req`/`parent`,
   * `priority`: `stay`/`set N`/`adjust +N`, `volume`: a volume name). Fails with
   * `GenericError("no such policy: NAME")` when the policy does not exist.
   */
  readonly apply: (name: string, data: PolicyData) => Effect.Effect<Applied, PolicyFailure>
  /** The names of the policies in force (configured and defaults). */
  readonly names: ReadonlyArray<string>
}>() {}

/**
 * Koji's built-in policies (`kojixmlrpc._default_policies`), used for each name the
 * settings do not give.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicies: Readonly<Record<string, string>> = {
  build_rpm: "all :: allow",
  build_from_srpm: "has_perm admin :: allow\nall :: deny Only admin can do this via default policy",
  build_from_repo_id: "has_perm admin :: allow\nall :: deny Only admin can do this via default policy",
  build_from_scm: "has_perm admin :: allow\nall :: deny Only admin can do this via default policy",
  package_list: "has_perm admin :: allow\nhas_perm tag :: allow\nall :: deny Only admin/tag can do this via default policy",
  channel: "has req_channel :: req\nis_child_task :: parent\nall :: use default",
  vm: "has_perm admin win-admin :: allow\nall :: deny Only admin/win-admin can do this via default policy",
  cg_import: "all :: allow",
  volume: "all :: DEFAULT",
  priority: "all :: stay",
  draft_promotion: "has_perm draft-promoter :: allow\nis_build_owner :: allow\n" +
    "all :: deny Only draft-promoter and build owner can do this via default policy"
}

/**
 * The text of one policy and where it comes from.
 *
 * @since 0.1.0
 * @category models
 */
export interface PolicySource {
  readonly text: string
  /** For messages: `KOJI_POLICY_TAG`, `FILE [policy] tag`, `default policy tag`, ... */
  readonly origin: string
  /** The text's first line is this line + 1 of its file. */
  readonly lineOffset: number
}

/**
 * The `[policy]` section of a hub.conf-style file, read as Python's `RawConfigParser`
 * reads it (`name = value` or `name: value`, names lowercased, indented continuation
 * lines, `#`/`;` comment lines, later sections and keys winning). Line numbers stay
 * those of the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readPolicySection = (text: string, file: string): ReadonlyMap<string, PolicySource> => {
  const found = new Map<string, PolicySource>()
  const lines = text.split(/\r\n|\r|\n/)
  let section: string | undefined
  let current: { name: string; start: number; indent: number; lines: Array<string> } | undefined
  const flush = () => {
    if (current === undefined) return
    while (current.lines.length > 0 && current.lines[current.lines.length - 1]!.trim() === "") current.lines.pop()
    found.set(current.name, {
      text: current.lines.join("\n"),
      origin: `${file} [policy] ${current.name}`,
      lineOffset: current.start
    })
    current = undefined
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const stripped = line.trim()
    const indent = line.length - line.trimStart().length
    if (/^[#;]/.test(stripped)) {
      if (current !== undefined) current.lines.push("")
      continue
    }
    if (stripped === "") {
      if (current !== undefined) current.lines.push("")
      continue
    }
    if (current !== undefined && indent > current.indent) {
      current.lines.push(line)
      continue
    }
    flush()
    const header = /^\[(.+)\]/.exec(stripped)
    if (header !== null) {
      section = header[1]
      continue
    }
    const delimiter = /[=:]/.exec(line)
    if (section !== "policy" || delimiter === null) continue
    const name = line.slice(0, delimiter.index).trim().toLowerCase()
    // the first line keeps its columns: the key and delimiter become spaces
    current = { name, start: i, indent, lines: [" ".repeat(delimiter.index + 1) + line.slice(delimiter.index + 1)] }
  }
  flush()
  return found
}

/**
 * The policies in force: Koji's defaults, then the file's `[policy]` section, then
 * the `policy` settings, later ones winning by name.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sources = (
  config: Pick<typeof HubConfig.Service, "policy" | "policyFile">
): Effect.Effect<ReadonlyMap<string, PolicySource>, ConfigurationError> =>
  Effect.gen(function*() {
    const all = new Map<string, PolicySource>()
    for (const [name, text] of Object.entries(defaultPolicies)) {
      all.set(name, { text, origin: `default policy ${name}`, lineOffset: 0 })
    }
    if (config.policyFile !== undefined) {
      const file = config.policyFile
      const text = yield* Effect.try({
        try: () => Fs.readFileSync(file, "utf8"),
        catch: (e) => new ConfigurationError({ message: `cannot read policy file ${file}: ${String(e)}` })
      })
      for (const [name, source] of readPolicySection(text, file)) all.set(name, source)
    }
    for (const [name, text] of Object.entries(config.policy)) {
      all.set(name.toLowerCase(), { text, origin: `KOJI_POLICY_${name.toUpperCase()}`, lineOffset: 0 })
    }
    return all
  })

/**
 * Options of the policy service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Tests added to (or replacing) the built-ins, by name. */
  readonly tests?: Parser.TestLibrary | undefined
}

/**
 * Parse every policy once with the test library: the rule sets by name, or the
 * first bad rule as a `ConfigurationError` (with its line and column). A
 * `policy NAME` test naming a policy that does not exist is reported here too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseAll = (
  all: ReadonlyMap<string, PolicySource>,
  library: Parser.TestLibrary
): Either.Either<ReadonlyMap<string, Parser.RuleSet>, ConfigurationError> => {
  const rulesets = new Map<string, Parser.RuleSet>()
  for (const [name, source] of all) {
    const parsed = Parser.parse(name, source.text, library, { lineOffset: source.lineOffset, origin: source.origin })
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    rulesets.set(name, parsed.right)
  }
  if (library.policy === PolicyTests.policyTest) {
    for (const ruleset of rulesets.values()) {
      for (const ref of Parser.references(ruleset)) {
        if (!rulesets.has(ref.policy)) {
          return Either.left(
            new ConfigurationError({
              message: `${ruleset.origin}: line ${ref.line}, column ${ref.column}: no such policy: ${ref.policy}`
            })
          )
        }
      }
    }
  }
  return Either.right(rulesets)
}

/**
 * The service on the settings' policies.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<
  Policy["Type"],
  ConfigurationError,
  SqlClient.SqlClient | HubConfig
> =>
  Effect.gen(function*() {
    const config = yield* HubConfig
    const sql = yield* SqlClient.SqlClient
    const library: Parser.TestLibrary = { ...PolicyTests.builtins, ...options.tests }
    const rulesets = yield* parseAll(yield* sources(config), library)

    type Base = Omit<Parser.TestEnv, "policy" | "running" | "applyPolicy">
    // what every evaluation shares: the database, the caller, one memo
    const environment = Effect.map(Effect.serviceOption(CurrentCaller), (caller): Base => {
      const memos = new Map<string, unknown>()
      return {
        sql,
        sessionUserId: caller._tag === "Some" ? caller.value.session?.userId : undefined,
        memo: <A>(key: string, lookup: Effect.Effect<A, PolicyFailure>) =>
          memos.has(key)
            ? Effect.succeed(memos.get(key) as A)
            : Effect.tap(lookup, (value) => Effect.sync(() => memos.set(key, value)))
      }
    })

    // the environment of policy `name`, with the `policy NAME` tests running further up
    const within = (base: Base, name: string, running: ReadonlySet<object>): Parser.TestEnv => ({
      ...base,
      policy: name,
      running,
      applyPolicy: (sub, data, guard) => {
        const ruleset = rulesets.get(sub)
        if (ruleset === undefined) return Effect.fail(new GenericError({ message: `no such policy: ${sub}` }))
        return Effect.map(Parser.apply(ruleset, data, within(base, sub, new Set([...running, guard]))), (m) => m?.action)
      }
    })

    const run = (name: string, data: PolicyData) =>
      Effect.flatMap(environment, (base) => Parser.apply(rulesets.get(name)!, data, within(base, name, new Set())))

    const check = (name: string, data: PolicyData, options?: { readonly default?: string | undefined }) =>
      Effect.gen(function*() {
        if (!rulesets.has(name)) {
          return {
            result: config.missingPolicyOk ? "allow" : "deny",
            reason: "missing policy",
            action: undefined,
            rule: "",
            line: undefined,
            exists: false
          } satisfies Verdict
        }
        const match = yield* run(name, data)
        if (match === undefined) {
          return {
            result: options?.default ?? "deny",
            reason: "not covered by policy",
            action: undefined,
            rule: Parser.formatRule(undefined),
            line: undefined,
            exists: true
          } satisfies Verdict
        }
        const { reason, verdict } = Parser.splitAction(match.action)
        return {
          result: verdict,
          reason,
          action: match.action,
          rule: Parser.formatRule(match),
          line: match.path[match.path.length - 1]!.line,
          exists: true
        } satisfies Verdict
      })

    const assert = (
      name: string,
      data: PolicyData,
      options?: { readonly force?: boolean | undefined; readonly default?: string | undefined }
    ) =>
      Effect.gen(function*() {
        const verdict = yield* check(name, data, { default: options?.default })
        if (verdict.result === "allow") return
        let reason = verdict.reason
        if (verdict.result !== "deny") {
          reason = "error in policy"
          yield* Effect.logError(`Invalid action in policy ${name}, rule: ${verdict.rule}`)
        }
        if (options?.force === true) {
          const env = within(yield* environment, name, new Set())
          const user = yield* policyUser(data, env)
          if (user !== undefined && (yield* perms(user.id, env)).includes("admin")) {
            yield* Effect.logInfo(`Policy ${name} overriden by force: ${user.name}${reason ? `: ${reason}` : ""}`)
            return
          }
        }
        let message = `policy violation (${name})`
        if (reason) message += `: ${reason}`
        if (config.verbosePolicy) message += ` [rule: ${verdict.rule}]`
        return yield* new ActionNotAllowed({ message })
      })

    const apply = (name: string, data: PolicyData) =>
      rulesets.has(name)
        ? Effect.map(run(name, data), (match): Applied => ({
          action: match?.action,
          rule: Parser.formatRule(match),
          line: match === undefined ? undefined : match.path[match.path.length - 1]!.line
        }))
        : Effect.fail(new GenericError({ message: `no such policy: ${name}` }))

    return Policy.of({ check, assert, apply, names: [...rulesets.keys()].sort() })
  })

/**
 * The policy service with the built-in tests, on the settings' policies. Fails with
 * `ConfigurationError` ("ORIGIN: line N, column M: problem") when a rule is bad.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Policy, ConfigurationError, SqlClient.SqlClient | HubConfig> = Layer.effect(
  Policy,
  make()
)

/**
 * The policy service with extra tests (an embedding team's), merged over the built-ins.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (options: Options): Layer.Layer<Policy, ConfigurationError, SqlClient.SqlClient | HubConfig> =>
  Layer.effect(Policy, make(options))
