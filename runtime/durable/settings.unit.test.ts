import { defaultConcurrency, resolveDurableSettings } from './settings';

/** A host.json naming these two limits. */
const withLimits = (maxConcurrentOrchestratorFunctions: number, maxConcurrentActivityFunctions: number) => ({
  version: '2.0',
  extensions: { durableTask: { maxConcurrentOrchestratorFunctions, maxConcurrentActivityFunctions } },
});

describe('durable settings', () => {
  test('without host.json limits, 10 orchestrations and 10 activities per core, as the extension off the Consumption plan', () => {
    const two = resolveDurableSettings({}, { version: '2.0' }, 2);
    expect(two.maxConcurrentOrchestrations).toBe(20);
    expect(two.maxConcurrentActivities).toBe(20);
    expect(two.maxConcurrentEntities).toBe(20);
    expect(resolveDurableSettings({}, { version: '2.0' }, 8).maxConcurrentActivities).toBe(80);
    expect(defaultConcurrency(0)).toBe(10);
  });

  test("host.json's limits win over the default, and options over host.json", () => {
    const hostJson = withLimits(3, 7);
    const fromHostJson = resolveDurableSettings({}, hostJson, 2);
    expect([fromHostJson.maxConcurrentOrchestrations, fromHostJson.maxConcurrentActivities]).toEqual([3, 7]);
    const fromOptions = resolveDurableSettings(
      { maxConcurrentOrchestrations: 1, maxConcurrentActivities: 2 },
      hostJson,
      2,
    );
    expect([fromOptions.maxConcurrentOrchestrations, fromOptions.maxConcurrentActivities]).toEqual([1, 2]);
  });

  test('a limit that is not a positive whole number is ignored (0 would run nothing)', () => {
    const settings = resolveDurableSettings({}, withLimits(0, 2.5), 2);
    expect([settings.maxConcurrentOrchestrations, settings.maxConcurrentActivities]).toEqual([20, 20]);
  });
});
