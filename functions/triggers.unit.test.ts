import { changeFeedOn, COSMOS_CONNECTION_SETTING } from './triggers';

describe('the change-feed trigger options', () => {
  const environment = { ...process.env };
  afterEach(() => {
    process.env = { ...environment };
  });

  it('name the Cosmos DB connection, and create the lease container only with a key connection', () => {
    delete process.env.CosmosDBConnection;
    delete process.env.CosmosDBConnection__accountEndpoint;
    expect(changeFeedOn('commands', 'commandHandler')).toMatchObject({
      connection: COSMOS_CONNECTION_SETTING,
      containerName: 'commands',
      leaseContainerName: 'leases',
      leaseContainerPrefix: 'commandHandler-',
      createLeaseContainerIfNotExists: true,
    });
    // Keyless, as infra/ deploys it: the identity may not create containers; infra/ declares `leases`.
    process.env.CosmosDBConnection__accountEndpoint = 'https://cardflow.documents.azure.com:443/';
    expect(changeFeedOn('events', 'eventHandler').createLeaseContainerIfNotExists).toBe(false);
    // A connection string wins, as in Azure Functions.
    process.env.CosmosDBConnection = 'AccountEndpoint=https://a.documents.azure.com:443/;AccountKey=a2V5;';
    expect(changeFeedOn('events', 'eventHandler').createLeaseContainerIfNotExists).toBe(true);
  });
});
