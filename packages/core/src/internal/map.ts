import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { TaskOptions } from "./group.ts"
import { type GroupImpl } from "./group.ts"
import { isEffect } from "./effectKind.ts"
import type { TaskHandle } from "./handle.ts"
import { run } from "./owners.ts"
import { concurrencyProblem, describe, illegalArgument, isIterable, optionsProblem } from "./validation.ts"

// `TaskGroup.map` (DESIGN §10): a lazy map with backpressure that runs as a group. The
// group's body is the producer: it pulls the next item only while fewer than
// `concurrency` calls are in flight (spawned, not ended) and fewer than `concurrency`
// finished results wait unread, and spawns `f(item, index)` as a task. The stream is the
// consumer: it reads the results (in input order, or as they end), and each read lets
// the producer pull again. The group decides the rest (fail fast, settle, timeout, rate,
// partitions, priority); the stream's end (the consumer's interruption, `Stream.take`)
// interrupts the group, which cancels what runs, stops the producer and closes the input.

/** A wake-up for one waiting side (the producer, or the consumer): one Deferred while somebody waits. */
class Signal {
  private waiter: Deferred.Deferred<void> | undefined = undefined

  readonly wait: Effect.Effect<void> = Effect.suspend(() => Deferred.await((this.waiter ??= Deferred.makeUnsafe())))

  notify(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      Deferred.doneUnsafe(waiter, Exit.void)
    }
  }
}

/** The map's input, one item at a time: `next` gives the item, or `done` once the input has ended. */
interface Source {
  readonly next: Effect.Effect<unknown, unknown>
  /** Closes the input if it has not ended (an iterator's `return()`). */
  readonly close: Effect.Effect<void>
}

const done: unique symbol = Symbol("done")

/** An iterator (sync or async) as a source: its `return()` is called when the map stops before its end. */
const iteratorSource = (iterator: Iterator<unknown> | AsyncIterator<unknown>, asynchronous: boolean): Source => {
  let ended = false
  let pulling = false
  const step = (result: IteratorResult<unknown>) => {
    pulling = false
    if (result.done === true) {
      ended = true
      return done
    }
    return result.value
  }
  return {
    // `pulling` stays set when the pull is interrupted (the map stops while the input is
    // stuck in `next()`): the close below then does not wait for `return()`, which an
    // async generator settles only after that pending `next()`.
    next: asynchronous
      ? Effect.suspend(() => {
          pulling = true
          return Effect.map(
            Effect.promise(() => iterator.next() as Promise<IteratorResult<unknown>>),
            step
          )
        })
      : Effect.sync(() => step(iterator.next() as IteratorResult<unknown>)),
    close: Effect.suspend(() => {
      if (ended || iterator.return === undefined) return Effect.void
      ended = true
      const closing = iterator.return()
      // An async input stuck in `next()` closes once that pull settles: not waited for.
      if (!asynchronous || pulling) {
        if (closing instanceof Promise) closing.catch(() => {})
        return Effect.void
      }
      return Effect.ignore(Effect.promise(() => Promise.resolve(closing)))
    })
  }
}

/**
 * A stream's pull, as `Stream.toPull` makes it (in the caller's scope, run with the
 * caller's context, a failure to start it given by the first pull), without the semaphore
 * that serializes concurrent pulls: the group's body is the only one to pull. (The
 * semaphore was 1.4 KB of every program that loads core.)
 */
const pullOf = (stream: Stream.Stream<unknown, unknown, unknown>) =>
  Effect.catchCause(
    Effect.flatMap(Effect.context<Scope.Scope>(), (context) =>
      Effect.map(Channel.toPullScoped(Stream.toChannel(stream), Context.get(context, Scope.Scope)), (pull) =>
        Effect.provideContext(pull, context)
      )
    ),
    (cause) => Effect.succeed(Effect.failCause(cause))
  )

/** A Stream as a source: its chunks pulled one by one, their items handed out one at a time. */
const streamSource = (stream: Stream.Stream<unknown, unknown, unknown>) =>
  Effect.map(pullOf(stream), (pull): Source => {
    let chunk: ReadonlyArray<unknown> = []
    let at = 0
    const next: Effect.Effect<unknown, unknown> = Effect.suspend(() => {
      if (at < chunk.length) return Effect.succeed(chunk[at++])
      return Effect.matchCauseEffect(pull as Effect.Effect<ReadonlyArray<unknown>, unknown>, {
        onFailure: (cause) =>
          cause.reasons.some((reason) => reason._tag === "Fail" && Cause.isDone(reason.error))
            ? Effect.succeed(done)
            : Effect.failCause(cause),
        onSuccess: (items) => {
          chunk = items
          at = 0
          return next
        }
      })
    })
    return { next, close: Effect.void }
  })

/** The checked options of a map. */
interface MapSettings {
  readonly limit: number
  readonly ordered: boolean
  readonly returnExceptions: boolean
  readonly priority: ((item: unknown, index: number) => number) | undefined
  readonly partition: ((item: unknown, index: number) => string) | undefined
  /** `asCompleted`: the stream gives each call's handle, once it has ended. */
  readonly handles: boolean
  readonly group: {
    readonly mode: "failFast" | "settle"
    readonly concurrency: unknown
    readonly name: unknown
    readonly timeout: unknown
    readonly rate: unknown
    readonly partitions: unknown
  }
}

const where = "TaskGroup.map"

const mapSettings = (input: unknown, f: unknown, options: any): MapSettings | string => {
  if (!Stream.isStream(input) && !isAsyncIterable(input) && (!isIterable(input) || typeof input === "string")) {
    return `${where}: expected an iterable, an async iterable or a Stream of items, received ${describe(input)}`
  }
  if (typeof f !== "function") {
    return `${where}: expected a function (item, index) => Effect, received ${describe(f)}`
  }
  const problem = optionsProblem(where, options) ?? concurrencyProblem(where, options?.concurrency)
  if (problem !== undefined) return problem
  for (const flag of ["ordered", "returnExceptions"] as const) {
    const value = options?.[flag]
    if (value !== undefined && typeof value !== "boolean") {
      return `${where}: option "${flag}" must be a boolean, received ${describe(value)}`
    }
  }
  for (const name of ["priority", "partition"] as const) {
    const value = options?.[name]
    if (value !== undefined && typeof value !== "function") {
      return `${where}: option "${name}" must be a function (item, index) => ${name === "priority" ? "number" : "string"}, received ${describe(value)}`
    }
  }
  const concurrency = options?.concurrency
  const returnExceptions = options?.returnExceptions === true
  return {
    limit: typeof concurrency === "number" ? concurrency : Infinity,
    ordered: options?.ordered !== false,
    returnExceptions,
    priority: options?.priority,
    partition: options?.partition,
    handles: false,
    group: {
      mode: returnExceptions ? "settle" : "failFast",
      concurrency,
      name: options?.name ?? "map",
      timeout: options?.timeout,
      rate: options?.rate,
      partitions: options?.partitions
    }
  }
}

const isAsyncIterable = (u: unknown): u is AsyncIterable<unknown> =>
  typeof u === "object" && u !== null && typeof (u as any)[Symbol.asyncIterator] === "function"

/** What one call's per-item options give (a throw or a wrong type is a defect of the map). */
const itemOptions = (settings: MapSettings, item: unknown, index: number): TaskOptions | undefined => {
  const { priority, partition } = settings
  if (priority === undefined && partition === undefined) return undefined
  const options: { priority?: number; partition?: string } = {}
  if (priority !== undefined) {
    const given = priority(item, index)
    if (typeof given !== "number" || Number.isNaN(given)) {
      throw illegalArgument(`${where}: the "priority" function must return a number, returned ${describe(given)}`)
    }
    options.priority = given
  }
  if (partition !== undefined) {
    const given = partition(item, index)
    if (typeof given !== "string") {
      throw illegalArgument(`${where}: the "partition" function must return a string, returned ${describe(given)}`)
    }
    options.partition = given
  }
  return options
}

/** One map's state: counts, results not yet read, and the two wake-ups. */
class MapRun {
  /** Items pulled (the next index); calls spawned and not ended; results ended and not read. */
  pulled = 0
  inFlight = 0
  unread = 0
  /** Ordered: results by index, and the next index to read. Unordered: results as they ended. */
  readonly byIndex = new Map<number, Exit.Exit<unknown, unknown>>()
  readonly arrived: Array<Exit.Exit<unknown, unknown>> = []
  nextIndex = 0
  /** The group, once its body started; its run's Exit, once it ended. */
  group: GroupImpl | undefined = undefined
  runExit: Exit.Exit<unknown, unknown> | undefined = undefined
  readonly producer = new Signal()
  readonly consumer = new Signal()
  readonly settings: MapSettings

  constructor(settings: MapSettings) {
    this.settings = settings
  }

  /** A call ended with `exit`: its result waits to be read. */
  arrive(index: number, exit: Exit.Exit<unknown, unknown>): void {
    this.inFlight--
    this.unread++
    if (this.settings.ordered) this.byIndex.set(index, exit)
    else this.arrived.push(exit)
    this.consumer.notify()
    this.producer.notify()
  }

  /** The next result to read, if it has arrived (then counted as read). */
  take(): Exit.Exit<unknown, unknown> | undefined {
    let exit: Exit.Exit<unknown, unknown> | undefined
    if (this.settings.ordered) {
      exit = this.byIndex.get(this.nextIndex)
      if (exit !== undefined) {
        this.byIndex.delete(this.nextIndex)
        this.nextIndex++
      }
    } else exit = this.arrived.shift()
    if (exit !== undefined) {
      this.unread--
      this.producer.notify()
    }
    return exit
  }

  /** Whether the producer may pull the next item. */
  get hasRoom(): boolean {
    const limit = this.settings.limit
    return this.inFlight < limit && this.unread < limit
  }
}

/** The group's body: pulls while there is room, spawns each call; closes the input if stopped before its end. */
const produce = (
  state: MapRun,
  source: Source,
  f: (item: unknown, index: number) => Effect.Effect<unknown, unknown, unknown>,
  group: GroupImpl
): Effect.Effect<void, unknown, unknown> =>
  Effect.onExit(
    Effect.withFiber((parent) => {
      state.group = group
      // Every outcome lands in the stream (a value, an Exit, or the map's failure): none goes unread.
      group.reportsUnread = false
      const loop: Effect.Effect<void, unknown, unknown> = Effect.suspend(() => {
        if (!state.hasRoom) return Effect.andThen(state.producer.wait, loop)
        return Effect.flatMap(source.next, (item) => {
          if (item === done) return Effect.void
          const index = state.pulled++
          state.inFlight++
          const options = itemOptions(state.settings, item, index)
          // asCompleted's slot is the handle (known before the call runs: it starts soon).
          let handle: TaskHandle<unknown, unknown> | undefined
          const call = Effect.onExit(
            Effect.suspend(() => f(item, index)),
            (exit) => Effect.sync(() => state.arrive(index, state.settings.handles ? Exit.succeed(handle) : exit))
          )
          return Effect.flatMap(group.spawnSoon(parent, call, undefined, options), (spawned) => {
            handle = spawned
            return loop
          })
        })
      })
      return loop
    }),
    () => source.close
  )

/**
 * What the consumer does with a call's failed (or interrupted) result: the map's own
 * failure when its group shut down (fail fast, the timeout), else the slot's rule.
 */
const onFailedSlot = (state: MapRun, exit: Exit.Failure<unknown, unknown>): Effect.Effect<unknown, unknown> => {
  const interruptedOnly = Cause.hasInterruptsOnly(exit.cause)
  const slot = (): Effect.Effect<unknown, unknown> =>
    state.settings.returnExceptions ? Effect.succeed([exit]) : Effect.failCause(exit.cause)
  // A failure in fail fast shuts the group down (an interruption may not): wait for its end.
  const shutsDown = !state.settings.returnExceptions && !interruptedOnly
  if (!shutsDown && (state.group === undefined || state.group.kernel.state === "open")) return slot()
  return Effect.andThen(awaitRun(state), () =>
    state.runExit!._tag === "Failure" ? Effect.failCause(state.runExit!.cause) : slot()
  )
}

const awaitRun = (state: MapRun): Effect.Effect<void> =>
  Effect.suspend(() =>
    state.runExit !== undefined ? Effect.void : Effect.andThen(state.consumer.wait, awaitRun(state))
  )

/** The stream's pull: the next result, waiting for it; `done` once every result was read. */
const consume = (state: MapRun): Effect.Effect<ReadonlyArray<unknown>, unknown> =>
  Effect.suspend(() => {
    const exit = state.take()
    if (exit !== undefined) {
      if (exit._tag === "Success") {
        if (state.settings.handles) {
          // The call's fiber has ended; its handle completes as the group hears of it.
          const handle = exit.value as TaskHandle<unknown, unknown>
          return Effect.as(Effect.exit(handle.await), [handle])
        }
        return Effect.succeed([state.settings.returnExceptions ? exit : exit.value])
      }
      return onFailedSlot(state, exit) as Effect.Effect<ReadonlyArray<unknown>, unknown>
    }
    const ended = state.runExit
    if (ended !== undefined) {
      if (ended._tag === "Failure") return Effect.failCause(ended.cause)
      // The group ended: every call ended, and each result was read (nothing can arrive any more).
      return Cause.done()
    }
    return Effect.andThen(state.consumer.wait, consume(state))
  })

/** `TaskGroup.map(input, f, options)`. */
export const map = (
  input: unknown,
  f: (item: unknown, index: number) => Effect.Effect<unknown, unknown, unknown>,
  options?: unknown
): Stream.Stream<unknown, unknown, unknown> => {
  const settings = mapSettings(input, f, options)
  if (typeof settings === "string") return Stream.die(illegalArgument(settings))
  return mapStream(input, f, settings, where)
}

/**
 * `SoonValue.asCompleted(effects, { concurrency })`: the effects started lazily in a
 * group of their own (settle mode), at most `concurrency` at once; the stream gives
 * their handles as they end.
 */
export const asCompleted = (effects: unknown, options: unknown): Stream.Stream<unknown, never, unknown> => {
  const at = "SoonValue.asCompleted"
  const problem =
    !isIterable(effects) || typeof effects === "string"
      ? `${at}: expected an iterable of Effects, received ${describe(effects)}`
      : (optionsProblem(at, options) ?? concurrencyProblem(at, (options as { concurrency?: unknown })?.concurrency))
  if (problem !== undefined) return Stream.die(illegalArgument(problem))
  const concurrency = (options as { concurrency?: unknown } | undefined)?.concurrency
  const settings: MapSettings = {
    limit: typeof concurrency === "number" ? concurrency : Infinity,
    ordered: false,
    returnExceptions: true,
    priority: undefined,
    partition: undefined,
    handles: true,
    group: {
      mode: "settle",
      concurrency,
      name: "asCompleted",
      timeout: undefined,
      rate: undefined,
      partitions: undefined
    }
  }
  const run = (effect: unknown, index: number) =>
    isEffect(effect)
      ? effect
      : Effect.die(illegalArgument(`${at}: element ${index} is not an Effect, received ${describe(effect)}`))
  return mapStream(effects, run, settings, at) as Stream.Stream<unknown, never, unknown>
}

const mapStream = (
  input: unknown,
  f: (item: unknown, index: number) => Effect.Effect<unknown, unknown, unknown>,
  settings: MapSettings,
  where: "TaskGroup.map" | "SoonValue.asCompleted"
): Stream.Stream<unknown, unknown, unknown> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const source: Source = Stream.isStream(input)
        ? yield* streamSource(input)
        : isAsyncIterable(input)
          ? iteratorSource(input[Symbol.asyncIterator](), true)
          : iteratorSource((input as Iterable<unknown>)[Symbol.iterator](), false)
      const state = new MapRun(settings)
      // The group runs in a fiber of the stream's scope: the stream's end interrupts it.
      yield* Effect.forkScoped(
        Effect.onExit(
          run((group) => produce(state, source, f, group), settings.group, where),
          (exit) =>
            Effect.sync(() => {
              state.runExit = exit
              state.consumer.notify()
            })
        )
      )
      return Stream.fromPull(Effect.succeed(consume(state) as any))
    })
  ) as Stream.Stream<unknown, unknown, unknown>
