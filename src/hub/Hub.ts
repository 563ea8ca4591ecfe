/**
 * The hub as layers: every API area's handlers, the dispatcher, sessions and the
 * session middleware. Serve it with `HttpApi` (typed `/api`) and, with the XML-RPC
 * issue, `/kojihub`; or call it in process with `KojiClient.layerInProcess`.
 *
 * @since 0.1.0
 */
import { type Rpc } from "@effect/rpc"
import { type SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { KojiApi, KojiRpcs } from "../api/Api.js"
import { type SessionMiddleware } from "../api/SessionMiddleware.js"
import type { Notifications } from "../db/Notifications.js"
import type { ConfigurationError } from "../domain/Errors.js"
import type { FileStore } from "../storage/FileStore.js"
import * as ArchivesHandlers from "./ArchivesHandlers.js"
import * as AuthHandlers from "./AuthHandlers.js"
import * as BuildrootsHandlers from "./BuildrootsHandlers.js"
import * as BuildsHandlers from "./BuildsHandlers.js"
import * as BuildTasksHandlers from "./BuildTasksHandlers.js"
import * as CoreHandlers from "./CoreHandlers.js"
import * as Dispatcher from "./Dispatcher.js"
import * as EventsHandlers from "./EventsHandlers.js"
import * as EventStream from "./EventStream.js"
import * as EventStreamHandlers from "./EventStreamHandlers.js"
import * as FilesHandlers from "./FilesHandlers.js"
import * as HostBuildsHandlers from "./HostBuildsHandlers.js"
import * as HostsHandlers from "./HostsHandlers.js"
import { type HubConfig } from "./HubConfig.js"
import * as MulticallHandler from "./MulticallHandler.js"
import * as PackagesHandlers from "./PackagesHandlers.js"
import * as Policy from "./Policy.js"
import * as PolicyHandlers from "./PolicyHandlers.js"
import * as SessionMiddlewareLive from "./SessionMiddlewareLive.js"
import * as Sessions from "./Sessions.js"
import * as TaggingHandlers from "./TaggingHandlers.js"
import * as TagsHandlers from "./TagsHandlers.js"
import * as TargetsHandlers from "./TargetsHandlers.js"
import * as Scheduler from "./Scheduler.js"
import * as Tasks from "./Tasks.js"
import * as TasksHandlers from "./TasksHandlers.js"
import type * as Uploads from "./Uploads.js"
import * as UsersHandlers from "./UsersHandlers.js"

/**
 * The handlers of every `KojiApi` method. Adding an area: one more layer here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHandlers = Layer.mergeAll(
  PolicyHandlers.layer,
  TasksHandlers.layer,
  EventStreamHandlers.layer,
  CoreHandlers.layer,
  AuthHandlers.layer,
  UsersHandlers.layer,
  HostsHandlers.layer,
  EventsHandlers.layer,
  TagsHandlers.layer,
  PackagesHandlers.layer,
  TargetsHandlers.layer,
  BuildsHandlers.layer,
  TaggingHandlers.layer,
  FilesHandlers.layer,
  BuildrootsHandlers.layer,
  ArchivesHandlers.layer,
  BuildTasksHandlers.layer,
  HostBuildsHandlers.layer
)

type HandlerServices = Rpc.ToHandler<RpcGroupRpcs<typeof KojiRpcs>>

type RpcGroupRpcs<G> = G extends { readonly requests: ReadonlyMap<string, infer R> } ? R : never

/**
 * The handler of every `KojiRpcs` method (and the session middleware), for the transports that
 * serve them with `@effect/rpc` (`/api`, the in-process client). The handlers are kept here, not
 * in the hub's context: every request's fiber copies its context when a service is provided, so
 * the hub's context stays small (a few services, not one entry per method).
 *
 * @since 0.1.0
 * @category tags
 */
export class Handlers extends Context.Tag("koji/hub/Handlers")<
  Handlers,
  Context.Context<HandlerServices | SessionMiddleware>
>() {}

/**
 * What the hub provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Hub =
  | Dispatcher.Dispatcher
  | Policy.Policy
  | Tasks.Tasks
  | Scheduler.Scheduler
  | EventStream.EventStream
  | Sessions.Sessions
  | SessionMiddleware
  | Uploads.Uploads
  | Handlers

const handlerKeys: ReadonlySet<string> = new Set([...KojiRpcs.requests.values()].map((rpc) => rpc.key))

/**
 * The whole hub on a database (`SqlClient`), settings (`HubConfig`) and a file store (`FileStore`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  Hub,
  ConfigurationError,
  SqlClient.SqlClient | Notifications | HubConfig | FileStore
> = Layer.effectContext(
  Effect.map(Effect.context<Hub | HandlerServices>(), (all) =>
    Context.add(
      Context.unsafeMake(new Map([...all.unsafeMap].filter(([key]) => !handlerKeys.has(key)))),
      Handlers,
      all
    ))
).pipe(
  Layer.provide(
    Layer.mergeAll(
      // built on the dispatcher alone: a handler's calls run in the context it was built in, and
      // multiCall's calls should not carry every other handler with them
      Layer.scopedContext(Effect.gen(function*() {
        const dispatcher = yield* Dispatcher.Dispatcher
        const scope = yield* Effect.scope
        return yield* Effect.mapInputContext(
          Layer.buildWithScope(MulticallHandler.layer, scope),
          (): Context.Context<any> => Context.make(Dispatcher.Dispatcher, dispatcher)
        )
      })),
      SessionMiddlewareLive.layer
    ).pipe(
      Layer.provideMerge(Dispatcher.layer(KojiApi)),
      Layer.provideMerge(layerHandlers),
      Layer.provideMerge(Sessions.layer),
      Layer.provideMerge(Layer.merge(Tasks.layer, Scheduler.layer)),
      Layer.provideMerge(EventStream.layer),
      Layer.provideMerge(Policy.layer)
    )
  )
) as any
