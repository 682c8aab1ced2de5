// How every string a snapshot shows is written (`renderSnapshot`, and `soonify ps`/`top`
// through `TaskGroup.escapeText`): @soonify/kernel's one implementation.
export { escapeText, quoted } from "@soonify/kernel"
