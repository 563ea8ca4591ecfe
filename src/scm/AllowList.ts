/**
 * Which SCMs a builder may check out (reference 11): Koji's `allowed_scms`
 * setting, and the answer of the hub's `build_from_scm` policy.
 *
 * The setting (`KOJI_ALLOWED_SCMS`) is a whitespace-separated list of
 *
 *     host:repository[:use_common[:source_cmd]]     allow
 *     !host:repository                              deny
 *
 * `host` and `repository` are globs (`fnmatch`: `*` matches `/` too, `?`,
 * `[...]`, `[!...]`); the first entry that matches decides and no match denies.
 * `use_common` is on unless `no`, `off`, `false` or `0`; `source_cmd` is a
 * comma-separated command (`make,sources`), empty for none, `make sources` when
 * not given. Malformed entries are skipped (listed in `ignored`), as Koji does.
 * The host matched is the URL's `host[:port]`; as in Koji, an entry cannot name a
 * port (`:` separates the fields), a glob can (`pkgs.example.com*:/rpms/*`).
 * Empty denies everything.
 *
 * `git+file` URLs (repositories on the builder's disk) are only ever matched by
 * entries whose host part is empty and whose repository pattern is an absolute
 * path: `:/srv/git/*` allows `git+file:///srv/git/foo.git#rev`, and no other entry
 * (not `*:*`, not `localhost:...`) lets a local path through, allow or deny. For
 * them `use_common` is off unless the entry turns it on (`yes`, `on`, `true`, `1`).
 * Their paths are normalised before matching, so `..` cannot climb out of a root.
 *
 * The policy form answers `allow [use_common] [cmd ...|none]` or `deny [reason]`;
 * there `use_common` is off unless named.
 *
 * @since 0.1.0
 */
import { Config, Effect } from "effect"
import { fnmatch } from "../hub/PolicyTests.js"
import * as ScmUrl from "./ScmUrl.js"

/**
 * One entry of the list.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  /** The entry as written. */
  readonly text: string
  /** `!host:repository`. */
  readonly deny: boolean
  /** The host glob; empty for entries of local (`git+file`) repositories. */
  readonly host: string
  readonly repository: string
  /** The `use_common` field, when given. */
  readonly useCommon: string | undefined
  /** The `source_cmd` field: undefined when not given, null when empty. */
  readonly sourceCmd: ReadonlyArray<string> | null | undefined
}

/**
 * A parsed `allowed_scms` list.
 *
 * @since 0.1.0
 * @category models
 */
export interface AllowList {
  readonly entries: ReadonlyArray<Entry>
  /** Entries skipped as malformed, with why. */
  readonly ignored: ReadonlyArray<{ readonly text: string; readonly reason: string }>
}

/**
 * What an allowed URL gets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly useCommon: boolean
  readonly sourceCmd: ReadonlyArray<string> | null
}

/**
 * The empty list: everything denied.
 *
 * @since 0.1.0
 * @category constants
 */
export const empty: AllowList = { entries: [], ignored: [] }

/**
 * Parse Koji's `allowed_scms` syntax.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (text: string): AllowList => {
  const entries: Array<Entry> = []
  const ignored: Array<{ text: string; reason: string }> = []
  for (const word of text.split(/\s+/)) {
    if (word === "") continue
    const fields = word.split(":")
    if (fields.length < 2) {
      ignored.push({ text: word, reason: "not host:repository" })
      continue
    }
    const deny = fields[0]!.startsWith("!")
    const host = deny ? fields[0]!.slice(1) : fields[0]!
    const repository = fields[1]!
    if (host === "" && !repository.startsWith("/")) {
      ignored.push({ text: word, reason: "a local (empty host) entry must name an absolute path" })
      continue
    }
    if (repository === "") {
      ignored.push({ text: word, reason: "empty repository pattern" })
      continue
    }
    const cmd = fields[3]
    entries.push({
      text: word,
      deny,
      host,
      repository,
      useCommon: fields[2],
      sourceCmd: cmd === undefined ? undefined : cmd === "" ? null : cmd.split(",").filter((w) => w !== "")
    })
  }
  return { entries, ignored }
}

const isOff = (v: string) => ["no", "off", "false", "0"].includes(v.toLowerCase())
const isOn = (v: string) => ["yes", "on", "true", "1"].includes(v.toLowerCase())

/**
 * The first entry matching the URL, if any. A `git+file` URL only matches entries
 * with an empty host; other URLs only entries with a non-empty one.
 *
 * @since 0.1.0
 * @category combinators
 */
export const match = (list: AllowList, scm: ScmUrl.ScmUrl): Entry | undefined => {
  const local = ScmUrl.isLocal(scm)
  return list.entries.find((e) =>
    (local ? e.host === "" : e.host !== "" && fnmatch(scm.host, e.host)) && fnmatch(scm.repository, e.repository)
  )
}

/**
 * Koji's `assert_allowed_by_config`: the options the URL gets, or an `ScmError`
 * when no entry allows it (or a `!` entry denies it).
 *
 * @since 0.1.0
 * @category combinators
 */
export const check = (list: AllowList, scm: ScmUrl.ScmUrl): Effect.Effect<Options, ScmUrl.ScmError> =>
  Effect.suspend(() => {
    const entry = match(list, scm)
    if (entry === undefined || entry.deny) {
      return Effect.fail(
        new ScmUrl.ScmError({
          message: `${scm.host}:${scm.repository} is not in the list of allowed SCMs (${scm.url})`,
          url: scm.url
        })
      )
    }
    const local = ScmUrl.isLocal(scm)
    const useCommon = entry.useCommon === undefined
      ? !local
      : local
      ? isOn(entry.useCommon)
      : !isOff(entry.useCommon)
    const sourceCmd = entry.sourceCmd === undefined ? ScmUrl.defaultSourceCmd : entry.sourceCmd
    return Effect.succeed({ useCommon, sourceCmd })
  })

/**
 * `check`, then the URL with the options applied.
 *
 * @since 0.1.0
 * @category combinators
 */
export const apply = (list: AllowList, scm: ScmUrl.ScmUrl): Effect.Effect<ScmUrl.ScmUrl, ScmUrl.ScmError> =>
  Effect.map(check(list, scm), (options) => ScmUrl.withOptions(scm, options))

/**
 * The answer of the `build_from_scm` policy, parsed. `sourceCmd` is undefined when
 * the action names none (the URL keeps what it had), null for `none`.
 *
 * @since 0.1.0
 * @category models
 */
export type PolicyVerdict =
  | {
    readonly _tag: "Allow"
    readonly useCommon: boolean
    readonly sourceCmd: ReadonlyArray<string> | null | undefined
  }
  | { readonly _tag: "Deny"; readonly reason: string | null }

/**
 * Parse a `build_from_scm` action: `allow [use_common] [cmd ...|none]` (also
 * `yes`, `true`, `allowed`) or anything else, usually `deny [reason]`. No action
 * (no rule matched) denies.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPolicyAction = (action: string | null | undefined): PolicyVerdict => {
  const words = (action ?? "").split(/\s+/).filter((w) => w !== "")
  const verdict = words[0]?.toLowerCase()
  if (verdict === undefined || !["yes", "true", "allow", "allowed"].includes(verdict)) {
    return { _tag: "Deny", reason: words.length > 1 ? words.slice(1).join(" ") : null }
  }
  const rest = words.slice(1)
  const useCommon = rest.length > 0 && rest[0]!.toLowerCase() === "use_common"
  const cmd = useCommon ? rest.slice(1) : rest
  return {
    _tag: "Allow",
    useCommon,
    sourceCmd: cmd.length === 0 ? undefined : cmd[0]!.toLowerCase() === "none" ? null : cmd
  }
}

/**
 * Koji's `assert_allowed_by_policy` once the hub answered: the URL with the
 * policy's options, or an `ScmError` when the policy denies it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const applyPolicyAction = (
  scm: ScmUrl.ScmUrl,
  action: string | null | undefined
): Effect.Effect<ScmUrl.ScmUrl, ScmUrl.ScmError> =>
  Effect.suspend(() => {
    const verdict = fromPolicyAction(action)
    if (verdict._tag === "Deny") {
      return Effect.fail(
        new ScmUrl.ScmError({
          message: `SCM: ${scm.host}:${scm.repository} is not allowed, reason: ${verdict.reason ?? "None"}`,
          url: scm.url
        })
      )
    }
    return Effect.succeed(ScmUrl.withOptions(scm, {
      useCommon: verdict.useCommon,
      sourceCmd: verdict.sourceCmd === undefined ? scm.sourceCmd : verdict.sourceCmd
    }))
  })

/**
 * The `allowed_scms` of this builder: `KOJI_ALLOWED_SCMS`, empty (deny everything)
 * when unset.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<AllowList> = Config.string("KOJI_ALLOWED_SCMS").pipe(
  Config.withDefault(""),
  Config.map(parse)
)
