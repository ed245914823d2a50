// The Durable Task Scheduler backend (durableBackend = 'DurableTaskScheduler'): a scheduler and the
// task hub host.json names (extensions.durableTask.hubName, CardflowHub). The app's identity holds
// Durable Task Data Contributor; the Function App reaches it through the connection string setting
// DURABLE_TASK_SCHEDULER_CONNECTION_STRING (Authentication=ManagedIdentity, no secret).
param location string
param tags object
param resourceToken string
param identityPrincipalId string
param identityClientId string = ''

@description('The task hub: host.json\'s extensions.durableTask.hubName.')
param taskHubName string = 'CardflowHub'

@allowed(['Consumption', 'Dedicated'])
@description('Consumption: billed per action, nothing at rest. Dedicated: reserved capacity units.')
param skuName string = 'Consumption'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-04-01-preview' = {
  name: 'dts-cardflow-${resourceToken}'
  location: location
  tags: tags
  properties: {
    ipAllowlist: ['0.0.0.0/0']
    sku: skuName == 'Dedicated' ? { name: 'Dedicated', capacity: 1 } : { name: 'Consumption' }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-04-01-preview' = {
  parent: scheduler
  name: taskHubName
}

// Durable Task Data Contributor on the scheduler.
resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, identityPrincipalId, '0ad04412-c4d5-4796-b79c-f76d14c8d402')
  scope: scheduler
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0ad04412-c4d5-4796-b79c-f76d14c8d402')
  }
}

output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
output connectionString string = 'Endpoint=${scheduler.properties.endpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
