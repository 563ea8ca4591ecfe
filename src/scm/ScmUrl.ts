/**
 * Koji's SCM URLs (reference 11, Koji's `koji.daemon.SCM`) parsed into a typed value:
 *
 *     scheme://[user@]host/path/to/repo[?module/subdir]#revision
 *
 * Schemes: `git://`, `git+http://`, `git+https://`, `git+rsync://` (type `GIT`),
 * `git+ssh://` (type `GIT+SSH`), and, beyond Koji, `git+file:///path/to/repo` for
 * repositories on the builder's own disk (type `GIT`, empty host).
 *
 * Koji's rules: the revision (fragment) and the path are required, the path is
 * normalised (no `.`/`..`, no trailing `/`), `;params` are refused, and so is
 * `user:password@` unless `allowPasswordInUrl`.
 *
 * Beyond Koji, input that could reach a shell or git's option parser is refused
 * with a clear error: whitespace and control characters anywhere, shell
 * metacharacters (`` ;|&$`<>()'"\{}*?[]!# ``) in any part, a host, user or
 * repository part starting with `-` (`--upload-pack=...`), a revision starting
 * with `-` or holding `..` or `:`, a module that is absolute or holds `..`, a
 * percent escape in the path or module (git would decode `%2e%2e` after the
 * allow-list matched the path). Path parts are made of ASCII letters, digits and
 * `._~+@=,-` only; hosts are names or IPv4 addresses with an optional port (IPv6
 * literals are not taken).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as path from "node:path"

/**
 * Why an SCM URL was refused or a checkout failed. The builder answers it as
 * Koji's `BuildError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScmError extends Schema.TaggedError<ScmError>()("ScmError", {
  message: Schema.String,
  url: Schema.String
}) {}

/**
 * The schemes taken, each with Koji's SCM type.
 *
 * @since 0.1.0
 * @category constants
 */
export const schemes = {
  "git://": "GIT",
  "git+http://": "GIT",
  "git+https://": "GIT",
  "git+rsync://": "GIT",
  "git+ssh://": "GIT+SSH",
  "git+file://": "GIT"
} as const

/**
 * A scheme, with its `://` as Koji keeps it (`git+https://`).
 *
 * @since 0.1.0
 * @category models
 */
export type Scheme = keyof typeof schemes

/**
 * Koji's default `source_cmd`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSourceCmd: ReadonlyArray<string> = ["make", "sources"]

/**
 * A parsed SCM URL with Koji's fields. `useCommon` and `sourceCmd` are Koji's
 * defaults after `parse` (`useCommon` is off for `git+file`) and the allow-list's
 * or policy's answer after `AllowList.apply` / `AllowList.applyPolicyAction`.
 *
 * @since 0.1.0
 * @category models
 */
export class ScmUrl extends Schema.Class<ScmUrl>("ScmUrl")({
  /** The URL as given. */
  url: Schema.String,
  scheme: Schema.Literal("git://", "git+http://", "git+https://", "git+rsync://", "git+ssh://", "git+file://"),
  scmtype: Schema.Literal("GIT", "GIT+SSH"),
  /** The user (with `:password` only when passwords are allowed), or null. */
  user: Schema.NullOr(Schema.String),
  /** `name[:port]`; empty for `git+file`. */
  host: Schema.String,
  /** The normalised absolute path, no trailing `/`. */
  repository: Schema.String,
  /** The subdirectory (the query part), normalised and relative; empty for the top. */
  module: Schema.String,
  /** The fragment: a branch, tag, hash, `origin/branch`, ... */
  revision: Schema.String,
  useCommon: Schema.Boolean,
  /** The command run before the SRPM is built, or null for none. */
  sourceCmd: Schema.NullOr(Schema.Array(Schema.String))
}) {}

/**
 * Options of `parse`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** Koji's `allow_password_in_scm_url` (default false). */
  readonly allowPasswordInUrl?: boolean | undefined
}

/**
 * Koji's `is_scm_url`: the URL starts with one of the SCM schemes.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isScmUrl = (url: string): boolean => Object.keys(schemes).some((s) => url.startsWith(s))

// printable form of hostile input for messages
const show = (s: string): string => JSON.stringify(s)

const controlOrSpace = /[\p{Cc}\p{Cf}\p{Z}\s]/u
const metachar = /[;|&$`<>()'"\\{}*?[\]!#]/
const hostRe = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?::[0-9]{1,5})?$/
const userRe = /^[A-Za-z0-9_][A-Za-z0-9._~+=,-]*$/
// no `%`: git decodes `%2e%2e` in a path after the allow-list has matched it
const pathPartRe = /^[A-Za-z0-9._~+@=,-]+$/
const revisionRe = /^[A-Za-z0-9._/+@^~=,-]+$/

/**
 * Parse an SCM URL with Koji's rules and the hostile-input checks above.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (url: string, options: ParseOptions = {}): Effect.Effect<ScmUrl, ScmError> =>
  Effect.suspend(() => {
    const fail = (message: string) => Effect.fail(new ScmError({ message, url }))
    if (typeof url !== "string" || url.length === 0) return fail("Invalid SCM URL: empty")
    if (url.length > 4096) return fail("Invalid SCM URL: longer than 4096 characters")
    const bad = controlOrSpace.exec(url)
    if (bad !== null) {
      return fail(`Invalid SCM URL ${show(url)}: whitespace or control character ${show(bad[0])} not allowed`)
    }
    const scheme = (Object.keys(schemes) as Array<Scheme>).find((s) => url.startsWith(s))
    if (scheme === undefined) {
      return fail(`Invalid scheme in scm url. Valid schemes are: ${Object.keys(schemes).sort().join(" ")}`)
    }
    let rest = url.slice(scheme.length)
    const hashAt = rest.indexOf("#")
    const fragment = hashAt < 0 ? "" : rest.slice(hashAt + 1)
    if (hashAt >= 0) rest = rest.slice(0, hashAt)
    const queryAt = rest.indexOf("?")
    const query = queryAt < 0 ? "" : rest.slice(queryAt + 1)
    if (queryAt >= 0) rest = rest.slice(0, queryAt)
    const slashAt = rest.indexOf("/")
    let netloc = slashAt < 0 ? rest : rest.slice(0, slashAt)
    const rawPath = slashAt < 0 ? "" : rest.slice(slashAt)

    const semi = rawPath.indexOf(";")
    if (semi >= 0) {
      return fail(`Unable to parse SCM URL: ${url} . Params element ${rawPath.slice(semi + 1)} should be empty.`)
    }
    for (const [part, text] of [["host", netloc], ["path", rawPath], ["module", query], ["revision", fragment]] as const) {
      const m = metachar.exec(text)
      if (m !== null) return fail(`Invalid SCM URL ${show(url)}: shell metacharacter ${show(m[0])} in the ${part}`)
    }

    let user: string | null = null
    const userhost = netloc.split("@")
    if (userhost.length === 2) {
      user = userhost[0]! === "" ? null : userhost[0]!
      if (user !== null && user.includes(":") && options.allowPasswordInUrl !== true) {
        return fail(`username:password format not supported: ${user}`)
      }
      netloc = userhost[1]!
    } else if (userhost.length > 2) {
      return fail(`Invalid username@hostname specified: ${netloc}`)
    }
    if (scheme === "git+file://") {
      if (netloc !== "" || user !== null) {
        return fail(`Invalid SCM URL ${show(url)}: a git+file URL names a local path and has no host (git+file:///path/to/repo#rev)`)
      }
    } else if (netloc === "") {
      return fail(`Unable to parse SCM URL: ${url} . Could not find the netloc element.`)
    }
    if (rawPath === "") return fail(`Unable to parse SCM URL: ${url} . Could not find the path element.`)
    const repository = path.posix.normalize(rawPath).replace(/\/+$/, "")
    if (repository === "") return fail(`Unable to parse SCM URL: ${url} . Could not find the path element.`)
    if (fragment === "") return fail(`Unable to parse SCM URL: ${url} . Could not find the fragment element.`)

    // hostile input
    if (netloc !== "" && !hostRe.test(netloc)) {
      return fail(
        netloc.startsWith("-")
          ? `Invalid SCM URL ${show(url)}: the host may not start with "-"`
          : `Invalid SCM URL ${show(url)}: invalid host ${show(netloc)}`
      )
    }
    if (user !== null) {
      const colon = user.indexOf(":")
      const name = colon < 0 ? user : user.slice(0, colon)
      if (!userRe.test(name)) {
        return fail(
          name.startsWith("-")
            ? `Invalid SCM URL ${show(url)}: the user may not start with "-"`
            : `Invalid SCM URL ${show(url)}: invalid user ${show(name)}`
        )
      }
    }
    for (const part of repository.split("/").slice(1)) {
      if (part.startsWith("-")) {
        return fail(`Invalid SCM URL ${show(url)}: a repository path part may not start with "-" (${show(part)})`)
      }
      if (!pathPartRe.test(part)) return fail(`Invalid SCM URL ${show(url)}: invalid repository path part ${show(part)}`)
    }
    const moduleText = query.replace(/\/+$/, "")
    if (moduleText.startsWith("/")) return fail(`Invalid SCM URL ${show(url)}: the module must be a relative path`)
    const moduleParts = moduleText.split("/").filter((p) => p !== "" && p !== ".")
    for (const part of moduleParts) {
      if (part === "..") return fail(`Invalid SCM URL ${show(url)}: the module may not leave the repository ("..")`)
      if (!pathPartRe.test(part)) return fail(`Invalid SCM URL ${show(url)}: invalid module path part ${show(part)}`)
    }
    if (fragment.startsWith("-")) return fail(`Invalid SCM URL ${show(url)}: the revision may not start with "-"`)
    if (fragment.includes("..")) return fail(`Invalid SCM URL ${show(url)}: the revision may not contain ".."`)
    if (fragment.length > 256 || !revisionRe.test(fragment)) {
      return fail(`Invalid SCM URL ${show(url)}: invalid revision ${show(fragment)}`)
    }

    return Effect.succeed(
      new ScmUrl({
        url,
        scheme,
        scmtype: schemes[scheme],
        user,
        host: netloc,
        repository,
        module: moduleParts.join("/"),
        revision: fragment,
        useCommon: scheme !== "git+file://",
        sourceCmd: defaultSourceCmd
      })
    )
  })

/**
 * The same URL with the options an allow-list entry or a policy gave.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withOptions = (
  scm: ScmUrl,
  options: { readonly useCommon: boolean; readonly sourceCmd: ReadonlyArray<string> | null }
): ScmUrl => new ScmUrl({ ...scm, useCommon: options.useCommon, sourceCmd: options.sourceCmd })

/**
 * True for a `git+file` URL (a repository on the builder's disk).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLocal = (scm: ScmUrl): boolean => scm.scheme === "git+file://"

const remote = (scm: ScmUrl, repository: string): string => {
  if (isLocal(scm)) return `file://${repository}`
  const scheme = scm.scheme.replace(/^git\+/, "")
  // the git protocol has no user; the others take one
  const user = scm.user !== null && scm.scheme !== "git://" ? `${scm.user}@` : ""
  return `${scheme}${user}${scm.host}${repository}`
}

/**
 * The URL handed to `git clone`: `git+` stripped from the scheme (`https://host/repo`,
 * `ssh://user@host/repo`), `file:///path` for `git+file`.
 *
 * @since 0.1.0
 * @category getters
 */
export const cloneUrl = (scm: ScmUrl): string => remote(scm, scm.repository)

/**
 * Where the checkout goes (Koji's `checkout_path`, the repository's base name
 * without `.git`) and the repository of Koji's `common` checkout beside it
 * (`<dir>/common`, `<dir>/common.git` for a bare `.git` repository,
 * `<dir>/common/.git` for a `/.git` one).
 *
 * @since 0.1.0
 * @category getters
 */
export const layout = (scm: ScmUrl): { readonly checkoutPath: string; readonly commonRepository: string } => {
  const repo = scm.repository
  if (repo.endsWith("/.git")) {
    const base = repo.slice(0, -5)
    return { checkoutPath: path.posix.basename(base), commonRepository: path.posix.join(path.posix.dirname(base), "common/.git") }
  }
  if (repo.endsWith(".git")) {
    const base = repo.slice(0, -4)
    return { checkoutPath: path.posix.basename(base), commonRepository: path.posix.join(path.posix.dirname(base), "common.git") }
  }
  return { checkoutPath: path.posix.basename(repo), commonRepository: path.posix.join(path.posix.dirname(repo), "common") }
}

/**
 * The clone URL of the `common` repository (see `layout`).
 *
 * @since 0.1.0
 * @category getters
 */
export const commonCloneUrl = (scm: ScmUrl): string => remote(scm, layout(scm).commonRepository)

/**
 * Koji's `get_source`: the URL with the revision replaced by the resolved commit
 * (stored as the build's `source`). The user stays (so the source can be checked
 * out again), a password never does.
 *
 * @since 0.1.0
 * @category getters
 */
export const sourceUrl = (scm: ScmUrl, commit: string): string => {
  const user = scm.user === null ? "" : `${scm.user.split(":")[0]}@`
  const module = scm.module === "" ? "" : `?${scm.module}`
  return `${scm.scheme}${user}${scm.host}${scm.repository}${module}#${commit}`
}

/**
 * Koji's `build_from_scm` policy data for the URL (`scm_url`, `scm_scheme`,
 * `scm_user`, `scm_host`, `scm_repository`, `scm_module`, `scm_revision`,
 * `scm_type`); the builder adds `user_id`, `channel` and `scratch`.
 *
 * @since 0.1.0
 * @category getters
 */
export const policyData = (scm: ScmUrl): {
  readonly scm_url: string
  readonly scm_scheme: string
  readonly scm_user: string | null
  readonly scm_host: string
  readonly scm_repository: string
  readonly scm_module: string
  readonly scm_revision: string
  readonly scm_type: string
} => ({
  scm_url: scm.url,
  scm_scheme: scm.scheme,
  scm_user: scm.user,
  scm_host: scm.host,
  scm_repository: scm.repository,
  scm_module: scm.module,
  scm_revision: scm.revision,
  scm_type: scm.scmtype
})
