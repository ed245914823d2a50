// The Event Grid custom topic every event leaves through (CloudEvents 1.0 in, as the app publishes
// them). Keyless: local (key) authentication is off; the app's identity holds EventGrid Data
// Sender. The topic's own identity writes dead letters to the storage account.
param location string
param tags object
param resourceToken string
param identityPrincipalId string
param deadLetterStorageAccountName string

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: 'evgt-cardflow-${resourceToken}'
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

// EventGrid Data Sender: the app publishes with an Entra token.
resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, identityPrincipalId, 'd5a91429-5739-47e2-a06b-3470a27159e7')
  scope: topic
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'd5a91429-5739-47e2-a06b-3470a27159e7')
  }
}

resource deadLetterAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deadLetterStorageAccountName
}

// Storage Blob Data Contributor for the topic's identity: it writes undeliverable events there.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterAccount.id, topic.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: deadLetterAccount
  properties: {
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

output name string = topic.name
output endpoint string = topic.properties.endpoint
