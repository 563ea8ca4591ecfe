/**
 * `/kojifiles/`: the topdir, read-only, as Koji's `topurl` serves it (builds, repos, task
 * output): GET and HEAD, single byte ranges (206, 416 when unsatisfiable), a simple HTML
 * index for directories. A path that leaves the topdir is never served.
 *
 * @since 0.1.0
 */
import { HttpLayerRouter, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import { FileStore, type FileInfo } from "../storage/FileStore.js"

/**
 * The URL prefix.
 *
 * @since 0.1.0
 * @category constants
 */
export const prefix = "/kojifiles"

const types: Readonly<Record<string, string>> = {
  rpm: "application/x-rpm",
  log: "text/plain; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  spec: "text/plain; charset=utf-8",
  conf: "text/plain; charset=utf-8",
  repo: "text/plain; charset=utf-8",
  html: "text/html; charset=utf-8",
  json: "application/json",
  xml: "application/xml",
  gz: "application/gzip",
  bz2: "application/x-bzip2",
  xz: "application/x-xz",
  zst: "application/zstd",
  tar: "application/x-tar",
  tgz: "application/gzip",
  zip: "application/zip",
  jar: "application/java-archive",
  pom: "application/xml",
  iso: "application/x-iso9660-image",
  sqlite: "application/vnd.sqlite3",
  asc: "text/plain; charset=utf-8",
  sig: "application/pgp-signature"
}

/**
 * The `Content-Type` of a file by its extension (`application/octet-stream` when unknown).
 *
 * @since 0.1.0
 * @category combinators
 */
export const contentType = (name: string): string => {
  const dot = name.lastIndexOf(".")
  return dot < 0 ? "application/octet-stream" : types[name.slice(dot + 1).toLowerCase()] ?? "application/octet-stream"
}

/**
 * A `Range` header against a file of `size` bytes: `[start, end)`, `"unsatisfiable"`, or
 * undefined for none (or a form we answer with the whole file, like several ranges).
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseRange = (header: string | undefined, size: number): readonly [number, number] | "unsatisfiable" | undefined => {
  if (header === undefined) return undefined
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header)
  if (match === null) return undefined
  const [, first, last] = match
  if (first === "" && last === "") return undefined
  if (first === "") {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return "unsatisfiable"
    return [Math.max(0, size - suffix), size]
  }
  const start = Number(first)
  if (start >= size) return "unsatisfiable"
  const end = last === "" ? size : Math.min(size, Number(last) + 1)
  if (end <= start) return undefined
  return [start, end]
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const index = (urlPath: string, entries: ReadonlyArray<FileInfo>) => {
  const rows = entries.filter((e) => !e.name.startsWith(".")).map((e) => {
    const name = e.isDirectory ? `${e.name}/` : e.name
    const href = encodeURIComponent(e.name) + (e.isDirectory ? "/" : "")
    const when = new Date(e.mtime * 1000).toISOString().replace("T", " ").slice(0, 19)
    return `<tr><td><a href="${href}">${escapeHtml(name)}</a></td><td>${when}</td><td>${e.isDirectory ? "-" : e.size}</td></tr>`
  })
  const title = `Index of ${escapeHtml(urlPath)}`
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>\n<h1>${title}</h1>\n` +
    `<table>\n<tr><th>Name</th><th>Last modified</th><th>Size</th></tr>\n` +
    (urlPath === `${prefix}/` ? "" : `<tr><td><a href="../">../</a></td><td></td><td></td></tr>\n`) +
    rows.join("\n") + `\n</table>\n</body></html>\n`
}

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(`${text}\n`, { status, contentType: "text/plain; charset=utf-8", headers })

// the topdir-relative path of a request, or undefined when it cannot be decoded
const relativePath = (url: string): { readonly rel: string; readonly urlPath: string } | undefined => {
  const q = url.indexOf("?")
  const raw = q < 0 ? url : url.slice(0, q)
  if (!raw.startsWith(`${prefix}/`)) return undefined
  try {
    const rel = raw.slice(prefix.length + 1).split("/").map((part) => decodeURIComponent(part)).join("/")
    return rel.includes("\0") ? undefined : { rel, urlPath: raw }
  } catch {
    return undefined
  }
}

/**
 * Answer one `/kojifiles/...` request.
 *
 * @since 0.1.0
 * @category combinators
 */
export const handle = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(405, "Method Not Allowed", { Allow: "GET, HEAD" })
    }
    const store = yield* FileStore
    const bare = request.url.split("?")[0]
    if (bare === prefix) return HttpServerResponse.redirect(`${prefix}/`, { status: 301 })
    const path = relativePath(request.url)
    if (path === undefined) return plain(400, "Bad Request")
    const notFound = plain(404, "Not Found")
    const info = yield* store.stat(path.rel).pipe(
      Effect.catchAll((e) => e.reason === "BadPath" || e.reason === "NotFound" ? Effect.succeed(undefined) : Effect.fail(e))
    )
    if (info === undefined) return notFound
    if (info.isDirectory) {
      if (!path.urlPath.endsWith("/")) return HttpServerResponse.redirect(`${path.urlPath}/`, { status: 301 })
      const entries = yield* store.list(path.rel)
      return HttpServerResponse.text(index(path.urlPath, entries), { contentType: "text/html; charset=utf-8" })
    }
    const headers: Record<string, string> = {
      "accept-ranges": "bytes",
      "last-modified": new Date(info.mtime * 1000).toUTCString()
    }
    const type = contentType(info.name)
    const range = parseRange(request.headers["range"], info.size)
    if (range === "unsatisfiable") {
      return plain(416, "Range Not Satisfiable", { ...headers, "content-range": `bytes */${info.size}` })
    }
    const [start, end] = range ?? [0, info.size]
    if (range !== undefined) headers["content-range"] = `bytes ${start}-${end - 1}/${info.size}`
    return HttpServerResponse.stream(store.stream(path.rel, { start, end }), {
      status: range === undefined ? 200 : 206,
      contentType: type,
      contentLength: end - start,
      headers
    })
  }).pipe(
    Effect.catchAll((e) => Effect.succeed(plain(500, `Internal Server Error: ${e.message}`)))
  )

/**
 * The `/kojifiles/` routes, on the hub's `FileStore`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | FileStore> = Layer.unwrapEffect(
  Effect.map(FileStore, (store) =>
    Layer.mergeAll(
      HttpLayerRouter.add("*", prefix, (request) => Effect.provideService(handle(request), FileStore, store)),
      HttpLayerRouter.add("*", `${prefix}/*`, (request) => Effect.provideService(handle(request), FileStore, store))
    ))
)
