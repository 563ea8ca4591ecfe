/**
 * Checking an SCM URL out with `git`, as Koji's builder does (reference 11):
 *
 *     $ git clone -n -- <clone url> <dir>/<name>
 *     $ git fetch -- origin <rev>:KOJI_FETCH_HEAD        (in <dir>/<name>; `origin/` stripped from rev)
 *     $ git reset --hard KOJI_FETCH_HEAD --
 *       (when the fetch fails, e.g. for a short hash: git reset --hard <rev> --)
 *     $ git clone -- <common url> <dir>/common            (only when useCommon)
 *
 * `<name>` is the repository's base name without `.git` (Koji's layout, so the
 * `common` checkout sits beside it); the source directory is `<dir>/<name>/<module>`,
 * and when `common` is checked out, `<source dir>/../common` links to it.
 *
 * Every command line (`$ ...`) and all its output go through `log` (the task's
 * `checkout.log`). Git runs from an argument array, never a shell, with a clean
 * environment (`PATH`, a fresh empty `HOME`, `GIT_TERMINAL_PROMPT=0`,
 * `GIT_CONFIG_NOSYSTEM=1`, `GIT_ASKPASS=/bin/true`, `LANG=C`, plus `env` given),
 * stdin closed, `-c protocol.file.allow=always` for `git+file` only. The whole
 * checkout has a time limit: when it passes, the process group of the running git
 * is killed and the checkout fails with `checkout ... timed out after ...`.
 *
 * The source directory must exist and must stay inside the checkout once symlinks
 * are resolved (a repository cannot point the build at `/etc`).
 *
 * @since 0.1.0
 */
import { Command, type CommandExecutor, FileSystem } from "@effect/platform"
import { Duration, Effect, Stream } from "effect"
import * as path from "node:path"
import { layout, type ScmUrl, ScmError, cloneUrl, commonCloneUrl, isLocal, sourceUrl } from "./ScmUrl.js"

/**
 * Options of `checkout`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckoutOptions {
  /** The time limit of the whole checkout. */
  readonly timeout: Duration.DurationInput
  /** Receives each command line and all the output (checkout.log). */
  readonly log: (chunk: Uint8Array | string) => Effect.Effect<void>
  /** Variables added to git's clean environment (`GIT_SSH_COMMAND`, `SSH_AUTH_SOCK`, ...). */
  readonly env?: Readonly<Record<string, string>> | undefined
}

/**
 * What a checkout gives.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckoutResult {
  /** `<dir>/<name>`: the git work tree. */
  readonly checkoutDir: string
  /** `<dir>/<name>/<module>`: where the spec file is looked for. */
  readonly sourceDir: string
  /** The full hash of the commit checked out (`git rev-parse HEAD`). */
  readonly commit: string
  /** Koji's `get_source`: the URL with the revision replaced by `commit` (the build's `source`). */
  readonly source: string
  /** The URL as given (Koji keeps it in the build's extra as `source.original_url`). */
  readonly url: string
}

/**
 * Koji's revision for the fetch: `origin/` stripped.
 *
 * @since 0.1.0
 * @category getters
 */
export const fetchRevision = (revision: string): string =>
  revision.startsWith("origin/") ? revision.slice("origin/".length) : revision

/**
 * Check `scm` out under `dir` (created when missing; `<dir>/<name>` must not exist
 * or be empty).
 *
 * @since 0.1.0
 * @category combinators
 */
export const checkout = (
  scm: ScmUrl,
  dir: string,
  options: CheckoutOptions
): Effect.Effect<CheckoutResult, ScmError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> => {
  const fail = (message: string) => new ScmError({ message, url: scm.url })
  const timeout = Duration.decode(options.timeout)
  const run = Effect.gen(function*() {
    if (scm.scmtype === "GIT+SSH" && scm.user === null) {
      return yield* fail(`No user specified for repository access scheme: ${scm.scheme}`)
    }
    const fs = yield* FileSystem.FileSystem
    const io = <A, R>(what: string, effect: Effect.Effect<A, { readonly message: string }, R>) =>
      Effect.mapError(effect, (e) => fail(`${what}: ${e.message}`))
    const home = yield* io("cannot make a home directory for git", fs.makeTempDirectoryScoped({ prefix: "koji-scm-" }))
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: home,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_ASKPASS: "/bin/true",
      SSH_ASKPASS: "/bin/true",
      LANG: "C",
      ...options.env
    }
    const config = isLocal(scm) ? ["-c", "protocol.file.allow=always"] : []

    // one git command: its line and output to the log, or its stdout returned
    const git = (args: ReadonlyArray<string>, cwd: string, mode: "log" | "capture") =>
      Effect.scoped(Effect.gen(function*() {
        const argv = ["git", ...config, ...args]
        if (mode === "log") yield* options.log(`$ ${argv.join(" ")}\n`)
        const proc = yield* Command.make("git", ...config, ...args).pipe(
          Command.workingDirectory(cwd),
          Command.env(env, { extendEnv: false }),
          Command.stdin(Stream.empty),
          Command.start
        )
        // on interruption (the time limit): kill git's whole process group at once
        yield* Effect.addFinalizer(() =>
          Effect.ignore(Effect.flatMap(proc.isRunning, (running) => running ? proc.kill("SIGKILL") : Effect.void))
        )
        const chunks: Array<Uint8Array> = []
        const output = mode === "log"
          ? Stream.runForEach(Stream.merge(proc.stdout, proc.stderr), options.log)
          : Effect.zipRight(
            Stream.runForEach(proc.stdout, (c) => Effect.sync(() => chunks.push(c))),
            Stream.runDrain(proc.stderr),
            { concurrent: true }
          )
        const [code] = yield* Effect.all([proc.exitCode, output], { concurrency: 2 })
        return { code: code as number, argv, stdout: Buffer.concat(chunks).toString("utf8") }
      })).pipe(
        Effect.mapError((e) =>
          fail(
            e._tag === "SystemError" && e.reason === "NotFound" && e.method === "spawn"
              ? "cannot run git: not installed (install the git package)"
              : `cannot run git: ${e.message}`
          )
        )
      )
    const mustRun = (args: ReadonlyArray<string>, cwd: string) =>
      Effect.flatMap(git(args, cwd, "log"), (r) =>
        r.code === 0
          ? Effect.void
          : Effect.fail(fail(`Error running GIT command "${r.argv.join(" ")}" (exit code ${r.code}), see checkout.log for details`)))

    const base = path.resolve(dir)
    yield* io(`cannot make ${base}`, fs.makeDirectory(base, { recursive: true }))
    const { checkoutPath } = layout(scm)
    if (checkoutPath === "" || checkoutPath === "." || checkoutPath === "..") {
      return yield* fail(`cannot name a checkout directory for repository ${scm.repository}`)
    }
    if (scm.useCommon && checkoutPath === "common") {
      return yield* fail(`the repository ${scm.repository} and its common checkout would share ${base}/common`)
    }
    const checkoutDir = path.join(base, checkoutPath)

    yield* mustRun(["clone", "-n", "--", cloneUrl(scm), checkoutDir], base)
    const fetched = yield* git(["fetch", "--", "origin", `${fetchRevision(scm.revision)}:KOJI_FETCH_HEAD`], checkoutDir, "log")
    if (fetched.code === 0) {
      yield* mustRun(["reset", "--hard", "KOJI_FETCH_HEAD", "--"], checkoutDir)
    } else {
      const known = yield* git(["rev-parse", "--verify", "--quiet", `${scm.revision}^{commit}`], checkoutDir, "capture")
      if (known.code !== 0) return yield* fail(`revision ${scm.revision} not found in ${cloneUrl(scm)}`)
      yield* mustRun(["reset", "--hard", scm.revision, "--"], checkoutDir)
    }
    const head = yield* git(["rev-parse", "--verify", "HEAD"], checkoutDir, "capture")
    const commit = head.stdout.trim()
    if (head.code !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
      return yield* fail("Error getting commit hash for git")
    }

    const sourceDir = scm.module === "" ? checkoutDir : path.join(checkoutDir, scm.module)
    const realCheckout = yield* io("cannot resolve the checkout", fs.realPath(checkoutDir))
    const realSource = yield* fs.realPath(sourceDir).pipe(
      Effect.mapError(() => fail(`module ${scm.module} not found in ${scm.url}`))
    )
    if (realSource !== realCheckout && !realSource.startsWith(realCheckout + path.sep)) {
      return yield* fail(`module ${scm.module} leaves the checkout (a symlink to ${realSource})`)
    }
    const info = yield* io("cannot stat the module", fs.stat(realSource))
    if (info.type !== "Directory") return yield* fail(`module ${scm.module} is not a directory in ${scm.url}`)

    if (scm.useCommon) {
      const commonDir = path.join(base, "common")
      yield* mustRun(["clone", "--", commonCloneUrl(scm), commonDir], base)
      const parent = path.dirname(sourceDir)
      const link = path.join(parent, "common")
      const present = yield* fs.exists(link).pipe(Effect.orElseSucceed(() => true))
      const dangling = yield* fs.readLink(link).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
      if (!present && !dangling) {
        yield* io("cannot link common", fs.symlink(path.relative(parent, commonDir), link))
      }
    }

    return { checkoutDir, sourceDir, commit, source: sourceUrl(scm, commit), url: scm.url }
  })
  return Effect.scoped(run).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => fail(`checkout of ${scm.url} timed out after ${Duration.format(timeout)}`)
    })
  )
}
