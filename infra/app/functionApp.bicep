// The Function App on the Flex Consumption plan (Linux, Node.js), running as the user-assigned
// identity, deployed from a blob container of its storage account, with every app setting the
// app reads (test/azure/infra.unit.test.ts checks them against the code). No keys: each
// connection is identity-based, as Azure Functions names them (`{connection}__accountEndpoint`,
// `__credential`, `__clientId`), and the app's own SDK clients sign in with DefaultAzureCredential
// (AZURE_CLIENT_ID picks the identity).
param location string
param tags object
param name string
param resourceToken string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string
param cosmosEndpoint string
param cosmosDatabaseName string
param eventGridTopicEndpoint string
@description('Empty: the durable task hub lives in the storage account (Azure Storage backend).')
param durableTaskSchedulerConnection string
param approvalThreshold int
param velocityThreshold int
param approvalTimeout string
param reconcilerSchedule string
param logFormat string
param maximumInstanceCount int
param instanceMemoryMB int

@allowed(['20', '22'])
@description('The Node.js version (package.json engines: >=20).')
param nodeVersion string = '20'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-cardflow-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var appSettings = {
  // The Functions host's storage, and the durable task hub on Azure Storage (the default backend).
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry: the host and the app export to Application Insights; the host signs in with the identity.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  OTEL_SERVICE_NAME: 'cardflow'
  // DefaultAzureCredential in the app's Cosmos and Event Grid clients: this identity.
  AZURE_CLIENT_ID: identityClientId
  // The stores: Cosmos DB, keyless (the Cosmos DB trigger's connection and the app's driver).
  CARDFLOW_STORE: 'cosmos'
  CosmosDBConnection__accountEndpoint: cosmosEndpoint
  CosmosDBConnection__credential: 'managedidentity'
  CosmosDBConnection__clientId: identityClientId
  COSMOS_DATABASE: cosmosDatabaseName
  // Event Grid, keyless: no EVENTGRID_TOPIC_KEY, the app publishes with the identity's token.
  EVENTGRID_TOPIC_ENDPOINT: eventGridTopicEndpoint
  // The approval policy and operations.
  APPROVAL_THRESHOLD: string(approvalThreshold)
  VELOCITY_THRESHOLD: string(velocityThreshold)
  APPROVAL_TIMEOUT: approvalTimeout
  RECONCILER_SCHEDULE: reconcilerSchedule
  // The velocity rule's outflow window: the durable entity (both backends run entities).
  CARDFLOW_OUTFLOW_WINDOW: 'entity'
  LOG_FORMAT: logFormat
  // Back-pressure on new commands: the app's defaults (functions/settings.ts).
  BACKLOG_MAX_COMMANDS: '500'
  BACKLOG_RETRY_AFTER: '5'
  // App Service Authentication signs in to Entra ID with the identity (a federated credential on
  // the app registration) instead of a client secret.
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId
}

// The Durable Task Scheduler instead of Azure Storage: host.json's storage provider, overridden by
// app settings (AzureFunctionsJobHost__...), so one host.json serves both backends and the local host.
var durableTaskSchedulerSettings = empty(durableTaskSchedulerConnection)
  ? {}
  : {
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: durableTaskSchedulerConnection
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
    }

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploys the `api` service of azure.yaml to the resource with this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: { minTlsVersion: '1.2' }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: nodeVersion }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, durableTaskSchedulerSettings)
  }
}

output name string = site.name
output hostName string = site.properties.defaultHostName
