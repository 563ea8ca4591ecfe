/**
 * One CLI command: its `@effect/cli` definition plus what Koji's CLI knows about
 * it (help category, one-line description, usage line, anonymous or not).
 *
 * @since 0.1.0
 */
import { Args, Command, Options, type Usage } from "@effect/cli"
import { type Terminal } from "@effect/platform"
import { Effect, Option } from "effect"
import { type CliError, Session, UsageError } from "./Session.js"

/**
 * Koji's help categories.
 *
 * @since 0.1.0
 * @category models
 */
export const categories = {
  admin: "admin commands",
  build: "build commands",
  search: "search commands",
  download: "download commands",
  monitor: "monitor commands",
  info: "info commands",
  bind: "bind commands",
  misc: "miscellaneous commands"
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type Category = keyof typeof categories

/**
 * A command of the CLI.
 *
 * @since 0.1.0
 * @category models
 */
export interface Spec {
  readonly name: string
  readonly category: Category
  /** Koji's one-line description (the handler's docstring). */
  readonly summary: string
  /** Koji's usage line after the program name (`add-host [options] <hostname> <arch> [<arch> ...]`). */
  readonly usage: string
  readonly command: Command.Command<string, Session | Terminal.Terminal, CliError, any>
  /** Its boolean flags: each name and alias, to the long name. */
  readonly flags: ReadonlyMap<string, string>
}

/**
 * The boolean flags of a command's options (each name and alias, to the long name).
 * `@effect/cli` would read a word like `1` or `no` after such a flag as its value;
 * Koji's flags take none, so `run` writes them as `--name=true` first.
 *
 * @since 0.1.0
 * @category combinators
 */
export const booleanFlags = (config: unknown): ReadonlyMap<string, string> => {
  const flags = new Map<string, string>()
  const visit = (usage: Usage.Usage): void => {
    switch (usage._tag) {
      case "Named": {
        const long = usage.names.find((n) => n.startsWith("--"))
        if (Option.isNone(usage.acceptedValues) && long !== undefined) for (const n of usage.names) flags.set(n, long)
        return
      }
      case "Optional":
      case "Repeated":
        return visit(usage.usage)
      case "Alternation":
      case "Concat":
        visit(usage.left)
        return visit(usage.right)
      default:
        return
    }
  }
  const walk = (value: unknown): void => {
    if (Options.isOptions(value)) return visit(Options.getUsage(value))
    if (typeof value === "object" && value !== null && !Args.isArgs(value)) Object.values(value).forEach(walk)
  }
  walk(config)
  return flags
}

/**
 * Define a command. `anonymous` commands (Koji's `anon_handle_*`) log in only with
 * `--force-auth`; the others log in when they call `activate`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string, const Config extends Command.Command.Config>(
  name: Name,
  meta: {
    readonly category: Category
    readonly summary: string
    readonly usage: string
    readonly anonymous?: boolean | undefined
    readonly description?: string | undefined
  },
  config: Config,
  handler: (args: Command.Command.ParseConfig<Config>) => Effect.Effect<void, CliError, Session | Terminal.Terminal>
): Spec => {
  const command = Command.make(name, config, (args) =>
    Effect.gen(function*() {
      const session = yield* Session
      yield* session.setAnonymous(meta.anonymous ?? false)
      // Koji logs out after every command
      yield* Effect.ensuring(handler(args as Command.Command.ParseConfig<Config>), session.logout)
    }).pipe(
      Effect.mapError((e): CliError =>
        e._tag === "UsageError" && e.usage === undefined ? new UsageError({ message: e.message, usage: meta.usage }) : e
      )
    )).pipe(
      Command.withDescription(
        [meta.summary, meta.description, `usage: koji-ts ${meta.usage}`].filter((s) => s !== undefined).join("\n\n")
      )
    )
  return {
    name,
    category: meta.category,
    summary: meta.summary,
    usage: meta.usage,
    command: command as unknown as Spec["command"],
    flags: booleanFlags(config)
  }
}
