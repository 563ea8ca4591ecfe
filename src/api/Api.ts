/**
 * The whole hub API: every area's methods in one group.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { ArchivesApi } from "./Archives.js"
import { AuthApi } from "./Auth.js"
import { BuildrootsApi } from "./Buildroots.js"
import { BuildsApi } from "./Builds.js"
import { BuildTasksApi } from "./BuildTasks.js"
import { CoreApi } from "./Core.js"
import { EventsApi } from "./Events.js"
import { EventStreamApi, EventWatchApi } from "./EventStream.js"
import { FilesApi } from "./Files.js"
import { HostBuildsApi } from "./HostBuilds.js"
import { HostsApi } from "./Hosts.js"
import { HostTasksApi } from "./HostTasks.js"
import { multiCall } from "./Multicall.js"
import { PackagesApi } from "./Packages.js"
import { PolicyApi } from "./Policy.js"
import { RpmsApi } from "./Rpms.js"
import { SessionMiddleware } from "./SessionMiddleware.js"
import { TaggingApi } from "./Tagging.js"
import { TagsApi } from "./Tags.js"
import { TargetsApi } from "./Targets.js"
import { TasksApi } from "./Tasks.js"
import { UsersApi } from "./Users.js"

/**
 * Every hub method (the ones `_listapi` lists, and the hidden ones it does not).
 *
 * A `const`, not a class: `RpcGroup.Rpcs<typeof KojiApi>` then reads the methods off the group's
 * type argument, where a class extending the group needs a structural check over every method,
 * which passes TypeScript's instantiation limit ("excessively deep") once the API has ~180 methods.
 *
 * @since 0.1.0
 * @category groups
 */
export const KojiApi = RpcGroup.make().merge(
  CoreApi,
  AuthApi,
  UsersApi,
  HostsApi,
  EventsApi,
  PolicyApi,
  TasksApi,
  HostTasksApi,
  EventStreamApi,
  TagsApi,
  PackagesApi,
  TargetsApi,
  BuildsApi,
  RpmsApi,
  ArchivesApi,
  TaggingApi,
  FilesApi,
  BuildrootsApi,
  BuildTasksApi,
  HostBuildsApi
)

/**
 * What the `/api` endpoint serves: the API plus `multiCall`, behind the session middleware,
 * and the streams (`events.watch`), which need no session.
 *
 * @since 0.1.0
 * @category groups
 */
export class KojiRpcs extends KojiApi.add(multiCall).middleware(SessionMiddleware).merge(EventWatchApi) {}
