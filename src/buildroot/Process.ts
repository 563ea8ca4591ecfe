/**
 * Running the buildroot tools: a command spawned from an argument array (never a shell), its
 * stdout and stderr appended to a log file as they come, a time limit that kills its whole
 * process group, and the last lines of its output kept for the error message. Also the log
 * helpers (`root.log` lines) and the look-up of a tool on `PATH`.
 *
 * @since 0.1.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Duration, Effect } from "effect"
import { BuildrootError, type BuildrootOptions, type Root } from "./Backend.js"

/**
 * How a command ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  /** The exit status, or null when a signal ended it. */
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  /** It ran past its time limit and was killed. */
  readonly timedOut: boolean
  /** Its last output lines (stdout and stderr, in the order they came). */
  readonly tail: ReadonlyArray<string>
}

/**
 * What to run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** The whole environment of the command (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Appended with the command's stdout and stderr as they come. */
  readonly log: string
  readonly timeout: Duration.Duration
  /** How many output lines to keep (default 20). */
  readonly tailLines?: number | undefined
}

const TAIL_BYTES = 64 * 1024

const lastLines = (text: string, n: number): Array<string> =>
  text.split("\n").map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-n)

/**
 * Run a command to its end (or its time limit); a failure to start it is a `BuildrootError`.
 * Interrupting the effect kills the command's process group.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (options: RunOptions): Effect.Effect<Outcome, BuildrootError> =>
  Effect.async<Outcome, BuildrootError>((resume) => {
    const out = Fs.createWriteStream(options.log, { flags: "a" })
    let tail = ""
    let timedOut = false
    let done = false
    let child: ChildProcess.ChildProcess
    const killGroup = () => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    try {
      child = ChildProcess.spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: { ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
        // its own process group, so the time limit kills everything it started
        detached: true
      })
    } catch (e) {
      out.end()
      resume(Effect.fail(new BuildrootError({ message: `cannot run ${options.command}: ${String(e)}`, log: "root.log" })))
      return
    }
    const onData = (chunk: Buffer) => {
      out.write(chunk)
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_BYTES)
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, Math.max(1, Duration.toMillis(options.timeout)))
    const finish = (outcome: Effect.Effect<Outcome, BuildrootError>) => {
      if (done) return
      done = true
      clearTimeout(timer)
      out.end(() => resume(outcome))
    }
    child.on("error", (e) =>
      finish(Effect.fail(new BuildrootError({ message: `cannot run ${options.command}: ${e.message}`, log: "root.log" }))))
    child.on("close", (exitCode, signal) =>
      finish(Effect.succeed({ exitCode, signal, timedOut, tail: lastLines(tail, options.tailLines ?? 20) })))
    return Effect.sync(() => {
      done = true
      clearTimeout(timer)
      killGroup()
      out.end()
    })
  })

/**
 * Run a command quietly and answer its stdout (for tool versions and queries); undefined when it
 * cannot run or fails.
 *
 * @since 0.1.0
 * @category constructors
 */
export const capture = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>
): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    const child = ChildProcess.execFile(command, [...args], { env: { ...env }, timeout: 30_000 }, (error, stdout) =>
      resume(Effect.succeed(error ? undefined : stdout)))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/**
 * Append a timestamped line to a log (mock's `root.log` style: `2026-11-26 03:42:40,123 - text`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const logLine = (file: string, text: string): Effect.Effect<void> =>
  Effect.promise(() => {
    const now = new Date().toISOString().replace("T", " ").replace("Z", "")
    const stamp = `${now.slice(0, 19)},${now.slice(20, 23)}`
    const lines = text.split("\n").map((l) => `${stamp} - ${l}\n`).join("")
    return Fs.promises.appendFile(file, lines)
  })

/**
 * The absolute path of an executable found on `searchPath` (a `PATH` value); undefined when
 * none is there.
 *
 * @since 0.1.0
 * @category constructors
 */
export const which = (name: string, searchPath: string): Effect.Effect<string | undefined> =>
  Effect.promise(async () => {
    for (const dir of searchPath.split(Path.delimiter)) {
      if (dir.length === 0) continue
      const candidate = Path.join(dir, name)
      try {
        const stat = await Fs.promises.stat(candidate)
        if (!stat.isFile()) continue
        await Fs.promises.access(candidate, Fs.constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
    return undefined
  })

/**
 * Quote one argument for a log line (the command is never run through a shell).
 *
 * @since 0.1.0
 * @category constructors
 */
export const quote = (arg: string): string => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`

/**
 * A file-system step of a buildroot; its failure is a `BuildrootError` naming the step (see root.log).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fsTry = <A>(what: string, f: () => Promise<A>): Effect.Effect<A, BuildrootError> =>
  Effect.tryPromise({
    try: f,
    catch: (e) => new BuildrootError({ message: `${what}: ${e instanceof Error ? e.message : String(e)}`, log: "root.log" })
  })

/**
 * The start of every backend's `init`: the log directory made, the `Root` of `backend`, and a
 * writer of `root.log` lines.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openRoot = (
  options: BuildrootOptions,
  backend: string
): Effect.Effect<{ readonly root: Root; readonly log: (text: string) => Effect.Effect<void> }, BuildrootError> =>
  Effect.gen(function*() {
    const logDir = Path.resolve(options.logDir)
    yield* fsTry("cannot make the log directory", () => Fs.promises.mkdir(logDir, { recursive: true }))
    const root: Root = {
      options,
      backend,
      rootLog: Path.join(logDir, "root.log"),
      buildLog: Path.join(logDir, "build.log")
    }
    return { root, log: (text: string) => logLine(root.rootLog, text) }
  })

/**
 * A tool's path on `searchPath`, or a `BuildrootError` naming the Debian package to install
 * (also written to root.log through `log`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const requireTool = (
  name: string,
  pkg: string,
  searchPath: string,
  log: (text: string) => Effect.Effect<void>
): Effect.Effect<string, BuildrootError> =>
  Effect.flatMap(which(name, searchPath), (found) => {
    if (found !== undefined) return Effect.succeed(found)
    const message = `${name} is not installed (install the \`${pkg}\` package)`
    return Effect.zipRight(log(message), Effect.fail(new BuildrootError({ message, log: "root.log" })))
  })

/**
 * What a backend keeps about each root it made: `set` at `init`, `get` in its later steps (a
 * `BuildrootError` for a root another backend made).
 *
 * @since 0.1.0
 * @category constructors
 */
export const rootStates = <State>(backend: string) => {
  const states = new WeakMap<Root, State>()
  return {
    set: (root: Root, state: State): void => {
      states.set(root, state)
    },
    get: (root: Root): Effect.Effect<State, BuildrootError> => {
      const state = states.get(root)
      return state === undefined
        ? Effect.fail(new BuildrootError({ message: `buildroot ${root.options.id} was not made by the ${backend} backend` }))
        : Effect.succeed(state)
    }
  }
}
