import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type { Ownership } from "./settings.ts"

// Spans, as `Effect.withSpan` makes them: with a tracer installed (any but Effect's
// built-in `nativeTracer`, which exports nothing), a `run` group is a span named
// `TaskGroup.run`, child of the span of the fiber that opened it, and each task a span
// named `TaskGroup.task`, ended with the task's Exit and a `soonify.status` attribute.
// Names and keys are attributes (`soonify.group`, `soonify.task`, `soonify.key`,
// `soonify.attempt`), never part of a span's name. A task's span is a child of its
// `run` group's span; in a scoped or unowned group (`make`, `layer`, `makeUnsafe`), which
// may live as long as the app, of the span of whoever spawned it (a request's), so that
// each task belongs to the trace that started it. `Effect.annotateSpans` and
// `Effect.linkSpans` around the spawner reach the task's span, as they reach a span
// `Effect.withSpan` makes there. The spans are made and ended from outside the fibers
// (like the group tracks its tasks), so a task interrupted before it first runs still
// ends its span. Without a tracer, a group holds no `GroupSpans` and each task pays one
// `undefined` check.

/** The attribute that says how a task (or group) ended. */
export const statusAttribute = "soonify.status"
/** The attributes that name a task's (or group's) group, the task, its key and its attempt. */
export const groupAttribute = "soonify.group"
export const taskAttribute = "soonify.task"
export const keyAttribute = "soonify.key"
export const attemptAttribute = "soonify.attempt"

/** How a task or group ended, as its span's `soonify.status` attribute says it. */
export type SpanStatus = "succeeded" | "failed" | "cancelled"

const statusOf = (exit: Exit.Exit<unknown, unknown>): SpanStatus =>
  exit._tag === "Success" ? "succeeded" : Cause.hasInterruptsOnly(exit.cause) ? "cancelled" : "failed"

/**
 * The spans of one traced group: the group's own and how to make its tasks'.
 *
 * @internal
 */
export class GroupSpans {
  readonly tracer: Tracer.Tracer
  readonly clock: Clock.Clock
  /** The group's own span: a `run` group's; `undefined` for a group that may outlive any trace. */
  readonly span: Tracer.Span | undefined
  private readonly group: string

  constructor(
    tracer: Tracer.Tracer,
    clock: Clock.Clock,
    group: string,
    ownership: Ownership,
    opener: Context.Context<never>
  ) {
    this.tracer = tracer
    this.clock = clock
    this.group = group
    this.span =
      ownership === "body"
        ? this.open("TaskGroup.run", Context.getOrUndefined(opener, Tracer.ParentSpan), opener, {
            [groupAttribute]: group
          })
        : undefined
  }

  /** A span named `name`, as `Effect.withSpan` makes it in `context`: its annotations and links, then `attributes`. */
  private open(
    name: string,
    parent: Tracer.AnySpan | undefined,
    context: Context.Context<never>,
    attributes: Readonly<Record<string, unknown>>
  ): Tracer.Span {
    const links = Context.get(context, References.TracerSpanLinks)
    const span = this.tracer.span({
      name,
      parent: Option.fromUndefinedOr(parent),
      annotations: Context.empty(),
      links: links.slice(),
      startTime: this.clock.currentTimeNanosUnsafe(),
      kind: "internal",
      root: false,
      sampled: parent?.sampled ?? true
    })
    const annotations = Context.get(context, References.TracerSpanAnnotations)
    for (const key in annotations) span.attribute(key, annotations[key])
    for (const key in attributes) span.attribute(key, attributes[key])
    return span
  }

  /**
   * A task's span, spawned with `context` (the spawner's, else the group's): child of the
   * group's span, or, in a group without one, of the spawner's span.
   */
  task(name: string, context: Context.Context<never>): Tracer.Span {
    return this.open("TaskGroup.task", this.span ?? Context.getOrUndefined(context, Tracer.ParentSpan), context, {
      [groupAttribute]: this.group,
      [taskAttribute]: name
    })
  }

  /** The context a fiber runs with inside `span`: its spans (and groups) are children of it. */
  static within(context: Context.Context<never>, span: Tracer.Span): Context.Context<never> {
    return Context.add(context, Tracer.ParentSpan, span)
  }

  /** Ends a task's (or the group's) span with its Exit and status. */
  end(span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): void {
    if (span.status._tag === "Ended") return
    span.attribute(statusAttribute, statusOf(exit))
    span.end(this.clock.currentTimeNanosUnsafe(), exit)
  }

  /** Ends the group's span, if it has one: failed with the group's failures, cancelled, or succeeded. */
  endGroup(cause: Cause.Cause<unknown> | undefined): void {
    if (this.span !== undefined) this.end(this.span, cause === undefined ? Exit.void : Exit.failCause(cause))
  }
}

/** The spans of a group opened by `opener`, or `undefined` when no tracer is installed. */
export const groupSpans = (
  opener: Fiber.Fiber<unknown, unknown> | undefined,
  clock: Clock.Clock,
  name: string,
  ownership: Ownership
): GroupSpans | undefined => {
  if (opener === undefined) return undefined
  const cache = opener.cache
  const tracer = cache.tracer
  if (tracer === undefined || tracer === Tracer.nativeTracer || !cache.tracerEnabled) return undefined
  return new GroupSpans(tracer, clock, name, ownership, opener.context)
}
