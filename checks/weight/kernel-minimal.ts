// The kernel's own weight (DESIGN §9): one group and one task on the smallest runtime,
// what every interop program carries under its own code.
import { Group, type Runtime, Task } from "@soonify/kernel"

const runtime: Runtime = {
  startAttempt: (task) => task.group?.end(task, "succeeded", (task.run as () => unknown)()),
  interrupt: () => {},
  now: Date.now,
  setTimer: (ms, fire, target) => setTimeout(fire, ms, target),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  warn: (stuck) => console.warn(stuck),
  scheduleFlush: (group) => queueMicrotask(() => group.flush()),
  taskEnded: (task) => console.log(task.outcome),
  groupEnded: () => {}
}
const group = new Group(runtime)
group.spawn(new Task(() => 42))
group.endOwner()
