/**
 * Whether the transfer process manager (orchestrations/, activities/, entities/) is part of this
 * app. index.ts loads its modules when their files are present; the primary event handler starts
 * transfer processes only when the orchestration is registered.
 */
let registered = false;

export function markTransferProcessRegistered(): void {
  registered = true;
}

export function isTransferProcessRegistered(): boolean {
  return registered;
}
