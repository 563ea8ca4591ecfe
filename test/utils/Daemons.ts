/**
 * An app (`apps/*`) in its own process as an operator runs it: started with its settings in the
 * environment, ready once it prints `koji-ts ready at URL`, stopped with SIGTERM.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

// this process's environment with `KOJI_HTTP_PORT=0` and `env` over it (`undefined` removes a variable)
const environment = (env: Record<string, string | undefined>) => {
  const all: Record<string, string | undefined> = { ...process.env, KOJI_HTTP_PORT: "0", ...env }
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined))
}

/** A started app: its process, its URL, what it printed so far. */
export interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
}

/** Stop `child` with SIGTERM; answers its exit code. */
export const stop = (child: ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
    child.kill("SIGTERM")
  })

/**
 * Run `node --import tsx <main>` (as `npm start` runs the all-in-one; directly, so that signals
 * reach it) with `env` over this process's environment and `KOJI_HTTP_PORT=0` (a variable set
 * to `undefined` is removed); stopped with the scope.
 */
export const start = (main: string, env: Record<string, string | undefined> = {}) =>
  Effect.acquireRelease(
    Effect.async<Started, Error>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", main], {
        cwd: root,
        env: environment(env),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      const collect = (chunk: Buffer) => {
        out += chunk.toString()
        const match = /koji-ts ready at (\S+)/.exec(out)
        if (match) resume(Effect.succeed({ child, url: match[1]!, output: () => out }))
      }
      child.stdout!.on("data", collect)
      child.stderr!.on("data", collect)
      child.on("exit", (code) => resume(Effect.fail(new Error(`exited with ${code} before ready:\n${out}`))))
    }).pipe(Effect.timeout("90 seconds")),
    ({ child }) => stop(child)
  )

/** `main` run to its end (an app that refuses its settings): its exit code and output. */
export const runToEnd = (main: string, env: Record<string, string | undefined> = {}) =>
  Effect.async<{ readonly code: number | null; readonly output: string }>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      cwd: root,
      env: environment(env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => out += chunk.toString())
    child.stderr!.on("data", (chunk: Buffer) => out += chunk.toString())
    child.on("exit", (code) => resume(Effect.succeed({ code, output: out })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })
