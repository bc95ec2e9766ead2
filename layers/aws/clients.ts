import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
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

/** SQS; queue URLs are used as given, not as endpoints (local queue URLs name hosts that do not resolve). */
export function createSqsClient(): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false });
}

export function createSfnClient(): SFNClient {
  return new SFNClient({});
}

/** SNS; local mode points `AWS_ENDPOINT_URL_SNS` at its stand-in for the notifications topic. */
export function createSnsClient(): SNSClient {
  return new SNSClient({});
}
