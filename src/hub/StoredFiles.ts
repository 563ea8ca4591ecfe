/**
 * Files of the hub's store as the read calls name them (Koji's `getChangelogEntries`,
 * `getRPMHeaders`): a task's output path, whether a file is there, a package's header, and how
 * Koji prints a store path.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { GenericError } from "../domain/Errors.js"
import * as Header from "../rpm/Header.js"
import type * as FileStore from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"

/**
 * Koji's `removeNonprintable`: a string without its control characters (tab, newline and
 * carriage return stay).
 *
 * @since 0.1.0
 * @category combinators
 */
// eslint-disable-next-line no-control-regex
export const printable = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")

/**
 * The store path of a file of a task's output, as Koji's `getChangelogEntries` and
 * `getRPMHeaders` take it (`taskID` + `filepath`): no absolute path, no `../`.
 *
 * @since 0.1.0
 * @category files
 */
export const taskFilePath = (taskId: number, filepath: string | null | undefined): Effect.Effect<string, GenericError> => {
  if (!filepath) return Effect.fail(new GenericError({ message: "filepath must be specified with taskID" }))
  if (filepath.startsWith("/") || filepath.includes("../")) {
    return Effect.fail(new GenericError({ message: `Invalid filepath: ${filepath}` }))
  }
  return Effect.succeed(`${Paths.taskWork(taskId)}/${filepath}`)
}

/**
 * Whether a regular file is at `path` in the store.
 *
 * @since 0.1.0
 * @category files
 */
export const storedFileExists = (store: FileStore.FileStore.Service, path: string): Effect.Effect<boolean, GenericError> =>
  Effect.map(
    Effect.mapError(store.stat(path), (e) => new GenericError({ message: e.message })),
    (info) => info !== undefined && !info.isDirectory
  )

/**
 * The header of the package at `path` in the store; an unreadable one is a `GenericError`.
 *
 * @since 0.1.0
 * @category files
 */
export const readStoredHeader = (store: FileStore.FileStore.Service, path: string): Effect.Effect<Header.RpmHeader, GenericError> =>
  Header.read((size) => Effect.mapError(store.read(path, { size }), (e) => new GenericError({ message: e.message }))).pipe(
    Effect.catchTag("RpmHeaderError", (e) => Effect.fail(new GenericError({ message: `Cannot read ${path}: ${e.message}` })))
  )

/**
 * How Koji names a path of the store in its messages: absolute under a local topdir.
 *
 * @since 0.1.0
 * @category files
 */
export const shownPath = (store: FileStore.FileStore.Service, path: string): string =>
  store.localRoot === undefined ? path : `${store.localRoot}/${path}`
