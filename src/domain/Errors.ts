/**
 * Koji's fault classes as typed errors (koji/__init__.py; reference section 2.5).
 *
 * Everything derives from one table, `faultTable`: each class's `faultCode` and `parent`,
 * the code lookup of `fromFault`, and the parent chain of `isA`. A hub answers a Koji
 * error with its code and `str(e)` (here `message`); a client maps the code back to the class, as
 * `koji.convertFault` does. Codes no class owns (1 for unhandled hub exceptions, or anything
 * unknown) become a `Fault` that keeps the code.
 *
 * @since 0.1.0
 */
import { Predicate, Schema } from "effect"
import type { Cause } from "effect"

/**
 * Every Koji fault class: its fault code and the class it derives from (`null` for the base,
 * `GenericError`).
 *
 * @since 0.1.0
 * @category models
 */
export const faultTable = {
  GenericError: { code: 1000, parent: null },
  LockError: { code: 1001, parent: "GenericError" },
  AuthError: { code: 1002, parent: "GenericError" },
  TagError: { code: 1003, parent: "GenericError" },
  ActionNotAllowed: { code: 1004, parent: "GenericError" },
  BuildError: { code: 1005, parent: "GenericError" },
  AuthLockError: { code: 1006, parent: "AuthError" },
  AuthExpired: { code: 1007, parent: "AuthError" },
  SequenceError: { code: 1008, parent: "AuthError" },
  RetryError: { code: 1009, parent: "AuthError" },
  PreBuildError: { code: 1010, parent: "BuildError" },
  PostBuildError: { code: 1011, parent: "BuildError" },
  BuildrootError: { code: 1012, parent: "BuildError" },
  FunctionDeprecated: { code: 1013, parent: "GenericError" },
  ServerOffline: { code: 1014, parent: "GenericError" },
  LiveCDError: { code: 1015, parent: "GenericError" },
  PluginError: { code: 1016, parent: "GenericError" },
  CallbackError: { code: 1017, parent: "PluginError" },
  ApplianceError: { code: 1018, parent: "GenericError" },
  ParameterError: { code: 1019, parent: "GenericError" },
  ImportError: { code: 1020, parent: "GenericError" },
  ConfigurationError: { code: 1021, parent: "GenericError" },
  LiveMediaError: { code: 1022, parent: "GenericError" },
  GSSAPIAuthError: { code: 1023, parent: "AuthError" },
  NameValidationError: { code: 1024, parent: "GenericError" }
} as const

/**
 * The name (`_tag`) of a Koji fault class.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultTag = keyof typeof faultTable

/**
 * The fault code of a Koji fault class.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultCode<T extends FaultTag> = (typeof faultTable)[T]["code"]

/**
 * The parent class of a Koji fault class (`null` for `GenericError`).
 *
 * @since 0.1.0
 * @category models
 */
export type ParentOf<T extends FaultTag> = (typeof faultTable)[T]["parent"]

/**
 * The class itself and every class it derives from.
 *
 * @since 0.1.0
 * @category models
 */
export type AncestorOf<T extends FaultTag> =
  | T
  | (ParentOf<T> extends infer P extends FaultTag ? AncestorOf<P> : never)

/**
 * The class itself and every class that derives from it.
 *
 * @since 0.1.0
 * @category models
 */
export type DescendantOf<T extends FaultTag> = {
  [K in FaultTag]: T extends AncestorOf<K> ? K : never
}[FaultTag]

const fields = { message: Schema.String }

/**
 * The static side of a Koji fault class: a `Schema.TaggedError` class with a `message` field, plus
 * Koji's `faultCode` and its `parent` class name. Instances carry `faultCode` too.
 *
 * @since 0.1.0
 * @category models
 */
export interface KojiErrorClass<Self, Tag extends FaultTag> extends
  Schema.Class<
    Self,
    { readonly _tag: Schema.tag<Tag> } & typeof fields,
    Schema.Struct.Encoded<{ readonly _tag: Schema.tag<Tag> } & typeof fields>,
    never,
    Schema.Struct.Constructor<typeof fields>,
    {},
    Cause.YieldableError & { readonly faultCode: FaultCode<Tag> }
  >
{
  readonly _tag: Tag
  readonly faultCode: FaultCode<Tag>
  readonly parent: ParentOf<Tag>
}

/**
 * Declares the class of a Koji fault, its code and parent read from `faultTable`.
 *
 * @example
 * ```ts
 * export class AuthError extends Errors.KojiErrorOf<AuthError>()("AuthError") {}
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const KojiErrorOf = <Self = never>() => <Tag extends FaultTag>(tag: Tag): KojiErrorClass<Self, Tag> => {
  const { code, parent } = faultTable[tag]
  const Base: any = Schema.TaggedError<any>()(tag, fields)
  class KojiError extends Base {
    static readonly faultCode = code
    static readonly parent = parent
    get faultCode() {
      return code
    }
  }
  return KojiError as any
}

/**
 * 1000: the base class of every Koji error (`koji.GenericError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class GenericError extends KojiErrorOf<GenericError>()("GenericError") {}

/**
 * 1001: a lock could not be taken.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockError extends KojiErrorOf<LockError>()("LockError") {}

/**
 * 1002: authentication failed or is missing.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthError extends KojiErrorOf<AuthError>()("AuthError") {}

/**
 * 1003: a tag operation failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TagError extends KojiErrorOf<TagError>()("TagError") {}

/**
 * 1004: the caller lacks a permission ("X permission required (logged in as U)").
 *
 * @since 0.1.0
 * @category errors
 */
export class ActionNotAllowed extends KojiErrorOf<ActionNotAllowed>()("ActionNotAllowed") {}

/**
 * 1005: a build failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class BuildError extends KojiErrorOf<BuildError>()("BuildError") {}

/**
 * 1006: the session is locked (an AuthError).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthLockError extends KojiErrorOf<AuthLockError>()("AuthLockError") {}

/**
 * 1007: the session expired (an AuthError).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthExpired extends KojiErrorOf<AuthExpired>()("AuthExpired") {}

/**
 * 1008: a call number arrived out of sequence (an AuthError).
 *
 * @since 0.1.0
 * @category errors
 */
export class SequenceError extends KojiErrorOf<SequenceError>()("SequenceError") {}

/**
 * 1009: a retried call cannot be replayed (an AuthError).
 *
 * @since 0.1.0
 * @category errors
 */
export class RetryError extends KojiErrorOf<RetryError>()("RetryError") {}

/**
 * 1010: a build failed before it started (a BuildError).
 *
 * @since 0.1.0
 * @category errors
 */
export class PreBuildError extends KojiErrorOf<PreBuildError>()("PreBuildError") {}

/**
 * 1011: a build failed after it ran (a BuildError).
 *
 * @since 0.1.0
 * @category errors
 */
export class PostBuildError extends KojiErrorOf<PostBuildError>()("PostBuildError") {}

/**
 * 1012: a buildroot failed (a BuildError).
 *
 * @since 0.1.0
 * @category errors
 */
export class BuildrootError extends KojiErrorOf<BuildrootError>()("BuildrootError") {}

/**
 * 1013: the called function is deprecated.
 *
 * @since 0.1.0
 * @category errors
 */
export class FunctionDeprecated extends KojiErrorOf<FunctionDeprecated>()("FunctionDeprecated") {}

/**
 * 1014: the hub is offline (`ServerOffline` setting, or the database is unreachable).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerOffline extends KojiErrorOf<ServerOffline>()("ServerOffline") {}

/**
 * 1015: a LiveCD image failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class LiveCDError extends KojiErrorOf<LiveCDError>()("LiveCDError") {}

/**
 * 1016: a plugin failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class PluginError extends KojiErrorOf<PluginError>()("PluginError") {}

/**
 * 1017: a callback failed (a PluginError).
 *
 * @since 0.1.0
 * @category errors
 */
export class CallbackError extends KojiErrorOf<CallbackError>()("CallbackError") {}

/**
 * 1018: an appliance image failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApplianceError extends KojiErrorOf<ApplianceError>()("ApplianceError") {}

/**
 * 1019: bad arguments (also a call whose signature does not match).
 *
 * @since 0.1.0
 * @category errors
 */
export class ParameterError extends KojiErrorOf<ParameterError>()("ParameterError") {}

/**
 * 1020: an import failed (Koji's `koji.ImportError`, not Python's).
 *
 * @since 0.1.0
 * @category errors
 */
export class ImportError extends KojiErrorOf<ImportError>()("ImportError") {}

/**
 * 1021: the configuration could not be loaded.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends KojiErrorOf<ConfigurationError>()("ConfigurationError") {}

/**
 * 1022: a LiveMedia image failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class LiveMediaError extends KojiErrorOf<LiveMediaError>()("LiveMediaError") {}

/**
 * 1023: GSSAPI authentication failed (an AuthError).
 *
 * @since 0.1.0
 * @category errors
 */
export class GSSAPIAuthError extends KojiErrorOf<GSSAPIAuthError>()("GSSAPIAuthError") {}

/**
 * 1024: a name failed validation (defined by Koji, not raised by its hub yet).
 *
 * @since 0.1.0
 * @category errors
 */
export class NameValidationError extends KojiErrorOf<NameValidationError>()("NameValidationError") {}

/**
 * Every Koji fault class by name.
 *
 * @since 0.1.0
 * @category models
 */
export const classes = {
  GenericError,
  LockError,
  AuthError,
  TagError,
  ActionNotAllowed,
  BuildError,
  AuthLockError,
  AuthExpired,
  SequenceError,
  RetryError,
  PreBuildError,
  PostBuildError,
  BuildrootError,
  FunctionDeprecated,
  ServerOffline,
  LiveCDError,
  PluginError,
  CallbackError,
  ApplianceError,
  ParameterError,
  ImportError,
  ConfigurationError,
  LiveMediaError,
  GSSAPIAuthError,
  NameValidationError
} as const satisfies { readonly [K in FaultTag]: KojiErrorClass<any, K> }

/**
 * Any Koji error: the union of every fault class, as a schema (decodes and encodes by `_tag`).
 *
 * @since 0.1.0
 * @category errors
 */
export const KojiError = Schema.Union(
  GenericError,
  LockError,
  AuthError,
  TagError,
  ActionNotAllowed,
  BuildError,
  AuthLockError,
  AuthExpired,
  SequenceError,
  RetryError,
  PreBuildError,
  PostBuildError,
  BuildrootError,
  FunctionDeprecated,
  ServerOffline,
  LiveCDError,
  PluginError,
  CallbackError,
  ApplianceError,
  ParameterError,
  ImportError,
  ConfigurationError,
  LiveMediaError,
  GSSAPIAuthError,
  NameValidationError
)

/**
 * @since 0.1.0
 * @category errors
 */
export type KojiError = typeof KojiError.Type

/**
 * The instance type of the Koji fault class named `T`.
 *
 * @since 0.1.0
 * @category models
 */
export type InstanceOf<T extends FaultTag> = Extract<KojiError, { readonly _tag: T }>

/**
 * A fault that no Koji class owns, with its code kept: code 1 for an unhandled exception on the
 * hub (`"<class 'X'>: msg"`), or a code this version does not know. Like Koji's client, which
 * returns the raw `xmlrpc.client.Fault` then, it is not a `GenericError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class Fault extends Schema.TaggedError<Fault>()("Fault", {
  faultCode: Schema.Int,
  message: Schema.String
}) {}

/**
 * The code a hub answers for an exception that is not a Koji error.
 *
 * @since 0.1.0
 * @category constants
 */
export const UNHANDLED_FAULT_CODE = 1

/**
 * Any fault a hub can answer: a Koji error or a `Fault`.
 *
 * @since 0.1.0
 * @category errors
 */
export const AnyFault = Schema.Union(KojiError, Fault)

/**
 * @since 0.1.0
 * @category errors
 */
export type AnyFault = typeof AnyFault.Type

/**
 * A fault as it travels in XML-RPC (`{faultCode, faultString}`).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultStruct {
  readonly faultCode: number
  readonly faultString: string
}

const isFaultTag = (u: unknown): u is FaultTag => typeof u === "string" && Object.hasOwn(faultTable, u)

const byCode: ReadonlyMap<number, FaultTag> = new Map(
  (Object.keys(faultTable) as Array<FaultTag>).map((tag) => [faultTable[tag].code, tag])
)

/**
 * The class and its ancestors, nearest first: `ancestors("AuthExpired")` is
 * `["AuthExpired", "AuthError", "GenericError"]`.
 *
 * @since 0.1.0
 * @category utils
 */
export const ancestors = <T extends FaultTag>(tag: T): ReadonlyArray<AncestorOf<T>> => {
  const out: Array<FaultTag> = []
  for (let t: FaultTag | null = tag; t !== null; t = faultTable[t].parent) {
    out.push(t)
  }
  return out as Array<AncestorOf<T>>
}

/**
 * Whether a value is a Koji error of the named class or of a class derived from it, as Python's
 * `isinstance`: every Koji error is a `GenericError`, `AuthExpired` is an `AuthError`, a
 * `Fault` is none of them.
 *
 * @since 0.1.0
 * @category guards
 */
export function isA<T extends FaultTag>(tag: T): (u: unknown) => u is InstanceOf<DescendantOf<T>>
export function isA<T extends FaultTag>(u: unknown, tag: T): u is InstanceOf<DescendantOf<T>>
export function isA(...args: [FaultTag] | [unknown, FaultTag]): boolean | ((u: unknown) => boolean) {
  if (args.length === 1) {
    const [tag] = args
    return (u: unknown) => isA(u, tag)
  }
  const [u, tag] = args
  return Predicate.hasProperty(u, "_tag") && isFaultTag(u._tag) && ancestors(u._tag).includes(tag)
}

/**
 * Whether a value is any Koji error (any class of `faultTable`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isKojiError = (u: unknown): u is KojiError => Predicate.hasProperty(u, "_tag") && isFaultTag(u._tag)

/**
 * Makes the Koji error named `tag`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <T extends FaultTag>(tag: T, message: string): InstanceOf<T> =>
  new classes[tag]({ message }) as InstanceOf<T>

/**
 * The error for a fault code and string, as `koji.convertFault`: the Koji class that owns the code,
 * else a `Fault` keeping the code.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFault = (faultCode: number, faultString: string): AnyFault => {
  const tag = byCode.get(faultCode)
  return tag === undefined ? new Fault({ faultCode, message: faultString }) : make(tag, faultString)
}

/**
 * The fault struct a hub answers for an error: its code and `str(e)`.
 *
 * @since 0.1.0
 * @category utils
 */
export const faultOf = (error: AnyFault): FaultStruct => ({
  faultCode: error.faultCode,
  faultString: error.message
})
