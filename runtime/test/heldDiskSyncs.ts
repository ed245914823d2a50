/**
 * A slow disk for tests: `fs.fdatasync` calls are held, not run, until the test releases them, so
 * a test sees what waits for the disk and what does not.
 */
import fs from 'node:fs';

type Done = (error: NodeJS.ErrnoException | null) => void;

export interface HeldDiskSyncs {
  /** The calls held so far, oldest first (`fd`: the file they sync). */
  readonly held: Array<{ fd: number; done: Done }>;
  /** Runs every held call for real, and lets later calls through. */
  releaseAll(): void;
  /** Puts `fs.fdatasync` back. */
  restore(): void;
}

export function holdDiskSyncs(): HeldDiskSyncs {
  const held: Array<{ fd: number; done: Done }> = [];
  const real = fs.fdatasync;
  const spy = jest.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: Done) => {
    held.push({ fd, done });
  }) as unknown as typeof fs.fdatasync);
  return {
    held,
    releaseAll: () => {
      spy.mockImplementation(real);
      for (const { fd, done } of held.splice(0)) real(fd, done);
    },
    restore: () => spy.mockRestore(),
  };
}
