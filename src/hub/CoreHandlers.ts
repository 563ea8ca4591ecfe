/**
 * Handlers of the trivial and introspection calls.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { KojiApi } from "../api/Api.js"
import { CoreApi } from "../api/Core.js"
import * as Method from "../api/Method.js"
import { API_VERSION, KOJI_VERSION } from "../domain/Constants.js"
import { GenericError } from "../domain/Errors.js"

/**
 * The methods `_listapi` and `system.listMethods` show (Koji hides multicall).
 *
 * @since 0.1.0
 * @category combinators
 */
export const listed = (): ReadonlyArray<Method.MethodInfo> =>
  [...Method.methodsOf(KojiApi).values()].flatMap(({ info }) => info.hidden ? [] : [info])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = CoreApi.toLayer(Effect.sync(() => {
  const infos = new Map(listed().map((info) => [info.name, info]))
  return CoreApi.of({
    hello: () => Effect.succeed("Hello World"),
    echo: ({ args }) => Effect.succeed(args),
    getAPIVersion: () => Effect.succeed(API_VERSION),
    getKojiVersion: () => Effect.succeed(KOJI_VERSION),
    _listapi: () => Effect.succeed([...infos.values()].map(Method.listapiEntry)),
    "system.listMethods": () => Effect.succeed([...infos.keys()]),
    "system.methodHelp": ({ method }) => {
      const info = infos.get(method)
      return info === undefined
        ? new GenericError({ message: `Invalid method: ${method}` })
        : Effect.succeed(`${info.name}${Method.argdesc(info)}\ndescription: ${info.doc}`)
    },
    "system.methodSignature": () => Effect.succeed("signatures not supported")
  })
}))
