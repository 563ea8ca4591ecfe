/**
 * The typed Koji client: every hub method as a typed call, over HTTP (`/api`) or
 * in process, with the session (id, key, call numbers) kept for you.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const koji = yield* KojiClient
 *   yield* koji.login({ user: "admin", password: "secret" })
 *   const host = yield* koji.getHost({ hostInfo: "builder1" })
 *   const [tag, user] = yield* koji.multicall((m) => [m.getHost({ hostInfo: 1 }), m.getUser({ userInfo: 1 })])
 * }).pipe(Effect.provide(KojiClient.layerHttp({ url: "http://127.0.0.1:8080/api" })))
 * ```
 *
 * An expired session (`AuthExpired`) is renewed with the remembered login and the
 * call repeated once, as Koji's `ClientSession` does.
 *
 * @since 0.1.0
 */
import { FetchHttpClient, Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import {
  type Rpc,
  RpcClient,
  RpcClientError,
  type RpcGroup,
  RpcMiddleware,
  RpcSchema,
  RpcSerialization,
  RpcTest
} from "@effect/rpc"
import { Chunk, Context, Effect, Either, Layer, Option, Schema, type Scope, Stream } from "effect"
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { KojiApi, KojiRpcs } from "../api/Api.js"
import type { EventFilter, StreamEvent } from "../api/EventStream.js"
import { RawUploadResult } from "../api/Files.js"
import * as Method from "../api/Method.js"
import { SessionMiddleware } from "../api/SessionMiddleware.js"
import * as Errors from "../domain/Errors.js"
import { Handlers, type Hub } from "../hub/Hub.js"
import * as Checksum from "../storage/Checksum.js"
import * as Codec from "../xmlrpc/Codec.js"
import * as Value from "../xmlrpc/Value.js"
import * as XmlRpcProtocol from "./XmlRpcProtocol.js"

type ApiRpcs = RpcGroup.Rpcs<typeof KojiApi>

/**
 * A call waiting in a multicall batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pending<A, E> {
  readonly methodName: string
  readonly payload: unknown
  readonly rpc: Rpc.AnyWithProps
  readonly _A?: A
  readonly _E?: E
}

type PendingFor<R extends Rpc.Any> = (payload: Rpc.PayloadConstructor<R>) => Pending<Rpc.Success<R>, Rpc.Error<R>>

type Prefixes = ApiRpcs["_tag"] extends infer T ? T extends `${infer P}.${string}` ? P : never : never

/**
 * The multicall builder: the client's shape, each method answering a `Pending`.
 *
 * @since 0.1.0
 * @category models
 */
export type Batch =
  & { readonly [R in Exclude<ApiRpcs, { readonly _tag: `${string}.${string}` }> as R["_tag"]]: PendingFor<R> }
  & {
    readonly [P in Prefixes]: {
      readonly [R in Extract<ApiRpcs, { readonly _tag: `${P}.${string}` }> as R["_tag"] extends `${P}.${infer N}` ? N
        : never]: PendingFor<R>
    }
  }

type Results<Calls extends ReadonlyArray<Pending<any, any>>, Strict extends boolean> = {
  -readonly [K in keyof Calls]: Calls[K] extends Pending<infer A, infer E> ? Strict extends true ? A : Either.Either<A, E>
    : never
}

/**
 * Multicall options: `strict` fails with the first fault; `batch` sends at most that
 * many calls per request (each request its own transaction on the hub).
 *
 * @since 0.1.0
 * @category models
 */
export interface MulticallOptions<Strict extends boolean = false> {
  readonly strict?: Strict | undefined
  readonly batch?: number | undefined
}

/**
 * The client: the typed methods plus `multicall` and the session.
 *
 * @since 0.1.0
 * @category models
 */
export type Client = RpcClient.RpcClient<ApiRpcs, RpcClientError.RpcClientError> & {
  /** Run calls in one round trip (or `batch`-sized ones). */
  readonly multicall: <const Calls extends ReadonlyArray<Pending<any, any>>, const Strict extends boolean = false>(
    build: (batch: Batch) => Calls,
    options?: MulticallOptions<Strict>
  ) => Effect.Effect<Results<Calls, Strict>, Errors.AnyFault | RpcClientError.RpcClientError>
  /** The current session, if logged in. */
  readonly session: Effect.Effect<SessionState | undefined>
  /**
   * The newest event id the last write call over HTTP published (its `Koji-Event-Id`):
   * watch after it to follow what happens next. Undefined in process or before any write.
   */
  readonly lastEventId: Effect.Effect<number | undefined>
  /** Use another session from now on (a subsession made with `subsession()`, say); undefined logs out locally. */
  readonly useSession: (session: SessionState | undefined) => Effect.Effect<void>
  /**
   * The hub's event stream after `after` (null: from now), filtered: the typed
   * `events.watch` stream, or over XML-RPC a chain of `events.list` long-polls.
   */
  readonly watch: (options?: {
    readonly after?: number | null | undefined
    readonly filter?: EventFilter | null | undefined
  }) => Stream.Stream<StreamEvent, Errors.AnyFault | RpcClientError.RpcClientError>
  /**
   * Upload a file to `work/<path>/<name>` in chunks (Koji's fast upload: a raw POST to
   * `/kojihub` over XML-RPC, `/api/upload` over HTTP, `rawUpload` in process), each chunk's
   * size and adler32 checked against the hub's answer and sent again at its offset when it
   * fails; then `checkUpload` confirms the whole. Over HTTP, bytes in memory or a local file
   * go as one streamed request instead, unless `chunkSize` is given (`Infinity` streams them
   * over XML-RPC too: Koji's hub takes a raw upload of any length). Answers the file's size
   * and the adler32 of the bytes sent.
   */
  readonly upload: <E = never>(options: UploadOptions<E>) => Effect.Effect<
    UploadResult,
    Errors.AnyFault | RpcClientError.RpcClientError | E
  >
}

/**
 * What to upload and how.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions<E = never> {
  /** The directory under `work/` (`cli-build/<unique>`, or `Paths.taskUpload(id)` for a task's output). */
  readonly path: string
  readonly name: string
  /** The bytes: in memory or a stream (one of `data` and `file`). */
  readonly data?: Uint8Array | Stream.Stream<Uint8Array, E> | undefined
  /** A local file to send. */
  readonly file?: string | undefined
  /** Where the first byte goes (default 0): resume an upload, or send what a log gained since. */
  readonly offset?: number | undefined
  /**
   * Bytes per request: by default Koji's 1 MiB over XML-RPC and in process, and over HTTP bytes
   * in memory or a local file in one streamed request; `Infinity` streams them over XML-RPC too.
   */
  readonly chunkSize?: number | undefined
  /** Replace an existing file (otherwise the hub refuses to write over one at offset 0, `.log` files aside). */
  readonly overwrite?: boolean | undefined
  readonly volume?: string | undefined
  /** Tries per chunk after a failed one (default 3). */
  readonly retries?: number | undefined
  /** Called after each chunk with the bytes sent so far and the total when known. */
  readonly onProgress?: ((sent: number, total: number | undefined) => Effect.Effect<void>) | undefined
}

/**
 * What an upload made: the file's size on the hub, and the adler32 of the bytes sent (of the
 * whole file when it started at offset 0).
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadResult {
  readonly size: number
  readonly hexdigest: string
}

/** One chunk as the fast upload's query names it. */
interface RawChunk {
  readonly path: string
  readonly name: string
  readonly offset: number
  readonly overwrite: boolean
  readonly volume: string | undefined
  /** The bytes: a chunk, or (where the sender streams) the rest of a file. */
  readonly data: Uint8Array | Stream.Stream<Uint8Array, Errors.GenericError>
  readonly length: number
}

/** Sends one raw upload request with the given session headers. */
interface RawSender {
  readonly send: (
    chunk: RawChunk,
    headers: Record<string, string>
  ) => Effect.Effect<RawUploadResult, Errors.AnyFault | RpcClientError.RpcClientError>
  /** Bytes per request unless the caller says: Koji's chunk size, or undefined to stream a whole file. */
  readonly chunkSize: number | undefined
}

/**
 * The session a client holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionState {
  readonly id: number
  readonly key: string
  callnum: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class KojiClient extends Context.Tag("koji/client/KojiClient")<KojiClient, Client>() {}

interface Holder {
  session: SessionState | undefined
  renew: ((holder: Holder) => Effect.Effect<void, unknown, any>) | undefined
}

const makeHolder = (): Holder => ({ session: undefined, renew: undefined })

const HolderTag = Context.GenericTag<Holder>("koji/client/KojiClient/Holder")

// adds the session headers to every request; one call number per request
const sessionHeaders = RpcMiddleware.layerClient(
  SessionMiddleware,
  Effect.map(HolderTag, (holder) => ({ request }: { readonly request: any }) => {
    const session = holder.session
    if (session === undefined) return Effect.succeed(request)
    const callnum = session.callnum++
    return Effect.succeed({
      ...request,
      headers: Headers.setAll(request.headers, {
        "koji-session-id": String(session.id),
        "koji-session-key": session.key,
        "koji-session-callnum": String(callnum)
      })
    })
  })
)

const isWrapped = (name: string) => name !== "login" && name !== "sslLogin"

const build = (
  rpcClient: any,
  holder: Holder,
  streams: boolean,
  produced: Produced,
  raw: RawSender | undefined
): Client => {
  const entries = new Map<string, Rpc.AnyWithProps>()
  for (const rpc of KojiApi.requests.values()) entries.set(rpc._tag, rpc as any)

  // renew an expired session with the remembered login, then repeat the call once
  const withRenewal = <A, E, R>(name: string, call: () => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    !isWrapped(name) ? call() : call().pipe(
      Effect.catchIf(
        (e): e is E => Errors.isA(e, "AuthExpired") && holder.renew !== undefined,
        () => Effect.zipRight(Effect.orDie(holder.renew!(holder)), call())
      )
    )

  const wrap = (target: any, prefix: string): any => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(target)) {
      const name = `${prefix}${key}`
      out[key] = typeof value !== "function"
        ? wrap(value, `${name}.`)
        : streamRpcs.has(name)
        ? value
        : (payload: any, options?: any) => withRenewal(name, () => (value as any)(payload, options))
    }
    return out
  }
  const client: any = wrap(rpcClient, "")

  const remember = (name: "login" | "sslLogin") => (payload: any, options?: any) =>
    Effect.gen(function*() {
      const info: any = yield* rpcClient[name](payload, options)
      holder.session = { id: info["session-id"], key: info["session-key"], callnum: 0 }
      holder.renew = (h) =>
        Effect.gen(function*() {
          const renewed: any = yield* rpcClient[name]({ ...payload, renew: true }, options)
          // the call numbers go on: the renewal itself was a call of this session
          h.session = { id: renewed["session-id"], key: renewed["session-key"], callnum: h.session?.callnum ?? 0 }
        })
      return info
    })
  client.login = remember("login")
  client.sslLogin = remember("sslLogin")
  client.logout = (payload?: any, options?: any) =>
    Effect.tap(rpcClient.logout(payload ?? {}, options), () =>
      Effect.sync(() => {
        if (payload?.session_id == null || payload.session_id === holder.session?.id) {
          holder.session = undefined
          holder.renew = undefined
        }
      }))

  const batchBuilder: any = new Proxy({}, {
    get: (_, first: string) => {
      const make = (name: string) => (payload: any) => {
        const rpc = entries.get(name)
        if (rpc === undefined) throw new Error(`no such method: ${name}`)
        return { methodName: name, payload: payload ?? {}, rpc }
      }
      if (entries.has(first)) return make(first)
      return new Proxy({}, { get: (_, second: string) => make(`${first}.${second}`) })
    }
  })

  const runChunk = (calls: ReadonlyArray<Pending<any, any>>) =>
    Effect.gen(function*() {
      // coded synchronously, call by call: a batch can hold thousands
      const encoded: Array<{ methodName: string; params: unknown }> = []
      for (const call of calls) {
        let params: Either.Either<unknown, Error>
        try {
          // Koji's defaults for what the caller left out, as the typed call does (checked by the encoding)
          params = Method.codecsOf(call.rpc).encodePayload(Method.withDefaults(call.rpc, call.payload))
        } catch (e) {
          params = Either.left(e as Error)
        }
        if (Either.isLeft(params)) {
          return yield* new Errors.ParameterError({ message: `${call.methodName}: ${params.left.message}` })
        }
        encoded.push({ methodName: call.methodName, params: params.right })
      }
      const slots = (yield* withRenewal("multiCall", () => rpcClient.multiCall({ calls: encoded }))) as ReadonlyArray<unknown>
      return calls.map((call, i): Either.Either<unknown, Errors.AnyFault> => {
        const slot = slots[i]
        if (Array.isArray(slot)) {
          return Either.mapLeft(
            Method.codecsOf(call.rpc).decodeSuccess(slot[0]),
            () => new Errors.GenericError({ message: "undecodable result" })
          )
        }
        const fault = slot as Errors.FaultStruct
        return Either.left(Errors.fromFault(fault.faultCode, fault.faultString))
      })
    })

  client.multicall = (buildCalls: (b: any) => ReadonlyArray<Pending<any, any>>, options?: MulticallOptions<boolean>) =>
    Effect.gen(function*() {
      const calls = buildCalls(batchBuilder)
      const size = options?.batch !== undefined && options.batch > 0 ? options.batch : calls.length
      const results: Array<Either.Either<unknown, Errors.AnyFault>> = []
      for (let start = 0; start < calls.length; start += Math.max(size, 1)) {
        results.push(...(yield* runChunk(calls.slice(start, start + size))))
      }
      if (!options?.strict) return results
      const values: Array<unknown> = []
      for (const r of results) {
        if (Either.isLeft(r)) return yield* Effect.fail(r.left)
        values.push(r.right)
      }
      return values
    })
  client.session = Effect.sync(() => holder.session)
  client.upload = makeUpload(client, holder, raw, withRenewal)
  client.lastEventId = Effect.sync(() => produced.eventId)
  client.useSession = (session: SessionState | undefined) =>
    Effect.sync(() => {
      holder.session = session
      holder.renew = undefined
    })
  client.watch = (options?: { readonly after?: number | null; readonly filter?: EventFilter | null }) => {
    const filter = options?.filter ?? null
    if (streams) return rpcClient.events.watch({ after: options?.after ?? null, filter })
    // long-polls: each call waits up to 30 s for what comes after the last id seen
    const start: Effect.Effect<number, any> = options?.after != null
      ? Effect.succeed(options.after)
      : client.events.lastId({})
    return Stream.unwrap(Effect.map(start, (first) =>
      Stream.paginateChunkEffect(first, (after: number) =>
        Effect.map(
          client.events.list({ after, filter, limit: 1000, wait: 30 }),
          (page: any) => [Chunk.unsafeFromArray(page.events), Option.some(page.last)] as const
        ))))
  }
  return client as Client
}

// the streaming rpcs (`events.watch`): returned as they are, not wrapped in renewal
const streamRpcs: ReadonlySet<string> = new Set(
  [...(KojiRpcs.requests.values() as Iterable<Rpc.AnyWithProps>)]
    .filter((rpc) => RpcSchema.isStreamSchema(rpc.successSchema))
    .map((rpc) => rpc._tag)
)

interface Produced {
  eventId: number | undefined
}

const makeWith = <E, R>(
  rpcClient: Effect.Effect<unknown, E, R>,
  streams: boolean,
  produced: Produced = { eventId: undefined },
  raw?: RawSender
) =>
  Effect.gen(function*() {
    const holder = makeHolder()
    const headers = yield* Layer.build(sessionHeaders.pipe(Layer.provide(Layer.succeed(HolderTag, holder))))
    const client = yield* Effect.provide(rpcClient, headers)
    return build(client, holder, streams, produced, raw)
  })

// ---------------------------------------------------------------------------------------------
// uploads

const protocolError = (message: string, cause?: unknown) =>
  new RpcClientError.RpcClientError({ reason: "Protocol", message, cause })

const decodeRawResult = Schema.decodeUnknown(RawUploadResult)

const uploadQuery = (url: string, chunk: RawChunk) => {
  const target = new URL(url)
  target.searchParams.set("filename", chunk.name)
  target.searchParams.set("filepath", chunk.path)
  target.searchParams.set("fileverify", "adler32")
  target.searchParams.set("offset", String(chunk.offset))
  if (chunk.overwrite) target.searchParams.set("overwrite", "1")
  if (chunk.volume !== undefined) target.searchParams.set("volume", chunk.volume)
  return target.toString()
}

const rawPost = (http: HttpClient.HttpClient, url: string, chunk: RawChunk, headers: Record<string, string>) =>
  http.execute(
    HttpClientRequest.post(uploadQuery(url, chunk)).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.setHeaders({ "User-Agent": "koji/1" }),
      chunk.data instanceof Uint8Array
        ? HttpClientRequest.bodyUint8Array(chunk.data, "application/octet-stream")
        : HttpClientRequest.bodyStream(chunk.data, { contentType: "application/octet-stream", contentLength: chunk.length })
    )
  ).pipe(Effect.mapError((e) => protocolError(`upload of ${chunk.path}/${chunk.name} failed: ${e.message}`, e)))

// Koji's fast upload: a raw POST to /kojihub, answered with an XML-RPC struct or fault
const xmlRpcSender = (http: HttpClient.HttpClient, url: string): RawSender => ({
  chunkSize: KOJI_CHUNK,
  send: (chunk, headers) =>
  rawPost(http, url, chunk, headers).pipe(
    Effect.flatMap((response) =>
      Effect.flatMap(
        Effect.mapError(response.text, (e) => protocolError(e.message, e)),
        (text) =>
          response.status === 200
            ? Effect.succeed(text)
            : Effect.fail(protocolError(`upload: HTTP ${response.status}: ${text.slice(0, 200)}`))
      )
    ),
    Effect.flatMap((text) => Effect.mapError(Codec.parseMethodResponse(text), (e) => protocolError(e.message, e))),
    Effect.flatMap((response): Effect.Effect<RawUploadResult, Errors.AnyFault | RpcClientError.RpcClientError> =>
      response._tag === "Params"
        ? Effect.mapError(decodeRawResult(Value.unwrapDoubles(response.value)), (e) => protocolError(e.message, e))
        : Effect.fail(Errors.fromFault(response.faultCode, response.faultString))
    )
  )
})

// koji-ts's /api/upload: the same query, answered with JSON
const httpSender = (http: HttpClient.HttpClient, url: string): RawSender => ({
  chunkSize: undefined,
  send: (chunk, headers) =>
  rawPost(http, `${url.replace(/\/$/, "")}/upload`, chunk, headers).pipe(
    Effect.flatMap((response) =>
      Effect.flatMap(Effect.mapError(response.text, (e) => protocolError(e.message, e)), (text): Effect.Effect<
        RawUploadResult,
        Errors.AnyFault | RpcClientError.RpcClientError
      > => {
        let body: any
        try {
          body = JSON.parse(text)
        } catch {
          return Effect.fail(protocolError(`upload: HTTP ${response.status}: ${text.slice(0, 200)}`))
        }
        if (response.status === 200) return Effect.mapError(decodeRawResult(body), (e) => protocolError(e.message, e))
        if (typeof body?.faultCode === "number") {
          return Effect.fail(Errors.fromFault(body.faultCode, String(body.faultString ?? "")))
        }
        return Effect.fail(protocolError(`upload: HTTP ${response.status}: ${text.slice(0, 200)}`))
      })
    )
  )
})

// the session headers of one request (each its own call number)
const sessionHeadersOf = (holder: Holder): Record<string, string> => {
  const session = holder.session
  if (session === undefined) return {}
  const callnum = session.callnum++
  return {
    "koji-session-id": String(session.id),
    "koji-session-key": session.key,
    "koji-session-callnum": String(callnum)
  }
}

// a failure worth sending the chunk again for: the transport, not the hub's refusal
const isTransient = (e: unknown) => e instanceof RpcClientError.RpcClientError

// Koji's `upload_blocksize`
const KOJI_CHUNK = 1024 * 1024
const MAX_CHUNK = 64 * 1024 * 1024
// the pieces a streamed upload is sent in (and its progress reported by)
const STREAM_PIECE = 1024 * 1024

function* slices(data: Uint8Array, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
}

const readFile = (file: string, piece: number): Stream.Stream<Uint8Array, Errors.GenericError> =>
  Stream.fromAsyncIterable(
    createReadStream(file, { highWaterMark: piece }) as AsyncIterable<Uint8Array>,
    (e) => new Errors.GenericError({ message: `cannot read ${file}: ${(e as Error).message}` })
  )

const makeUpload = (
  client: any,
  holder: Holder,
  raw: RawSender | undefined,
  withRenewal: <A, E, R>(name: string, call: () => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
) =>
<E>(options: UploadOptions<E>): Effect.Effect<UploadResult, Errors.AnyFault | RpcClientError.RpcClientError | E> =>
  Effect.gen(function*() {
    // Infinity: one streamed request where the bytes can be sent again from the start; otherwise
    // chunks, each held in memory (Koji's size when the caller gave none, at most MAX_CHUNK)
    const requested = options.chunkSize ?? (raw === undefined ? KOJI_CHUNK : raw.chunkSize) ?? Infinity
    const chunkSize = Math.max(1, requested === Infinity ? KOJI_CHUNK : Math.min(requested, MAX_CHUNK))
    const retries = Math.max(0, options.retries ?? 3)
    const start = options.offset ?? 0
    const volume = options.volume
    const sendRaw = (chunk: RawChunk): Effect.Effect<RawUploadResult, Errors.AnyFault | RpcClientError.RpcClientError> =>
      raw !== undefined
        ? withRenewal("rawUpload", () => Effect.suspend(() => raw.send(chunk, sessionHeadersOf(holder))))
        : client.rawUpload({
          chunk: chunk.data,
          offset: chunk.offset,
          path: chunk.path,
          name: chunk.name,
          verify: "adler32",
          overwrite: chunk.overwrite,
          volume: chunk.volume ?? null
        })

    // the adler32 of everything sent, combined from each part's
    let whole = "00000001"
    let sent = 0
    let total: number | undefined
    const progress = (done: number) => options.onProgress === undefined ? Effect.void : options.onProgress(done, total)
    let requests = 0
    // one request of `length` bytes at its offset, checked against the hub's answer, sent again on a
    // transport failure or a bad answer; `part()` gives the bytes afresh for each try, and an effect
    // for their adler32: run while the hub answers (`early`), or once the bytes are sent
    const sendPart = (
      length: number,
      early: boolean,
      part: () => { readonly data: RawChunk["data"]; readonly digest: Effect.Effect<string> }
    ) =>
      Effect.gen(function*() {
        requests++
        const offset = start + sent
        let failure: Errors.AnyFault | RpcClientError.RpcClientError | undefined
        for (let attempt = 0; attempt <= retries; attempt++) {
          // after a failed first part the file may exist already (made by our own attempt)
          const overwrite = options.overwrite === true || (attempt > 0 && offset === 0)
          const { data, digest } = part()
          const [answer, expected] = yield* Effect.all([
            Effect.either(sendRaw({ path: options.path, name: options.name, offset, overwrite, volume, data, length })),
            digest
          ], { concurrency: early ? 2 : 1 })
          if (Either.isLeft(answer)) {
            failure = answer.left
            if (!isTransient(failure)) return yield* Effect.fail(failure)
            continue
          }
          const result = answer.right
          if (result.size === length && result.offset === offset && result.hexdigest === expected) {
            whole = Checksum.combineAdler32(whole, expected, length)
            sent += length
            return yield* progress(sent)
          }
          failure = new Errors.GenericError({
            message: `upload of ${options.path}/${options.name} at ${offset}: the hub has ${result.size} bytes ` +
              `(${result.hexdigest ?? "no checksum"}), sent ${length} (${expected})`
          })
        }
        return yield* Effect.fail(failure!)
      })
    const sendChunk = (data: Uint8Array) =>
      sendPart(data.length, true, () => ({ data, digest: Effect.sync(() => Checksum.digest("adler32", data)) }))

    if (options.file !== undefined) {
      const file = options.file
      total = yield* Effect.tryPromise({
        try: () => stat(file).then((s) => s.size),
        catch: (e) => new Errors.GenericError({ message: `cannot read ${file}: ${(e as Error).message}` })
      })
    }
    const data = options.data
    if (data instanceof Uint8Array) total = data.length
    if (raw !== undefined && requested === Infinity && total !== undefined) {
      // the whole file (from memory or a local file, so a try can start over) in one streamed
      // request, its adler32 taken as it is sent
      const length = total
      const file = options.file
      yield* sendPart(length, false, () => {
        const hasher = Checksum.adler32()
        let streamed = 0
        const pieces: Stream.Stream<Uint8Array, Errors.GenericError> = data instanceof Uint8Array
          ? Stream.fromIterable(slices(data, STREAM_PIECE))
          : readFile(file!, STREAM_PIECE)
        return {
          data: Stream.tap(pieces, (piece) => {
            hasher.update(piece)
            streamed += piece.length
            return streamed < length ? progress(streamed) : Effect.void
          }),
          digest: Effect.sync(() => hasher.digest())
        }
      })
    } else if (data instanceof Uint8Array) {
      for (let i = 0; i < data.length; i += chunkSize) yield* sendChunk(data.subarray(i, i + chunkSize))
    } else {
      const source: Stream.Stream<Uint8Array, E | Errors.GenericError> = options.file !== undefined
        ? readFile(options.file, chunkSize)
        : data ?? Stream.empty
      const buffer = new Uint8Array(chunkSize)
      let filled = 0
      yield* Stream.runForEach(source, (piece) =>
        Effect.gen(function*() {
          let i = 0
          while (i < piece.length) {
            if (filled === 0 && piece.length - i >= chunkSize) {
              yield* sendChunk(piece.subarray(i, i + chunkSize))
              i += chunkSize
              continue
            }
            const n = Math.min(chunkSize - filled, piece.length - i)
            buffer.set(piece.subarray(i, i + n), filled)
            filled += n
            i += n
            if (filled === chunkSize) {
              yield* sendChunk(buffer.slice())
              filled = 0
            }
          }
        }))
      if (filled > 0) yield* sendChunk(buffer.slice(0, filled))
    }
    // an empty upload still makes the file
    if (requests === 0) yield* sendChunk(new Uint8Array(0))
    const hexdigest = whole
    const check = yield* (client.checkUpload({
      path: options.path,
      name: options.name,
      verify: "adler32",
      tail: start === 0 ? null : sent,
      volume: volume ?? null
    }) as Effect.Effect<{ size: number; hexdigest?: string } | null, Errors.AnyFault | RpcClientError.RpcClientError>)
    if (check === null || check.size !== start + sent || check.hexdigest !== hexdigest) {
      return yield* new Errors.GenericError({
        message: `upload of ${options.path}/${options.name}: the hub has ${
          check === null ? "no file" : `${check.size} bytes (${check.hexdigest})`
        }, sent ${start + sent} bytes (${hexdigest})`
      })
    }
    return { size: check.size, hexdigest }
  })

// remembers the `Koji-Event-Id` of each response
const recordEventIds = (produced: Produced) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transformResponse(client, (response) =>
        Effect.tap(response, (r) =>
          Effect.sync(() => {
            const id = r.headers["koji-event-id"]
            if (id !== undefined) produced.eventId = Number(id)
          })
        )))
  )

/**
 * Where a client connects: the hub's `/api` URL, and for `sslLogin` over HTTPS a
 * client certificate (with the CA that signed the hub's certificate).
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpOptions {
  readonly url: string
  readonly tls?: {
    readonly cert: string | Buffer
    readonly key: string | Buffer
    readonly ca?: string | Buffer | undefined
  } | undefined
}

/**
 * A new client over HTTP, to a koji-ts hub's `/api` (e.g. `http://127.0.0.1:8080/api`).
 * Each client holds its own session.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHttp = (options: HttpOptions): Effect.Effect<Client, never, Scope.Scope> =>
  makeOver(
    options,
    RpcClient.layerProtocolHttp({ url: options.url }).pipe(Layer.provide(RpcSerialization.layerNdjson)),
    true,
    httpSender
  )

/**
 * A new client over Koji's XML-RPC (`https://koji.example.org/kojihub`): a stock
 * Koji hub, or a koji-ts hub's `/kojihub`. Same typed methods; calls travel as
 * Koji's `ClientSession` sends them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeXmlRpc = (options: HttpOptions): Effect.Effect<Client, never, Scope.Scope> =>
  makeOver(options, XmlRpcProtocol.layerProtocol({ url: options.url }), false, xmlRpcSender)

/**
 * A new client for a hub URL: a koji-ts `/api` URL uses the typed protocol, any
 * other (Koji's `/kojihub`) XML-RPC.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeForUrl = (options: HttpOptions): Effect.Effect<Client, never, Scope.Scope> =>
  /\/api\/?$/.test(new URL(options.url).pathname) ? makeHttp(options) : makeXmlRpc(options)

const httpClientLayer = (options: HttpOptions): Layer.Layer<HttpClient.HttpClient> =>
  options.tls === undefined
    ? FetchHttpClient.layer
    : NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca })
    })))

// uploads go over node:http with kept-alive connections (for large bodies it is several times
// faster than fetch)
const uploadHttpLayer = (options: HttpOptions): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({
    keepAlive: true,
    ...(options.tls === undefined ? {} : {
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca })
    })
  })))

const makeOver = (
  options: HttpOptions,
  protocol: Layer.Layer<RpcClient.Protocol, never, HttpClient.HttpClient>,
  streams: boolean,
  sender: (http: HttpClient.HttpClient, url: string) => RawSender
): Effect.Effect<Client, never, Scope.Scope> =>
  Effect.gen(function*() {
    const produced: Produced = { eventId: undefined }
    const http = yield* Layer.build(recordEventIds(produced).pipe(Layer.provide(httpClientLayer(options))))
    const context = yield* Layer.build(protocol.pipe(Layer.provide(Layer.succeedContext(http))))
    const uploads = yield* Layer.build(recordEventIds(produced).pipe(Layer.provide(uploadHttpLayer(options))))
    const raw = sender(Context.get(uploads, HttpClient.HttpClient), options.url)
    const group = KojiRpcs as unknown as RpcGroup.RpcGroup<Rpc.Any>
    return yield* Effect.provide(makeWith(RpcClient.make(group), streams, produced, raw), context)
  }) as any

/**
 * A new client in process, with no sockets, on the hub's layers (`Hub.layer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeInProcess: Effect.Effect<Client, never, Hub | Scope.Scope> = Effect.flatMap(
  Handlers,
  (handlers) =>
    Effect.provide(makeWith(RpcTest.makeClient(KojiRpcs as unknown as RpcGroup.RpcGroup<Rpc.Any>), true), handlers)
) as any

/**
 * @since 0.1.0
 * @category layers
 */
export const layerHttp = (options: HttpOptions): Layer.Layer<KojiClient> =>
  Layer.scoped(KojiClient, makeHttp(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerInProcess: Layer.Layer<KojiClient, never, Hub> = Layer.scoped(KojiClient, makeInProcess)
