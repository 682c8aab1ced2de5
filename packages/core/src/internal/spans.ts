import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

// Spans: with a tracer installed (any but Effect's built-in `nativeTracer`, which
// exports nothing), a group is a span `TaskGroup <name>`, child of the span of the fiber
// that opened it, and each task a child span `task <name>`, ended with the task's Exit
// and a `soonify.status` attribute. The spans are made and ended from outside the
// fibers (like the group tracks its tasks), so a task interrupted before it first runs
// still ends its span. Without a tracer, a group holds no `GroupSpans` and each task
// pays one `undefined` check.

/** The attribute that says how a task (or group) ended. */
export const statusAttribute = "soonify.status"

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
  readonly span: Tracer.Span

  constructor(tracer: Tracer.Tracer, clock: Clock.Clock, name: string, parent: Tracer.AnySpan | undefined) {
    this.tracer = tracer
    this.clock = clock
    this.span = this.open(`TaskGroup ${name}`, parent)
  }

  private open(name: string, parent: Tracer.AnySpan | undefined): Tracer.Span {
    return this.tracer.span({
      name,
      parent: Option.fromUndefinedOr(parent),
      annotations: Context.empty(),
      links: [],
      startTime: this.clock.currentTimeNanosUnsafe(),
      kind: "internal",
      root: false,
      sampled: parent?.sampled ?? true
    })
  }

  /** A task's span, child of the group's. */
  task(name: string): Tracer.Span {
    return this.open(`task ${name}`, this.span)
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

  /** Ends the group's span: failed with the group's failures, cancelled, or succeeded. */
  endGroup(cause: Cause.Cause<unknown> | undefined): void {
    this.end(this.span, cause === undefined ? Exit.void : Exit.failCause(cause))
  }
}

/** The spans of a group opened by `opener`, or `undefined` when no tracer is installed. */
export const groupSpans = (
  opener: Fiber.Fiber<unknown, unknown> | undefined,
  clock: Clock.Clock,
  name: string
): GroupSpans | undefined => {
  if (opener === undefined) return undefined
  const cache = opener.cache
  const tracer = cache.tracer
  if (tracer === undefined || tracer === Tracer.nativeTracer || !cache.tracerEnabled) return undefined
  return new GroupSpans(tracer, clock, name, Context.getOrUndefined(opener.context, Tracer.ParentSpan))
}
