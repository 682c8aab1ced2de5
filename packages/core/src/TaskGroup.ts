/**
 * Task groups: run many effects at once, get every result back, lose nothing.
 *
 * @since 0.1.0
 */
import type * as Kernel from "@soonify/kernel"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type { Pipeable } from "effect/Pipeable"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Types from "effect/Types"
import * as gatherInternal from "./internal/gather.ts"
import * as mapInternal from "./internal/map.ts"
import { GroupImpl, TaskGroupTypeId } from "./internal/group.ts"
import * as metricsInternal from "./internal/metrics.ts"
import * as metricsSwitch from "./internal/metricsSwitch.ts"
import * as owners from "./internal/owners.ts"
import * as capabilities from "./internal/taskCapabilities.ts"
import type { Mode } from "./internal/settings.ts"
import * as progress from "./internal/progress.ts"
import * as escaping from "./internal/escape.ts"
import * as snapshots from "./internal/snapshot.ts"
import * as dumping from "./internal/dumpOnSignal.ts"
import { describe, effectProblem, illegalArgument, taskOptionsProblem } from "./internal/validation.ts"
import type { SoonValue } from "./SoonValue.ts"
import type { TaskGroupTimeout } from "./TaskGroupTimeout.ts"
import type { TaskTimeout } from "./TaskTimeout.ts"

/**
 * The identifier every task group carries.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof TaskGroupTypeId = TaskGroupTypeId

/**
 * A group of concurrent tasks, handed to the body of {@link run} (or made by
 * {@link make}). Everything spawned into it has ended before the group ends.
 *
 * **Details**
 *
 * The group of a {@link run} body is a `TaskGroup` (its parameters inferred): `spawn`,
 * `soonify` and `start` give effects that fail with nothing (the task's failure goes to
 * the group, or stays in its handle in `settle` mode) and carry the task's errors as a
 * type-only requirement, {@link TaskErrors}, which `run` turns into its own error type,
 * the way `Effect.scoped` removes `Scope`. Handling the spawn effect (`Effect.orDie`,
 * `catchTag`, `ignore`) therefore cannot hide a failure the group will raise.
 *
 * A long-lived group made with {@link make} is typed, as a `FiberSet<A, E>` is:
 * `TaskGroup<E, R>` accepts only tasks whose errors fit `E` and whose requirements fit
 * `R`, and {@link join} fails with `E`.
 *
 * The methods are bound: `const { spawn } = group` and `effect.pipe(Effect.flatMap(group.spawn))`
 * work. The module functions {@link spawn}, {@link soonify} and {@link start} do the same,
 * data-first or data-last.
 *
 * Invariant in `E` and `R` (as `FiberSet` is): a group that accepts `E` tasks and one
 * whose `join` fails with `E` are the same group.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const a = yield* group.spawn(Effect.succeed(1))
 *     const b = yield* group.soonify((n: number) => Effect.succeed(n * 2))(21)
 *     return [a, b] as const
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskGroup<E = Inferred, R = Inferred> extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: typeof TypeId
  /** The group's name: `options.name`, or `"TaskGroup"`. */
  readonly name: string
  /**
   * Starts `effect` soon, as a task of this group, and returns its handle at once.
   * The task starts when the spawner next yields; with `concurrency`, when a slot is
   * free, in spawn order. Bound to the group.
   */
  spawn<
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    effect: Effect.Effect<A, X, Y>,
    options?: SpawnOptions<NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  /** With a `timeout`: the task may also fail with {@link TaskTimeout} (and `retry` sees it). */
  spawn<
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    effect: Effect.Effect<A, X, Y>,
    options: SpawnOptions<NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
  /**
   * Turns `f` into a function that runs `f(...args)` as a task of this group and
   * returns its handle. The returned function has `f`'s parameter types. Throws an
   * `IllegalArgumentError` at once when `f` is not a function. Bound to the group.
   */
  soonify<
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options?: SoonifyOptions<Args, NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  /** With a `timeout`: each task may also fail with {@link TaskTimeout} (and `retry` sees it). */
  soonify<
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options: SoonifyOptions<Args, NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
  /**
   * The start handshake (trio's and anyio's `start`): runs `f(started)` as a task and
   * waits until it calls `started(value)`; then returns `[value, handle]` while the
   * task goes on in the group. If the task ends or fails before calling `started`,
   * `start` fails with that outcome and the group does not. Bound to the group.
   */
  start<S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options?: StartOptions & NoTimeout
  ): Effect.Effect<readonly [S, SoonValue<A, X>], X, Y | Carried<E, X>>
  /** With a `timeout`: the task may also fail with {@link TaskTimeout}. */
  start<S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options: StartOptions & TimeoutFits<E>
  ): Effect.Effect<readonly [S, SoonValue<A, X | TaskTimeout>], X | TaskTimeout, Y | Carried<E, X | TaskTimeout>>
  /**
   * Changes the group's `concurrency` while it runs (what the option takes: a positive
   * integer or `"unbounded"`): raising it starts waiting tasks at once; lowering it lets
   * running tasks finish and starts no more until fewer run than the new limit. A bad
   * value dies with an `IllegalArgumentError`. Bound to the group.
   */
  setConcurrency(concurrency: number | "unbounded"): Effect.Effect<void>
  /**
   * The keys of the group's keyed tasks that have not ended (queued or running), in
   * spawn order: a fresh array on each read.
   */
  readonly keys: ReadonlyArray<TaskKey>
}

/**
 * The type parameters of the group a {@link run} body gets: inferred from what is
 * spawned into it (each task's errors ride as {@link TaskErrors} until `run` collects
 * them). A `TaskGroup` written without parameters is such a group: helpers that take one
 * (`(group: TaskGroup.TaskGroup) => …`) take a `run` body's group.
 *
 * **Gotchas**
 *
 * A typed group (`TaskGroup<E, R>`, from {@link make}) is not a `TaskGroup`, nor the
 * other way round: were a `run` group seen as a `TaskGroup<Http>`, its spawns would not
 * carry their errors to `run`; were a typed group seen as a `run` group, its tasks'
 * errors would be added to the wrong `run`.
 *
 * @since 0.4.0
 * @category models
 */
export interface Inferred {
  readonly "~@soonify/core/Inferred": "Inferred"
}

/**
 * The errors of the tasks spawned into a {@link run} group, as a type-only requirement
 * of the effects that spawned them: `run` removes it from the requirements and adds
 * `E` to its own error type, the way `Effect.scoped` removes `Scope`. Nothing provides
 * it: a spawn effect used outside its `run` does not compile.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * // orDie handles nothing here: the spawn effect never fails; the task's "boom" goes to the group
 * const crawl = TaskGroup.run((group) => group.spawn(Effect.fail("boom" as const)).pipe(Effect.orDie))
 * // crawl: Effect<SoonValue<never, "boom">, "boom", never>
 * const exit = await Effect.runPromiseExit(crawl)
 * exit._tag // => "Failure"
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface TaskErrors<out E> {
  /** The errors carried: a type only, never a value (covariant, so that they add up). */
  readonly "~@soonify/core/TaskErrors": { readonly _E: Types.Covariant<E> }
}

/**
 * The errors that the {@link TaskErrors} in `R` carry: what a `run` group adds to its
 * error type.
 *
 * @since 0.4.0
 * @category models
 */
export type TaskErrorsOf<R> = R extends TaskErrors<infer E> ? E : never

/**
 * `R` without its {@link TaskErrors}: the requirements a `run` keeps.
 *
 * @since 0.4.0
 * @category models
 */
export type WithoutTaskErrors<R> = Exclude<R, TaskErrors<any>>

/** Whether a group's parameter is {@link Inferred} (or `any`). */
type IsInferred<P> = [P] extends [Inferred] ? ([Inferred] extends [P] ? true : false) : false

/**
 * What a group with parameter `P` accepts of a task: anything for a `run` group, else
 * what fits `P`.
 *
 * @since 0.4.0
 * @category models
 */
export type Accepted<P> = IsInferred<P> extends true ? unknown : P

/**
 * What spawning a task failing with `X` into a group with error parameter `E` requires:
 * `TaskErrors<X>` for a `run` group (`run` collects it), nothing for a typed group (its
 * `join` fails with `E`).
 *
 * @since 0.4.0
 * @category models
 */
export type Carried<E, X> = IsInferred<E> extends true ? ([X] extends [never] ? never : TaskErrors<X>) : never

/**
 * A {@link TaskKey} that says what the tasks spawned with it give: spawning with a
 * `Key<A, E>` types the handle `SoonValue<A, E>` (a handle for a plain key is
 * `SoonValue<unknown, unknown>`, since the task already running under that key may be
 * another one). Made by {@link key}.
 *
 * @since 0.4.0
 * @category models
 */
export type Key<A, E = never> = TaskKey & {
  readonly "~@soonify/core/Key": { readonly _A: Types.Covariant<A>; readonly _E: Types.Covariant<E> }
}

/**
 * The handle a spawn with key type `K` gives: the task's own without a key, the key's
 * for a {@link Key}, `SoonValue<unknown, unknown>` for a plain key.
 *
 * @since 0.4.0
 * @category models
 */
export type KeyedValue<K, A, X> = [K] extends [undefined]
  ? SoonValue<A, X>
  : K extends Key<infer KA, infer KE>
    ? SoonValue<KA, KE>
    : SoonValue<unknown, unknown>

/** A task whose value or error does not fit its typed key: the `key` option says so. */
interface KeyMisfit {
  readonly key: "TaskGroup: the task's value or error type does not fit this TaskGroup.Key<A, E>"
}

/** `unknown` when a task giving `A` or failing with `X` may be spawned with key `K`. */
type KeyFits<K, A, X> =
  K extends Key<infer KA, infer KE>
    ? [A] extends [KA]
      ? [X] extends [KE]
        ? unknown
        : KeyMisfit
      : KeyMisfit
    : unknown

/** `unknown` when a group with error parameter `E` accepts `TaskTimeout`, else a `timeout` option that cannot be given. */
type TimeoutFits<E> = [TaskTimeout] extends [Accepted<E>]
  ? unknown
  : { readonly timeout?: "TaskGroup: this group's error type does not accept TaskTimeout" | undefined }

/**
 * `group.spawn` and {@link spawn} with the group given: spawns `effect` into a group
 * with parameters `E` and `R`.
 *
 * @since 0.4.0
 * @category models
 */
export interface Spawn<E, R> {
  <A, X extends Accepted<E> = never, Y extends Accepted<R> = never, const K extends TaskKey | undefined = undefined>(
    effect: Effect.Effect<A, X, Y>,
    options?: SpawnOptions<NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  /** With a `timeout`: the task may also fail with {@link TaskTimeout} (and `retry` sees it). */
  <A, X extends Accepted<E> = never, Y extends Accepted<R> = never, const K extends TaskKey | undefined = undefined>(
    effect: Effect.Effect<A, X, Y>,
    options: SpawnOptions<NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
}

/**
 * `group.soonify` and {@link soonify} with the group given.
 *
 * @since 0.4.0
 * @category models
 */
export interface Soonify<E, R> {
  <
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options?: SoonifyOptions<Args, NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  /** With a `timeout`: each task may also fail with {@link TaskTimeout} (and `retry` sees it). */
  <
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options: SoonifyOptions<Args, NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
}

/**
 * `group.start` and {@link start} with the group given. The start effect fails with the
 * task's error (a task that fails before `started` fails its starter, not the group).
 *
 * @since 0.4.0
 * @category models
 */
export interface Start<E, R> {
  <S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options?: StartOptions & NoTimeout
  ): Effect.Effect<readonly [S, SoonValue<A, X>], X, Y | Carried<E, X>>
  /** With a `timeout`: the task may also fail with {@link TaskTimeout}. */
  <S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options: StartOptions & TimeoutFits<E>
  ): Effect.Effect<readonly [S, SoonValue<A, X | TaskTimeout>], X | TaskTimeout, Y | Carried<E, X | TaskTimeout>>
}
/**
 * The function a task started with `group.start` calls once it is ready.
 *
 * @since 0.1.0
 * @category models
 */
export type Started<S> = (value: S) => Effect.Effect<void>

/**
 * Options for one task.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOptions {
  /** The task's name, shown by its handle and in error messages. */
  readonly name?: string | undefined
  /**
   * Among the tasks waiting for their turn (`concurrency`, `rate`, `partitions`), higher
   * starts first; equal priorities keep spawn order. A number; default 0.
   */
  readonly priority?: number | undefined
}

/**
 * Options of `group.start`: a task's {@link TaskOptions} and its own `timeout`.
 *
 * @since 0.2.0
 * @category models
 */
export interface StartOptions extends TaskOptions {
  /**
   * The partition value the task counts against: the group's `partitions` limits apply
   * to the tasks with the same value (a host, a tenant). Shown in snapshots.
   */
  readonly partition?: string | undefined
  /**
   * The task's own time limit, counted from when it starts running: when it runs out the
   * task is interrupted and, once it has ended, fails with {@link TaskTimeout} (added to
   * its error type only when this option is given). A failure like any other: fail fast
   * applies; in `settle` mode it stays in the handle. With `retry`, each attempt has it,
   * and a timed-out attempt may be retried (the policy sees the `TaskTimeout`). Default
   * none (`"Infinity"`); a negative or NaN duration dies with an `IllegalArgumentError`.
   */
  readonly timeout?: Duration.Input | undefined
}

/**
 * Task options that give no `timeout`: the task's error type then has no
 * {@link TaskTimeout} (the overloads of `spawn`, `soonify` and `start` pick on it).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * // E of the task, and of the group: TaskTimeout, only because `timeout` is given
 * const program = TaskGroup.run((group) => group.spawn(Effect.succeed(1), { timeout: "1 second" })).pipe(
 *   Effect.flatMap((soon) => soon.value),
 *   Effect.catchTag("TaskTimeout", () => Effect.succeed(0))
 * ) // => 1
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface NoTimeout {
  readonly timeout?: undefined
}

/**
 * What a task can be keyed by (see {@link SpawnOptions.key}).
 *
 * @since 0.2.0
 * @category models
 */
export type TaskKey = string | number | symbol

/**
 * `key` as a {@link Key}`<A, E>`: a key whose tasks give `A` and fail with `E`, so that
 * the handle a keyed spawn gives is typed. The value is `key` itself (nothing is
 * allocated); a bad key dies at the spawn that uses it, as a plain one does.
 *
 * **Gotchas**
 *
 * The type is a promise you make, as a `Context` key's is: use one key value for one
 * kind of task. A plain key with the same value, spawned with another task, is not
 * caught by the types.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const config = TaskGroup.key<string>("config")
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const first = yield* group.spawn(Effect.succeed("v1"), { key: config }) // SoonValue<string>
 *     const again = yield* group.spawn(Effect.succeed("v2"), { key: config }) // the same task: single flight
 *     return first === again ? yield* again.await : "two tasks"
 *   })
 * ) // => "v1"
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const key = <A, E = never>(key: TaskKey): Key<A, E> => key as Key<A, E>

/**
 * Options of `group.spawn`: a task's {@link TaskOptions}, and the capabilities of
 * DESIGN §6 that no anchor ships.
 *
 * @since 0.2.0
 * @category models
 */
export interface SpawnOptions<E = unknown, K extends TaskKey | undefined = TaskKey | undefined> extends StartOptions {
  /**
   * Single flight: while a task spawned into this group with the same key has not
   * ended (it runs, or waits for a `concurrency` slot), the spawn starts nothing and
   * gives that task's handle; once it has ended, however it ended, the key is free.
   * Keys are per group (a nested group has its own). A string, a number or a symbol.
   * The handle is typed `SoonValue<unknown, unknown>` (the live task may be another
   * one), or as a {@link Key} says.
   */
  readonly key?: K | undefined
  /**
   * Retry inside the group: after a typed failure, the task's effect runs again as the
   * policy says (a `Schedule`, or the options of `Effect.retry`: `{ schedule?, times?,
   * while?, until? }`) before that failure counts. Only the last attempt's failure reaches
   * the handle and the group (fail fast happens on it alone); `soon.attempt` is the attempt
   * number. Defects and interruptions are not retried; cancelling the task or the group
   * during a wait between attempts ends it at once.
   */
  readonly retry?: RetryPolicy<E> | undefined
}

/**
 * What the `retry` option of `spawn` and `soonify` takes: what `Effect.retry` takes, a
 * `Schedule` (whose input is the task's error) or an `Effect.Retry.Options<E>`
 * (`{ schedule?, times?, while?, until? }`, the predicates returning a boolean or an
 * Effect of one), typed by the task's error. The schedule and the predicates may not
 * fail or need services of their own: the task's types would not show them.
 *
 * `soon.attempt` is the attempt that runs, read from the schedule's own metadata
 * (`Schedule.CurrentMetadata`, which `Effect.retry` provides to each attempt).
 *
 * **Example**
 *
 * Retry a flaky call 3 times with exponential backoff:
 *
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * let calls = 0
 * // Fails twice with a timeout, then answers.
 * const flakyFetch = Effect.suspend(() => (++calls < 3 ? Effect.fail("ETIMEDOUT" as const) : Effect.succeed("200 OK")))
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const soon = yield* group.spawn(flakyFetch, { retry: { schedule: Schedule.exponential("10 millis"), times: 3 } })
 *     const response = yield* soon.await
 *     return [response, soon.attempt] // the third attempt answered
 *   })
 * ) // => ["200 OK", 3]
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type RetryPolicy<E> =
  | Schedule.Schedule<unknown, E>
  | (Effect.Retry.Options<E> & {
      /** Waits between attempts (its input is the error); without `times`, it alone decides when to stop. */
      readonly schedule?: Schedule.Schedule<unknown, E> | undefined
      /** Retries only while this holds for the error (a boolean, or an Effect of one). */
      readonly while?: ((error: E) => boolean | Effect.Effect<boolean>) | undefined
      /** Retries until this holds for the error (a boolean, or an Effect of one). */
      readonly until?: ((error: E) => boolean | Effect.Effect<boolean>) | undefined
    })

/**
 * Options of `group.soonify(f, options)`: those of {@link SpawnOptions}, with `name`
 * and `key` also functions of the call's arguments, so that each task is named after
 * what it works on (`task-184` tells nobody which URL failed), or keyed by it (one key
 * per user id, say).
 *
 * **Example**
 *
 * Name each task after its URL:
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const fetchPage = (url: string) => Effect.succeed(url.length)
 * const program = TaskGroup.run((group) =>
 *   Effect.map(group.soonify(fetchPage, { name: (url) => `fetch ${url}` })("https://a.example"), (soon) => soon.name)
 * ) // => "fetch https://a.example"
 * ```
 *
 *
 * **Example**
 *
 * Deduplicate concurrent loads of the same user:
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * let queries = 0
 * const fetchUser = (id: number) =>
 *   Effect.sync(() => queries++).pipe(Effect.andThen(Effect.sleep("10 millis")), Effect.as({ id, name: `user ${id}` }))
 *
 * interface User {
 *   readonly id: number
 *   readonly name: string
 * }
 * // A typed key: the handles of `user:1` hold a User, whoever spawned it.
 * const userKey = (id: number) => TaskGroup.key<User>(`user:${id}`)
 *
 * const program = Effect.gen(function* () {
 *   const [header, sidebar, other] = yield* TaskGroup.run((group) => {
 *     const loadUser = group.soonify(fetchUser, { key: userKey })
 *     // the header and the sidebar both need user 1: one query, one handle
 *     return Effect.all([loadUser(1), loadUser(1), loadUser(2)])
 *   })
 *   return [header === sidebar, header === other, queries, (yield* sidebar.value).name] // => [true, false, 2, "user 1"]
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface SoonifyOptions<
  Args extends ReadonlyArray<unknown>,
  E = unknown,
  K extends TaskKey | undefined = TaskKey | undefined
> extends Omit<SpawnOptions<E>, "key" | "name" | "partition"> {
  /**
   * The tasks' name: a string, or a function of each call's arguments that gives it.
   * Default: `f`'s name, else `task-N`.
   */
  readonly name?: string | ((...args: Args) => string) | undefined
  /** A {@link TaskKey} for every call, or a function giving each call's key from its arguments. */
  readonly key?: K | ((...args: Args) => K) | undefined
  /** A partition value for every call, or a function giving each call's from its arguments. */
  readonly partition?: string | ((...args: Args) => string) | undefined
}

/**
 * Options for a group.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * `"failFast"` (default): the first failure interrupts the body and every task, and
   * the group fails with every failure that occurred. `"settle"`: a task's failure is
   * kept in its handle and neither cancels its siblings nor fails the group.
   */
  readonly mode?: Mode | undefined
  /** At most this many tasks run at once; the rest wait in spawn order. Default `"unbounded"`. */
  readonly concurrency?: number | "unbounded" | undefined
  /** Names the group in spans and error messages. Default `"TaskGroup"`. */
  readonly name?: string | undefined
  /**
   * At most `limit` task starts in any window of `interval` (a strict sliding window, not
   * fixed buckets); the others wait their turn, in priority then spawn order. Default none.
   */
  readonly rate?: RateLimit | undefined
  /**
   * Limits per value of the tasks' `partition` option, on top of the group's own: at most
   * `concurrency` running and at most `rate` starts per value. Default none.
   */
  readonly partitions?: PartitionLimits | undefined
  /**
   * When this much time has passed (on the `Clock`) and the group has not ended, its
   * body and every task still running are interrupted, and once they have ended the
   * group fails with a {@link TaskGroupTimeout} (added to its error type only when this
   * option is given). For a `make` group, counted from its creation. Default none
   * (`"Infinity"`).
   */
  readonly timeout?: Duration.Input | undefined
  /**
   * A task asked to stop (its group failed, was cancelled or timed out, `soon.cancel`,
   * its own `timeout`) that has not ended this long after is reported once, as a log at
   * Warning level naming the task, the group and how long it has ignored its
   * interruption; snapshots show it as `"cancelling"` from the request on. Default
   * `"10 seconds"`; `"Infinity"` never reports. No timer runs until a task is asked to stop.
   */
  readonly stuckAfter?: Duration.Input | undefined
  /**
   * Settle mode only: called once for each task that fails, when it fails (once its
   * handle holds the failure), with the task's Cause and its handle. Each call runs in a
   * fiber of its own, with the context of the fiber that opened the group, and the group
   * waits for it before it ends (it is not interrupted by the group's shutdown). If the
   * effect fails or dies (or the function throws), that is logged at Error level with the
   * task's failure and nothing else happens: the group and its other tasks go on.
   *
   * Without it, a failure kept in a handle that nobody reads (`value`, `await`, `poll`)
   * is logged at Error level when the handle is garbage-collected. A cancelled task is
   * not a failure. Giving it to a `failFast` group is a bad argument: there, every
   * failure fails the group itself.
   */
  readonly onTaskError?:
    ((cause: Cause.Cause<unknown>, handle: SoonValue<unknown, unknown>) => Effect.Effect<unknown, unknown>) | undefined
}

/**
 * A rate limit: at most `limit` (a positive integer) starts in any window of `interval`
 * (a finite `Duration.Input` above 0).
 *
 * @since 0.5.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly interval: Duration.Input
}

/**
 * The group option `partitions`: limits for each value of the tasks' `partition`.
 *
 * @since 0.5.0
 * @category models
 */
export interface PartitionLimits {
  /** Running tasks per partition value: a positive integer or `"unbounded"` (default). */
  readonly concurrency?: number | "unbounded" | undefined
  /** Starts per partition value. */
  readonly rate?: RateLimit | undefined
}

/**
 * `TaskGroupTimeout` when the options `O` give a `timeout`, else `never`: what a
 * `timeout` adds to the error type of {@link run} and {@link gather}.
 *
 * @since 0.2.0
 * @category models
 */
export type TimeoutError<O> = [Exclude<O[keyof O & "timeout"], undefined>] extends [never] ? never : TaskGroupTimeout

/**
 * Tells whether a value is a {@link TaskGroup}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) => Effect.succeed(TaskGroup.isTaskGroup(group))) // => true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTaskGroup = (u: unknown): u is TaskGroup => u instanceof GroupImpl

/**
 * Runs `body` with a new task group, then waits for every task spawned into it; the
 * `async with create_task_group() as tg:` block of asyncer and trio.
 *
 * **When to use**
 *
 * Whenever a piece of work starts several effects at once and needs all of them (or
 * their results) before it goes on: fetching many pages, fanning out requests,
 * running a server's connection handlers.
 *
 * **Details**
 *
 * - Succeeds with the body's value once the body and every task have ended. Tasks may
 *   spawn more tasks while the group is open.
 * - The error type is the union of the body's errors and every spawned task's errors,
 *   inferred; requirements likewise.
 * - `failFast` (default): the first failure of the body or a task interrupts the body
 *   and every other task, waits until all have ended (their finalizers ran), then
 *   fails with a Cause holding every failure that occurred, and none of the
 *   interruptions the group caused.
 * - `settle`: a task's failure stays in its handle. A failure of the body still
 *   interrupts every task.
 * - Interrupting the fiber running `run` interrupts body and tasks and waits for them;
 *   the result stays an interruption (plus any failure a finalizer raised meanwhile).
 * - `timeout`: when it runs out, the body and every task are interrupted and, once
 *   they have ended, the group fails with `TaskGroupTimeout` (a typed error, in `E`
 *   only when `timeout` is given). Failures that happened before stay with it.
 * - A bad option dies at once with an `IllegalArgumentError` naming it.
 *
 * **Gotchas**
 *
 * Don't return the group from the body to use it later: once the group has ended,
 * spawning into it dies with `TaskGroupClosed`. Use {@link make} for a long-lived group.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const doWork = (name: string) => Effect.as(Effect.sleep("1 second"), `Hello, ${name}`)
 *
 * const program = Effect.gen(function* () {
 *   const [a, b] = yield* TaskGroup.run((group) =>
 *     Effect.all([group.soonify(doWork)("Yury"), group.soonify(doWork)("Nathaniel")])
 *   )
 *   return [yield* a.value, yield* b.value] // after about 1 second, not 2
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run: <A, E, R, const O extends Options = {}>(
  body: (group: TaskGroup) => Effect.Effect<A, E, R>,
  // `onTaskError` typed from `Options` (inference from `O` alone leaves its parameters untyped).
  options?: O & Pick<Options, "onTaskError">
) => Effect.Effect<A, E | TaskErrorsOf<R> | TimeoutError<O>, WithoutTaskErrors<R>> = owners.run as any

/**
 * Makes a task group owned by the enclosing `Scope`, for groups that live as long as
 * a service (a server's background jobs, in a `Layer`).
 *
 * **Details**
 *
 * Tasks are spawned with the group's methods as usual. When the scope closes with
 * success, the group stops taking new tasks once they are done and the close waits for
 * them; when it closes with a failure or an interruption, every task is interrupted
 * and waited for. Interrupting whoever closes the scope while it waits (a timeout around
 * `Effect.scoped`) interrupts the tasks, waits for them to end, then goes on. Failures of the group that nobody collected with {@link join} are
 * raised as defects when the scope closes, so none is lost.
 *
 * **Gotchas**
 *
 * In `failFast` mode the first failure shuts the whole group down for good, and a spawn
 * from outside it (the fiber that made it) then dies with `TaskGroupClosed`. For
 * independent background jobs, `mode: "settle"` with `onTaskError` is usually what you
 * want.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const group = yield* TaskGroup.make({ mode: "settle", name: "jobs" })
 *     yield* group.spawn(Effect.log("job ran"))
 *     // the scope's close waits for the job
 *   })
 * )
 * ```
 *
 * **Example**
 *
 * Background jobs whose failures are handled as they happen:
 *
 * ```ts
 * import { Cause, Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const failures: Array<string> = []
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     // typed: its tasks may fail with a string
 *     const jobs = yield* TaskGroup.make<string>({
 *       mode: "settle",
 *       onTaskError: (cause, job) => Effect.sync(() => failures.push(`${job.name}: ${Cause.squash(cause)}`))
 *     })
 *     yield* jobs.spawn(Effect.fail("disk full"), { name: "backup" })
 *     yield* jobs.spawn(Effect.succeed("sent"), { name: "email" })
 *   })
 * )
 * await Effect.runPromise(program)
 * failures // => ["backup: disk full"]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = never, R = never>(
  options?: Options & TimeoutDeclared<E>
) => Effect.Effect<TaskGroup<E, R>, never, Scope.Scope | R> = owners.make as any

/**
 * `unknown` when a group with error parameter `E` may have a `timeout` (its `E` holds
 * {@link TaskGroupTimeout}), else a `timeout` option that cannot be given.
 *
 * @since 0.4.0
 * @category models
 */
export type TimeoutDeclared<E> = [TaskGroupTimeout] extends [Accepted<E>]
  ? unknown
  : { readonly timeout?: "TaskGroup: give the group's error type TaskGroupTimeout to use `timeout`" | undefined }

/**
 * What {@link join} fails with for a group with error parameter `E`: `E`, or `unknown`
 * for a group whose errors are {@link Inferred}.
 *
 * @since 0.4.0
 * @category models
 */
export type JoinError<E> = IsInferred<E> extends true ? unknown : E

/**
 * The requirements a task spawned from outside Effect ({@link spawnUnsafe}) may have: it
 * runs with the context the group was made in, which holds a typed group's `R`.
 */
type Provided<R> = IsInferred<R> extends true ? never : R

/**
 * Ends the body of a group made with {@link make}: waits until every task has ended,
 * then fails like {@link run} does (with every failure), or succeeds.
 *
 * **Details**
 *
 * After `join`, the group takes no new task once the running ones are done. Joining
 * again gives the same outcome. Interrupting the joiner stops the wait but not the
 * tasks: they belong to the group's scope.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const group = yield* TaskGroup.make()
 *     yield* group.spawn(Effect.sleep("10 millis"))
 *     yield* TaskGroup.join(group)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const join: <E, R>(group: TaskGroup<E, R>) => Effect.Effect<void, JoinError<E>> = owners.join as any

/**
 * The service an app-lifetime group is reached through, when {@link layer} is given no
 * tag of its own: a `TaskGroup<unknown>` (it accepts any task; its `join` fails with
 * `unknown`). Declare your own tag for a typed group.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const jobs = yield* TaskGroup.Service
 *   const soon = yield* jobs.spawn(Effect.succeed("sent"))
 *   return yield* soon.await
 * }).pipe(Effect.provide(TaskGroup.layer({ name: "jobs" }))) // => "sent"
 * ```
 *
 * @since 0.4.0
 * @category services
 */
export class Service extends Context.Service<Service, TaskGroup<unknown, never>>()("@soonify/core/TaskGroup") {}

/**
 * A `Layer` that makes a task group for the lifetime of what it is provided to (an app,
 * a `ManagedRuntime`), reached through a service tag: yours (`layer(Jobs, options)`, for
 * a typed group) or {@link Service} (`layer(options)`).
 *
 * **When to use**
 *
 * For background work that request handlers start and nobody waits for: emails,
 * webhooks, cache refreshes. Its tasks run with the spawner's context, and their spans
 * are children of the spawner's span.
 *
 * **Details**
 *
 * Unlike {@link make}, whose scope's close waits for the tasks when it closes with
 * success, the layer's release interrupts them and waits until they have ended (their
 * finalizers ran), as `FiberSet` does: disposing a runtime is the end of the app, and a
 * task that runs for ever must not keep it alive. A task that ignores its interruption
 * is reported after `stuckAfter` (and still waited for). Failures nobody observed (not
 * joined, not handed to a refused spawner, not read from their task's handle) are then
 * raised as defects of the release, so none is lost.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect, ManagedRuntime } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * class Jobs extends Context.Service<Jobs, TaskGroup.TaskGroup<never>>()("app/Jobs") {}
 *
 * const runtime = ManagedRuntime.make(TaskGroup.layer(Jobs, { name: "jobs", mode: "settle" }))
 * const log: Array<string> = []
 * await runtime.runPromise(
 *   Effect.gen(function* () {
 *     const jobs = yield* Jobs
 *     // runs until the app ends
 *     yield* jobs.spawn(Effect.onInterrupt(Effect.never, () => Effect.sync(() => log.push("poller stopped"))))
 *     yield* Effect.yieldNow // the poller starts
 *   })
 * )
 * await runtime.dispose() // interrupts the poller, waits for its finalizer
 * log // => ["poller stopped"]
 * ```
 *
 * @since 0.4.0
 * @category layers
 */
export const layer: {
  <I, E, R>(
    tag: Context.Key<I, TaskGroup<E, R>>,
    options?: Options & TimeoutDeclared<E>
  ): Layer.Layer<I, never, Exclude<Provided<R>, Scope.Scope>>
  (options?: Options): Layer.Layer<Service>
} = function (): any {
  const [tag, options] = Context.isKey(arguments[0]) ? [arguments[0], arguments[1]] : [Service, arguments[0]]
  return Layer.effect(tag, owners.make(options, "TaskGroup.layer", "interrupt"))
}

/**
 * A function that spawns effects into `group` from code outside Effect (an event
 * emitter's listener, a callback API), with the context captured when the returned effect
 * ran: `FiberSet.runtime` for task groups.
 *
 * **Details**
 *
 * `runtime(group)<R>()` is an `Effect` that needs `R` and gives the function; each call
 * spawns at once (as {@link spawnUnsafe}) and returns the task's handle. The tasks run
 * with the captured context (services, log level, tracer), under their own task span.
 * Called once the group has ended, or from outside it while it shuts down, the function
 * throws `TaskGroupClosed`: never a silent no-op (`FiberSet.runtime` gives an interrupted
 * fiber).
 *
 * **Example**
 *
 * ```ts
 * import { EventEmitter } from "node:events"
 * import { Context, Effect } from "effect"
 * import { type SoonValue, TaskGroup } from "@soonify/core"
 *
 * class Mailer extends Context.Service<Mailer, { readonly send: (to: string) => Effect.Effect<string> }>()("Mailer") {}
 *
 * const signups = new EventEmitter()
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const group = yield* TaskGroup.make<never, Mailer>()
 *     const run = yield* TaskGroup.runtime(group)<Mailer>()
 *     const sent: Array<SoonValue.SoonValue<string>> = []
 *     signups.on("signup", (email: string) => sent.push(run(Effect.flatMap(Mailer, (mailer) => mailer.send(email)))))
 *     signups.emit("signup", "ada@example.com")
 *     yield* TaskGroup.join(group)
 *     return yield* sent[0].value
 *   })
 * ).pipe(Effect.provideService(Mailer, { send: (to) => Effect.succeed(`welcome sent to ${to}`) })) // => "welcome sent to ada@example.com"
 * ```
 *
 * @since 0.4.0
 * @category combinators
 */
export const runtime =
  <E, GR>(group: TaskGroup<E, GR>) =>
  <R = never>(): Effect.Effect<RunTask<E, R | Provided<GR>>, never, R> =>
    Effect.map(Effect.context<R>(), (context): RunTask<E, R | Provided<GR>> => {
      owners.groupArgument("TaskGroup.runtime", group)
      // Its own task span is the task's parent span, not the capturer's.
      const services = Context.omit(Tracer.ParentSpan)(context) as Context.Context<never>
      return ((effect: Effect.Effect<unknown, unknown, unknown>, options?: SpawnOptions<unknown>) =>
        spawnUnsafe(
          group as unknown as TaskGroup<any, any>,
          Effect.provideContext(effect, services) as Effect.Effect<unknown>,
          options as any
        )) as any
    })

/**
 * What {@link runtime} gives: spawns an effect needing at most `R` into a group with
 * error parameter `E`, at once, and returns its handle.
 *
 * @since 0.4.0
 * @category models
 */
export interface RunTask<E, R> {
  <A, X extends Accepted<E> = never, Y extends R = never, const K extends TaskKey | undefined = undefined>(
    effect: Effect.Effect<A, X, Y>,
    options?: SpawnOptions<NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): KeyedValue<K, A, X>
  <A, X extends Accepted<E> = never, Y extends R = never, const K extends TaskKey | undefined = undefined>(
    effect: Effect.Effect<A, X, Y>,
    options: SpawnOptions<NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): KeyedValue<K, A, X | TaskTimeout>
}

/**
 * Makes a task group synchronously, owned by nobody: for code that drives groups from
 * outside Effect (such as `@soonify/interop`).
 *
 * **Details**
 *
 * The group is open until {@link join}ed: tasks spawned into it (with
 * {@link spawnUnsafe} or the group's methods) run with the default services. Bad
 * options throw an `IllegalArgumentError` at once.
 *
 * **Gotchas**
 *
 * Nothing closes this group for you: end it with {@link join} (after {@link cancel}
 * to stop it early), or its tasks may outlive the code that started them. Inside
 * Effect code, prefer {@link run} or {@link make}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe({ name: "jobs" })
 * const soon = TaskGroup.spawnUnsafe(group, Effect.succeed(1))
 * await Effect.runPromise(TaskGroup.join(group))
 * soon.ready // => true
 * ```
 *
 * @since 0.1.0
 * @category unsafe
 */
export const makeUnsafe: <E = Inferred, R = Inferred>(options?: Options & TimeoutDeclared<E>) => TaskGroup<E, R> =
  owners.makeUnsafe as any

/**
 * Spawns `effect` into `group` synchronously and returns its handle. The task starts
 * at once (until its first asynchronous step), with the context of the fiber that
 * opened the group.
 *
 * **Details**
 *
 * Throws `TaskGroupClosed` when the group has ended, and while it is shutting down when
 * called from outside it (its `cause` says what closed the group); called from inside (in
 * a fiber of the group's body or tasks, or one running under them: `Fiber.getCurrent()`),
 * gives a handle that ends interrupted while the group is shutting down. For code outside
 * Effect; inside Effect, `group.spawn` is the way. Takes `key` and `retry` as
 * `group.spawn` does.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe()
 * const soon = TaskGroup.spawnUnsafe(group, Effect.succeed("now"), { name: "eager" })
 * soon.ready // => true: it ran to its end at once
 * await Effect.runPromise(TaskGroup.join(group))
 * ```
 *
 * @since 0.1.0
 * @category unsafe
 */
export const spawnUnsafe: {
  <
    E,
    R,
    A,
    X extends Accepted<E> = never,
    Y extends Provided<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    effect: Effect.Effect<A, X, Y>,
    options?: SpawnOptions<NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): KeyedValue<K, A, X>
  <
    E,
    R,
    A,
    X extends Accepted<E> = never,
    Y extends Provided<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    effect: Effect.Effect<A, X, Y>,
    options: SpawnOptions<NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): KeyedValue<K, A, X | TaskTimeout>
} = <A, E>(group: TaskGroup, effect: Effect.Effect<A, E, any>, options?: SpawnOptions<NoInfer<E>>): SoonValue<A, E> => {
  const impl = owners.groupArgument("TaskGroup.spawnUnsafe", group)
  const problem =
    effectProblem("TaskGroup.spawnUnsafe", "the task", effect) ?? taskOptionsProblem("TaskGroup.spawnUnsafe", options)
  if (problem !== undefined) throw illegalArgument(problem)
  if (options !== undefined && capabilities.hasCapabilities(options)) {
    return capabilities.spawnUnsafe("TaskGroup.spawnUnsafe", impl, effect as Effect.Effect<A, E>, options)
  }
  return impl.spawnNow(undefined, effect, options?.name, undefined, undefined, Fiber.getCurrent())
}

/**
 * Cancels a whole group from outside (Effect's word: interrupt): interrupts its body and every task, then waits
 * until all have ended. The group's outcome becomes an interruption (plus any failure
 * that occurred); a group that has already ended is left as it is.
 *
 * **Gotchas**
 *
 * Called from inside the group (its body or one of its tasks), `cancel` does not wait,
 * since it would wait for itself: it starts the shutdown and yields, and an
 * interruptible caller is interrupted there.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const group = yield* TaskGroup.make()
 *     yield* group.spawn(Effect.never)
 *     yield* TaskGroup.cancel(group) // the task is interrupted and has ended
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const cancel: <E, R>(group: TaskGroup<E, R>) => Effect.Effect<void> = owners.cancel

/**
 * Cancels a whole group synchronously, without waiting: see {@link cancel}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe()
 * TaskGroup.spawnUnsafe(group, Effect.never)
 * TaskGroup.cancelUnsafe(group)
 * const exit = await Effect.runPromiseExit(TaskGroup.join(group))
 * Exit.hasInterrupts(exit) // => true: the group ended interrupted
 * ```
 *
 * @since 0.1.0
 * @category unsafe
 */
export const cancelUnsafe = <E, R>(group: TaskGroup<E, R>): void =>
  owners.groupArgument("TaskGroup.cancelUnsafe", group).cancelUnsafe(undefined)

/**
 * A task that was asked to stop and has not ended `stuckAfter` later (see
 * {@link Options.stuckAfter}), as {@link onStuckUnsafe} hears of it.
 *
 * @since 0.2.0
 * @category models
 */
export interface StuckTask {
  /** The task's name. */
  readonly task: string
  /** Its group's name. */
  readonly group: string
  /** When it was asked to stop (ms since epoch, on the group's `Clock`). */
  readonly cancelledAt: number
  /** How long it has ignored that request, in milliseconds. */
  readonly ignoredFor: number
}

/**
 * Hands the group's stuck-cancellation reports to `f` instead of the Warning log: each
 * task asked to stop that has not ended `stuckAfter` later, once. A later call replaces
 * the earlier `f`.
 *
 * **When to use**
 *
 * For code that drives groups from outside Effect and reports in its own words (as
 * `@soonify/interop` does, with `process.emitWarning`). Effect programs read the log.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe({ name: "jobs", stuckAfter: "10 millis" })
 * const reports: Array<string> = []
 * TaskGroup.onStuckUnsafe(group, (stuck) => reports.push(`${stuck.group}/${stuck.task}`))
 * // A task that ignores interruption for 50 ms.
 * TaskGroup.spawnUnsafe(group, Effect.uninterruptible(Effect.sleep("50 millis")), { name: "deaf" })
 * TaskGroup.cancelUnsafe(group)
 * await Effect.runPromiseExit(TaskGroup.join(group)) // waits the 50 ms: reported after 10
 * console.log(reports) // => ["jobs/deaf"]
 * ```
 *
 * @since 0.2.0
 * @category unsafe
 */
export const onStuckUnsafe = <E, R>(group: TaskGroup<E, R>, f: (stuck: StuckTask) => void): void => {
  const impl = owners.groupArgument("TaskGroup.onStuckUnsafe", group)
  if (typeof f !== "function") {
    throw illegalArgument(`TaskGroup.onStuckUnsafe: expected a function, received ${describe(f)}`)
  }
  impl.stuckReporter = f
}

/**
 * Turns on task metrics for the groups made where it is provided, as
 * `Metric.enableRuntimeMetricsLayer` does for fibers: the gauges
 * `soonify_tasks_running` and `soonify_tasks_waiting`, the counters
 * `soonify_tasks_started`, `soonify_tasks_succeeded`, `soonify_tasks_failed` and
 * `soonify_tasks_cancelled`, and the histogram `soonify_task_duration_ms`, each series
 * tagged with its group's name (`soonify.group`). They are {@link taskMetrics}.
 *
 * **Details**
 *
 * A group reads the switch once, when it is made (in the context of the fiber that
 * makes it), and updates the metrics in that context's registry: read them with
 * `Metric.snapshot`, or export them (`effect/observability`). "Waiting" counts the
 * tasks spawned and not started (queued behind `concurrency`, or until their spawner
 * yields); a cancelled task is one interrupted and nothing else; durations run from a
 * task's start to its end, on the group's `Clock`. Without this layer nothing is counted
 * and nothing is paid but one check per task step.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   yield* TaskGroup.gather([Effect.sync(() => 1), Effect.sync(() => 2)])
 *   const snapshots = yield* Metric.snapshot
 *   return snapshots.find((metric) => metric.id === "soonify_tasks_succeeded")?.state
 * }).pipe(Effect.provide(TaskGroup.metricsLayer)) // => { count: 2, incremental: true }
 * ```
 *
 * @since 0.4.0
 * @category metrics
 */
export const metricsLayer: Layer.Layer<never> = /* @__PURE__ */ Layer.succeed(metricsSwitch.TaskMetrics)(
  metricsInternal.makeGroupMetrics
)

/**
 * The metrics {@link metricsLayer} turns on, to find them in `Metric.snapshot` (by
 * their `id`) or to build dashboards on.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroup } from "@soonify/core"
 *
 * TaskGroup.taskMetrics.running.id // => "soonify_tasks_running"
 * ```
 *
 * @since 0.4.0
 * @category metrics
 */
export const taskMetrics: {
  readonly running: Metric.Gauge<number>
  readonly waiting: Metric.Gauge<number>
  readonly started: Metric.Counter<number>
  readonly succeeded: Metric.Counter<number>
  readonly failed: Metric.Counter<number>
  readonly cancelled: Metric.Counter<number>
  readonly duration: Metric.Histogram<number>
} = {
  running: metricsInternal.running,
  waiting: metricsInternal.waiting,
  started: metricsInternal.started,
  succeeded: metricsInternal.succeeded,
  failed: metricsInternal.failed,
  cancelled: metricsInternal.cancelled,
  duration: metricsInternal.duration
}

// -----------------------------------------------------------------------------
// module functions
// -----------------------------------------------------------------------------

/** The value a task spawned with key `K` must give: a typed key's `A`, else anything. */
type KeyValueBound<K> = K extends Key<infer KA, infer _KE> ? KA : unknown
/** The errors a task spawned with key `K` may fail with: a typed key's `E`, else anything. */
type KeyErrorBound<K> = K extends Key<infer _KA, infer KE> ? KE : unknown
/** `unknown` when a task spawned with key `K` may fail with its own `TaskTimeout`. */
type KeyTakesTimeout<K> = [TaskTimeout] extends [KeyErrorBound<K>] ? unknown : KeyMisfit

/**
 * Spawns `effect` into `group`: `group.spawn` as a function, data-first
 * (`TaskGroup.spawn(group, effect, options?)`) or data-last
 * (`effect.pipe(TaskGroup.spawn(group, options?))`), as `FiberSet.run` is.
 *
 * **When to use**
 *
 * In a pipeline (`Effect.forEach(urls, (url) => TaskGroup.spawn(group, fetch(url)))`,
 * `fetch(url).pipe(TaskGroup.spawn(group))`), or wherever Effect's module style reads
 * better than a method.
 *
 * **Details**
 *
 * Exactly `group.spawn(effect, options)`: the same types (a `run` group's spawn carries
 * {@link TaskErrors}, a typed group's accepts only what fits it), the same checks. In the
 * data-last form the options come before the effect, so a `retry` predicate there is not
 * typed by the task's error: give them data-first for that.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const double = (n: number) => Effect.succeed(n * 2)
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const first = yield* TaskGroup.spawn(group, double(1)) // data-first
 *     const second = yield* double(2).pipe(TaskGroup.spawn(group, { name: "second" })) // data-last
 *     const rest = yield* Effect.forEach([3, 4], (n) => TaskGroup.spawn(group, double(n)))
 *     return [first, second, ...rest]
 *   })
 * ).pipe(Effect.flatMap((handles) => Effect.forEach(handles, (soon) => soon.value))) // => [2, 4, 6, 8]
 * ```
 *
 * @since 0.4.0
 * @category combinators
 */
export const spawn: {
  <
    E,
    R,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    effect: Effect.Effect<A, X, Y>,
    options?: SpawnOptions<NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  <
    E,
    R,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    effect: Effect.Effect<A, X, Y>,
    options: SpawnOptions<NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
  <E, R, const K extends TaskKey | undefined = undefined>(
    group: TaskGroup<E, R>,
    options?: SpawnOptions<never, K> & NoTimeout
  ): <A extends KeyValueBound<K>, X extends Accepted<E> & KeyErrorBound<K> = never, Y extends Accepted<R> = never>(
    effect: Effect.Effect<A, X, Y>
  ) => Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  <E, R, const K extends TaskKey | undefined = undefined>(
    group: TaskGroup<E, R>,
    options: SpawnOptions<never, K> & TimeoutFits<E> & KeyTakesTimeout<K>
  ): <A extends KeyValueBound<K>, X extends Accepted<E> & KeyErrorBound<K> = never, Y extends Accepted<R> = never>(
    effect: Effect.Effect<A, X, Y>
  ) => Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
} = function (): any {
  const group = arguments[0] as TaskGroup
  // Data-first when the second argument is the effect, or when three are given (a bad
  // effect then dies with the message of `group.spawn`).
  if (arguments.length < 3 && !Effect.isEffect(arguments[1])) {
    const options = arguments[1]
    return (effect: Effect.Effect<unknown, unknown, unknown>) => moduleSpawn(group, effect, options)
  }
  return moduleSpawn(group, arguments[1], arguments[2])
}

const moduleSpawn = (group: unknown, effect: Effect.Effect<unknown, unknown, unknown>, options: unknown) =>
  Effect.suspend(() => owners.groupArgument("TaskGroup.spawn", group).spawn(effect, options as SpawnOptions<unknown>))

/**
 * `group.soonify` as a function, data-first (`TaskGroup.soonify(group, f, options?)`) or
 * data-last (`TaskGroup.soonify(group, options?)(f)`): `f(...args)` as a task of `group`.
 *
 * **Details**
 *
 * Exactly `group.soonify(f, options)`; a `group` that is not a `TaskGroup` or an `f` that
 * is not a function throws an `IllegalArgumentError` at once. In the data-last form the
 * options come before `f`: a `name` or `key` function there is not typed by `f`'s
 * parameters.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const greet = Effect.fn("greet")(function* (name: string) {
 *   return `Hello, ${name}`
 * })
 *
 * const program = Effect.gen(function* () {
 *   const [a, b] = yield* TaskGroup.run((group) =>
 *     Effect.all([TaskGroup.soonify(group, greet)("Yury"), TaskGroup.soonify(group, { name: "greeting" })(greet)("Alex")])
 *   )
 *   return [yield* a.value, yield* b.value] // => ["Hello, Yury", "Hello, Alex"]
 * })
 * ```
 *
 * @since 0.4.0
 * @category combinators
 */
export const soonify: {
  <
    E,
    R,
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options?: SoonifyOptions<Args, NoInfer<X>, K> & NoTimeout & KeyFits<K, A, X>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  <
    E,
    R,
    Args extends ReadonlyArray<unknown>,
    A,
    X extends Accepted<E> = never,
    Y extends Accepted<R> = never,
    const K extends TaskKey | undefined = undefined
  >(
    group: TaskGroup<E, R>,
    f: (...args: Args) => Effect.Effect<A, X, Y>,
    options: SoonifyOptions<Args, NoInfer<X | TaskTimeout>, K> & TimeoutFits<E> & KeyFits<K, A, X | TaskTimeout>
  ): (...args: Args) => Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
  <E, R, const K extends TaskKey | undefined = undefined>(
    group: TaskGroup<E, R>,
    options?: SoonifyOptions<never, never, K> & NoTimeout
  ): <
    Args extends ReadonlyArray<unknown>,
    A extends KeyValueBound<K>,
    X extends Accepted<E> & KeyErrorBound<K> = never,
    Y extends Accepted<R> = never
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>
  ) => (...args: Args) => Effect.Effect<KeyedValue<K, A, X>, never, Y | Carried<E, X>>
  <E, R, const K extends TaskKey | undefined = undefined>(
    group: TaskGroup<E, R>,
    options: SoonifyOptions<never, never, K> & TimeoutFits<E> & KeyTakesTimeout<K>
  ): <
    Args extends ReadonlyArray<unknown>,
    A extends KeyValueBound<K>,
    X extends Accepted<E> & KeyErrorBound<K> = never,
    Y extends Accepted<R> = never
  >(
    f: (...args: Args) => Effect.Effect<A, X, Y>
  ) => (...args: Args) => Effect.Effect<KeyedValue<K, A, X | TaskTimeout>, never, Y | Carried<E, X | TaskTimeout>>
} = function (): any {
  const group = owners.groupArgument("TaskGroup.soonify", arguments[0])
  if (arguments.length < 3 && typeof arguments[1] !== "function") {
    const options = arguments[1]
    return (f: (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, unknown>) =>
      group.soonify(f, options)
  }
  return group.soonify(arguments[1], arguments[2])
}

/**
 * `group.start` as a function, data-first (`TaskGroup.start(group, f, options?)`) or
 * data-last (`TaskGroup.start(group, options?)(f)`): the start handshake.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const serve = (started: TaskGroup.Started<number>) => Effect.andThen(started(8080), Effect.succeed("served"))
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const [port] = yield* TaskGroup.start(group, serve)
 *     const [again] = yield* TaskGroup.start(group, { name: "second" })(serve)
 *     return [port, again]
 *   })
 * ) // => [8080, 8080]
 * ```
 *
 * @since 0.4.0
 * @category combinators
 */
export const start: {
  <E, R, S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    group: TaskGroup<E, R>,
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options?: StartOptions & NoTimeout
  ): Effect.Effect<readonly [S, SoonValue<A, X>], X, Y | Carried<E, X>>
  <E, R, S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    group: TaskGroup<E, R>,
    f: (started: Started<S>) => Effect.Effect<A, X, Y>,
    options: StartOptions & TimeoutFits<E>
  ): Effect.Effect<readonly [S, SoonValue<A, X | TaskTimeout>], X | TaskTimeout, Y | Carried<E, X | TaskTimeout>>
  <E, R>(
    group: TaskGroup<E, R>,
    options?: StartOptions & NoTimeout
  ): <S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>
  ) => Effect.Effect<readonly [S, SoonValue<A, X>], X, Y | Carried<E, X>>
  <E, R>(
    group: TaskGroup<E, R>,
    options: StartOptions & TimeoutFits<E>
  ): <S = void, A = unknown, X extends Accepted<E> = never, Y extends Accepted<R> = never>(
    f: (started: Started<S>) => Effect.Effect<A, X, Y>
  ) => Effect.Effect<readonly [S, SoonValue<A, X | TaskTimeout>], X | TaskTimeout, Y | Carried<E, X | TaskTimeout>>
} = function (): any {
  const group = arguments[0] as TaskGroup
  if (arguments.length < 3 && typeof arguments[1] !== "function") {
    const options = arguments[1]
    return (f: (started: Started<unknown>) => Effect.Effect<unknown, unknown, unknown>) =>
      moduleStart(group, f, options)
  }
  return moduleStart(group, arguments[1], arguments[2])
}

const moduleStart = (
  group: unknown,
  f: (started: Started<unknown>) => Effect.Effect<unknown, unknown, unknown>,
  options: unknown
) => Effect.suspend(() => owners.groupArgument("TaskGroup.start", group).start(f, options as StartOptions))

// -----------------------------------------------------------------------------
// gather
// -----------------------------------------------------------------------------

/**
 * Options of {@link gather}.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatherOptions {
  /**
   * `false` (default): fail fast, like {@link run}. `true`: every effect runs to its
   * end and each slot holds its `Exit`, in input order (Effect's word: `Effect.all`'s
   * `mode: "result"`).
   */
  readonly returnExceptions?: boolean | undefined
  /** At most this many effects run at once. Default `"unbounded"`. */
  readonly concurrency?: number | "unbounded" | undefined
  /**
   * When this much time has passed (on the `Clock`), the effects still running are
   * interrupted. Without `returnExceptions`, `gather` then fails with a
   * {@link TaskGroupTimeout}; with it, each of their slots holds an `Exit` failing with
   * one, and the others keep their outcomes. Default none.
   */
  readonly timeout?: Duration.Input | undefined
}

/**
 * The input {@link gather} accepts: an iterable (tuple, array, set…) or a record of
 * effects.
 *
 * @since 0.1.0
 * @category models
 */
export type GatherInput =
  Iterable<Effect.Effect<any, any, any>> | Readonly<Record<string, Effect.Effect<any, any, any>>>

type SuccessOf<T> = T extends Effect.Effect<infer A, infer _E, infer _R> ? A : never
type ErrorOf<T> = T extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
type ContextOf<T> = T extends Effect.Effect<infer _A, infer _E, infer R> ? R : never
type Slot<T, O, Exits extends boolean> = Exits extends true
  ? Exit.Exit<SuccessOf<T>, ErrorOf<T> | TimeoutError<O>>
  : SuccessOf<T>
type Member<I> = I extends ReadonlyArray<infer T> ? T : I extends Iterable<infer T> ? T : I[keyof I]
type Shaped<I, O, Exits extends boolean> =
  I extends ReadonlyArray<any>
    ? { -readonly [K in keyof I]: Slot<I[K], O, Exits> }
    : I extends Iterable<infer T>
      ? Array<Slot<T, O, Exits>>
      : { -readonly [K in keyof I]: Slot<I[K], O, Exits> }
/** What `returnExceptions` may be in `O`: `true`, `false`, or both (a `boolean`). */
type ExceptionsFlag<O> = O extends { readonly returnExceptions?: infer X } ? (unknown extends X ? false : X) : false
/** Whether a gather with options `O` may fail (fail fast: `returnExceptions` may be off). */
type MayFailFast<O> = [Exclude<ExceptionsFlag<O>, true>] extends [never] ? false : true

/**
 * The result type of {@link gather}: the input's shape, each effect replaced by its
 * value (or its `Exit` with `returnExceptions: true`; with a `returnExceptions` known
 * only as a `boolean`, the union of both shapes).
 *
 * @since 0.1.0
 * @category models
 */
export type GatherResult<I, O> =
  | (true extends ExceptionsFlag<O> ? Shaped<I, O, true> : never)
  | (MayFailFast<O> extends true ? Shaped<I, O, false> : never)

/**
 * Runs effects at once in one task group and gives their results in input order
 * (asyncio's `gather`; Effect's word: `Effect.all` with `concurrency: "unbounded"`, whose
 * types it keeps).
 *
 * **Details**
 *
 * - Tuple, array, iterable and record inputs keep their exact shape and types.
 * - Fail fast by default: the first failure interrupts the others, waits for them, and
 *   fails with every failure that occurred.
 * - `returnExceptions: true`: nothing is cancelled by a failure; each slot holds the
 *   effect's `Exit`, in input order, and the error channel is `never`.
 * - `concurrency` bounds how many run at once (input order); empty input gives an
 *   empty result at once.
 * - `timeout`: the effects still running when it runs out are interrupted. Without
 *   `returnExceptions`, `gather` fails with `TaskGroupTimeout`; with it, `gather`
 *   succeeds, the slots that ended in time keep their `Exit`, and each of the others
 *   holds an `Exit` failing with `TaskGroupTimeout` (asyncio's `wait(timeout)`, shaped
 *   like `gather`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const [n, s] = yield* TaskGroup.gather([Effect.succeed(1), Effect.succeed("two")])
 *   const { a } = yield* TaskGroup.gather({ a: Effect.succeed(true) })
 *   const [exit] = yield* TaskGroup.gather([Effect.fail("boom")], { returnExceptions: true })
 *   return [n, s, a, exit._tag] // => [1, "two", true, "Failure"]
 * })
 * ```
 *
 * Fetch 200 pages within a time budget and keep what arrived (asyncio's
 * `wait(timeout)`, in input order):
 *
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * // Pages answer in 10 ms, except every 50th, which hangs.
 * const fetchPage = (n: number) => Effect.as(Effect.sleep(n % 50 === 49 ? "1 minute" : "10 millis"), `page ${n}`)
 *
 * const program = Effect.gen(function* () {
 *   const slots = yield* TaskGroup.gather(
 *     Array.from({ length: 200 }, (_, n) => fetchPage(n)),
 *     { timeout: "500 millis", returnExceptions: true }
 *   )
 *   const pages = slots.filter(Exit.isSuccess).map((exit) => exit.value)
 *   return [pages.length, pages[0], slots.length - pages.length] // => [196, "page 0", 4]: the 4 hung pages timed out
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const gather = <const I extends GatherInput, const O extends GatherOptions = {}>(
  input: I,
  options?: O
): Effect.Effect<
  GatherResult<I, O>,
  MayFailFast<O> extends true ? ErrorOf<Member<I>> | TimeoutError<O> : never,
  ContextOf<Member<I>>
> => gatherInternal.gather(input, options) as any

// -----------------------------------------------------------------------------
// observability
// -----------------------------------------------------------------------------

/**
 * One task in a {@link GroupSnapshot}: a task that has not ended yet.
 *
 * **Details**
 *
 * - `status`: `"queued"` while it waits for its turn (behind `concurrency`, or until its
 *   spawner yields), `"running"` once it runs; `startedAt` (ms since epoch, from the
 *   group's `Clock`) is set from then on. `"cancelling"` once it was asked to stop (its
 *   group failed, was cancelled or timed out, `soon.cancel`, its own `timeout`) until it
 *   has ended, with `cancelledAt` (when it was asked); see the group option `stuckAfter`.
 * - `progress`: what it last reported with {@link reportProgress}.
 * - `groups`: the groups opened inside it (by its fiber, a fiber it forked, or the body
 *   of a group it opened) that are still open.
 * - `key` and `attempt` are there for keyed tasks and retries, when a task has them.
 *
 * @since 0.1.0
 * @category snapshots
 */
export type TaskSnapshot = Kernel.TaskSnapshot

/**
 * A group, as {@link snapshot} sees it at one moment: a plain, JSON-serialisable object.
 *
 * **Details**
 *
 * - `state`: `"open"`, `"closing"` (shutting down after a failure or a cancel) or
 *   `"closed"` (it has ended).
 * - `counts`: `queued` and `running` count the tasks in `tasks`; `succeeded`, `failed`
 *   and `cancelled` the tasks that have ended (a task interrupted and nothing else was
 *   cancelled, whoever interrupted it).
 * - `tasks`: the tasks not yet ended, in spawn order.
 *
 * @since 0.1.0
 * @category snapshots
 */
export type GroupSnapshot = Kernel.GroupSnapshot

/**
 * A snapshot of `group` now, synchronously: see {@link snapshot}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe({ name: "jobs" })
 * TaskGroup.spawnUnsafe(group, Effect.never, { name: "forever" })
 * const { name, counts, tasks } = TaskGroup.snapshotUnsafe(group)
 * console.log([name, counts.running, tasks[0].name, tasks[0].status]) // => ["jobs", 1, "forever", "running"]
 * TaskGroup.cancelUnsafe(group)
 * await Effect.runPromiseExit(TaskGroup.join(group))
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshotUnsafe = <E, R>(group: TaskGroup<E, R>): GroupSnapshot =>
  snapshots.groupSnapshot(owners.groupArgument("TaskGroup.snapshotUnsafe", group))

/**
 * A snapshot of `group`: its name, state, mode, concurrency, counts, and the tasks not
 * yet ended (queued or running, in spawn order), each with the groups opened inside
 * it, all the way down. A plain object, ready for `JSON.stringify` and {@link renderSnapshot}.
 *
 * **When to use**
 *
 * To see what a group is doing right now: a progress display, a health endpoint, a
 * "what is still running?" dump when something hangs.
 *
 * **Details**
 *
 * Taking a snapshot reads the group's own state; it changes nothing, and costs nothing
 * while nobody takes one. A snapshot does not change afterwards: take another one.
 *
 * **Example**
 *
 * ```ts
 * import { Deferred, Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const go = yield* Deferred.make<void>()
 *   return yield* TaskGroup.run(
 *     (group) =>
 *       Effect.gen(function* () {
 *         yield* group.spawn(Deferred.await(go), { name: "first" })
 *         yield* group.spawn(Deferred.await(go), { name: "second" })
 *         yield* Effect.yieldNow // let the tasks start
 *         const snapshot = yield* TaskGroup.snapshot(group)
 *         yield* Deferred.succeed(go, undefined)
 *         return [snapshot.counts.running, snapshot.counts.queued, snapshot.tasks.map((t) => t.status)]
 *       }),
 *     { concurrency: 1 }
 *   )
 * }) // => [1, 1, ["running", "queued"]]
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshot = <E, R>(group: TaskGroup<E, R>): Effect.Effect<GroupSnapshot> =>
  Effect.sync(() => snapshots.groupSnapshot(owners.groupArgument("TaskGroup.snapshot", group)))

/**
 * Every open root group of the process, synchronously: see {@link snapshotAll}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe({ name: "server" })
 * TaskGroup.snapshotAllUnsafe().some((g) => g.name === "server") // => true
 * await Effect.runPromise(TaskGroup.join(group))
 * TaskGroup.snapshotAllUnsafe().some((g) => g.name === "server") // => false
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshotAllUnsafe = (): Array<GroupSnapshot> => snapshots.snapshotAll()

/**
 * Snapshots of every open root group of the process (a group opened outside any task),
 * oldest first; groups opened inside tasks appear under those tasks.
 *
 * **Details**
 *
 * Only open groups are known: a group leaves the registry when it ends, and the
 * registry holds root groups weakly, so an abandoned group made with
 * {@link makeUnsafe} can still be collected. Groups of `@soonify/interop` are in the
 * same tree.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * // Print what is still running, for instance when a test times out:
 * const program = Effect.flatMap(TaskGroup.snapshotAll, (groups) => Effect.log(TaskGroup.renderSnapshot(groups)))
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshotAll: Effect.Effect<Array<GroupSnapshot>> = /* @__PURE__ */ Effect.sync(snapshots.snapshotAll)

/**
 * `text` as {@link renderSnapshot} shows every string of a snapshot: each character that
 * could add a line, move the cursor or reverse the text in a terminal or a Unicode-aware
 * viewer written as a visible escape.
 *
 * **Details**
 *
 * Escaped, JSON style (`\n`, `\t`, else `\u2028`): the C0 controls, DEL and the C1
 * controls (U+0000–U+001F, U+007F–U+009F, with U+0085 NEXT LINE), the line and paragraph
 * separators (U+2028, U+2029), the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069) and lone surrogates; a backslash is doubled, so that an escape and the
 * same text typed by hand read differently. Everything else (accents, emoji, joiners) is
 * kept. `soonify ps` and `top` show names and keys through it.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroup } from "@soonify/core"
 *
 * TaskGroup.escapeText("fetch\u2028admin") // => "fetch\\u2028admin"
 * TaskGroup.escapeText("évite ✓") // => "évite ✓"
 * ```
 *
 * @since 0.2.0
 * @category snapshots
 */
export const escapeText: (text: string) => string = escaping.escapeText

/**
 * Options of {@link renderSnapshot}.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface RenderOptions {
  /** The time (ms since epoch) to measure how long each task has been running; default: show when it started. */
  readonly now?: number | undefined
}

/**
 * Renders one snapshot or several as an indented text tree (`pstree`-like), one line per
 * group and per task: for logs and "what is still running?" dumps.
 *
 * **Details**
 *
 * A group's line shows its name, state, mode, concurrency and counts; a task's line its
 * name, status, when it started (or, given `options.now`, for how long it has been
 * running) and its progress. Groups opened in a task are indented under it. No groups:
 * `(no open task groups)`. Every string is shown through {@link escapeText}: a name
 * cannot add lines or reverse text. Any depth is drawn (nothing recurses): below 96
 * columns of indentation a line starts with `[depth N]` and keeps the last 48.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroup } from "@soonify/core"
 *
 * const text = TaskGroup.renderSnapshot(
 *   {
 *     name: "crawler", state: "open", mode: "failFast", concurrency: 2,
 *     counts: { queued: 1, running: 1, succeeded: 3, failed: 0, cancelled: 0 },
 *     tasks: [
 *       { name: "fetch a", status: "running", startedAt: 1000, progress: { done: 3, total: 4 }, groups: [] },
 *       { name: "fetch b", status: "queued", groups: [] }
 *     ]
 *   },
 *   { now: 3500 }
 * )
 * text.split("\n") // => ['TaskGroup "crawler" open · failFast · concurrency 2 · 1 queued, 1 running, 3 succeeded, 0 failed, 0 cancelled', '├─ task "fetch a" · running · for 2.5 s · 3/4 (75%)', '└─ task "fetch b" · queued']
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const renderSnapshot: (
  snapshot: GroupSnapshot | ReadonlyArray<GroupSnapshot>,
  options?: RenderOptions
) => string = snapshots.renderSnapshot

/**
 * Installs the in-process "what is still running?" dump, synchronously: see
 * {@link dumpOnSignal}. Gives the function that uninstalls it (calling it again does
 * nothing).
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroup } from "@soonify/core"
 *
 * const before = process.listenerCount("SIGUSR2")
 * // `kill -USR2 <pid>` prints every open group and task to stderr.
 * const uninstall = TaskGroup.dumpOnSignalUnsafe()
 * process.listenerCount("SIGUSR2") - before // => 1
 * uninstall()
 * process.listenerCount("SIGUSR2") - before // => 0
 * ```
 *
 * @since 0.2.0
 * @category snapshots
 */
export const dumpOnSignalUnsafe = (signal: string = "SIGUSR2"): (() => void) => {
  const problem = dumping.signalProblem("TaskGroup.dumpOnSignalUnsafe", signal)
  if (problem !== undefined) throw illegalArgument(problem)
  return dumping.installDump("TaskGroup.dumpOnSignalUnsafe", signal)
}

/**
 * While the scope is open, prints every open group and task of the process to stderr
 * (as {@link renderSnapshot} draws them, with how long each task has run) each time the
 * process receives `signal` (default `"SIGUSR2"`: `kill -USR2 <pid>`).
 *
 * **When to use**
 *
 * Where `soonify pstree <pid>` (@soonify/inspect) may not attach: a process whose
 * inspector must stay shut (`--disable-sigusr1`, a policy, a container without the
 * loopback port). The dump needs nothing but the signal.
 *
 * **Gotchas**
 *
 * `"SIGUSR1"` is refused: it opens Node's inspector, which is how `soonify` attaches.
 * Node, Deno and Bun only (there is no process to signal in a browser).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const before = process.listenerCount("SIGUSR2")
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     yield* TaskGroup.dumpOnSignal()
 *     return process.listenerCount("SIGUSR2") - before
 *   })
 * )
 * await Effect.runPromise(program) // => 1
 * process.listenerCount("SIGUSR2") - before // => 0
 * ```
 *
 * @since 0.2.0
 * @category snapshots
 */
export const dumpOnSignal = (signal: string = "SIGUSR2"): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => dumpOnSignalUnsafe(signal)),
    (uninstall) => Effect.sync(uninstall)
  ).pipe(Effect.asVoid)

/**
 * Reports how far along the calling task is: `done` units of work, out of `total` if
 * known. Its handle shows it (`soon.progress`) and so do snapshots.
 *
 * **Details**
 *
 * The task is found through the calling fiber: a task's own fiber, a fiber it forked,
 * or the body of a group it opened. Called elsewhere, it dies with an
 * `IllegalArgumentError`, as it does for a `done` or `total` that is not a finite
 * number ≥ 0. Each report replaces the last one; nothing checks that `done` grows.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const soon = yield* TaskGroup.run((group) =>
 *     group.spawn(
 *       Effect.gen(function* () {
 *         for (let done = 1; done <= 3; done++) yield* TaskGroup.reportProgress(done, 3)
 *       })
 *     )
 *   )
 *   return soon.progress // => { done: 3, total: 3 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const reportProgress: (done: number, total?: number) => Effect.Effect<void> = progress.reportProgress

/**
 * `group.setConcurrency` as a function, data-first (`TaskGroup.setConcurrency(group, n)`)
 * or data-last (`group.pipe(TaskGroup.setConcurrency(n))`): changes the group's
 * `concurrency` while it runs.
 *
 * **Details**
 *
 * Takes what the `concurrency` option takes: a positive integer or `"unbounded"`.
 * Raising it starts waiting tasks at once; lowering it lets the running tasks finish and
 * starts no more until fewer run than the new limit. A bad value dies with an
 * `IllegalArgumentError` naming it. Snapshots show the limit as set now.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run(
 *   (group) =>
 *     Effect.gen(function* () {
 *       for (let i = 0; i < 4; i++) yield* group.spawn(Effect.sleep("1 second"))
 *       yield* Effect.yieldNow
 *       const before = (yield* TaskGroup.snapshot(group)).counts.running
 *       yield* TaskGroup.setConcurrency(group, 4)
 *       const after = (yield* TaskGroup.snapshot(group)).counts.running
 *       return [before, after]
 *     }),
 *   { concurrency: 1 }
 * ) // => [1, 4]
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const setConcurrency: {
  (concurrency: number | "unbounded"): <E, R>(group: TaskGroup<E, R>) => Effect.Effect<void>
  <E, R>(group: TaskGroup<E, R>, concurrency: number | "unbounded"): Effect.Effect<void>
} = function (): any {
  if (arguments.length === 1) {
    const concurrency = arguments[0]
    return (group: TaskGroup) => moduleSetConcurrency(group, concurrency)
  }
  return moduleSetConcurrency(arguments[0], arguments[1])
}

const moduleSetConcurrency = (group: unknown, concurrency: number | "unbounded") =>
  Effect.suspend(() => owners.groupArgument("TaskGroup.setConcurrency", group).setConcurrency(concurrency))

/**
 * Options of {@link map}.
 *
 * @since 0.5.0
 * @category models
 */
export interface MapOptions<T> {
  /**
   * At most this many calls run at once, and at most this many finished results wait
   * unread: the input is pulled only when both have room, so memory stays flat over an
   * endless input. A positive integer or `"unbounded"` (the default: give a number for
   * an endless input).
   */
  readonly concurrency?: number | "unbounded" | undefined
  /** `true` (default): results in input order. `false`: in the order the calls end. */
  readonly ordered?: boolean | undefined
  /**
   * `false` (default): fail fast; the first failure cancels the calls still running and
   * the stream fails with every failure. `true`: each result is the call's `Exit`, and a
   * failure cancels nothing.
   */
  readonly returnExceptions?: boolean | undefined
  /**
   * The whole map's time limit: when it runs out, the calls still running are cancelled,
   * no more input is pulled, and the stream fails with a {@link TaskGroupTimeout} once they
   * have ended (with or without `returnExceptions`). Default none.
   */
  readonly timeout?: Duration.Input | undefined
  /** Each item's priority among the calls waiting for their turn (a `rate` window, a partition). */
  readonly priority?: ((item: T, index: number) => number) | undefined
  /** Each item's partition: with `partitions`, its limits apply per value (a host, a tenant). */
  readonly partition?: ((item: T, index: number) => string) | undefined
  /** At most `limit` calls start in any window of `interval` (a strict sliding window). */
  readonly rate?: RateLimit | undefined
  /** Limits per partition value: `{ concurrency?, rate? }`, as the group option. */
  readonly partitions?: PartitionLimits | undefined
  /** Names the map's group in snapshots, spans and messages. Default `"map"`. */
  readonly name?: string | undefined
}

/**
 * What {@link map} gives for each item with options `O`: the call's value, or its `Exit`
 * with `returnExceptions: true` (both, with a `returnExceptions` known only as a `boolean`).
 *
 * @since 0.5.0
 * @category models
 */
export type MapResult<B, E, O> =
  (true extends ExceptionsFlag<O> ? Exit.Exit<B, E> : never) | (MayFailFast<O> extends true ? B : never)

/**
 * A lazy map with backpressure that runs as a task group: `f(item, index)` for each item
 * of `input` (an iterable, an async iterable or a `Stream`), as a `Stream` of the results.
 *
 * **When to use**
 *
 * For a large or endless input: p-map's `pMapIterable`, with structure. `gather` takes
 * its effects all at once; `map` pulls the next item only when a call may start.
 *
 * **Details**
 *
 * - The input is pulled only when fewer than `concurrency` calls run and fewer than
 *   `concurrency` finished results wait unread: at most `2 × concurrency` items are
 *   pulled and not yet read, whatever the input's length.
 * - Results in input order (`ordered: false`: as the calls end). Fail fast by default;
 *   `returnExceptions: true` gives each call's `Exit`. `timeout` is the whole map's.
 * - It runs as a group (`rate`, `partitions`, `priority` and `partition` as for a group's
 *   tasks, the last two functions of the item): the stream's end before the input's (the
 *   consumer's interruption, `Stream.take`) cancels the calls that run, stops pulling and
 *   calls the input's `return()`. An iterator that throws, or rejects, is a defect.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * function* naturals() {
 *   for (let n = 1; ; n++) yield n
 * }
 *
 * const program = TaskGroup.map(naturals(), (n) => Effect.as(Effect.sleep(10), n * n), { concurrency: 4 }).pipe(
 *   Stream.take(5),
 *   Stream.runCollect
 * ) // => [1, 4, 9, 16, 25]
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const map = <T, B, E = never, R = never, EI = never, RI = never, const O extends MapOptions<T> = {}>(
  input: Iterable<T> | AsyncIterable<T> | Stream.Stream<T, EI, RI>,
  f: (item: T, index: number) => Effect.Effect<B, E, R>,
  options?: O & MapOptions<T>
): Stream.Stream<MapResult<B, E, O>, (MayFailFast<O> extends true ? E : never) | EI | TimeoutError<O>, R | RI> =>
  mapInternal.map(input, f as any, options) as any
