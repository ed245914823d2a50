// The Function App's storage account: the Functions host (AzureWebJobsStorage), the durable task
// hub on Azure Storage (queues, tables, blobs of the CardflowHub task hub), the deployment package
// (Flex Consumption deploys from a blob container) and Event Grid's dead letters. Keyless: shared
// key access is off; the app's identity holds the data roles below.
param location string
param tags object
param resourceToken string
param identityPrincipalId string
@description('Your object id, for reading dead letters and the deployment container; empty: none.')
param principalId string
param principalType string

var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'eventgrid-deadletters'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stcardflow${take(resourceToken, 13)}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deadLetterContainerName
}

// What the Functions host and the durable backend need of their storage, with an identity:
// blobs (host leases, the deployment package, durable payloads), queues (durable work items),
// tables (durable history and instances).
var identityRoles = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]

resource identityAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in identityRoles: {
    name: guid(account.id, identityPrincipalId, role)
    scope: account
    properties: {
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

// You read the dead letters (Storage Blob Data Reader).
resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(account.id, principalId, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  scope: account
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerName string = deploymentContainerName
output deadLetterContainerName string = deadLetterContainerName
