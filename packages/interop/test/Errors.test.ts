import { describe, expect, it } from "vitest"
import {
  CancelledError,
  FutureSetAgainError,
  PendingValueError,
  TaskGroupClosedError,
  TimeoutError
} from "@soonify/interop"

describe("the error classes", () => {
  it("are Errors with their own name and a message that says what to do", () => {
    const errors = [
      [new PendingValueError("fetch"), "PendingValueError", /"fetch" is still pending.*soon.wait\(\)/s],
      [new CancelledError(), "CancelledError", /cancelled/],
      [new TimeoutError('Task group "g"', 50), "TimeoutError", /"g" timed out after 50 ms/],
      [new FutureSetAgainError("reply"), "FutureSetAgainError", /"reply" already has an outcome/],
      [new TaskGroupClosedError("g", "late"), "TaskGroupClosedError", /spawn task "late" into task group "g"/]
    ] as const
    for (const [error, name, message] of errors) {
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe(name)
      expect(error.message).toMatch(message)
      expect(String(error)).toMatch(new RegExp(`^${name}: `))
      expect(error.stack).toMatch(name)
    }
  })

  it("carry what raised them", () => {
    expect(new PendingValueError("t").task).toBe("t")
    expect(new TimeoutError("x", 5).timeout).toBe(5)
    expect(new FutureSetAgainError("f").future).toBe("f")
    const closed = new TaskGroupClosedError("g", "t", { cause: "why" })
    expect([closed.group, closed.task, closed.cause]).toEqual(["g", "t", "why"])
    expect(new CancelledError("stopped", { cause: 1 }).cause).toBe(1)
  })
})
