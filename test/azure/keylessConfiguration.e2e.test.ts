/**
 * The keyless Azure configuration, run end to end: the deployable package on the local host as its
 * own process with exactly the kind of settings infra/ gives the Function App — no key — signing
 * in to Cosmos DB and Event Grid with the managed identity (test/azure/keylessHarness.ts). The
 * same transfer flow as with keys completes, money conserved, and every request the app and the
 * host made carried the identity's tokens.
 */
import { CLIENT_ID, startKeylessApp, type KeylessApp } from './keylessHarness';
import { expectTransferFlow } from './transferFlow';

let app: KeylessApp;
beforeAll(async () => {
  app = await startKeylessApp();
}, 60_000);
afterAll(() => app?.stop());

describe('the keyless Azure configuration on the local host', () => {
  it('runs the whole transfer flow signed in as the managed identity, conserving money', async () => {
    expect(Object.keys(app.settings).filter((name) => /KEY$|^CosmosDBConnection$/.test(name))).toEqual([]);
    try {
      await expectTransferFlow(app);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- host output ---\n${app.output()}`);
    }
    const cosmosResource = app.settings.CosmosDBConnection__accountEndpoint.replace(/\/$/, '');
    // The identity, asked for the Cosmos account and for Event Grid, always as the user-assigned one.
    expect(new Set(app.tokenRequests.map((r) => r.resource))).toEqual(
      new Set([cosmosResource, 'https://eventgrid.azure.net']),
    );
    expect(app.tokenRequests.every((r) => r.clientId === CLIENT_ID)).toBe(true);
    // Every request to Cosmos DB from the host process (app and trigger) carried the identity's token.
    expect(app.cosmosAuthorizations.length).toBeGreaterThan(0);
    expect(new Set(app.cosmosAuthorizations)).toEqual(
      new Set([`type=aad&ver=1.0&sig=token-for-${cosmosResource}`]),
    );
    // Every publish was signed in; none refused.
    expect(app.publishes.accepted).toBeGreaterThan(0);
    expect(app.publishes.refused).toEqual([]);
  }, 60_000);
});
