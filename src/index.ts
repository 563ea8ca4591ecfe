/**
 * koji-ts: the Koji build system as a typed Effect library.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Ids from "./domain/Ids.js"

/**
 * @since 0.1.0
 */
export * as Enum from "./domain/Enum.js"

/**
 * @since 0.1.0
 */
export * as Enums from "./domain/Enums.js"

/**
 * @since 0.1.0
 */
export * as Constants from "./domain/Constants.js"

/**
 * @since 0.1.0
 */
export * as Errors from "./domain/Errors.js"

/**
 * @since 0.1.0
 */
export * as Timestamp from "./domain/Timestamp.js"

/**
 * @since 0.1.0
 */
export * as Extra from "./domain/Extra.js"

/**
 * @since 0.1.0
 */
export * as User from "./domain/User.js"

/**
 * @since 0.1.0
 */
export * as Permission from "./domain/Permission.js"

/**
 * @since 0.1.0
 */
export * as Host from "./domain/Host.js"

/**
 * @since 0.1.0
 */
export * as Channel from "./domain/Channel.js"

/**
 * @since 0.1.0
 */
export * as Task from "./domain/Task.js"

/**
 * @since 0.1.0
 */
export * as Build from "./domain/Build.js"

/**
 * @since 0.1.0
 */
export * as Rpm from "./domain/Rpm.js"

/**
 * @since 0.1.0
 */
export * as Tag from "./domain/Tag.js"

/**
 * @since 0.1.0
 */
export * as Target from "./domain/Target.js"

/**
 * @since 0.1.0
 */
export * as Repo from "./domain/Repo.js"

/**
 * @since 0.1.0
 */
export * as Buildroot from "./domain/Buildroot.js"

/**
 * @since 0.1.0
 */
export * as Event from "./domain/Event.js"

/**
 * @since 0.1.0
 */
export * as Database from "./db/Database.js"

/**
 * @since 0.1.0
 */
export * as Migrator from "./db/Migrator.js"

/**
 * @since 0.1.0
 */
export * as Notifications from "./db/Notifications.js"

/**
 * @since 0.1.0
 */
export * as PgliteClient from "./db/PgliteClient.js"

/**
 * @since 0.1.0
 */
export * as SqlState from "./db/SqlState.js"

/**
 * @since 0.1.0
 */
export * as Method from "./api/Method.js"

/**
 * @since 0.1.0
 */
export * as Api from "./api/Api.js"

/**
 * @since 0.1.0
 */
export * as SessionMiddleware from "./api/SessionMiddleware.js"

/**
 * @since 0.1.0
 */
export * as Multicall from "./api/Multicall.js"

/**
 * @since 0.1.0
 */
export * as Hub from "./hub/Hub.js"

/**
 * @since 0.1.0
 */
export * as HubConfig from "./hub/HubConfig.js"

/**
 * @since 0.1.0
 */
export * as Policy from "./hub/Policy.js"

/**
 * @since 0.1.0
 */
export * as PolicyParser from "./hub/PolicyParser.js"

/**
 * @since 0.1.0
 */
export * as PolicyTests from "./hub/PolicyTests.js"

/**
 * @since 0.1.0
 */
export * as PolicyLookups from "./hub/PolicyLookups.js"

/**
 * @since 0.1.0
 */
export * as PolicyApi from "./api/Policy.js"

/**
 * @since 0.1.0
 */
export * as Daemon from "./hub/Daemon.js"

/**
 * @since 0.1.0
 */
export * as Dispatcher from "./hub/Dispatcher.js"

/**
 * @since 0.1.0
 */
export * as Sessions from "./hub/Sessions.js"

/**
 * @since 0.1.0
 */
export * as Caller from "./hub/Caller.js"

/**
 * @since 0.1.0
 */
export * as Handlers from "./hub/Handlers.js"

/**
 * @since 0.1.0
 */
export * as Versioned from "./hub/Versioned.js"

/**
 * @since 0.1.0
 */
export * as Bootstrap from "./hub/Bootstrap.js"

/**
 * @since 0.1.0
 */
export * as Passwords from "./hub/Passwords.js"

/**
 * @since 0.1.0
 */
export * as Server from "./rpc/Server.js"

/**
 * @since 0.1.0
 */
export * as HttpApi from "./rpc/HttpApi.js"

/**
 * @since 0.1.0
 */
export * as KojiClient from "./client/KojiClient.js"

/**
 * @since 0.1.0
 */
export * as Tasks from "./hub/Tasks.js"

/**
 * @since 0.1.0
 */
export * as Scheduler from "./hub/Scheduler.js"

/**
 * @since 0.1.0
 */
export * as EventStream from "./hub/EventStream.js"

/**
 * @since 0.1.0
 */
export * as TaskRequest from "./hub/TaskRequest.js"

/**
 * @since 0.1.0
 */
export * as TasksApi from "./api/Tasks.js"

/**
 * @since 0.1.0
 */
export * as HostTasksApi from "./api/HostTasks.js"

/**
 * @since 0.1.0
 */
export * as EventStreamApi from "./api/EventStream.js"

/**
 * @since 0.1.0
 */
export * as TaskHandler from "./builder/TaskHandler.js"

/**
 * @since 0.1.0
 */
export * as Registry from "./builder/Registry.js"

/**
 * @since 0.1.0
 */
export * as Builder from "./builder/Builder.js"

/**
 * @since 0.1.0
 */
export * as BuilderConfig from "./builder/BuilderConfig.js"

/**
 * @since 0.1.0
 */
export * as TagsApi from "./api/Tags.js"

/**
 * @since 0.1.0
 */
export * as PackagesApi from "./api/Packages.js"

/**
 * @since 0.1.0
 */
export * as TargetsApi from "./api/Targets.js"

/**
 * @since 0.1.0
 */
export * as Tags from "./hub/Tags.js"

/**
 * @since 0.1.0
 */
export * as Inheritance from "./hub/Inheritance.js"

/**
 * @since 0.1.0
 */
export * as Packages from "./hub/Packages.js"

/**
 * @since 0.1.0
 */
export * as Targets from "./hub/Targets.js"

/**
 * @since 0.1.0
 */
export * as BuildsApi from "./api/Builds.js"

/**
 * @since 0.1.0
 */
export * as RpmsApi from "./api/Rpms.js"

/**
 * @since 0.1.0
 */
export * as TaggingApi from "./api/Tagging.js"

/**
 * @since 0.1.0
 */
export * as Builds from "./hub/Builds.js"

/**
 * @since 0.1.0
 */
export * as Rpms from "./hub/Rpms.js"

/**
 * @since 0.1.0
 */
export * as ArchivesApi from "./api/Archives.js"

/**
 * @since 0.1.0
 */
export * as Archives from "./hub/Archives.js"

/**
 * @since 0.1.0
 */
export * as Tagging from "./hub/Tagging.js"

/**
 * @since 0.1.0
 */
export * as Nvr from "./hub/Nvr.js"

/**
 * @since 0.1.0
 */
export * as FileStore from "./storage/FileStore.js"

/**
 * @since 0.1.0
 */
export * as Paths from "./storage/Paths.js"

/**
 * @since 0.1.0
 */
export * as Checksum from "./storage/Checksum.js"

/**
 * @since 0.1.0
 */
export * as FilesApi from "./api/Files.js"

/**
 * @since 0.1.0
 */
export * as Uploads from "./hub/Uploads.js"

/**
 * @since 0.1.0
 */
export * as Files from "./rpc/Files.js"

/**
 * @since 0.1.0
 */
export * as BuildrootsApi from "./api/Buildroots.js"

/**
 * @since 0.1.0
 */
export * as Buildroots from "./hub/Buildroots.js"

/**
 * @since 0.1.0
 */
export * as BuildrootBackends from "./buildroot/index.js"

/**
 * @since 0.1.0
 */
export * as Scm from "./scm/index.js"

/**
 * @since 0.1.0
 */
export * as RpmHeader from "./rpm/Header.js"

/**
 * @since 0.1.0
 */
export * as BuildTasksApi from "./api/BuildTasks.js"

/**
 * @since 0.1.0
 */
export * as HostBuildsApi from "./api/HostBuilds.js"

/**
 * @since 0.1.0
 */
export * as Import from "./hub/Import.js"

/**
 * @since 0.1.0
 */
export * as BuildLifecycle from "./hub/BuildLifecycle.js"
