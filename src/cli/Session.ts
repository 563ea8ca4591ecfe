/**
 * A CLI run's session with the hub, as Koji's `ClientSession` plus its CLI
 * helpers: the resolved settings (config file + global options), the lazy
 * connection, Koji's login rules (`activate_session`), `ensure_connection`,
 * and the ways a command ends (`error()`, `parser.error()`, a fault).
 *
 * @since 0.1.0
 */
import { Prompt } from "@effect/cli"
import { type Terminal } from "@effect/platform"
import { Console, Context, Data, Effect, Redacted, Scope } from "effect"
import * as Fs from "node:fs"
import { API_VERSION } from "../domain/Constants.js"
import type * as Config from "./Config.js"
import * as Connection from "./Connection.js"

/**
 * Koji's `error(msg, code)`: the message (if any) on stderr, then exit.
 *
 * @since 0.1.0
 * @category errors
 */
export class Exit extends Data.TaggedError("CliExit")<{
  readonly code: number
  readonly message?: string | undefined
}> {}

/**
 * Koji's `parser.error(msg)`: the command's usage and `prog: error: msg` on stderr, exit 2.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly usage?: string | undefined
}> {}

/**
 * Everything a command can end with besides success.
 *
 * @since 0.1.0
 * @category models
 */
export type CliError = Exit | UsageError | Config.ConfigurationError | Connection.CallError

/**
 * `error(msg)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (message?: string, code = 1): Effect.Effect<never, Exit> => Effect.fail(new Exit({ code, message }))

/**
 * `parser.error(msg)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const usageError = (message: string): Effect.Effect<never, UsageError> => Effect.fail(new UsageError({ message }))

/**
 * `warn(msg)`: a line on stderr.
 *
 * @since 0.1.0
 * @category constructors
 */
export const warn = (message: string): Effect.Effect<void> => Console.error(message)

/**
 * A line on stdout (`print`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const print = (message = ""): Effect.Effect<void> => Console.log(message)

/**
 * The settings a run works with: the profile from the config files, overridden by
 * the global options given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings extends Config.Profile {
  readonly noauth: boolean
  readonly quiet: boolean
  readonly runas: string | null
}

/**
 * How the session logged in (Koji's `AUTHTYPES`), if it did.
 *
 * @since 0.1.0
 * @category models
 */
export type LoginState = { readonly authtype: number } | undefined

/**
 * What the CLI needs from the outside world, injectable for tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  readonly connect: Connection.Connector
  readonly api: Connection.Api
  /** Whether standard input is a terminal (prompts only then). */
  readonly isTTY: boolean
  /** The program name in messages (`koji-ts`). */
  readonly progname: string
}

/**
 * The session service commands use.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionShape {
  readonly settings: Settings
  readonly environment: Environment
  /** The methods this CLI knows, by Koji name. */
  readonly methods: ReturnType<typeof Connection.methodsOf>
  /** The connection (made on first use). */
  readonly connection: Effect.Effect<Connection.Connection, CliError>
  /** Call a method (payload by parameter name, wire form). */
  readonly call: (method: string, payload?: Readonly<Record<string, unknown>>) => Effect.Effect<any, CliError>
  /** Whether the hub can be asked `method` through this connection. */
  readonly canCall: (method: string) => Effect.Effect<boolean, CliError>
  /** Koji's `activate_session`: log in as the settings say (unless noauth), then `ensure_connection`. */
  readonly activate: Effect.Effect<void, CliError, Terminal.Terminal>
  /** Koji's `ensure_connection`: log in with `--force-auth`, else check the hub's API version. */
  readonly ensureConnection: Effect.Effect<void, CliError, Terminal.Terminal>
  /** The hub's Koji version (`getKojiVersion`). */
  readonly hubVersion: Effect.Effect<string, CliError>
  /** How the session logged in, if it did. */
  readonly login: Effect.Effect<LoginState>
  /** Treat the command as anonymous (Koji's `anon_handle_*`): no login unless `--force-auth`. */
  readonly setAnonymous: (anonymous: boolean) => Effect.Effect<void>
  /** Log out if logged in (errors ignored). */
  readonly logout: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Session extends Context.Tag("koji/cli/Session")<Session, SessionShape>() {}

// Koji's AUTHTYPES
const AUTHTYPE_NORMAL = 0
const AUTHTYPE_SSL = 2

const readPem = (path: string) => Fs.readFileSync(path, "utf8")

const isFile = (path: string) => {
  try {
    return path !== "" && Fs.statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * A session for `settings` (nothing is contacted until a command needs the hub).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: Settings, environment: Environment): Effect.Effect<SessionShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    let noauth = settings.noauth
    let login: LoginState = undefined
    let activated = false
    const methods = Connection.methodsOf(environment.api)

    // a client certificate (PEM with its key), and the CA to verify the hub with
    const tls = Effect.try({
      try: () => {
        const ca = isFile(settings.serverca) ? readPem(settings.serverca) : undefined
        if (isFile(settings.cert)) {
          const pem = readPem(settings.cert)
          return { cert: pem, key: pem, ca }
        }
        return ca === undefined ? undefined : { cert: "", key: "", ca }
      },
      catch: (e) => new Exit({ code: 1, message: `Unable to read ${settings.cert}: ${String(e)}` })
    })

    const connection = yield* Effect.cached(
      Effect.gen(function*() {
        const options = yield* tls
        return yield* environment.connect({ url: settings.server, api: environment.api, tls: options }).pipe(
          Scope.extend(scope),
          Effect.mapError((e) => new Exit({ code: 1, message: e.message }))
        )
      })
    )

    const call = (method: string, payload: Readonly<Record<string, unknown>> = {}) =>
      Effect.flatMap(connection, (c) => c.call(method, payload))

    const canCall = (method: string) =>
      Effect.map(connection, (c) => methods.has(method) || c.callArgs !== undefined)

    const checkVersion = Effect.gen(function*() {
      const version = yield* call("getAPIVersion").pipe(
        Effect.catchTag("ConnectionError", (e) =>
          Effect.zipRight(
            warn("Error: Unable to connect to server"),
            settings.debug ? error(e.message) : error()
          ))
      )
      if (version !== API_VERSION) {
        yield* warn(`WARNING: The server is at API version ${version} and the client is at ${API_VERSION}`)
      }
    })

    const askPassword = (user: string) =>
      Effect.gen(function*() {
        if (!environment.isTTY) {
          return yield* error(`Unable to log in as ${user}: no password given (use --password; standard input is not a terminal)`)
        }
        const secret = yield* Prompt.password({ message: `Password for ${user}:` }).pipe(
          Effect.catchAll(() => error())
        )
        return Redacted.value(secret)
      })

    const activate: SessionShape["activate"] = Effect.gen(function*() {
      if (activated) return
      const authtype = settings.authtype
      const skip = authtype === "noauth" || noauth
      if (!skip) {
        if (authtype === "ssl" || (authtype === null && isFile(settings.cert))) {
          if (!isFile(settings.cert)) return yield* error(`Unable to log in: no client certificate at ${settings.cert || "~/.koji/client.crt"}`)
          yield* call("sslLogin", { proxyuser: settings.runas })
          login = { authtype: AUTHTYPE_SSL }
        } else if (authtype === "password" || (authtype === null && settings.user !== null)) {
          if (settings.user === null) return yield* error("Unable to log in, no authentication methods available")
          const password = settings.password ?? (yield* askPassword(settings.user))
          yield* call("login", { user: settings.user, password })
          login = { authtype: AUTHTYPE_NORMAL }
        } else if (authtype === "kerberos") {
          return yield* error("Unable to log in: Kerberos (GSSAPI) authentication is not supported by koji-ts")
        }
        if (login === undefined) return yield* error("Unable to log in, no authentication methods available")
      }
      activated = true
      yield* checkVersion
      if (settings.debug) yield* print("successfully connected to hub")
    })

    const ensureConnection: SessionShape["ensureConnection"] = settings.force_auth ? activate : checkVersion

    return {
      settings,
      environment,
      methods,
      connection,
      call,
      canCall,
      activate,
      ensureConnection,
      hubVersion: Effect.map(call("getKojiVersion"), String),
      login: Effect.sync(() => login),
      setAnonymous: (anonymous) =>
        Effect.sync(() => {
          if (anonymous && !settings.force_auth) noauth = true
        }),
      logout: Effect.suspend(() => login === undefined ? Effect.void : Effect.ignore(call("logout", {})))
    } satisfies SessionShape
  })

/**
 * A line of Koji's CLI log at level ERROR: `2024-01-31 12:00:00,000 [ERROR] koji: message`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const logLine = (message: string, now = new Date()): string => {
  const p = (n: number, w = 2) => String(n).padStart(w, "0")
  const time = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ` +
    `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())},${p(now.getMilliseconds(), 3)}`
  return `${time} [ERROR] koji: ${message}`
}

/**
 * Koji's line for an uncaught error: `2024-01-31 12:00:00,000 [ERROR] koji: GenericError: message`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const errorLine = (className: string, message: string, now = new Date()): string =>
  logLine(`${className}: ${message}`, now)
