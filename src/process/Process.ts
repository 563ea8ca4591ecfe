/**
 * Running a tool (git, rpmbuild, bwrap, mock, rpm) the way a builder must:
 * an argument array (never a shell), a clean environment when asked, a time
 * limit that kills the whole process group, the output appended to a log file
 * as it comes, and the last lines kept for the error message.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Schema } from "effect"
import { spawn } from "node:child_process"
import { createWriteStream } from "node:fs"

/**
 * A command failed: it could not start, exited non-zero, or ran past its time limit.
 * `message` ends with the last lines of its output.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProcessError extends Schema.TaggedError<ProcessError>()("ProcessError", {
  command: Schema.String,
  message: Schema.String,
  exitCode: Schema.NullOr(Schema.Int),
  timedOut: Schema.Boolean,
  /** The process could not start (ENOENT: the tool is not installed). */
  missing: Schema.Boolean
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  readonly cwd?: string | undefined
  /** The whole environment (nothing inherited); the parent's environment when absent. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Kill the process group after this long. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Append the command line and its output (stdout and stderr) to this file as they come. */
  readonly logFile?: string | undefined
  /** Send stdout here instead (a file, truncated first); stderr still goes to the log. */
  readonly stdoutFile?: string | undefined
  /** How many bytes of output to keep for the answer and the error message (default 16 KiB). */
  readonly keep?: number | undefined
}

/**
 * What a finished command printed (its last `keep` bytes, stdout and stderr interleaved).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly output: string
}

const lastLines = (text: string, n: number) => text.trimEnd().split("\n").slice(-n).join("\n")

/**
 * Run `command` with `args`; fails with `ProcessError` unless it exits 0 in time.
 * Interrupting the effect kills the process group.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<RunResult, ProcessError> =>
  Effect.async<RunResult, ProcessError>((resume) => {
    const keep = options.keep ?? 16_384
    const line = [command, ...args].join(" ")
    const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: "a" })
    log?.write(`$ ${line}\n`)
    let tail = ""
    const collect = (chunk: Buffer) => {
      log?.write(chunk)
      tail = (tail + chunk.toString("utf8")).slice(-keep)
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env === undefined ? process.env : { ...options.env },
      stdio: ["ignore", options.stdoutFile === undefined ? "pipe" : "pipe", "pipe"],
      detached: true
    })
    const out = options.stdoutFile === undefined ? undefined : createWriteStream(options.stdoutFile)
    if (out !== undefined) child.stdout?.pipe(out)
    else child.stdout?.on("data", collect)
    child.stderr?.on("data", collect)
    let timedOut = false
    let finished = false
    const kill = () => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
    }
    const timer = options.timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true
      kill()
    }, Duration.toMillis(Duration.decode(options.timeout)))
    const done = (result: Effect.Effect<RunResult, ProcessError>) => {
      if (finished) return
      finished = true
      if (timer !== undefined) clearTimeout(timer)
      const end = () => resume(result)
      if (log === undefined) end()
      else log.end(end)
    }
    child.on("error", (error: NodeJS.ErrnoException) =>
      done(Effect.fail(
        new ProcessError({
          command: line,
          message: error.code === "ENOENT" ? `${command}: not found` : `${command}: ${error.message}`,
          exitCode: null,
          timedOut: false,
          missing: error.code === "ENOENT"
        })
      )))
    child.on("close", (code, signal) => {
      const finish = () => {
        log?.write(timedOut ? `(timed out)\n` : code === 0 ? "" : `(exit ${code ?? signal})\n`)
        if (code === 0 && !timedOut) return done(Effect.succeed({ output: tail }))
        const reason = timedOut
          ? `${command} timed out after ${Duration.format(Duration.decode(options.timeout!))}`
          : `${command} failed (${code !== null ? `exit code ${code}` : `signal ${signal}`})`
        const detail = lastLines(tail, 15)
        done(Effect.fail(
          new ProcessError({
            command: line,
            message: detail === "" ? reason : `${reason}:\n${detail}`,
            exitCode: code,
            timedOut,
            missing: false
          })
        ))
      }
      if (out === undefined) finish()
      else out.end(finish)
    })
    return Effect.sync(kill)
  })
