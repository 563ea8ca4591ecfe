/**
 * Koji's topdir layout (reference 9, Koji's `PathInfo`), as paths relative to the
 * topdir: what every part of koji-ts agrees on when it names a file.
 *
 * @since 0.1.0
 */

/**
 * The work directory of a task: `work/tasks/<id % 10000>/<id>`.
 *
 * @since 0.1.0
 * @category paths
 */
export const taskWork = (taskId: number): string => `work/tasks/${taskId % 10000}/${taskId}`

/**
 * The upload path (relative to `work/`) of a task's output: `tasks/<id % 10000>/<id>`.
 *
 * @since 0.1.0
 * @category paths
 */
export const taskUpload = (taskId: number): string => `tasks/${taskId % 10000}/${taskId}`

/**
 * A path under `work/` (uploads are named relative to it).
 *
 * @since 0.1.0
 * @category paths
 */
export const work = (relative: string): string => `work/${relative}`

/**
 * The work directory that uploads land under: `work`, or `vol/<volume>/work` for a volume other
 * than `DEFAULT`.
 *
 * @since 0.1.0
 * @category paths
 */
export const workDir = (volume?: string): string => `${volumeDir(volume)}work`

/**
 * A build's directory: `packages/<name>/<version>/<release>` (under `vol/<volume>/` for a
 * volume other than `DEFAULT`).
 *
 * @since 0.1.0
 * @category paths
 */
export const build = (nvr: { readonly name: string; readonly version: string; readonly release: string }, volume?: string): string =>
  `${volumeDir(volume)}packages/${nvr.name}/${nvr.version}/${nvr.release}`

/**
 * An RPM of a build: `<build>/<arch>/<N-V-R.A>.rpm`.
 *
 * @since 0.1.0
 * @category paths
 */
export const rpm = (
  buildNvr: { readonly name: string; readonly version: string; readonly release: string },
  rpm: { readonly name: string; readonly version: string; readonly release: string; readonly arch: string },
  volume?: string
): string => `${build(buildNvr, volume)}/${rpm.arch}/${rpm.name}-${rpm.version}-${rpm.release}.${rpm.arch}.rpm`

/**
 * A build's logs of one arch: `<build>/data/logs/<arch>`.
 *
 * @since 0.1.0
 * @category paths
 */
export const buildLogs = (
  nvr: { readonly name: string; readonly version: string; readonly release: string },
  arch: string,
  volume?: string
): string => `${build(nvr, volume)}/data/logs/${arch}`

/**
 * Where a scratch build's results land: `scratch/<user>/task_<id>`.
 *
 * @since 0.1.0
 * @category paths
 */
export const scratch = (userName: string, taskId: number): string => `scratch/${userName}/task_${taskId}`

const volumeDir = (volume: string | undefined) =>
  volume === undefined || volume === "DEFAULT" ? "" : `vol/${volume}/`
