/**
 * Files area of the hub API (reference 2.9): uploads under `work/` (Koji's legacy
 * `uploadFile` and the fast `rawUpload`), `checkUpload`, and a task's output
 * (`listTaskOutput`, `downloadTaskOutput`).
 *
 * The fast upload travels as a raw HTTP body (`POST /kojihub` or `/api/upload` with
 * `Content-Type: application/octet-stream`); `rawUpload` here is the same call for the
 * typed API in process (hidden, as Koji has no such method).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { ParseResult, Schema } from "effect"
import * as Method from "./Method.js"

const base64Syntax = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Bytes as Koji sends them: a base64 string (line breaks allowed, as Python's
 * `base64.encodebytes` writes them); an XML-RPC `<base64>` value is taken too. Encodes as a
 * base64 string (what Koji's `downloadTaskOutput` answers and its clients `b64decode`).
 *
 * @since 0.1.0
 * @category models
 */
export const Base64Data = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf),
  Schema.Uint8ArrayFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      if (input instanceof Uint8Array) return ParseResult.succeed(input)
      const text = input.replace(/\s+/g, "")
      if (text.length % 4 !== 0 || !base64Syntax.test(text)) {
        return ParseResult.fail(new ParseResult.Type(ast, input, "not a base64 string"))
      }
      return ParseResult.succeed(new Uint8Array(Buffer.from(text, "base64")))
    },
    encode: (bytes) =>
      ParseResult.succeed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"))
  }
)

/**
 * A checksum as `uploadFile` takes it: an md5 hex string, or `[type, hexdigest]`.
 *
 * @since 0.1.0
 * @category models
 */
export const UploadChecksum = Schema.Union(Schema.String, Schema.Tuple(Schema.String, Schema.String))

/**
 * An integer that may come as a string (offsets past 32 bits from old clients).
 *
 * @since 0.1.0
 * @category models
 */
export const Offset = Schema.Union(
  Schema.Int,
  Schema.compose(Schema.NumberFromString, Schema.Int)
)

/**
 * What the fast upload answers for one chunk: its size, the checksum kind asked for (`""` when
 * none), the offset it was written at (the end of the file for -1), and its checksum (only
 * when asked for; adler32 as 8 hex digits).
 *
 * @since 0.1.0
 * @category models
 */
export const RawUploadResult = Schema.Struct({
  size: Schema.Int,
  fileverify: Schema.String,
  offset: Schema.Int,
  hexdigest: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type RawUploadResult = typeof RawUploadResult.Type

/**
 * `checkUpload`'s answer: the file's size and mtime, and with `verify` the checksum of its
 * content (or of its last `tail` bytes) with the number of bytes summed.
 *
 * @since 0.1.0
 * @category models
 */
export const UploadInfo = Schema.Struct({
  size: Schema.Int,
  mtime: Schema.Number,
  sumlength: Schema.optional(Schema.Int),
  hexdigest: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type UploadInfo = typeof UploadInfo.Type

/**
 * A file's `os.stat` as `listTaskOutput(stat=True)` gives it (the size as a string, as Koji does).
 *
 * @since 0.1.0
 * @category models
 */
export const OutputStat = Schema.Struct({
  st_atime: Schema.Number,
  st_ctime: Schema.Number,
  st_mtime: Schema.Number,
  st_size: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputStat = typeof OutputStat.Type

/**
 * `listTaskOutput`'s answer, by its flags: the file names (relative to the task's directory);
 * with `stat` `{file: stat}`; with `all_volumes` `{file: [volume, ...]}`; with both
 * `{file: {volume: stat}}`.
 *
 * @since 0.1.0
 * @category models
 */
export const TaskOutput = Schema.Union(
  Schema.Array(Schema.String),
  Schema.Record({
    key: Schema.String,
    value: Schema.Union(
      OutputStat,
      Schema.Array(Schema.String),
      Schema.Record({ key: Schema.String, value: OutputStat })
    )
  })
)

/**
 * @since 0.1.0
 * @category methods
 */
export const uploadFile = Method.make("uploadFile", {
  params: {
    path: Schema.String,
    name: Schema.String,
    size: Schema.NullOr(Offset),
    md5sum: Schema.NullOr(UploadChecksum),
    offset: Offset,
    data: Base64Data,
    volume: Method.optional(Schema.NullOr(Schema.String), null),
    checksum: Method.optional(Schema.NullOr(UploadChecksum), null)
  },
  success: Schema.Boolean,
  readOnly: true,
  access: "login",
  doc:
    "Legacy chunked upload to work/<path>/<name>: base64 data at offset; offset=-1 with the total size and whole-file checksum finishes (False on a mismatch)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const checkUpload = Method.make("checkUpload", {
  params: {
    path: Schema.String,
    name: Schema.String,
    verify: Method.optional(Schema.NullOr(Schema.String), null),
    tail: Method.optional(Schema.NullOr(Offset), null),
    volume: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: Schema.NullOr(UploadInfo),
  readOnly: true,
  access: "login",
  doc: "An uploaded file under work/: {size, mtime[, sumlength, hexdigest]} or None; verify=adler32|md5|sha256, tail=last N bytes only"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const rawUpload = Method.make("rawUpload", {
  params: {
    chunk: Base64Data,
    offset: Offset,
    path: Schema.String,
    name: Schema.String,
    verify: Method.optional(Schema.NullOr(Schema.String), "adler32"),
    overwrite: Method.optional(Schema.Boolean, false),
    volume: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: RawUploadResult,
  readOnly: true,
  hidden: true,
  access: "login",
  doc: "The fast upload of one chunk (over HTTP it is a raw POST body; this is the same call in process)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listTaskOutput = Method.make("listTaskOutput", {
  params: {
    taskID: Schema.Int,
    stat: Method.optional(Schema.Boolean, false),
    all_volumes: Method.optional(Schema.Boolean, false),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: TaskOutput,
  readOnly: true,
  access: "anon",
  doc: "The files under a task's work directory; stat=True gives {file: {st_size (a string), st_atime, st_mtime, st_ctime}}, all_volumes=True maps files to volumes"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const downloadTaskOutput = Method.make("downloadTaskOutput", {
  params: {
    taskID: Schema.Int,
    fileName: Schema.String,
    offset: Method.optional(Offset, 0),
    size: Method.optional(Offset, -1),
    volume: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: Base64Data,
  readOnly: true,
  access: "anon",
  doc: "Read a task's output file from offset (negative: from the end), size bytes (-1: to the end), as base64"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class FilesApi extends RpcGroup.make(
  uploadFile,
  checkUpload,
  rawUpload,
  listTaskOutput,
  downloadTaskOutput
) {}
