/**
 * @soonify/inspect: the `soonify` command, `ps`, `pstree` and `top` of the task groups of
 * a running Node process, and the same from code.
 *
 * @since 0.1.0
 */

export { attach, type AttachOptions, type Attachment, type ProcessSnapshot, readSnapshot } from "./Attach.ts"

export { exitCodes, InspectError, type Reason } from "./InspectError.ts"
