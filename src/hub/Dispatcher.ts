/**
 * The hub's one call path. Every transport (the typed `/api`, Koji's XML-RPC,
 * multicall, in-process) comes through here, so the rules are the same for all:
 *
 * 1. `request`: resolve the session from the credentials (Koji's checks and
 *    call numbers), run the call, and when the call wrote something record its
 *    call number in the same transaction;
 * 2. `invoke`: check who may call the method (per call, also inside a multicall),
 *    then run its handler.
 *
 * @since 0.1.0
 */
import { Rpc, type RpcGroup } from "@effect/rpc"
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Either, FiberRef, Layer, Option, ParseResult } from "effect"
import * as Errors from "../domain/Errors.js"
import * as Method from "../api/Method.js"
import * as Caller from "./Caller.js"
import * as EventStream from "./EventStream.js"
import * as Lookup from "./Lookup.js"
import { HubConfig } from "./HubConfig.js"
import { type Credentials, Sessions } from "./Sessions.js"
import * as Versioned from "./Versioned.js"

/**
 * A method the dispatcher can run.
 *
 * @since 0.1.0
 * @category models
 */
export type Entry = Method.Entry

/**
 * @since 0.1.0
 * @category tags
 */
export class Dispatcher extends Context.Tag("koji/hub/Dispatcher")<Dispatcher, {
  /** Methods by Koji name (`getHost`, `host.updateHost`). */
  readonly methods: ReadonlyMap<string, Entry>
  /** Koji's checks before a call: offline, lock-out, exclusive lock, and who may call the method. */
  readonly checkAccess: (info: Method.MethodInfo) => Effect.Effect<void, Errors.KojiError, Caller.CurrentCaller>
  /** Check the caller's rights for `entry`, then run its handler on a decoded payload. */
  readonly invoke: (entry: Entry, payload: unknown) => Effect.Effect<unknown, Errors.KojiError, Caller.CurrentCaller>
  /** Decode an encoded payload (a struct of parameters) and `invoke`. */
  readonly invokeEncoded: (entry: Entry, payload: unknown) => Effect.Effect<unknown, Errors.KojiError, Caller.CurrentCaller>
  /**
   * `invokeEncoded` for a call of a `batch`: the call, and the lookups its handler says it will
   * make (`Lookup.wanting`), which the batch reads ahead (worked out only when asked).
   */
  readonly prepareEncoded: (entry: Entry, payload: unknown) => {
    readonly run: Effect.Effect<unknown, Errors.KojiError, Caller.CurrentCaller>
    readonly wants: () => ReadonlyArray<Lookup.Want>
  }
  /**
   * Koji's multicall: the calls in one transaction, each in its own savepoint; a
   * failed call is rolled back alone and answered in its slot.
   */
  readonly batch: <A, R>(
    calls: ReadonlyArray<{
      readonly method: string | undefined
      readonly run: Effect.Effect<A, Errors.KojiError, R>
      /** The lookups the call will make, read ahead for the batch (`prepareEncoded`). */
      readonly wants?: (() => ReadonlyArray<Lookup.Want>) | undefined
    }>
  ) => Effect.Effect<Array<Either.Either<A, Errors.KojiError>>, Errors.KojiError, R>
  /** Run one request: resolve the session, provide the caller, keep call numbers. */
  readonly request: <A, E, R>(
    options: {
      readonly method: string
      readonly credentials: Credentials | undefined
      readonly transport: Caller.Transport
    },
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | Errors.KojiError, Exclude<R, Caller.CurrentCaller>>
}>() {}

// how many calls of a read-only multicall run at once
const readConcurrency = 16

// in a fiber's context once the dispatcher has provided every handler's services (a request)
const ServicesProvided = Context.GenericTag<true>("koji/hub/Dispatcher/ServicesProvided")

/** Calls allowed while another session holds the user's exclusive lock (Koji's dispatcher). */
const lockFree = new Set(["exclusiveSession", "login", "sslLogin", "logout", "logoutChild"])

/**
 * A failed decode as Koji's `ParameterError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const parameterError = (method: string, error: ParseResult.ParseError): Errors.ParameterError =>
  new Errors.ParameterError({
    message: `invalid arguments for ${method}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
  })

/**
 * Map what escapes a handler to a Koji fault: typed Koji errors stay, SQL
 * errors become `GenericError` (their SQLSTATE in the text), anything else a defect.
 *
 * @since 0.1.0
 * @category errors
 */
export const toKojiError = (error: unknown): Errors.KojiError =>
  Errors.isKojiError(error)
    ? error
    : new Errors.GenericError({ message: error instanceof Error ? error.message : String(error) })

/**
 * Build the dispatcher for a group of methods whose handlers are in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Rpcs extends Rpc.Any>(group: RpcGroup.RpcGroup<Rpcs>) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Rpc.ToHandler<Rpcs> | SqlClient.SqlClient | Sessions | HubConfig>()
    const sql = Context.get(context, SqlClient.SqlClient)
    const sessions = Context.get(context, Sessions)
    const config = Context.get(context, HubConfig)

    const methods = Method.methodsOf(group)

    const handlerOf = (entry: Entry) => {
      const handler = context.unsafeMap.get(entry.rpc.key) as Rpc.Handler<string> | undefined
      if (handler === undefined) throw new Error(`no handler for ${entry.info.name}`)
      return handler
    }
    // fail at start-up, not at the first call, when a method has no handler
    for (const entry of methods.values()) handlerOf(entry)

    // the services of every handler: a request provides them once, rather than each call merging
    // its handler's into its context. A service that differs between handlers (each handler
    // layer's own Scope) is left out: no handler uses one while it runs.
    const allHandlers = ((): Context.Context<never> => {
      const services = new Map<string, unknown>()
      const differ = new Set<string>()
      for (const entry of methods.values()) {
        for (const [key, service] of (handlerOf(entry).context as Context.Context<unknown>).unsafeMap) {
          if (services.has(key) && services.get(key) !== service) differ.add(key)
          services.set(key, service)
        }
      }
      for (const key of differ) services.delete(key)
      return Context.unsafeMake(services)
    })()

    // what a request provides, in one step (each provide copies the fiber's context and its refs,
    // several µs): every handler's services, the database, and the marker that they are there
    const services = allHandlers.pipe(
      Context.add(SqlClient.SqlClient, sql),
      Context.add(ServicesProvided, true as const)
    )
    const provided = (context: Context.Context<never>) => context.unsafeMap.has(ServicesProvided.key)

    const checkAccess = (info: Method.MethodInfo) =>
      Effect.flatMap(Caller.CurrentCaller, (caller): Effect.Effect<void, Errors.KojiError, Caller.CurrentCaller> => {
        const session = caller.session
        if (config.serverOffline) {
          return new Errors.ServerOffline({ message: config.offlineMessage ?? "server is offline" })
        }
        const lockedOut = config.lockOut && !Method.isAuthCall(info.name)
          ? Effect.flatMap(Caller.hasPerm("admin"), (admin) =>
            admin ? Effect.void : new Errors.ServerOffline({ message: "Server disabled for maintenance" }))
          : Effect.void
        const lock = session?.lockError !== undefined && !lockFree.has(info.name)
          ? new Errors.AuthLockError({ message: session.lockError })
          : Effect.void
        const access = info.access
        const rights: Effect.Effect<void, Errors.KojiError, Caller.CurrentCaller> = access === "anon"
          ? Effect.void
          : access === "login"
          ? Effect.asVoid(Caller.assertLogin)
          : access === "host"
          ? Effect.asVoid(Caller.host)
          : Caller.assertPerm(access.perm)
        return Effect.zipRight(Effect.zipRight(lockedOut, lock), rights)
      })

    const invoke = (entry: Entry, payload: unknown) =>
      Effect.zipRight(
        checkAccess(entry.info),
        Effect.suspend(() => {
          const { context: handlerContext, handler } = handlerOf(entry)
          const result = handler(payload, { clientId: -1, headers: {} as any })
          const value = Rpc.isWrapper(result) ? result.value : result
          if (!Effect.isEffect(value)) {
            return Effect.die(new Error(`${entry.info.name} answers a stream; it cannot be called this way`))
          }
          const run = Effect.contextWithEffect((context: Context.Context<never>) =>
            provided(context) ? value : Effect.provide(value, handlerContext)
          ) as Effect.Effect<unknown, unknown>
          // each call that writes (each multicall sub-call too) takes its own event
          return entry.info.readOnly ? run : Versioned.withFreshEvent(run)
        }).pipe(Effect.mapError(toKojiError))
      )

    // decoded when the effect is made, not when it runs: a call of a batch may run more than once
    const prepareEncoded = (entry: Entry, payload: unknown) => {
      const decoded = Method.codecsOf(entry.rpc).decodePayload(payload ?? {})
      return Either.isLeft(decoded)
        ? { run: Effect.fail(parameterError(entry.info.name, decoded.left)), wants: () => [] }
        : { run: invoke(entry, decoded.right), wants: () => Lookup.wantsOf(handlerOf(entry).handler, decoded.right) }
    }
    const invokeEncoded = (entry: Entry, payload: unknown) => prepareEncoded(entry, payload).run

    const readOnly = (method: string | undefined) => method !== undefined && methods.get(method)?.info.readOnly === true

    const request = <A, E, R>(
      options: Parameters<Dispatcher["Type"]["request"]>[0],
      effect: Effect.Effect<A, E, R>
    ) =>
      Effect.gen(function*() {
        const { credentials, transport } = options
        const session = credentials === undefined
          ? undefined
          : yield* sessions.resolve(credentials, options.method, transport).pipe(Effect.mapError(toKojiError))
        let perms: Option.Option<ReadonlySet<string>> = Option.none()
        const caller: Caller.Caller = {
          transport,
          session,
          perms: Effect.suspend(() => {
            if (Option.isSome(perms)) return Effect.succeed(perms.value)
            if (session === undefined) return Effect.succeed(new Set<string>())
            return sessions.permissions(session.userId).pipe(
              Effect.tap((p) => Effect.sync(() => perms = Option.some(p))),
              Effect.orDie
            )
          })
        }
        const readOnlyCall = readOnly(options.method)
        // every service a handler may use (they are the hub's own), in one provide
        const called = Effect.provide(effect, Context.add(services, Caller.CurrentCaller, caller)) as Effect.Effect<
          A,
          E | SqlError.SqlError
        >
        // what a call that writes publishes on the event stream is written when it commits (a
        // read-only call has no transaction: what it publishes is written at once)
        const before = yield* FiberRef.get(EventStream.lastWritten)
        const run = Effect.tap(
          readOnlyCall ? called : Effect.provideService(
            Versioned.withFreshEvent(EventStream.collect(called)),
            SqlClient.SqlClient,
            sql
          ),
          // the events it wrote (event ids only grow): the transport answers their newest id, so
          // a client can follow from there
          () =>
            Effect.map(FiberRef.get(EventStream.lastWritten), (id) => {
              if (id !== before && id !== undefined && transport.produced !== undefined) transport.produced.eventId = id
            })
        )
        // anonymous calls and read-only methods do not write: no transaction to open
        if (session === undefined || readOnlyCall) {
          return yield* Effect.catchTag(run, "SqlError", (e) => Effect.fail(toKojiError(e)))
        }
        const callnum = credentials?.callnum
        // one transaction for the call; its call number is kept only when the call wrote something,
        // so a read-only retry is always accepted (Koji's rule)
        return yield* sql.withTransaction(Effect.gen(function*() {
          const result = yield* run
          if (callnum === undefined) return result
          const [wrote] = yield* sql<{ wrote: boolean }>`SELECT txid_current_if_assigned() IS NOT NULL AS wrote`
          if (wrote?.wrote) yield* sessions.recordCallnum(session.id, callnum)
          return result
        })).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(toKojiError(e))))
      })

    const batch: Dispatcher["Type"]["batch"] = (calls) => {
      const one = (call: (typeof calls)[number]) =>
        // a read-only call needs no savepoint
        (readOnly(call.method) ? call.run : sql.withTransaction(EventStream.collect(call.run))).pipe(
          Effect.mapError(toKojiError),
          Effect.either
        )
      // a batch of reads needs no transaction, and its calls may run together: their lookups
      // are read together (`Lookup.prefetching`) and the rest share the pool; answers stay in order
      const all = calls.every((call) => readOnly(call.method))
        ? Effect.flatMap(
          Lookup.prefetching(calls.map(one), {
            concurrency: readConcurrency,
            wants: calls.flatMap((call) => call.wants?.() ?? [])
          }),
          (exits) => Effect.forEach(exits, (exit) => exit)
        )
        : sql.withTransaction(Effect.forEach(calls, one))
      // inside a request, its services are there already (the database among them)
      return Effect.contextWithEffect((context: Context.Context<never>) =>
        provided(context) ? all : Effect.provide(all, services)
      ).pipe(Effect.mapError(toKojiError)) as Effect.Effect<
        Array<Either.Either<Effect.Effect.Success<(typeof calls)[number]["run"]>, Errors.KojiError>>,
        Errors.KojiError,
        Effect.Effect.Context<(typeof calls)[number]["run"]>
      >
    }

    return Dispatcher.of({ methods, checkAccess, invoke, invokeEncoded, prepareEncoded, batch, request: request as any })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = <Rpcs extends Rpc.Any>(
  group: RpcGroup.RpcGroup<Rpcs>
): Layer.Layer<Dispatcher, never, Rpc.ToHandler<Rpcs> | SqlClient.SqlClient | Sessions | HubConfig> =>
  Layer.effect(Dispatcher, make(group))
