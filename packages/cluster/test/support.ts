// What the cluster test files share: remote task definitions, an in-process cluster,
// and readers of causes.
import { Cause, Effect, Layer, Queue, Schema, SchemaGetter } from "effect"
import { Entity, TestRunner } from "effect/cluster"
import type { Sharding } from "effect/cluster/Sharding"
import { RemoteTask } from "@soonify/cluster"

export class ImageTooLarge extends Schema.TaggedError<ImageTooLarge>()("ImageTooLarge", { bytes: Schema.Number }) {}

/** Succeeds with a greeting, or fails with `ImageTooLarge` when `bytes` is over 100. */
export const Resize = RemoteTask.make("Resize", {
  payload: { url: Schema.String, bytes: Schema.Number, tags: Schema.Array(Schema.String) },
  success: Schema.String,
  error: ImageTooLarge
})

/** Never ends by itself: its handler waits until it is interrupted. */
export const Hang = RemoteTask.make("Hang", { payload: { id: Schema.Number }, success: Schema.Number })

/** Returns the entity id that served the call. */
export const Where = RemoteTask.make("Where", {
  payload: { key: Schema.String },
  success: Schema.String,
  route: ({ key }) => key
})

/** Returns the entity id that served the call, routed by default. */
export const WhereDefault = RemoteTask.make("WhereDefault", { success: Schema.String })

/** A payload that passes its schema's checks but can never be encoded. */
const Unsendable = Schema.String.pipe(
  Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.passthrough(),
    encode: SchemaGetter.forbidden(() => "this payload cannot leave the process")
  })
)
export const Local = RemoteTask.make("Local", { payload: { secret: Unsendable }, success: Schema.String })

/** Registers a finalizer in its handler's scope, then returns. */
export const Scoped = RemoteTask.make("Scoped", { payload: { id: Schema.Number } })

/** Dies in its handler when `n` is negative, else returns `n`. */
export const Fragile = RemoteTask.make("Fragile", { payload: { n: Schema.Number }, success: Schema.Number })

/** What the handlers of a test report: the payloads they received, the `Hang` calls started and interrupted. */
export interface Observed {
  readonly payloads: Array<unknown>
  readonly started: Queue.Queue<number>
  readonly interrupted: Queue.Queue<number>
  /** `Scoped` calls whose finalizer ran. */
  readonly finalized: Queue.Queue<number>
}

/** The handlers of every test task, reporting to `observed`. */
export const handlers = (observed: Observed): Layer.Layer<never, never, Sharding> =>
  Layer.mergeAll(
    RemoteTask.toLayer(Resize, (payload) =>
      Effect.gen(function* () {
        observed.payloads.push(payload)
        if (payload.bytes > 100) return yield* new ImageTooLarge({ bytes: payload.bytes })
        return `resized ${payload.url}`
      })
    ),
    RemoteTask.toLayer(Hang, ({ id }) =>
      Queue.offer(observed.started, id).pipe(
        Effect.andThen(Effect.never),
        Effect.onInterrupt(() => Queue.offer(observed.interrupted, id))
      )
    ),
    RemoteTask.toLayer(Where, () => Effect.map(Effect.service(Entity.CurrentAddress), (address) => address.entityId)),
    RemoteTask.toLayer(WhereDefault, () =>
      Effect.map(Effect.service(Entity.CurrentAddress), (address) => address.entityId)
    ),
    RemoteTask.toLayer(Local, ({ secret }) => Effect.succeed(secret)),
    RemoteTask.toLayer(Scoped, ({ id }) => Effect.addFinalizer(() => Queue.offer(observed.finalized, id))),
    RemoteTask.toLayer(Fragile, ({ n }) => (n < 0 ? Effect.die(new Error(`negative: ${n}`)) : Effect.succeed(n)))
  )

/**
 * Lets the runner acquire its shards. A call sent before that is retried after
 * `ShardingConfig.sendRetryInterval`, a sleep the `TestClock` never ends by itself.
 */
export const shardsAcquired = Effect.gen(function* () {
  for (let i = 0; i < 10; i++) yield* Effect.yieldNow
})

/**
 * Runs `body` in an in-process cluster (Effect's `TestRunner.layer`: in-memory storage,
 * no sockets) whose runner serves every test task. Payloads are encoded and decoded
 * on the way, as between processes (`ShardingConfig.simulateRemoteSerialization`).
 */
export const inCluster = <A, E>(body: (observed: Observed) => Effect.Effect<A, E, Sharding>): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const observed: Observed = {
      payloads: [],
      started: yield* Queue.unbounded<number>(),
      interrupted: yield* Queue.unbounded<number>(),
      finalized: yield* Queue.unbounded<number>()
    }
    return yield* Effect.andThen(shardsAcquired, body(observed)).pipe(
      Effect.provide(handlers(observed).pipe(Layer.provideMerge(TestRunner.layer)))
    )
  })

/** The typed errors in a cause, in order. */
export const failuresOf = <E>(cause: Cause.Cause<E>): Array<E> =>
  cause.reasons.filter(Cause.isFailReason).map((r) => r.error)

/** The defects in a cause, in order. */
export const defectsOf = <E>(cause: Cause.Cause<E>): Array<unknown> =>
  cause.reasons.filter(Cause.isDieReason).map((r) => r.defect)
