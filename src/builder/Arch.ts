/**
 * This machine's arch in Koji's names.
 *
 * @since 0.1.0
 */

/**
 * Koji's arch name of this machine (`x86_64`, `aarch64`, ...).
 *
 * @since 0.1.0
 * @category constants
 */
export const localArch: string = ({
  x64: "x86_64",
  arm64: "aarch64",
  ia32: "i686",
  ppc64: "ppc64le",
  s390x: "s390x",
  riscv64: "riscv64"
} as Record<string, string>)[process.arch] ?? process.arch
