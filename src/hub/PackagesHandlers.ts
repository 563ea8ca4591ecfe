/**
 * Handlers of the Packages area (the logic lives in the `Packages` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { PackagesApi } from "../api/Packages.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { layer as packagesLayer, Packages } from "./Packages.js"
import { layer as tagsLayer } from "./Tags.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(PackagesApi, Effect.gen(function*() {
  const packages = yield* Packages
  const actor = Effect.map(Caller.session, (s) => s.userId)
  return {
    packageListAdd: ({ block, extra_arches, force, owner, pkginfo, taginfo, update }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.as(packages.add(taginfo, pkginfo, { owner, block, extraArches: extra_arches, force, update }, actorId), null)),
    packageListRemove: ({ force, pkginfo, taginfo }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(packages.remove(taginfo, pkginfo, force === true, actorId), null)),
    packageListBlock: ({ force, pkginfo, taginfo }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(packages.block(taginfo, pkginfo, force === true, actorId), null)),
    packageListUnblock: ({ force, pkginfo, taginfo }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(packages.unblock(taginfo, pkginfo, force === true, actorId), null)),
    packageListSetOwner: ({ force, owner, pkginfo, taginfo }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.as(packages.add(taginfo, pkginfo, { owner, force, update: true }, actorId), null)),
    packageListSetArches: ({ arches, force, pkginfo, taginfo }) =>
      Effect.flatMap(actor, (actorId) =>
        Effect.as(packages.add(taginfo, pkginfo, { extraArches: arches, force, update: true }, actorId), null)),
    listPackages: (p) =>
      packages.list({
        tagID: p.tagID,
        userID: p.userID,
        pkgID: p.pkgID,
        prefix: p.prefix,
        inherited: p.inherited,
        withDups: p.with_dups,
        event: p.event,
        queryOpts: p.queryOpts,
        withOwners: p.with_owners,
        withBlocked: p.with_blocked
      }),
    listPackagesSimple: ({ prefix, queryOpts }) => packages.listSimple(prefix, queryOpts),
    getPackage: ({ create, info, strict }) =>
      Effect.zipRight(
        // Koji lets anyone create here; koji-ts asks for a login
        create ? Caller.assertLogin : Effect.void,
        Effect.map(packages.lookup(info, { strict, create }), (pkg) => pkg ?? null)
      ),
    getPackageID: ({ name, strict }) => packages.packageId(name, strict),
    getPackageConfig: ({ event, pkg, tag }) => Effect.map(packages.config(tag, pkg, event), (entry) => entry ?? null)
  }
})).pipe(Layer.provide(packagesLayer), Layer.provide(tagsLayer))
