// The in-process "what is still running?" dump (`TaskGroup.dumpOnSignal`, and interop's
// `dumpOnSignal`): for processes where the inspector that `soonify pstree <pid>` opens is
// not allowed. @soonify/kernel's one implementation, over its registry of every
// package's groups.
export { installDump, signalProblem } from "@soonify/kernel"
