/**
 * The `koji-ts` command line: Koji's CLI on `@effect/cli`.
 *
 * ```sh
 * koji-ts [global-options] command [command-options-and-arguments]
 * koji-ts -p stg list-hosts --enabled
 * koji-ts call getUser admin --json-output
 * ```
 *
 * Koji's global options and config files (see `Config`), Koji's commands with
 * their options and output, `call` and `list-api` generated from the API
 * definitions, and Koji's exit codes: 0 on success, 1 for a fault, an `error()`,
 * an unknown command or Ctrl-C, 2 for an option error. A fault prints Koji's
 * one-line log record (`... [ERROR] koji: GenericError: message`); `--debug`
 * adds the whole cause.
 *
 * `run` takes the API group and the transport as parameters, so that a method
 * added to the API is callable and listed with no CLI change, and tests can
 * plug in their own hub.
 *
 * @since 0.1.0
 */
import { Args, type CliApp, CliConfig, Command, Options, ValidationError } from "@effect/cli"
import { Cause, Effect, Exit, Option } from "effect"
import * as Path from "node:path"
import { KojiApi } from "../api/Api.js"
import type * as Errors from "../domain/Errors.js"
import * as BuildPipeline from "./commands/BuildPipeline.js"
import * as Buildroots from "./commands/Buildroots.js"
import * as Builds from "./commands/Builds.js"
import * as Core from "./commands/Core.js"
import * as Downloads from "./commands/Downloads.js"
import * as Hosts from "./commands/Hosts.js"
import * as Packages from "./commands/Packages.js"
import * as Scheduler from "./commands/Scheduler.js"
import * as Tags from "./commands/Tags.js"
import * as Tasks from "./commands/Tasks.js"
import * as Users from "./commands/Users.js"
import * as Config from "./Config.js"
import * as Connection from "./Connection.js"
import * as Format from "./Format.js"
import * as Handler from "./Handler.js"
import { type CliError, type Environment, errorLine, print, Session, type Settings } from "./Session.js"
import * as SessionModule from "./Session.js"

/**
 * How to run the CLI; every field has a default for the real program.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** The methods `call` and `list-api` know (default `KojiApi`). */
  readonly api?: Connection.Api | undefined
  /** The transport (default: by URL, `Connection.connect`). */
  readonly connect?: Connection.Connector | undefined
  /** The environment for the config locations (`HOME`, `KOJI_SYSCONFDIR`); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Whether standard input is a terminal (default `process.stdin.isTTY`). */
  readonly isTTY?: boolean | undefined
  /** More commands (the areas that come later add theirs). */
  readonly commands?: ReadonlyArray<Handler.Spec> | undefined
  /** The profile used without `--profile` (default: Koji's rule, the program's name, `koji` for koji-ts). */
  readonly defaultProfile?: string | undefined
}

/**
 * The commands of this version.
 *
 * @since 0.1.0
 * @category commands
 */
export const builtinCommands: ReadonlyArray<Handler.Spec> = [
  ...Core.commands,
  ...Users.commands,
  ...Hosts.commands,
  ...Tasks.commands,
  ...Scheduler.commands,
  ...Tags.commands,
  ...Packages.commands,
  ...Builds.commands,
  ...Buildroots.commands,
  ...BuildPipeline.commands,
  ...Downloads.commands
]

const progname = "koji-ts"

const rootUsage = (names: ReadonlySet<string>) => {
  const common = ["build", "help", "download-build", "latest-build", "search", "list-targets"].filter((n) => names.has(n))
    .sort()
  return `[global-options] command [command-options-and-arguments]\n\nCommon commands: ${common.join(", ")}`
}

const epilog = [
  `Try "${progname} --help" for help about global options`,
  `Try "${progname} help" to get all available commands`,
  `Try "${progname} <command> --help" for help about the options of a particular command`,
  `Try "${progname} help <category>" to get commands under a particular category`,
  `Available categories are: ${["all", ...Object.keys(Handler.categories)].sort().join(", ")}`
].join("\n")

/**
 * Koji's command list (`koji help`), by category.
 *
 * @since 0.1.0
 * @category formatting
 */
export const commandList = (specs: ReadonlyArray<Handler.Spec>, chosen?: ReadonlyArray<string>): string => {
  const all = Object.keys(Handler.categories) as Array<Handler.Category>
  const categories = chosen === undefined || chosen.includes("all")
    ? all
    : all.filter((c) => chosen.includes(c))
  const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const lines = ["Available commands:"]
  for (const category of [...categories].sort()) {
    lines.push("", `${Handler.categories[category]}:`)
    for (const spec of sorted) {
      if (spec.category === category) lines.push(`        ${Format.ljust(spec.name, 25)} ${spec.summary}`)
    }
  }
  lines.push("", epilog)
  return lines.join("\n")
}

const helpCommand = (specs: () => ReadonlyArray<Handler.Spec>) =>
  Handler.make("help", {
    category: "info",
    summary: "List available commands",
    usage: "help <category> ..."
  }, {
    admin: Options.boolean("admin").pipe(Options.withDescription("Same as: help admin")),
    categories: Args.text({ name: "category" }).pipe(Args.repeated)
  }, (options) =>
    Effect.gen(function*() {
      const chosen = new Set(options.categories)
      if (options.admin) chosen.add("admin")
      const known = new Set(["all", ...Object.keys(Handler.categories)])
      for (const c of chosen) if (!known.has(c)) yield* print(`No such help category: ${c}`)
      yield* print(commandList(specs(), chosen.size === 0 ? undefined : [...chosen]))
    }))

const aliases: Readonly<Record<string, string>> = {
  "cancel-task": "cancel",
  cxl: "cancel",
  "list-commands": "help",
  "move-pkg": "move-build",
  move: "move-build",
  "latest-pkg": "latest-build",
  "tag-pkg": "tag-build",
  tag: "tag-build",
  "untag-pkg": "untag-build",
  untag: "untag-build",
  "watch-tasks": "watch-task"
}

const valueOptions = new Set([
  "-p",
  "--profile",
  "-c",
  "--config",
  "--keytab",
  "--principal",
  "--cert",
  "--runas",
  "--user",
  "--password",
  "--authtype",
  "-s",
  "--server",
  "--topdir",
  "--weburl",
  "--topurl",
  "--completions",
  "--log-level"
])

/**
 * Where the command word is in `args` (after the global options), if any.
 *
 * @since 0.1.0
 * @category combinators
 */
export const commandIndex = (args: ReadonlyArray<string>): number | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return i + 1 < args.length ? i + 1 : undefined
    if (arg.startsWith("-") && arg !== "-") {
      if (valueOptions.has(arg)) i++
      continue
    }
    return i
  }
  return undefined
}

const globalOptions = {
  profile: Options.text("profile").pipe(
    Options.withAlias("p"),
    Options.optional,
    Options.withDescription("specify a configuration profile. default: koji")
  ),
  config: Options.text("config").pipe(
    Options.withAlias("c"),
    Options.withPseudoName("FILE"),
    Options.optional,
    Options.withDescription("load profile's settings from another file. Use with --profile.")
  ),
  keytab: Options.text("keytab").pipe(
    Options.withPseudoName("FILE"),
    Options.optional,
    Options.withDescription("specify a Kerberos keytab to use (Kerberos is not supported by koji-ts)")
  ),
  principal: Options.text("principal").pipe(
    Options.optional,
    Options.withDescription("specify a Kerberos principal to use (Kerberos is not supported by koji-ts)")
  ),
  cert: Options.text("cert").pipe(
    Options.withPseudoName("FILE"),
    Options.optional,
    Options.withDescription("specify a SSL cert to use")
  ),
  runas: Options.text("runas").pipe(
    Options.optional,
    Options.withDescription("run as the specified user (requires special privileges)")
  ),
  user: Options.text("user").pipe(Options.optional, Options.withDescription("specify user")),
  password: Options.text("password").pipe(
    Options.optional,
    Options.withDescription("specify password (asked for on a terminal when needed and not given)")
  ),
  noauth: Options.boolean("noauth").pipe(Options.withDescription("do not authenticate")),
  forceAuth: Options.boolean("force-auth").pipe(Options.withDescription("authenticate even for read-only operations")),
  authtype: Options.choice("authtype", ["noauth", "ssl", "password", "kerberos"]).pipe(
    Options.optional,
    Options.withDescription("force use of a type of authentication, options: noauth, ssl, password, or kerberos")
  ),
  debug: Options.boolean("debug").pipe(Options.withAlias("d"), Options.withDescription("show debug output")),
  debugXmlrpc: Options.boolean("debug-xmlrpc").pipe(Options.withDescription("show xmlrpc debug output")),
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("run quietly")),
  server: Options.text("server").pipe(Options.withAlias("s"), Options.optional, Options.withDescription("url of XMLRPC server")),
  topdir: Options.text("topdir").pipe(Options.optional, Options.withDescription("specify topdir")),
  weburl: Options.text("weburl").pipe(Options.optional, Options.withDescription("url of the Koji web interface")),
  topurl: Options.text("topurl").pipe(Options.optional, Options.withDescription("url for Koji file access"))
}

const globalFlags = Handler.booleanFlags(globalOptions)

type Globals = Command.Command.ParseConfig<typeof globalOptions>

/**
 * The settings of a run: the profile's, overridden by the global options given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const settingsOf = (
  globals: Globals,
  env: Readonly<Record<string, string | undefined>>,
  defaultProfile = "koji"
): Effect.Effect<Settings, Config.ConfigurationError> =>
  Effect.gen(function*() {
    const locations = Config.locationsFrom(env)
    const profile = yield* Config.read({
      profile: Option.getOrElse(globals.profile, () => defaultProfile),
      configFile: Option.getOrUndefined(globals.config),
      locations,
      // Koji requires the profile's section; koji-ts lets the default profile fall back to Koji's defaults
      required: Option.isSome(globals.profile) || Option.isSome(globals.config)
    })
    const pick = <A>(given: Option.Option<A>, fallback: A): A => Option.getOrElse(given, () => fallback)
    const expand = (path: string) => Config.expandUser(path, locations.home)
    return {
      ...profile,
      server: pick(globals.server, profile.server),
      weburl: pick(globals.weburl, profile.weburl),
      topurl: pick(globals.topurl, profile.topurl),
      topdir: expand(pick(globals.topdir, profile.topdir)),
      cert: expand(pick(globals.cert, profile.cert)),
      principal: pick(globals.principal, profile.principal),
      keytab: pick(globals.keytab, profile.keytab),
      authtype: pick(globals.authtype as Option.Option<string>, profile.authtype),
      user: pick(globals.user, profile.user),
      password: pick(globals.password, profile.password),
      debug: globals.debug || profile.debug,
      debug_xmlrpc: globals.debugXmlrpc || profile.debug_xmlrpc,
      force_auth: globals.forceAuth || profile.force_auth,
      noauth: globals.noauth,
      quiet: globals.quiet,
      runas: Option.getOrNull(globals.runas)
    }
  })

/**
 * The command tree for an environment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  environment: Environment,
  env: Readonly<Record<string, string | undefined>>,
  specs: ReadonlyArray<Handler.Spec>,
  state: { debug: boolean },
  profile: string = defaultProfile()
) => {
  const root = Command.make(progname, globalOptions, () => print(commandList(specs))).pipe(
    Command.withDescription(`usage: ${progname} ${rootUsage(new Set(specs.map((s) => s.name)))}\n\n${epilog}`)
  )
  const [first, ...rest] = specs.map((s) => s.command)
  return root.pipe(
    Command.withSubcommands([first!, ...rest]),
    Command.provideEffect(Session, (globals) =>
      Effect.gen(function*() {
        const settings = yield* settingsOf(globals, env, profile)
        state.debug = settings.debug
        return yield* SessionModule.make(settings, environment)
      }))
  )
}

/**
 * Koji's default profile: the program's name (so that a `stg-koji` link reads `[stg-koji]`);
 * `koji-ts` and its launchers answer to `koji`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultProfile = (): string => {
  const base = Path.basename(process.argv[1] ?? "koji").replace(/\.(m?js|ts)$/, "")
  return ["koji-ts", "bin", "main", "cli", "koji", ""].includes(base) ? "koji" : base
}

const usageText = (usage: string, root = false) =>
  `Usage: ${progname} ${usage}\n${root ? "" : "(Specify the --help global option for a list of other help options)\n"}`

const faultLine = (e: Errors.AnyFault): string =>
  e._tag === "Fault"
    ? errorLine("Fault", `<Fault ${(e as Errors.Fault).faultCode}: ${Format.repr(e.message)}>`)
    : errorLine(e._tag, e.message)

/**
 * Print what a run ended with, Koji's way, and answer the exit code.
 *
 * @since 0.1.0
 * @category combinators
 */
export const report = (
  exit: Exit.Exit<void, CliError | ValidationError.ValidationError>,
  options: { readonly debug: boolean; readonly rootUsage: string }
): Effect.Effect<number> =>
  Effect.gen(function*() {
    if (Exit.isSuccess(exit)) return 0
    const cause = exit.cause
    const detail = options.debug ? Effect.sync(() => Cause.pretty(cause)).pipe(Effect.flatMap(SessionModule.warn)) : Effect.void
    const failure = Cause.failureOption(cause)
    if (Option.isNone(failure)) {
      if (Cause.isInterruptedOnly(cause)) return 1
      const defect = Option.getOrUndefined(Cause.dieOption(cause))
      const name = defect instanceof Error ? defect.name : "Error"
      const message = defect instanceof Error ? defect.message : String(defect)
      yield* SessionModule.warn(errorLine(name, message))
      yield* detail
      return 1
    }
    const e = failure.value
    if (ValidationError.isValidationError(e)) {
      // @effect/cli has printed the problem (or the help)
      if (e._tag === "HelpRequested") return 0
      return e._tag === "CommandMismatch" ? 1 : 2
    }
    switch (e._tag) {
      case "CliExit": {
        if (e.message !== undefined && e.message !== "") yield* SessionModule.warn(e.message)
        return e.code
      }
      case "UsageError": {
        yield* SessionModule.warn(`${usageText(e.usage ?? options.rootUsage)}\n${progname}: error: ${e.message}`)
        return 2
      }
      case "ConfigurationError": {
        yield* SessionModule.warn(`${usageText(options.rootUsage, true)}\n${progname}: error: ${e.message}`)
        return 2
      }
      case "ConnectionError": {
        yield* SessionModule.warn("Error: Unable to connect to server")
        if (options.debug) yield* SessionModule.warn(e.message)
        return 1
      }
      default: {
        yield* SessionModule.warn(faultLine(e))
        yield* detail
        return 1
      }
    }
  })

/**
 * Run the CLI on a command line (`process.argv`: the runtime and script, then the arguments).
 * Answers the exit code; never fails.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const env = options.env ?? process.env
    const environment: Environment = {
      api: options.api ?? KojiApi,
      connect: options.connect ?? Connection.connect,
      isTTY: options.isTTY ?? process.stdin.isTTY === true,
      progname
    }
    let specs: ReadonlyArray<Handler.Spec> = []
    specs = [...builtinCommands, ...(options.commands ?? []), helpCommand(() => specs)]
    const names = new Set(specs.map((s) => s.name))
    const args = [...argv.slice(2)]
    const state = { debug: args.includes("-d") || args.includes("--debug") }
    if (args.includes("--wizard") && !environment.isTTY) {
      // the wizard prompts: never without a terminal
      yield* SessionModule.warn(`${progname}: error: --wizard needs a terminal`)
      return 2
    }
    const at = commandIndex(args)
    if (at !== undefined) {
      const word = args[at]!
      const target = aliases[word] ?? (Core.greetings.includes(word.toLowerCase()) ? "moshimoshi" : word)
      if (!names.has(target)) {
        yield* print(commandList(specs))
        yield* SessionModule.warn(SessionModule.logLine(`Unknown command: ${word}`))
        return 1
      }
      args[at] = target
    }
    // boolean flags as `--name=true`, so the word after one stays an argument (`taskinfo -r 1`)
    const spec = at === undefined ? undefined : specs.find((sp) => sp.name === args[at])
    for (let i = 0; i < args.length && args[i] !== "--"; i++) {
      const long = (at !== undefined && i > at ? spec?.flags : globalFlags)?.get(args[i]!)
      if (long !== undefined) args[i] = `${long}=true`
    }
    const cli = make(environment, env, specs, state, options.defaultProfile)
    const exit = yield* Command.run(cli, { name: progname, version: Core.CLIENT_VERSION })([...argv.slice(0, 2), ...args])
      .pipe(
        Effect.scoped,
        Effect.provide(CliConfig.layer({ isCaseSensitive: true, showBuiltIns: true })),
        Effect.exit
      )
    return yield* report(exit, { debug: state.debug, rootUsage: rootUsage(names) })
  })

/**
 * `runMain`'s teardown for `run`: exit with the code it answered (1 when interrupted).
 *
 * @since 0.1.0
 * @category running
 */
export const teardown = <E, A>(exit: Exit.Exit<E, A>, onExit: (code: number) => void): void => {
  onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : 1)
}
