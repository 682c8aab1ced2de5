/**
 * Remote tasks: a task of an ordinary `TaskGroup` that runs on another process, as a
 * call to an `effect/cluster` entity.
 *
 * @since 0.1.0
 */
import type * as Entity from "effect/cluster/Entity"
import type { Sharding } from "effect/cluster/Sharding"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Inspectable from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Rpc from "effect/rpc/Rpc"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/remoteTask.ts"
import type { TransportError } from "./TransportError.ts"

/**
 * The identifier every remote task carries.
 *
 * **Example**
 *
 * ```ts
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const Ping = RemoteTask.make("Ping")
 * console.log(Ping[RemoteTask.TypeId] === RemoteTask.TypeId) // true
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof internal.RemoteTaskTypeId = internal.RemoteTaskTypeId

/**
 * A task that runs remotely: its name, the schemas of its payload, success and error,
 * and the `effect/cluster` entity that carries it. Made by {@link make}; served by the
 * layer of {@link toLayer}; called from a task group with {@link call}.
 *
 * **Details**
 *
 * The task is an entity of type `name` with one RPC, `"Run"`. `entity` and `rpc` are
 * Effect's own values, for whoever needs the cluster's other tools (annotations, a
 * client of their own).
 *
 * A remote task is invariant in its schemas, like the `Entity` it wraps: its schemas
 * are read by callers (to encode payloads, decode results) and by handlers (the other
 * way round).
 *
 * **Example**
 *
 * ```ts
 * import { Schema } from "effect"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const Resize = RemoteTask.make("Resize", {
 *   payload: { url: Schema.String, width: Schema.Number },
 *   success: Schema.String
 * })
 * console.log(Resize.name, Resize.entity.type) // "Resize" "Resize"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteTask<
  in out Name extends string,
  in out Payload extends Schema.Top,
  in out Success extends Schema.Top,
  in out Error extends Schema.Top
>
  extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: typeof TypeId
  /** The task's name: its entity type, and the name of its tasks in a group. */
  readonly name: Name
  /** The RPC a call sends: `"Run"`, with the task's schemas. */
  readonly rpc: Rpc.Rpc<"Run", Payload, Success, Error>
  /** The `effect/cluster` entity that serves the task. */
  readonly entity: Entity.Entity<Name, Rpc.Rpc<"Run", Payload, Success, Error>>
}

/**
 * A remote task of any name and schemas. (A {@link RemoteTask} is invariant in its
 * name and schemas, so `RemoteTask<string, any, any, any>` would not take them all.)
 *
 * **Example**
 *
 * ```ts
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const names = (tasks: ReadonlyArray<RemoteTask.Any>) => tasks.map((task) => task.name)
 * console.log(names([RemoteTask.make("Ping"), RemoteTask.make("Pong")])) // ["Ping", "Pong"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Any extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: typeof TypeId
  readonly name: string
}

/**
 * The payload schema {@link make} builds from its `payload` option: the schema itself,
 * or a `Schema.Struct` of a record of fields.
 *
 * **Example**
 *
 * ```ts
 * import type { Schema } from "effect"
 * import type { RemoteTask } from "@soonify/cluster"
 *
 * // a record of fields becomes a Struct of them
 * type Payload = RemoteTask.PayloadSchema<{ readonly url: typeof Schema.String }>
 * export const payload: Payload["Type"] = { url: "a.png" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PayloadSchema<P extends Schema.Top | Schema.Struct.Fields> = P extends Schema.Struct.Fields
  ? Schema.Struct<P>
  : P

/**
 * Options of {@link make}.
 *
 * **Example**
 *
 * ```ts
 * import { Schema } from "effect"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const options = {
 *   payload: { userId: Schema.String },
 *   success: Schema.Number,
 *   route: ({ userId }: { readonly userId: string }) => userId // one entity per user
 * } satisfies RemoteTask.MakeOptions<{ readonly userId: typeof Schema.String }, typeof Schema.Number, typeof Schema.Never>
 * export const Score = RemoteTask.make("Score", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions<
  Payload extends Schema.Top | Schema.Struct.Fields,
  Success extends Schema.Top,
  Error extends Schema.Top
> {
  /** The payload's schema, or a record of field schemas. Default `Schema.Void`. */
  readonly payload?: Payload | undefined
  /** The schema of the handler's success value. Default `Schema.Void`. */
  readonly success?: Success | undefined
  /** The schema of the handler's typed error. Default `Schema.Never`. */
  readonly error?: Error | undefined
  /**
   * The entity id that serves a call with this payload. Calls with one entity id go to
   * the same runner (its shard's owner). Default: calls spread round-robin over 1024
   * entity ids, and so over every runner.
   */
  readonly route?: ((payload: PayloadSchema<Payload>["Type"]) => string) | undefined
  /**
   * How long a cancelled call waits for its runner to confirm that the handler and its
   * finalizers have ended. Past it, the call ends with its interruption and a
   * `TransportError` (`"CancelUnacknowledged"`). Default 10 seconds.
   */
  readonly cancelTimeout?: Duration.Input | undefined
}

/**
 * Options of {@link toLayer}: how the runner serves the task.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const Ping = RemoteTask.make("Ping")
 * const options: RemoteTask.LayerOptions = { concurrency: 16, mailboxCapacity: 256, maxIdleTime: "5 minutes" }
 * export const PingLive = RemoteTask.toLayer(Ping, () => Effect.void, options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /** How many calls one entity id runs at once. Default `"unbounded"`. */
  readonly concurrency?: number | "unbounded" | undefined
  /**
   * How many calls one entity id holds in flight (running or waiting). One more fails
   * with a `TransportError` of reason `"MailboxFull"`. Default: the cluster's
   * `ShardingConfig.entityMailboxCapacity` (4096).
   */
  readonly mailboxCapacity?: number | "unbounded" | undefined
  /** How long an entity id with no call stays resident. Default: the cluster's (1 minute). */
  readonly maxIdleTime?: Duration.Input | undefined
}

/**
 * Tells whether a value is a {@link RemoteTask}.
 *
 * **Example**
 *
 * ```ts
 * import { RemoteTask } from "@soonify/cluster"
 *
 * RemoteTask.isRemoteTask(RemoteTask.make("Ping")) // true
 * RemoteTask.isRemoteTask({ name: "Ping" }) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isRemoteTask = (u: unknown): u is Any => internal.isRemoteTask(u)

/**
 * Defines a remote task from schemas: the payload it takes, the value it succeeds
 * with and the error it fails with.
 *
 * **When to use**
 *
 * When one process is not enough: the work of a group's tasks runs on the runners of
 * an `effect/cluster` cluster (sockets, HTTP, or in-memory in tests), while the group
 * that waits for them stays an ordinary `TaskGroup`.
 *
 * **Details**
 *
 * - Define the task once, in a module both the callers and the runners import.
 * - Every payload, value and error crosses the wire encoded with these schemas: use
 *   `Schema.TaggedError` classes for errors, so that they come back as instances.
 * - A bad argument throws an `IllegalArgumentError` naming it.
 *
 * **Example**
 *
 * ```ts
 * import { Schema } from "effect"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * class ImageTooLarge extends Schema.TaggedError<ImageTooLarge>()("ImageTooLarge", { bytes: Schema.Number }) {}
 *
 * export const Resize = RemoteTask.make("Resize", {
 *   payload: { url: Schema.String, width: Schema.Number },
 *   success: Schema.String,
 *   error: ImageTooLarge,
 *   route: ({ url }) => url // the calls for one image go to one runner
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <
  const Name extends string,
  Payload extends Schema.Top | Schema.Struct.Fields = Schema.Void,
  Success extends Schema.Top = Schema.Void,
  Error extends Schema.Top = Schema.Never
>(
  name: Name,
  options?: MakeOptions<Payload, Success, Error>
) => RemoteTask<Name, PayloadSchema<Payload>, Success, Error> = internal.make as any

/**
 * The layer that serves a remote task on a runner: registers its entity with the
 * runner's `Sharding`, with `handler` as what a call runs.
 *
 * **Details**
 *
 * - The handler gets the decoded payload and returns an Effect whose value and typed
 *   error are encoded with the task's schemas on their way back.
 * - The handler may use a `Scope` (`Effect.addFinalizer`, `Effect.acquireRelease`):
 *   each call has a scope of its own, closed when its handler ends (also when it is
 *   cancelled), before its reply or the cancellation's acknowledgement leaves. It may also read `Entity.CurrentAddress`.
 * - A defect of the handler ends that call with the defect, as a local task that dies;
 *   it does not restart the entity (the layer sets `disableFatalDefects`).
 * - When the caller cancels the call (`soon.cancel`, the group's fail fast, an
 *   interruption), the runner interrupts the handler, waits until it and its
 *   finalizers have run, and only then acknowledges: the call ends after its handler.
 * - Provide the layer with a `Sharding`: a runner's (`SocketRunner`, `HttpRunner`), or
 *   `TestRunner.layer` from `effect/cluster` in tests.
 *
 * **Gotchas**
 *
 * A call may reach its handler more than once (a runner lost while sending it makes
 * the caller send it again): make handlers idempotent.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TestRunner } from "effect/cluster"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const Double = RemoteTask.make("Double", { payload: { n: Schema.Number }, success: Schema.Number })
 *
 * // a runner serves it
 * const DoubleLive = RemoteTask.toLayer(Double, ({ n }) => Effect.succeed(n * 2))
 *
 * const program = RemoteTask.call(Double)({ n: 21 }).pipe(
 *   // 42
 *   Effect.provide(DoubleLive),
 *   Effect.provide(TestRunner.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const toLayer: <
  Name extends string,
  Payload extends Schema.Top,
  Success extends Schema.Top,
  Error extends Schema.Top,
  R = never
>(
  task: RemoteTask<Name, Payload, Success, Error>,
  handler: (payload: Payload["Type"]) => Effect.Effect<Success["Type"], Error["Type"], R>,
  options?: LayerOptions
) => Layer.Layer<
  never,
  never,
  | Sharding
  | Exclude<R, Scope.Scope | Entity.CurrentAddress | Entity.CurrentRunnerAddress>
  | Payload["DecodingServices"]
  | Success["EncodingServices"]
  | Error["EncodingServices"]
> = internal.toLayer as any

/**
 * A function that calls a remote task: `call(task)(payload)` sends the payload to a
 * runner that serves the task and succeeds or fails as its handler did.
 *
 * **When to use**
 *
 * As a task of a group: `group.soonify(RemoteTask.call(task))(payload)` gives a
 * `SoonValue` like any task's, named after the remote task. `call(task)(payload)` is
 * also an Effect of its own, to run anywhere.
 *
 * **Details**
 *
 * - The handle, typed errors, fail fast and `soon.cancel()` behave as for a local task:
 *   the handler's typed error is the task's failure; cancelling the task interrupts
 *   the handler on the runner, and the task ends once the handler has ended there.
 * - A call that fails on its way (a full mailbox, a payload its schema cannot encode,
 *   no runner while shutting down) fails with a {@link TransportError}, never with the
 *   task's own error.
 * - A defect of the handler comes back as the call's defect.
 * - Needs a `Sharding` (a runner's, or a client-only one, or `TestRunner.layer`).
 *
 * **Gotchas**
 *
 * Cancelling waits until the runner acknowledges that the handler and its finalizers
 * have run, at most the task's `cancelTimeout` (10 s by default); past it the task
 * ends with its interruption and a `TransportError` (`"CancelUnacknowledged"`). A
 * handler that takes long to clean up holds its group until it has.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TestRunner } from "effect/cluster"
 * import { TaskGroup } from "@soonify/core"
 * import { RemoteTask } from "@soonify/cluster"
 *
 * const Greet = RemoteTask.make("Greet", { payload: { name: Schema.String }, success: Schema.String })
 * const GreetLive = RemoteTask.toLayer(Greet, ({ name }) => Effect.succeed(`Hello, ${name}`))
 *
 * const program = Effect.gen(function* () {
 *   const [a, b] = yield* TaskGroup.run((group) =>
 *     Effect.all([
 *       group.soonify(RemoteTask.call(Greet))({ name: "Yury" }),
 *       group.soonify(RemoteTask.call(Greet))({ name: "Nathaniel" })
 *     ])
 *   )
 *   return [yield* a.value, yield* b.value, a.name] // ["Hello, Yury", "Hello, Nathaniel", "Greet"]
 * }).pipe(Effect.provide(GreetLive), Effect.provide(TestRunner.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const call: <
  Name extends string,
  Payload extends Schema.Top,
  Success extends Schema.Top,
  Error extends Schema.Top
>(
  task: RemoteTask<Name, Payload, Success, Error>
) => (
  payload: Payload["Type"]
) => Effect.Effect<
  Success["Type"],
  Error["Type"] | TransportError,
  Sharding | Payload["EncodingServices"] | Success["DecodingServices"] | Error["DecodingServices"]
> = internal.call as any
