import { describe, expect, expectTypeOf, it } from "vitest"
import {
  CancelledError,
  Future,
  FutureSetAgainError,
  gather,
  PendingValueError,
  SoonValue,
  taskGroup,
  waitAny
} from "@soonify/interop"

describe("Future", () => {
  it("is pending until set, then reads like a SoonValue", async () => {
    const future = new Future<string>({ name: "reply" })
    expect(future).toBeInstanceOf(SoonValue)
    expect([future.ready, future.status, future.name]).toEqual([false, "pending", "reply"])
    expect(() => future.value).toThrow(PendingValueError)
    const waiting = future.wait()
    setTimeout(() => future.setResult("pong"), 5)
    expect(await waiting).toBe("pong")
    expect([future.ready, future.status, future.value, future.exception]).toEqual([
      true,
      "fulfilled",
      "pong",
      undefined
    ])
  })

  it("holds an error set with setException", async () => {
    const future = new Future<number>()
    const waiting = future.wait()
    const boom = new Error("boom")
    future.setException(boom)
    await expect(waiting).rejects.toBe(boom)
    expect(future.status).toBe("rejected")
    expect(future.exception).toBe(boom)
    expect(() => future.value).toThrow(boom)
  })

  it("refuses a second outcome and keeps the first", () => {
    const future = new Future<number>({ name: "once" })
    future.setResult(1)
    expect(() => future.setResult(2)).toThrow(FutureSetAgainError)
    expect(() => future.setException(new Error("late"))).toThrow(/Future "once" already has an outcome/)
    expect(future.value).toBe(1)
  })

  it("can be cancelled, once, unless it has an outcome", async () => {
    const cancelled = new Future<number>()
    const waiting = cancelled.wait()
    await cancelled.cancel()
    expect(cancelled.status).toBe("cancelled")
    await expect(waiting).rejects.toBeInstanceOf(CancelledError)
    expect(() => cancelled.setResult(1)).toThrow(FutureSetAgainError)

    const set = new Future<number>()
    set.setResult(1)
    await set.cancel()
    expect(set.value).toBe(1)
  })

  it("treats undefined as a value", () => {
    const future = new Future<undefined>()
    future.setResult(undefined)
    expect([future.ready, future.status, future.value]).toEqual([true, "fulfilled", undefined])
  })

  it("names itself future-N by default and rejects a bad name", () => {
    expect(new Future().name).toMatch(/^future-\d+$/)
    expect(() => new Future({ name: 42 as any })).toThrow(TypeError)
    expect(() => new Future(7 as any)).toThrow(/new Future: expected options to be an object/)
  })

  it("is waited on by waitAny, gather and task groups like any SoonValue", async () => {
    const a = new Future<number>()
    const b = new Future<string>()
    setTimeout(() => b.setResult("b"), 1)
    setTimeout(() => a.setResult(1), 5)
    expect(await waitAny([a, b])).toBe(b)
    expect(await gather(a, b)).toEqual([1, "b"])
    const fromTask = await taskGroup(async (tg) => {
      const future = new Future<number>()
      tg.spawn(async () => future.setResult(42))
      return future.wait()
    })
    expect(fromTask).toBe(42)
  })

  it("is invariant, since it is written to", () => {
    expectTypeOf<Future<"a">>().not.toExtend<Future<string>>()
    expectTypeOf<Future<string>>().not.toExtend<Future<"a">>()
    expectTypeOf<Future<"a">>().toExtend<SoonValue<string>>()
    expectTypeOf(new Future<number>().setResult).parameter(0).toEqualTypeOf<number>()
  })
})
