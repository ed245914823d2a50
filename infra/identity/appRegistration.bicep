// The Entra ID app registration App Service Authentication signs users in with, and the app's
// roles on it — customer, approver, operator, as the app checks them (README, "Who is asking") —
// assigned to users or groups in Entra ID (Enterprise applications → Cardflow → Users and groups).
// You (principalId) are assigned operator, to sign in to the dashboard. The Function App's managed
// identity is a federated credential of the registration: Easy Auth needs no client secret.
extension microsoftGraphV1

param resourceToken string
@description('The Function App\'s host name: the sign-in redirect goes to its /.auth/login/aad/callback.')
param appHostName string
param identityPrincipalId string
param principalId string

var uniqueName = 'cardflow-${resourceToken}'

// The app roles of auth.local.example.json's users, as Entra ID app roles.
var roles = [
  {
    value: 'customer'
    displayName: 'Customer'
    description: 'Opens accounts for themselves; loads onto, closes and transfers from accounts they own.'
  }
  {
    value: 'approver'
    displayName: 'Approver'
    description: 'Reads the approvals inbox; approves or rejects transfers they neither requested nor send from.'
  }
  {
    value: 'operator'
    displayName: 'Operator'
    description: 'Loads onto and closes any account, cancels transfers, reads everything, uses the orchestrations monitor.'
  }
]

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: 'Cardflow (${resourceToken})'
  signInAudience: 'AzureADMyOrg'
  web: {
    redirectUris: ['https://${appHostName}/.auth/login/aad/callback']
    implicitGrantSettings: { enableIdTokenIssuance: true }
  }
  appRoles: [
    for role in roles: {
      id: guid(uniqueName, role.value)
      value: role.value
      displayName: role.displayName
      description: role.description
      allowedMemberTypes: ['User']
      isEnabled: true
    }
  ]
  requiredResourceAccess: [
    {
      // Microsoft Graph: User.Read (sign in and read the user's profile).
      resourceAppId: '00000003-0000-0000-c000-000000000000'
      resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }]
    }
  ]
}

resource managedIdentityCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {
  name: '${application.uniqueName}/function-app-identity'
  description: 'The Function App\'s managed identity: App Service Authentication\'s client credential'
  audiences: ['api://AzureADTokenExchange']
  issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  subject: identityPrincipalId
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
}

resource operatorAssignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (!empty(principalId)) {
  appRoleId: guid(uniqueName, 'operator')
  principalId: principalId
  resourceId: servicePrincipal.id
}

output clientId string = application.appId
