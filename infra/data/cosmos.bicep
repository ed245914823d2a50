// Cosmos DB (NoSQL): the event store, the command store and the read models. Serverless by
// default (billed per request unit and GB stored; nothing at rest but storage). The database and
// the containers are declared here with the partition keys of the code's store layout
// (stores/layout.ts): with an identity-based connection the app creates nothing. Local (key)
// authentication is off: the app's identity holds Cosmos DB Built-in Data Contributor.
param location string
param tags object
param resourceToken string
param databaseName string
@allowed(['serverless', 'autoscale'])
param capacity string
param autoscaleMaxThroughput int
param identityPrincipalId string
@description('Your object id: gets Cosmos DB Built-in Data Contributor too, to look at the data (Data Explorer); empty: none.')
param principalId string

// The containers of stores/layout.ts and their partition keys (test/azure/infra.unit.test.ts
// checks this list against the code).
var containers = [
  { name: 'commands', partitionKey: '/id' }
  { name: 'events', partitionKey: '/streamId' }
  { name: 'views', partitionKey: '/pk' }
  { name: 'leases', partitionKey: '/id' }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: 'cosmos-cardflow-${resourceToken}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: capacity == 'serverless' ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: capacity == 'autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: { paths: [container.partitionKey], kind: 'Hash', version: 2 }
      }
    }
  }
]

// Cosmos DB Built-in Data Contributor (a Cosmos DB data-plane role, not an Azure RBAC one).
var dataContributor = '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'

resource identityDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, identityPrincipalId, dataContributor)
  properties: {
    principalId: identityPrincipalId
    roleDefinitionId: dataContributor
    scope: account.id
  }
}

resource principalDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(principalId)) {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: dataContributor
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
