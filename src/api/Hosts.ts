/**
 * Hosts and channels area of the hub API (reference 13): builder hosts, their
 * versioned configuration (`host_config`) and channel membership (`host_channels`),
 * the channels themselves, and the first `host.*` calls a builder makes.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Channel } from "../domain/Channel.js"
import { Host } from "../domain/Host.js"
import { ChannelId, EventId, HostId } from "../domain/Ids.js"
import * as Method from "./Method.js"
import { QueryOpts, UserInfo } from "./Users.js"

/**
 * A host named by its id or its name.
 *
 * @since 0.1.0
 * @category models
 */
export const HostInfo = Schema.Union(Schema.Int, Schema.String)

/**
 * @since 0.1.0
 * @category models
 */
export type HostInfo = typeof HostInfo.Type

/**
 * A channel named by its id or its name.
 *
 * @since 0.1.0
 * @category models
 */
export const ChannelInfo = Schema.Union(Schema.Int, Schema.String)

/**
 * @since 0.1.0
 * @category models
 */
export type ChannelInfo = typeof ChannelInfo.Type

/**
 * The data a builder reports with `host.updateHost` for the scheduler (kojid sends `{methods, maxjobs}`).
 *
 * @since 0.1.0
 * @category models
 */
export const HostData = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 * @category models
 */
export type HostData = typeof HostData.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const addHost = Method.make("addHost", {
  params: {
    hostname: Schema.String,
    arches: Schema.Array(Schema.String),
    krb_principal: Method.optional(Schema.NullOr(Schema.String), null),
    force: Method.optional(Schema.Boolean, false)
  },
  success: HostId,
  access: { perm: "host" },
  doc: "Add a builder host (its HOST user, config and the default channel); returns the host id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editHost = Method.make("editHost", {
  params: {
    hostInfo: HostInfo,
    arches: Method.keywordOption(Schema.String),
    capacity: Method.keywordOption(Schema.Number),
    description: Method.keywordOption(Schema.NullOr(Schema.String)),
    comment: Method.keywordOption(Schema.NullOr(Schema.String))
  },
  success: Schema.Boolean,
  access: { perm: "host" },
  doc: "Edit a host's arches, capacity, description or comment (versioned); returns whether anything changed"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getHost = Method.make("getHost", {
  params: {
    hostInfo: HostInfo,
    strict: Method.optional(Schema.Boolean, false),
    event: Method.optional(Schema.NullOr(EventId), null)
  },
  success: Schema.NullOr(Host),
  readOnly: true,
  access: "anon",
  doc: "Get information about a host by id or name, optionally as of an event"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listHosts = Method.make("listHosts", {
  params: {
    arches: Method.optional(Schema.NullOr(Schema.Union(Schema.Array(Schema.String), Schema.String)), null),
    channelID: Method.optional(Schema.NullOr(ChannelInfo), null),
    ready: Method.optional(Schema.NullOr(Schema.Boolean), null),
    enabled: Method.optional(Schema.NullOr(Schema.Boolean), null),
    userID: Method.optional(Schema.NullOr(UserInfo), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(Host), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List builder hosts by arches (any of), channel, ready, enabled and user"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const enableHost = Method.make("enableHost", {
  params: { hostname: HostInfo },
  access: { perm: "host" },
  doc: "Mark a host as enabled"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const disableHost = Method.make("disableHost", {
  params: { hostname: HostInfo },
  access: { perm: "host" },
  doc: "Mark a host as disabled"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const addHostToChannel = Method.make("addHostToChannel", {
  params: {
    hostname: HostInfo,
    channel_name: ChannelInfo,
    create: Method.optional(Schema.Boolean, false),
    force: Method.optional(Schema.Boolean, false)
  },
  access: { perm: "host" },
  doc: "Add a host to a channel (create makes a missing channel; force allows a disabled one)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const removeHostFromChannel = Method.make("removeHostFromChannel", {
  params: { hostname: HostInfo, channel_name: ChannelInfo },
  access: { perm: "host" },
  doc: "Remove a host from a channel"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listChannels = Method.make("listChannels", {
  params: {
    hostID: Method.optional(Schema.NullOr(HostInfo), null),
    event: Method.optional(Schema.NullOr(EventId), null),
    enabled: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: Schema.Array(Channel),
  readOnly: true,
  access: "anon",
  doc: "List channels, or those of a host (optionally as of an event), optionally only enabled or disabled ones"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getChannel = Method.make("getChannel", {
  params: {
    channelInfo: ChannelInfo,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Channel),
  readOnly: true,
  access: "anon",
  doc: "Look up a channel by id or name"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const addChannel = Method.make("addChannel", {
  params: {
    channel_name: Schema.String,
    description: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: ChannelId,
  access: { perm: "admin" },
  doc: "Add a channel; returns its id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editChannel = Method.make("editChannel", {
  params: {
    channelInfo: ChannelInfo,
    name: Method.keywordOption(Schema.String),
    description: Method.keywordOption(Schema.NullOr(Schema.String)),
    comment: Method.keywordOption(Schema.NullOr(Schema.String))
  },
  success: Schema.Boolean,
  access: { perm: "admin" },
  doc: "Edit a channel's name, description or comment; returns whether anything changed"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const renameChannel = Method.make("renameChannel", {
  params: { old: ChannelInfo, new: Schema.String },
  access: { perm: "admin" },
  doc: "Rename a channel (deprecated: editChannel(old, name=new))"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const enableChannel = Method.make("enableChannel", {
  params: {
    channelname: ChannelInfo,
    comment: Method.optional(Schema.NullOr(Schema.String), null)
  },
  access: { perm: "host" },
  doc: "Mark a channel as enabled (optionally setting its comment)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const disableChannel = Method.make("disableChannel", {
  params: {
    channelname: ChannelInfo,
    comment: Method.optional(Schema.NullOr(Schema.String), null)
  },
  access: { perm: "host" },
  doc: "Mark a channel as disabled (optionally setting its comment)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hostUpdateHost = Method.make("host.updateHost", {
  params: {
    task_load: Schema.Number,
    ready: Schema.Boolean,
    data: Method.optional(Schema.NullOr(HostData), null)
  },
  access: "host",
  doc: "Builder heartbeat: report task load and readiness, and data for the scheduler"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hostGetID = Method.make("host.getID", {
  success: HostId,
  readOnly: true,
  access: "host",
  doc: "The id of the calling host"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hostGetHost = Method.make("host.getHost", {
  success: Host,
  readOnly: true,
  access: "host",
  doc: "Information about the calling host"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class HostsApi extends RpcGroup.make(
  addHost,
  editHost,
  getHost,
  listHosts,
  enableHost,
  disableHost,
  addHostToChannel,
  removeHostFromChannel,
  listChannels,
  getChannel,
  addChannel,
  editChannel,
  renameChannel,
  enableChannel,
  disableChannel,
  hostUpdateHost,
  hostGetID,
  hostGetHost
) {}
