/**
 * The app's notion of "now". On the local host it is the host's clock (virtual in tests, so event
 * times, deadlines and the velocity window follow simulated time); in Azure it is the system clock.
 */
import { currentLocalHost } from '../stores/localHost';

export function now(): number {
  return currentLocalHost()?.clock.now() ?? Date.now();
}

export function nowIso(): string {
  return new Date(now()).toISOString();
}
