/**
 * Handlers of the event stream calls: `events.list`, `events.lastId` and the
 * streaming `events.watch`.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Stream } from "effect"
import { EventStreamApi, EventWatchApi } from "../api/EventStream.js"
import { toKojiError } from "./Dispatcher.js"
import { EventStream } from "./EventStream.js"
import * as Handlers from "./Handlers.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layerCalls = Handlers.toLayer(EventStreamApi, Effect.gen(function*() {
  const events = yield* EventStream
  return {
    "events.list": ({ after, filter, limit, wait }) => events.list({ after, filter, limit, wait }),
    "events.lastId": () => events.lastId
  }
}))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerWatch = EventWatchApi.toLayer(Effect.gen(function*() {
  const events = yield* EventStream
  return EventWatchApi.of({
    "events.watch": ({ after, filter }) => events.watch(after, filter).pipe(Stream.mapError(toKojiError))
  })
}))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.merge(layerCalls, layerWatch)
