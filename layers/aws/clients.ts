import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS client factories. Endpoints come from the SDK's own settings (on AWS the defaults; in local
 * mode `AWS_ENDPOINT_URL_DYNAMODB` and friends point at the embedded emulators), so the code path
 * is the production one.
 *
 * @example
 * const documentClient = createDocumentClient();
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})) {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}
