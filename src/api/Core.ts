/**
 * Koji's trivial and introspection calls.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import * as Method from "./Method.js"

/**
 * One `_listapi` entry.
 *
 * @since 0.1.0
 * @category models
 */
export const ListApiEntry = Schema.Struct({
  name: Schema.String,
  doc: Schema.NullOr(Schema.String),
  argspec: Schema.Array(Schema.Unknown),
  argdesc: Schema.String,
  args: Schema.Array(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hello = Method.make("hello", {
  params: { args: Method.rest(Schema.Unknown) },
  success: Schema.String,
  readOnly: true,
  access: "anon",
  doc: "Simple testing call returning a string"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const echo = Method.make("echo", {
  params: { args: Method.rest(Schema.Unknown) },
  success: Schema.Array(Schema.Unknown),
  readOnly: true,
  access: "anon",
  doc: "Debug: returns its positional arguments as an array"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getAPIVersion = Method.make("getAPIVersion", {
  success: Schema.Int,
  readOnly: true,
  access: "anon",
  doc: "Return the API version (1)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getKojiVersion = Method.make("getKojiVersion", {
  success: Schema.String,
  readOnly: true,
  access: "anon",
  doc: "Return the Koji version this hub speaks (1.35.3)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listapi = Method.make("_listapi", {
  success: Schema.Array(ListApiEntry),
  readOnly: true,
  access: "anon",
  doc: "List available API calls"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listMethods = Method.make("system.listMethods", {
  success: Schema.Array(Schema.String),
  readOnly: true,
  access: "anon",
  doc: "List the names of the hub's methods"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const methodHelp = Method.make("system.methodHelp", {
  params: { method: Schema.String },
  success: Schema.String,
  readOnly: true,
  access: "anon",
  doc: "Describe a method: its arguments and its doc"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const methodSignature = Method.make("system.methodSignature", {
  params: { method: Schema.String },
  success: Schema.String,
  readOnly: true,
  access: "anon",
  doc: "Signatures are not supported (as in Koji)"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class CoreApi extends RpcGroup.make(
  hello,
  echo,
  getAPIVersion,
  getKojiVersion,
  listapi,
  listMethods,
  methodHelp,
  methodSignature
) {}
