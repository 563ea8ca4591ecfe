/**
 * Koji's integer ids as branded schemas.
 *
 * Koji's ids are PostgreSQL `serial` columns (positive), with two seeded exceptions that are 0:
 * volume `DEFAULT` and external repo `INTERNAL` (reference section 3), so `VolumeId` and
 * `ExternalRepoId` allow 0. Every schema also has `make` (e.g. `TaskId.make(1)`), which checks.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const positive = <B extends string>(brand: B) =>
  Schema.Int.pipe(Schema.positive(), Schema.brand(brand, { identifier: brand }))

const nonNegative = <B extends string>(brand: B) =>
  Schema.Int.pipe(Schema.nonNegative(), Schema.brand(brand, { identifier: brand }))

/**
 * A user (or host user, or group) id: `users.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const UserId = positive("UserId")
/**
 * @since 0.1.0
 * @category models
 */
export type UserId = typeof UserId.Type

/**
 * A task id: `task.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const TaskId = positive("TaskId")
/**
 * @since 0.1.0
 * @category models
 */
export type TaskId = typeof TaskId.Type

/**
 * A builder host id: `host.id` (not the host's user id).
 *
 * @since 0.1.0
 * @category models
 */
export const HostId = positive("HostId")
/**
 * @since 0.1.0
 * @category models
 */
export type HostId = typeof HostId.Type

/**
 * A channel id: `channels.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const ChannelId = positive("ChannelId")
/**
 * @since 0.1.0
 * @category models
 */
export type ChannelId = typeof ChannelId.Type

/**
 * A build id: `build.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildId = positive("BuildId")
/**
 * @since 0.1.0
 * @category models
 */
export type BuildId = typeof BuildId.Type

/**
 * An RPM id: `rpminfo.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const RpmId = positive("RpmId")
/**
 * @since 0.1.0
 * @category models
 */
export type RpmId = typeof RpmId.Type

/**
 * An archive id: `archiveinfo.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const ArchiveId = positive("ArchiveId")
/**
 * @since 0.1.0
 * @category models
 */
export type ArchiveId = typeof ArchiveId.Type

/**
 * A package id: `package.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const PackageId = positive("PackageId")
/**
 * @since 0.1.0
 * @category models
 */
export type PackageId = typeof PackageId.Type

/**
 * A tag id: `tag.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const TagId = positive("TagId")
/**
 * @since 0.1.0
 * @category models
 */
export type TagId = typeof TagId.Type

/**
 * A build target id: `build_target.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const TargetId = positive("TargetId")
/**
 * @since 0.1.0
 * @category models
 */
export type TargetId = typeof TargetId.Type

/**
 * A repo id: `repo.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const RepoId = positive("RepoId")
/**
 * @since 0.1.0
 * @category models
 */
export type RepoId = typeof RepoId.Type

/**
 * A buildroot id: `buildroot.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildrootId = positive("BuildrootId")
/**
 * @since 0.1.0
 * @category models
 */
export type BuildrootId = typeof BuildrootId.Type

/**
 * An event id: `events.id`, the versioning clock of every change.
 *
 * @since 0.1.0
 * @category models
 */
export const EventId = positive("EventId")
/**
 * @since 0.1.0
 * @category models
 */
export type EventId = typeof EventId.Type

/**
 * A session id: `sessions.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const SessionId = positive("SessionId")
/**
 * @since 0.1.0
 * @category models
 */
export type SessionId = typeof SessionId.Type

/**
 * A permission id: `permissions.id`.
 *
 * @since 0.1.0
 * @category models
 */
export const PermissionId = positive("PermissionId")
/**
 * @since 0.1.0
 * @category models
 */
export type PermissionId = typeof PermissionId.Type

/**
 * A volume id: `volume.id`; 0 is the seeded volume `DEFAULT`.
 *
 * @since 0.1.0
 * @category models
 */
export const VolumeId = nonNegative("VolumeId")
/**
 * @since 0.1.0
 * @category models
 */
export type VolumeId = typeof VolumeId.Type

/**
 * An external repo id: `external_repo.id`; 0 is the seeded `INTERNAL` (Koji's own RPMs).
 *
 * @since 0.1.0
 * @category models
 */
export const ExternalRepoId = nonNegative("ExternalRepoId")
/**
 * @since 0.1.0
 * @category models
 */
export type ExternalRepoId = typeof ExternalRepoId.Type

/**
 * A content generator id: `content_generator.id` (`cg_id` on builds and buildroots).
 *
 * @since 0.1.0
 * @category models
 */
export const ContentGeneratorId = positive("ContentGeneratorId")
/**
 * @since 0.1.0
 * @category models
 */
export type ContentGeneratorId = typeof ContentGeneratorId.Type

/**
 * The id of the seeded volume `DEFAULT`.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_VOLUME_ID: VolumeId = VolumeId.make(0)

/**
 * The id of the seeded external repo `INTERNAL` (RPMs built by Koji itself).
 *
 * @since 0.1.0
 * @category constants
 */
export const INTERNAL_EXTERNAL_REPO_ID: ExternalRepoId = ExternalRepoId.make(0)
