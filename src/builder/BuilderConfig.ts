/**
 * The builder daemon from settings (`apps/builder`), and the local builder of
 * the all-in-one (`npm start`): this machine's arch and noarch, channel
 * `default`, on the hub in the same process.
 *
 * Settings: `KOJI_HUB_URL` (the hub's `/api` or `/kojihub` URL),
 * `KOJI_BUILDER_NAME` (default: this machine's hostname), `KOJI_BUILDER_PASSWORD`
 * or `KOJI_BUILDER_CERT` + `KOJI_BUILDER_KEY` (+ `KOJI_BUILDER_CA`) for a
 * certificate login, `KOJI_BUILDER_WORKDIR` (default `KOJI_HOME/builder`),
 * `KOJI_BUILDER_MAXJOBS` (10), `KOJI_BUILDER_FORCE_LOCK`, `KOJI_TOPURL` (default: the
 * hub's `/kojifiles`). The build pipeline's settings are in `BuildSettings`.
 *
 * @since 0.1.0
 */
import { type HttpServer } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import type { BuildrootBackend } from "../buildroot/Backend.js"
import * as Mock from "../buildroot/Mock.js"
import * as Rpmbuild from "../buildroot/Rpmbuild.js"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as KojiClient from "../client/KojiClient.js"
import * as Database from "../db/Database.js"
import type { HubConfig } from "../hub/HubConfig.js"
import { Hosts, layer as hostsLayer } from "../hub/Hosts.js"
import * as Passwords from "../hub/Passwords.js"
import * as Server from "../rpc/Server.js"
import { localArch } from "./Arch.js"
import * as Builder from "./Builder.js"
import * as BuildSettings from "./BuildSettings.js"
import * as Registry from "./Registry.js"
import type { TaskHandler } from "./TaskHandler.js"

export {
  /**
   * Koji's arch name of this machine.
   *
   * @since 0.1.0
   * @category constants
   */
  localArch
}

/**
 * The builder's settings.
 *
 * @since 0.1.0
 * @category config
 */
export const config = Config.all({
  hubUrl: Config.string("KOJI_HUB_URL"),
  name: Config.string("KOJI_BUILDER_NAME").pipe(Config.withDefault(os.hostname())),
  password: Config.option(Config.redacted("KOJI_BUILDER_PASSWORD")),
  cert: Config.option(Config.string("KOJI_BUILDER_CERT")),
  key: Config.option(Config.string("KOJI_BUILDER_KEY")),
  ca: Config.option(Config.string("KOJI_BUILDER_CA")),
  workdir: Config.option(Config.string("KOJI_BUILDER_WORKDIR")),
  maxjobs: Config.integer("KOJI_BUILDER_MAXJOBS").pipe(Config.withDefault(10)),
  forceLock: Config.boolean("KOJI_BUILDER_FORCE_LOCK").pipe(Config.withDefault(false)),
  topurl: Config.option(Config.string("KOJI_TOPURL"))
})

/**
 * Koji's `topurl` of a hub: its `/kojifiles` beside the API URL given (`/api` or `/kojihub`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const topurlOf = (hubUrl: string): string => {
  const url = new URL(hubUrl)
  url.pathname = url.pathname.replace(/\/(api|kojihub)\/?$/, "").replace(/\/+$/, "") + "/kojifiles"
  url.search = ""
  return url.toString()
}

/**
 * A builder against a remote hub, from settings (password or certificate login).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, unknown, Registry.Registry> = Layer.scopedDiscard(Effect.gen(function*() {
  const c = yield* config
  const home = yield* Database.home
  const tls = Option.isSome(c.cert) && Option.isSome(c.key)
    ? {
      cert: readFileSync(c.cert.value),
      key: readFileSync(c.key.value),
      ca: Option.isSome(c.ca) ? readFileSync(c.ca.value) : undefined
    }
    : undefined
  const login = (client: KojiClient.Client) => {
    if (tls !== undefined) return client.sslLogin({})
    if (Option.isSome(c.password)) return client.login({ user: c.name, password: Redacted.value(c.password.value) })
    return Effect.fail(new Error("set KOJI_BUILDER_PASSWORD, or KOJI_BUILDER_CERT and KOJI_BUILDER_KEY"))
  }
  yield* Builder.run({
    hostname: c.name,
    client: KojiClient.makeForUrl({ url: c.hubUrl, tls }),
    login,
    workdir: Option.getOrElse(c.workdir, () => path.join(home, "builder")),
    maxjobs: c.maxjobs,
    forceLock: c.forceLock,
    topurl: Option.getOrElse(c.topurl, () => topurlOf(c.hubUrl))
  })
}))

/**
 * The all-in-one's builder: this machine as host `KOJI_BUILDER_NAME` (its
 * hostname by default) with its arch, created on first start in channel
 * `default`, given a fresh random password at each start, and run against the
 * hub's own `/api` over HTTP.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLocal: Layer.Layer<never, unknown, SqlClient.SqlClient | HubConfig | HttpServer.HttpServer | Registry.Registry> =
  Layer.scopedDiscard(Effect.gen(function*() {
    const name = yield* Config.string("KOJI_BUILDER_NAME").pipe(Config.withDefault(os.hostname()))
    const home = yield* Database.home
    const sql = yield* SqlClient.SqlClient
    const hosts = yield* Effect.provide(Hosts, hostsLayer)
    const password = randomBytes(18).toString("base64url")
    yield* sql.withTransaction(Effect.gen(function*() {
      const existing = yield* hosts.find(name)
      if (existing === undefined) {
        const [admin] = yield* sql<{ id: number }>`
          SELECT up.user_id AS id FROM user_perms up JOIN permissions p ON p.id = up.perm_id
           WHERE p.name = 'admin' AND up.active IS TRUE ORDER BY up.user_id LIMIT 1`
        yield* hosts.add({ hostname: name, arches: [localArch] }, admin?.id ?? 1)
      }
      const hash = yield* Passwords.hash(password)
      yield* sql`UPDATE users SET password = ${hash} WHERE name = ${name}`
    }))
    const url = yield* Server.url
    yield* Builder.run({
      hostname: name,
      client: KojiClient.makeHttp({ url: `${url}/api` }),
      login: (client) => client.login({ user: name, password }),
      workdir: path.join(home, "builder"),
      forceLock: true,
      topurl: `${url}/kojifiles`
    })
  }))

/**
 * The buildroot backend named by `KOJI_BUILDROOT_BACKEND`: `rpmbuild` (the default: the host's
 * rpmbuild in a bubblewrap sandbox) or `mock`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBackend: Layer.Layer<BuildrootBackend, unknown> = Layer.unwrapEffect(
  Effect.map(
    Config.literal("rpmbuild", "mock")("KOJI_BUILDROOT_BACKEND").pipe(Config.withDefault("rpmbuild" as const)),
    (name) => name === "mock" ? Mock.layer : Rpmbuild.layer
  )
)

/**
 * The handlers of a builder from settings: Koji's generic ones and the build pipeline's, on the
 * backend of `KOJI_BUILDROOT_BACKEND` with the `BuildSettings` of the environment, plus `handlers`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRegistry = (...handlers: ReadonlyArray<TaskHandler>): Layer.Layer<Registry.Registry, unknown> =>
  Registry.layerWithBuilds(...handlers).pipe(
    Layer.provide(Layer.merge(layerBackend, BuildSettings.layerConfig))
  )
