import { RUNTIME_STATUSES } from './contracts';
import { actionsFor, isFinalStatus } from './instanceActions';

describe('actionsFor', () => {
  it.each([
    ['Pending', ['raiseEvent', 'terminate', 'suspend']],
    ['Running', ['raiseEvent', 'terminate', 'suspend']],
    ['ContinuedAsNew', ['raiseEvent', 'terminate']],
    ['Suspended', ['raiseEvent', 'terminate', 'resume']],
    ['Failed', ['rewind', 'purge']],
    ['Completed', ['purge']],
    ['Terminated', ['purge']],
  ])('offers %s instances %j', (status, actions) => {
    expect(actionsFor(status)).toEqual(actions);
  });

  it('never terminates, raises to or suspends a finished instance, and purges only finished ones', () => {
    for (const status of RUNTIME_STATUSES) {
      const actions = actionsFor(status);
      if (isFinalStatus(status)) {
        expect(actions).toContain('purge');
        expect(actions).not.toEqual(expect.arrayContaining(['terminate']));
        expect(actions).not.toContain('raiseEvent');
        expect(actions).not.toContain('suspend');
      } else {
        expect(actions).not.toContain('purge');
        expect(actions).toContain('terminate');
      }
      expect(actions.includes('resume')).toBe(status === 'Suspended');
      expect(actions.includes('rewind')).toBe(status === 'Failed');
    }
  });

  it('offers nothing for a status it does not know', () => {
    expect(actionsFor('Exploded')).toEqual([]);
  });
});
