import * as Effect from "effect/Effect"
import * as Entity from "effect/cluster/Entity"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import * as Rpc from "effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import {
  cancelEntityType,
  cancelRpc,
  cancelTag,
  callHeader,
  endingWithHandler,
  newCallId,
  RunningCalls,
  withCallId
} from "./remoteCancel.ts"
import { withTransportErrors } from "./transport.ts"
import { countProblem, describe, illegalArgument, optionsProblem } from "./validation.ts"

export const RemoteTaskTypeId = "~@soonify/cluster/RemoteTask" as const

/** The tag of the one RPC of a task's entity: running the task. */
export const runTag = "Run"

/** How long a cancelled call waits for the runner to acknowledge its handler's end, by default. */
export const defaultCancelTimeout = Duration.seconds(10)

/** How many entity ids a task's calls are spread over when no `route` is given. */
const defaultSpread = 1024

/**
 * A remote task definition: its name, its schemas (as the one RPC of an entity) and
 * how a call picks the entity that serves it.
 *
 * States: none that change, but the round-robin position of the default route, which
 * only `entityIdFor` moves.
 */
export interface RemoteTaskImpl {
  readonly [RemoteTaskTypeId]: typeof RemoteTaskTypeId
  readonly name: string
  readonly rpc: Rpc.AnyWithProps
  readonly entity: Entity.Any
  /** The companion entity that serves cancellations (same entity ids, so same runners). */
  readonly cancelEntity: Entity.Any
  /** How long a cancelled call waits for the runner's acknowledgement. */
  readonly cancelTimeout: Duration.Duration
  readonly route: ((payload: any) => string) | undefined
  /** The round-robin position of the default route. */
  next: number
}

const Proto = {
  [RemoteTaskTypeId]: RemoteTaskTypeId,
  ...Inspectable.BaseProto,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toJSON(this: RemoteTaskImpl) {
    return { _id: "RemoteTask", name: this.name, entityType: this.entity.type }
  }
}

export const isRemoteTask = (u: unknown): u is RemoteTaskImpl => Predicate.hasProperty(u, RemoteTaskTypeId)

interface MakeOptions {
  readonly payload?: Schema.Top | Schema.Struct.Fields | undefined
  readonly success?: Schema.Top | undefined
  readonly error?: Schema.Top | undefined
  readonly route?: ((payload: any) => string) | undefined
  readonly cancelTimeout?: Duration.Input | undefined
}

/** Returns the problem with a schema option, or `undefined`: a Schema, or (for the payload) a record of them. */
const schemaProblem = (
  where: string,
  option: string,
  value: unknown,
  accepts: "schema" | "schemaOrFields"
): string | undefined => {
  const fieldsToo = accepts === "schemaOrFields"
  const isFields =
    fieldsToo && typeof value === "object" && value !== null && Object.values(value).every(Schema.isSchema)
  return value === undefined || Schema.isSchema(value) || isFields
    ? undefined
    : `${where}: option "${option}" must be a Schema${fieldsToo ? " or a record of Schemas" : ""}, received ${describe(value)}`
}

export const make = (name: string, options: MakeOptions | undefined): RemoteTaskImpl => {
  const where = "RemoteTask.make"
  if (typeof name !== "string" || name === "") {
    throw illegalArgument(`${where}: name must be a non-empty string, received ${describe(name)}`)
  }
  const problem =
    optionsProblem(where, options) ??
    schemaProblem(where, "payload", options?.payload, "schemaOrFields") ??
    schemaProblem(where, "success", options?.success, "schema") ??
    schemaProblem(where, "error", options?.error, "schema") ??
    (options?.route === undefined || typeof options.route === "function"
      ? undefined
      : `${where}: option "route" must be a function of the payload, received ${describe(options.route)}`) ??
    cancelTimeoutProblem(where, options?.cancelTimeout)
  if (problem !== undefined) throw illegalArgument(problem)
  const rpc = Rpc.make(runTag, {
    ...(options?.payload === undefined ? {} : { payload: options.payload }),
    ...(options?.success === undefined ? {} : { success: options.success }),
    ...(options?.error === undefined ? {} : { error: options.error })
  }) as unknown as Rpc.AnyWithProps
  const self = Object.create(Proto)
  self.name = name
  self.rpc = rpc
  self.entity = Entity.make(name, [rpc])
  self.cancelEntity = Entity.make(cancelEntityType(name), [cancelRpc])
  self.cancelTimeout =
    options?.cancelTimeout === undefined ? defaultCancelTimeout : Duration.fromInputUnsafe(options.cancelTimeout)
  self.route = options?.route
  self.next = 0
  return self
}

const cancelTimeoutProblem = (where: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  const duration = Duration.fromInput(value as Duration.Input)
  return duration._tag === "Some" && Duration.isFinite(duration.value) && Duration.toMillis(duration.value) > 0
    ? undefined
    : `${where}: option "cancelTimeout" must be a positive, finite duration, received ${describe(value)}`
}

/** The entity id that serves a call with this payload. */
const entityIdFor = (self: RemoteTaskImpl, payload: unknown): string => {
  if (self.route !== undefined) return self.route(payload)
  const id = self.next
  self.next = id + 1 === defaultSpread ? 0 : id + 1
  return String(id)
}

const asImpl = (where: string, task: unknown): RemoteTaskImpl => {
  if (isRemoteTask(task)) return task
  throw illegalArgument(`${where}: expected a RemoteTask (from RemoteTask.make), received ${describe(task)}`)
}

export const call = (task: unknown): ((payload: unknown) => Effect.Effect<unknown, unknown, unknown>) => {
  const self = asImpl("RemoteTask.call", task)
  const transport = withTransportErrors(self.name)
  const run = (payload: unknown) =>
    Effect.flatMap(transport(Effect.all([self.entity.client, self.cancelEntity.client])), ([client, cancelClient]) => {
      const entityId = entityIdFor(self, payload)
      if (typeof entityId !== "string" || entityId === "") {
        return Effect.die(
          illegalArgument(
            `RemoteTask.call: the route of remote task "${self.name}" must return a non-empty string, ` +
              `received ${describe(entityId)}`
          )
        )
      }
      const id = newCallId()
      // transport errors are mapped inside: nothing may handle the call's failure after
      // `endingWithHandler` (see there)
      return endingWithHandler(
        self.name,
        transport(withCallId(id, (client(entityId) as any)[runTag](payload) as Effect.Effect<unknown, unknown>)),
        (cancelClient(entityId) as any)[cancelTag]({ call: id }) as Effect.Effect<"ended" | "notStarted", unknown>,
        self.cancelTimeout
      )
    })
  // `group.soonify(RemoteTask.call(task))` names its tasks after the function: the task's name.
  Object.defineProperty(run, "name", { value: self.name })
  return run
}

interface LayerOptions {
  readonly concurrency?: number | "unbounded" | undefined
  readonly mailboxCapacity?: number | "unbounded" | undefined
  readonly maxIdleTime?: Duration.Input | undefined
}

export const toLayer = (
  task: unknown,
  handler: (payload: any) => Effect.Effect<unknown, unknown, unknown>,
  options: LayerOptions | undefined
): Layer.Layer<never, never, unknown> => {
  const where = "RemoteTask.toLayer"
  const self = asImpl(where, task)
  if (typeof handler !== "function") {
    throw illegalArgument(`${where}: handler must be a function of the payload, received ${describe(handler)}`)
  }
  const problem =
    optionsProblem(where, options) ??
    countProblem(where, "concurrency", options?.concurrency) ??
    countProblem(where, "mailboxCapacity", options?.mailboxCapacity)
  if (problem !== undefined) throw illegalArgument(problem)
  const entityOptions = {
    // Calls to one entity id run at once, like tasks of a group; the group's own
    // `concurrency` is what bounds them.
    concurrency: options?.concurrency ?? "unbounded",
    // A defect of a handler ends its call with that defect, as a local task dies;
    // Effect's default would restart the entity and replay every call it serves.
    disableFatalDefects: true,
    ...(options?.mailboxCapacity === undefined ? {} : { mailboxCapacity: options.mailboxCapacity }),
    ...(options?.maxIdleTime === undefined ? {} : { maxIdleTime: options.maxIdleTime })
  }
  // One registry of running calls per built layer, shared by the task's entity and its companion.
  return Layer.unwrap(
    Effect.sync(() => {
      const calls = new RunningCalls()
      const run = self.entity.toLayer(
        {
          [runTag]: (request: Entity.Request<any>) => calls.serve(request.headers[callHeader], handler(request.payload))
        } as any,
        entityOptions
      )
      const cancel = self.cancelEntity.toLayer(
        {
          [cancelTag]: (request: Entity.Request<any>) =>
            calls.cancel((request.payload as { readonly call: string }).call)
        } as any,
        { concurrency: "unbounded", disableFatalDefects: true }
      )
      return Layer.merge(run, cancel)
    })
  ) as Layer.Layer<never, never, unknown>
}
