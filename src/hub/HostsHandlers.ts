/**
 * Handlers of the Hosts area (the logic lives in the `Hosts` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { HostsApi } from "../api/Hosts.js"
import type { ChannelId, HostId } from "../domain/Ids.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { Hosts, layer as hostsLayer } from "./Hosts.js"
import * as Lookup from "./Lookup.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(HostsApi, Effect.gen(function*() {
  const hosts = yield* Hosts
  const actor = Effect.map(Caller.session, (s) => s.userId)
  return {
    addHost: ({ arches, force, hostname, krb_principal }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.map(
          hosts.add({ hostname, arches, krbPrincipal: krb_principal, force }, actorId),
          (id) => id as HostId
        )),
    editHost: ({ arches, capacity, comment, description, hostInfo }) =>
      Effect.flatMap(actor, (actorId) => hosts.edit(hostInfo, { arches, capacity, description, comment }, actorId)),
    getHost: Lookup.wanting(
      ({ event, hostInfo, strict }) =>
        Effect.map(strict ? hosts.require(hostInfo, event) : hosts.find(hostInfo, event), (host) => host ?? null),
      ({ event, hostInfo }) => hosts.wants(hostInfo, event)
    ),
    listHosts: ({ arches, channelID, enabled, queryOpts, ready, userID }) =>
      hosts.list({ arches, channel: channelID, ready, enabled, user: userID, queryOpts }),
    enableHost: ({ hostname }) => Effect.flatMap(actor, (actorId) => Effect.as(hosts.setEnabled(hostname, true, actorId), null)),
    disableHost: ({ hostname }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(hosts.setEnabled(hostname, false, actorId), null)),
    addHostToChannel: ({ channel_name, create, force, hostname }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.as(hosts.addToChannel(hostname, channel_name, { create, force }, actorId), null)),
    removeHostFromChannel: ({ channel_name, hostname }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(hosts.removeFromChannel(hostname, channel_name, actorId), null)),
    listChannels: ({ enabled, event, hostID }) => hosts.listChannels({ host: hostID, event, enabled }),
    getChannel: ({ channelInfo, strict }) =>
      Effect.map(
        strict ? hosts.requireChannel(channelInfo) : hosts.findChannel(channelInfo),
        (channel) => channel ?? null
      ),
    addChannel: ({ channel_name, description }) =>
      Effect.map(hosts.addChannel(channel_name, description), (id) => id as ChannelId),
    editChannel: ({ channelInfo, comment, description, name }) =>
      hosts.editChannel(channelInfo, { name, description, comment }),
    renameChannel: (payload) => Effect.as(hosts.editChannel(payload.old, { name: payload.new }), null),
    enableChannel: ({ channelname, comment }) => Effect.as(hosts.setChannelEnabled(channelname, true, comment), null),
    disableChannel: ({ channelname, comment }) => Effect.as(hosts.setChannelEnabled(channelname, false, comment), null),
    "host.updateHost": ({ data, ready, task_load }) =>
      Effect.flatMap(Caller.host, ({ hostId }) => Effect.as(hosts.update(hostId, { taskLoad: task_load, ready, data }), null)),
    "host.getID": () => Effect.map(Caller.host, ({ hostId }) => hostId as HostId),
    "host.getHost": () => Effect.flatMap(Caller.host, ({ hostId }) => hosts.require(hostId))
  }
})).pipe(Layer.provide(hostsLayer))
