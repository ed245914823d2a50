/**
 * The app's notion of "now". On the local host it is the host's clock (virtual in tests, so event
 * times, deadlines and the velocity window follow simulated time); in Azure it is the system clock.
 */
import { currentLocalHost } from '../stores/localHost';
import { storeKindOf } from '../stores/storeKind';

/** The seam is looked up only with the local store: in Azure the system clock is the clock. */
export function now(): number {
  return (storeKindOf() === 'local' ? currentLocalHost()?.clock.now() : undefined) ?? Date.now();
}

export function nowIso(): string {
  return new Date(now()).toISOString();
}
