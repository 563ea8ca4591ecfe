/**
 * The general commands: `moshimoshi` (and its greetings), `version`, and the two
 * generated from the API definitions, `list-api` and `call`.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import * as Method from "../../api/Method.js"
import { KOJI_VERSION } from "../../domain/Constants.js"
import * as Errors from "../../domain/Errors.js"
import * as Arguments from "../../xmlrpc/Arguments.js"
import { invalidMethod } from "../Connection.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import * as Literal from "../Literal.js"
import { print, Session, usageError } from "../Session.js"

/**
 * The koji-ts version of this client.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLIENT_VERSION = "0.1.0"

/**
 * Koji's greetings: any of them as a command runs `moshimoshi`.
 *
 * @since 0.1.0
 * @category constants
 */
export const greetings: ReadonlyArray<string> = [
  "hello",
  "hi",
  "yo",
  "what's up",
  "g'day",
  "back to work",
  "bonjour",
  "hallo",
  "ciao",
  "hola",
  "olá",
  "dobrý den",
  "zdravstvuite",
  "góðan daginn",
  "hej",
  "tervehdys",
  "grüezi",
  "céad míle fáilte",
  "hylô",
  "bună ziua",
  "jó napot",
  "dobre dan",
  "你好",
  "こんにちは",
  "नमस्कार",
  "안녕하세요"
]

/**
 * `moshimoshi`: who you are and which hub you talk to.
 *
 * @since 0.1.0
 * @category commands
 */
export const moshimoshi = Handler.make("moshimoshi", {
  category: "misc",
  summary: "Introduce yourself",
  usage: "moshimoshi [options]",
  description: `Also answers to the greetings: ${greetings.slice(0, 6).join(", ")}, ...`
}, {}, () =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const user: { name: string; authtype?: number } | null = yield* session.call("getLoggedInUser")
    if (user === null) yield* print("Not authenticated")
    const greeting = greetings[Math.floor(Math.random() * greetings.length)]!
    yield* print(`${greeting}, ${user?.name ?? "anonymous user"}!`)
    yield* print("")
    yield* print(`You are using the hub at ${session.settings.server} (Koji ${yield* session.hubVersion})`)
    const authtype = user?.authtype ?? (yield* session.login)?.authtype
    if (authtype === 0) yield* print("Authenticated via password")
    else if (authtype === 3) yield* print("Authenticated via GSSAPI")
    else if (authtype === 1) yield* print("Authenticated via Kerberos principal")
    else if (authtype === 2) yield* print(`Authenticated via client certificate ${session.settings.cert}`)
  }))

/**
 * `version`: the client's and the hub's versions.
 *
 * @since 0.1.0
 * @category commands
 */
export const version = Handler.make("version", {
  category: "misc",
  summary: "Report client and hub versions",
  usage: "version"
}, {}, () =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* print(`Client: ${KOJI_VERSION} (koji-ts ${CLIENT_VERSION})`)
    yield* session.ensureConnection
    const hub = yield* session.hubVersion.pipe(
      Effect.map((v) => `Hub:    ${v}`),
      Effect.catchIf(
        (e) => Errors.isKojiError(e) && e._tag === "GenericError",
        () => Effect.succeed("Hub:    Can't determine (older than 1.23)")
      )
    )
    yield* print(hub)
  }))

const localListApi = (session: Session["Type"]) =>
  [...session.methods.values()].filter(({ info }) => !info.hidden).map(({ info }) => Method.listapiEntry(info))

/**
 * `list-api`: the hub's methods with their arguments and doc, as Koji prints `_listapi`.
 * Over the typed API these are the definitions this CLI was built with (the ones it can call);
 * a transport to a stock Koji hub answers the hub's own list.
 *
 * @since 0.1.0
 * @category commands
 */
export const listApi = Handler.make("list-api", {
  category: "info",
  summary: "Print the list of XML-RPC APIs",
  usage: "list-api [options] [method_name ...]",
  anonymous: true
}, {
  json: Options.boolean("json").pipe(Options.withDescription("Print the list as JSON (the _listapi entries)")),
  methods: Args.text({ name: "method_name" }).pipe(Args.repeated)
}, ({ json, methods }) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    const connection = yield* session.connection
    const entries = (connection.listApi !== undefined ? yield* connection.listApi : localListApi(session)) as ReadonlyArray<
      ReturnType<typeof Method.listapiEntry>
    >
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    if (methods.length > 0) {
      const chosen = []
      for (const name of methods) {
        const entry = sorted.find((e) => e.name === name)
        if (entry === undefined) return yield* usageError(`Unknown method: ${name}`)
        chosen.push(entry)
      }
      if (json) return yield* print(Format.jsonDumps(chosen))
      for (const entry of chosen) yield* print(`${entry.name}${entry.argdesc}\ndescription: ${entry.doc ?? ""}`)
      return
    }
    if (json) return yield* print(Format.jsonDumps(sorted))
    for (const entry of sorted) {
      yield* print(`${entry.name}${entry.argdesc ?? "()"}`)
      if (entry.doc) yield* print(`  description: ${entry.doc}`)
    }
  }))

const keywordPattern = /^([\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)=(.*)$/u

/**
 * `call`: any method of the API, with Koji's argument conventions — positional
 * arguments read as Koji's `arg_filter` does (ints, floats, `None`/`True`/`False`,
 * else strings), or as Python literals (`--python`) or JSON (`--json-input`);
 * `name=value` arguments are keyword arguments. The arguments are matched to the
 * method's parameters by its definition, as the hub matches them.
 *
 * @since 0.1.0
 * @category commands
 */
export const call = Handler.make("call", {
  category: "misc",
  summary: "Execute an arbitrary XML-RPC call",
  usage: "call [options] <name> [<arg> ...]",
  description: "<arg> values of the form NAME=VALUE are treated as keyword arguments\n" +
    "Note, that you can use global option --noauth for anonymous calls here"
}, {
  python: Options.boolean("python").pipe(Options.withAlias("p"), Options.withDescription("Use python syntax for RPC parameter values")),
  kwargs: Options.text("kwargs").pipe(
    Options.optional,
    Options.withDescription("Specify keyword arguments as a dictionary (implies --python or --json-input)")
  ),
  json: Options.boolean("json").pipe(Options.withAlias("j"), Options.withDescription("Use JSON syntax for input and output")),
  jsonInput: Options.boolean("json-input").pipe(Options.withDescription("Use JSON syntax for input")),
  jsonOutput: Options.boolean("json-output").pipe(Options.withDescription("Use JSON syntax for output")),
  bareStrings: Options.boolean("bare-strings").pipe(
    Options.withAlias("b"),
    Options.withDescription("Treat invalid json/python as bare strings")
  ),
  name: Args.text({ name: "name" }),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const jsonInput = options.json || options.jsonInput
    const jsonOutput = options.json || options.jsonOutput
    if (options.python && jsonInput) return yield* usageError("The --python option conflicts with using --json-input")
    const python = options.python || (Option.isSome(options.kwargs) && !jsonInput)
    const parse = (arg: string) => {
      const parsed = python
        ? Literal.literalEval(arg)
        : jsonInput
        ? Literal.jsonLoads(arg)
        : Either.right(Literal.argFilter(arg))
      return Either.isRight(parsed)
        ? Effect.succeed(parsed.right)
        : options.bareStrings
        ? Effect.succeed<unknown>(arg)
        : usageError(`Invalid value: ${Format.repr(arg)}`)
    }
    let kwargs: Record<string, unknown> = {}
    if (Option.isSome(options.kwargs)) {
      const given = yield* parse(options.kwargs.value)
      if (typeof given !== "object" || given === null || Array.isArray(given)) {
        return yield* usageError(`Invalid value for --kwargs: ${Format.repr(options.kwargs.value)}`)
      }
      kwargs = { ...given }
    }
    const positional: Array<unknown> = []
    for (const arg of options.args) {
      const keyword = keywordPattern.exec(arg)
      if (keyword !== null) kwargs[keyword[1]!] = yield* parse(keyword[2]!)
      else positional.push(yield* parse(arg))
    }
    yield* session.activate
    const wire = Arguments.join(positional, kwargs)
    const entry = session.methods.get(options.name)
    const connection = yield* session.connection
    let result: unknown
    if (entry !== undefined) {
      const payload = Arguments.toPayload(entry.info, wire)
      if (Either.isLeft(payload)) return yield* payload.left
      result = yield* session.call(options.name, payload.right)
    } else if (connection.callArgs !== undefined) {
      result = yield* connection.callArgs(options.name, wire)
    } else {
      return yield* invalidMethod(options.name)
    }
    yield* print(jsonOutput ? Format.jsonDumps(result) : Format.pformat(result))
  }))

/**
 * The general commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [call, listApi, moshimoshi, version]
