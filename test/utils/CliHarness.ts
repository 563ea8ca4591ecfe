/**
 * The harness of the CLI tests: a hub (PGlite unless told otherwise) served over HTTP,
 * its URL in `HubUrl`; a home and an /etc of the test file's own, removed after it, with
 * Koji's config files in them; the `koji-ts` binary as a subprocess and the CLI's entry
 * (`Cli.run`) in this process, both answering a `Result`.
 *
 *   import { harness, HubUrl, hubLayer, ok } from "./utils/CliHarness.js"
 *
 *   const { bin, koji, writeConfigs } = harness("koji-cli-x")
 *   layer(hubLayer(), { excludeTestServices: true })("...", (it) => {
 *     it.scoped("...", () => Effect.gen(function*() {
 *       const url = yield* HubUrl
 *       ok(yield* koji("version"))
 *     }))
 *   })
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, expect } from "@effect/vitest"
import { type Console, Context, Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "../../src/cli/Cli.js"
import * as KojiClient from "../../src/client/KojiClient.js"
import type * as Database from "../../src/db/Database.js"
import * as Bootstrap from "../../src/hub/Bootstrap.js"
import * as Hub from "../../src/hub/Hub.js"
import * as HubConfig from "../../src/hub/HubConfig.js"
import * as Server from "../../src/rpc/Server.js"
import * as TestDatabases from "./Databases.js"
import * as TestHub from "./Hub.js"
import * as FileStore from "../../src/storage/FileStore.js"

/**
 * The checkout (the subprocesses' working directory).
 *
 * @since 0.1.0
 * @category constants
 */
export const root = fileURLToPath(new URL("../..", import.meta.url))

/**
 * The bundled binary, `apps/cli/bin.mjs`.
 *
 * @since 0.1.0
 * @category constants
 */
export const binPath = Path.join(root, "apps", "cli", "bin.mjs")

/**
 * The binary's source entry, `apps/cli/main.ts` (run through tsx).
 *
 * @since 0.1.0
 * @category constants
 */
export const mainPath = Path.join(root, "apps", "cli", "main.ts")

// ---------------------------------------------------------------------------------------------
// the hub, over HTTP; its URL in a tag

/**
 * The URL of the hub under test (`${url}/api`, `${url}/kojihub`).
 *
 * @since 0.1.0
 * @category tags
 */
export class HubUrl extends Context.Tag("test/CliHarness/HubUrl")<HubUrl, string>() {}

/**
 * A hub (with its admin) on `database`, served over HTTP: `TestHub.Clients` over `/api`,
 * and its URL in `HubUrl`.
 *
 * @since 0.1.0
 * @category layers
 */
export const hubLayer = (
  database: Layer.Layer<Database.Database> = TestDatabases.pgliteMigrated(),
  settings: Partial<HubConfig.HubConfigShape> = {}
) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const url = yield* Server.url
    return Layer.mergeAll(
      Layer.succeed(TestHub.Clients, { transport: "http" as const, make: KojiClient.makeHttp({ url: `${url}/api` }) }),
      Layer.succeed(HubUrl, url)
    )
  })).pipe(
    Layer.provide(Server.layer({ host: "127.0.0.1", port: 0 })),
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    Layer.provideMerge(HubConfig.layer(settings)),
    Layer.provideMerge(FileStore.layerMemory),
    Layer.provideMerge(database),
    Layer.orDie
  )

// ---------------------------------------------------------------------------------------------
// the CLI, in a home and /etc of our own

/**
 * What a run of the CLI left: its exit code and what it printed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * How to start the binary: from its source through tsx instead of the bundle; more
 * environment variables.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnOptions {
  readonly tsx?: boolean
  readonly env?: Record<string, string>
}

/**
 * The CLI of one test file, in that file's home and /etc.
 *
 * @since 0.1.0
 * @category models
 */
export interface Harness {
  /** `HOME` of the CLI. */
  readonly home: string
  /** `KOJI_SYSCONFDIR` of the CLI (its /etc). */
  readonly etc: string
  /** A subprocess's environment: this process's, with the home, /etc and `TZ=UTC`. */
  readonly childEnv: (extra?: Record<string, string>) => NodeJS.ProcessEnv
  /** The options of an in-process run (`Cli.run`): the home and /etc, no terminal, profile `koji`. */
  readonly runOptions: Cli.RunOptions
  /** Writes `/etc/koji.conf` and `~/.koji/config`. */
  readonly writeConfigs: (files: { readonly system: string; readonly user: string }) => void
  /** The binary as a subprocess. */
  readonly spawn: (args: ReadonlyArray<string>, options?: SpawnOptions) => Effect.Effect<Result>
  /** `koji-ts args...` as a subprocess (each word one argument). */
  readonly bin: (...args: ReadonlyArray<string>) => Effect.Effect<Result>
  /** Several independent command lines at once, each its own process. */
  readonly binAll: (...lines: ReadonlyArray<ReadonlyArray<string>>) => Effect.Effect<Array<Result>>
  /** The CLI in this process through the binary's entry (`Cli.run`), capturing what it prints. */
  readonly run: (args: ReadonlyArray<string>, options?: Cli.RunOptions) => Effect.Effect<Result>
  /** `koji-ts args...`, in process. */
  readonly koji: (...args: ReadonlyArray<string>) => Effect.Effect<Result>
  /** Several independent command lines at once, in process. */
  readonly kojiAll: (...lines: ReadonlyArray<ReadonlyArray<string>>) => Effect.Effect<Array<Result>>
}

/**
 * The CLI of a test file: a home and an /etc made now (`${prefix}-home-*`, `${prefix}-etc-*`
 * under the system's temporary directory) and removed after the file; `concurrency` is how
 * many command lines `binAll` and `kojiAll` run at once (default 4).
 *
 * @since 0.1.0
 * @category constructors
 */
export const harness = (prefix: string, options: { readonly concurrency?: number } = {}): Harness => {
  const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), `${prefix}-home-`))
  const etc = Fs.mkdtempSync(Path.join(Os.tmpdir(), `${prefix}-etc-`))
  afterAll(() => {
    Fs.rmSync(home, { recursive: true, force: true })
    Fs.rmSync(etc, { recursive: true, force: true })
  })
  const concurrency = options.concurrency ?? 4

  const childEnv = (extra: Record<string, string> = {}) => ({ ...process.env, HOME: home, KOJI_SYSCONFDIR: etc, TZ: "UTC", ...extra })

  const spawnCli = (args: ReadonlyArray<string>, spawnOptions: SpawnOptions = {}) =>
    Effect.async<Result>((resume) => {
      const argv = spawnOptions.tsx === true ? ["--import", "tsx", mainPath, ...args] : [binPath, ...args]
      const child = spawn(process.execPath, argv, { cwd: root, env: childEnv(spawnOptions.env), stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk) => stdout += chunk)
      child.stderr.on("data", (chunk) => stderr += chunk)
      child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    })

  const runOptions: Cli.RunOptions = { env: { HOME: home, KOJI_SYSCONFDIR: etc }, isTTY: false, defaultProfile: "koji" }

  const run = (args: ReadonlyArray<string>, runWith: Cli.RunOptions = {}) =>
    Effect.gen(function*() {
      let stdout = ""
      let stderr = ""
      const base = yield* Effect.console
      const capture: Console.Console = {
        ...base,
        log: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void (stdout += `${parts.join(" ")}\n`)),
        error: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void (stderr += `${parts.join(" ")}\n`))
      }
      const code = yield* Cli.run(["node", "koji-ts", ...args], { ...runOptions, ...runWith }).pipe(
        Effect.withConsole(capture),
        Effect.provide(NodeContext.layer)
      )
      return { code, stdout, stderr } satisfies Result
    })

  return {
    home,
    etc,
    childEnv,
    runOptions,
    writeConfigs: ({ system, user }) => {
      Fs.mkdirSync(Path.join(home, ".koji"), { recursive: true })
      Fs.writeFileSync(Path.join(etc, "koji.conf"), system)
      Fs.writeFileSync(Path.join(home, ".koji", "config"), user)
    },
    spawn: spawnCli,
    bin: (...args) => spawnCli(args),
    binAll: (...lines) => Effect.all(lines.map((line) => spawnCli(line)), { concurrency }),
    run,
    koji: (...args) => run(args),
    kojiAll: (...lines) => Effect.all(lines.map((line) => run(line)), { concurrency })
  }
}

// ---------------------------------------------------------------------------------------------
// Koji's config files

/**
 * A profile section of a Koji config file: `[name]`, a `key = value` line a setting, a blank line.
 *
 * @since 0.1.0
 * @category constructors
 */
export const profile = (name: string, settings: Record<string, string | number>) =>
  [`[${name}]`, ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`), ""].join("\n")

/**
 * The `admin` profile: the hub at `url`, a password login as the test hub's admin.
 *
 * @since 0.1.0
 * @category constructors
 */
export const adminProfile = (url: string, extra: Record<string, string | number> = {}) =>
  profile("admin", { server: `${url}/api`, authtype: "password", user: "admin", password: TestHub.adminPassword, ...extra })

// ---------------------------------------------------------------------------------------------
// checks

/**
 * A run that succeeded quietly on stderr, printing `stdout` (the text, or text matching it) when given.
 *
 * @since 0.1.0
 * @category combinators
 */
export const ok = (result: Result, stdout?: string | RegExp) => {
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  if (typeof stdout === "string") expect(result.stdout).toBe(stdout)
  else if (stdout !== undefined) expect(result.stdout).toMatch(stdout)
}

/**
 * Koji's log line for an uncaught error, the whole of stderr.
 *
 * @since 0.1.0
 * @category constructors
 */
export const faultPattern = (cls: string, message: string) =>
  new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} \\[ERROR\\] koji: ${cls}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n$`)

/**
 * A run that failed with a hub fault: exit code 1 and Koji's one log line.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fault = (result: Result, cls: string, message: string) => {
  expect(result.code).toBe(1)
  expect(result.stderr).toMatch(faultPattern(cls, message))
}
