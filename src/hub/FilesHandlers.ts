/**
 * Handlers of the Files area (the logic lives in the `Uploads` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { FilesApi } from "../api/Files.js"
import * as Handlers from "./Handlers.js"
import { layer as uploadsLayer, Uploads } from "./Uploads.js"

/**
 * The handlers, and the `Uploads` service they use (the raw upload routes use it too).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(FilesApi, Effect.gen(function*() {
  const uploads = yield* Uploads
  return {
    uploadFile: (p) => uploads.uploadFile(p),
    checkUpload: (p) => uploads.checkUpload(p),
    rawUpload: ({ chunk, name, offset, overwrite, path, verify, volume }) =>
      uploads.rawUpload({ path, name, offset, verify, overwrite, volume }, chunk),
    listTaskOutput: ({ all_volumes, stat, strict, taskID }) =>
      uploads.listTaskOutput({ taskId: taskID, stat, allVolumes: all_volumes, strict }),
    downloadTaskOutput: ({ fileName, offset, size, taskID, volume }) =>
      uploads.downloadTaskOutput({ taskId: taskID, fileName, offset, size, volume })
  }
})).pipe(Layer.provideMerge(uploadsLayer))
