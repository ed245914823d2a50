// Everything of one Cardflow environment, in its resource group (main.bicep creates the group).
param location string
param tags object
param resourceToken string
param principalId string
param principalType string
param durableBackend string
param cosmosCapacity string
param cosmosAutoscaleMaxThroughput int
param cosmosDatabaseName string
param approvalThreshold int
param velocityThreshold int
param approvalTimeout string
param reconcilerSchedule string
param logFormat string
param maximumInstanceCount int
param instanceMemoryMB int
param deployEventSubscriptions bool
param enableAuthentication bool

var functionAppName = 'func-cardflow-${resourceToken}'

// The app's one identity: the Function App runs as it, the host's triggers and the app's SDK
// clients (DefaultAzureCredential, AZURE_CLIENT_ID) sign in with it.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-cardflow-${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'monitor/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityPrincipalId: identity.properties.principalId
  }
}

module storage 'data/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityPrincipalId: identity.properties.principalId
    principalId: principalId
    principalType: principalType
  }
}

module cosmos 'data/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    databaseName: cosmosDatabaseName
    capacity: cosmosCapacity
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    identityPrincipalId: identity.properties.principalId
    principalId: principalId
  }
}

module topic 'eventgrid/topic.bicep' = {
  name: 'eventgrid-topic'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityPrincipalId: identity.properties.principalId
    deadLetterStorageAccountName: storage.outputs.name
  }
}

module scheduler 'durable/scheduler.bicep' = if (durableBackend == 'DurableTaskScheduler') {
  name: 'durable-task-scheduler'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityPrincipalId: identity.properties.principalId
    identityClientId: identity.properties.clientId
  }
}

module functionApp 'app/functionApp.bicep' = {
  name: 'function-app'
  params: {
    location: location
    tags: tags
    name: functionAppName
    resourceToken: resourceToken
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    eventGridTopicEndpoint: topic.outputs.endpoint
    durableTaskSchedulerConnection: durableBackend == 'DurableTaskScheduler' ? scheduler.outputs.connectionString : ''
    approvalThreshold: approvalThreshold
    velocityThreshold: velocityThreshold
    approvalTimeout: approvalTimeout
    reconcilerSchedule: reconcilerSchedule
    logFormat: logFormat
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module appRegistration 'identity/appRegistration.bicep' = if (enableAuthentication) {
  name: 'entra-app-registration'
  params: {
    resourceToken: resourceToken
    appHostName: functionApp.outputs.hostName
    identityPrincipalId: identity.properties.principalId
    principalId: principalId
  }
}

module authentication 'app/authentication.bicep' = if (enableAuthentication) {
  name: 'app-service-authentication'
  params: {
    functionAppName: functionApp.outputs.name
    clientId: enableAuthentication ? appRegistration.outputs.clientId : ''
  }
}

module subscriptions 'eventgrid/subscriptions.bicep' = if (deployEventSubscriptions) {
  name: 'eventgrid-subscriptions'
  params: {
    topicName: topic.outputs.name
    functionAppName: functionApp.outputs.name
    deadLetterStorageAccountName: storage.outputs.name
    deadLetterContainerName: storage.outputs.deadLetterContainerName
  }
}

output functionAppName string = functionApp.outputs.name
output apiUrl string = 'https://${functionApp.outputs.hostName}/api'
output dashboardUrl string = 'https://${functionApp.outputs.hostName}/api/dashboard/'
output applicationInsightsName string = monitoring.outputs.name
output cosmosEndpoint string = cosmos.outputs.endpoint
output eventGridTopicEndpoint string = topic.outputs.endpoint
output entraClientId string = enableAuthentication ? appRegistration.outputs.clientId : ''
