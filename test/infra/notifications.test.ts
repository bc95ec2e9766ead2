import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { type SynthesizedApp, synthesizeApp, violations } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };

describe('notifications as the CDK app deploys them', () => {
  let synth: SynthesizedApp;
  let api: Template;
  let stateful: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    synth = synthesizeApp();
    api = synth.template('api');
    stateful = synth.template('stateful');
    resources = api.toJSON().Resources;
  }, 300_000);
  afterAll(() => synth.remove());

  /** The logical ID of the one resource of a type and kind in a template. */
  const only = (template: Template, type: string, props: Record<string, unknown> = {}) => {
    const ids = Object.keys(template.findResources(type, { Properties: props }));
    expect(ids, type).toHaveLength(1);
    return ids[0] as string;
  };
  /** Functions by description prefix, with their environment and their policy's statements. */
  const fn = (description: string) => {
    const [id, resource] =
      Object.entries(resources).find(
        ([, candidate]) =>
          candidate.Type === 'AWS::Lambda::Function' &&
          String(candidate.Properties.Description).startsWith(description),
      ) ?? [];
    if (!id || !resource) throw new Error(`no function described "${description}"`);
    const role = resource.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter(
        (candidate) =>
          candidate.Type === 'AWS::IAM::Policy' &&
          candidate.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as any[]);
    return { id, env: resource.Properties.Environment.Variables, statements };
  };
  const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat());

  it('synthesizes without a policy finding nobody acknowledged', () => {
    expect(synth.error).toBeUndefined();
    expect(violations(synth.report)).toEqual([]);
  });

  it('keeps a notifications topic in the stateful stack, encrypted with a KMS key, refusing requests without TLS', () => {
    const topic = only(stateful, 'AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    expect(topic).toMatch(/^NotificationsTopic[0-9A-F]{8}$/);
    expect(JSON.stringify(stateful.toJSON().Resources[topic].Properties.KmsMasterKeyId)).toContain(
      'alias/aws/sns',
    );
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('keeps a placeholder secret for each chat webhook, without a url until an operator sets one', () => {
    for (const name of ['Slack', 'Teams']) {
      const secrets = Object.entries(stateful.findResources('AWS::SecretsManager::Secret')).filter(
        ([id]) => id.startsWith(`${name}WebhookUrlSecret`),
      );
      expect(secrets, name).toHaveLength(1);
      const generated = secrets[0]?.[1].Properties.GenerateSecretString;
      expect(generated).toMatchObject({
        SecretStringTemplate: '{}',
        GenerateStringKey: 'placeholder',
      });
    }
  });

  it('subscribes the notify function to the topic, SNS alone allowed to invoke it for that topic', () => {
    const notify = fn('Tells people on Slack and Microsoft Teams');
    const subscription = Object.values(api.findResources('AWS::SNS::Subscription'));
    expect(subscription).toHaveLength(1);
    expect(subscription[0]?.Properties).toMatchObject({
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [notify.id, 'Arn'] },
    });
    const topicArn = JSON.stringify(subscription[0]?.Properties.TopicArn);
    expect(topicArn).toMatch(/NotificationsTopic/);
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [notify.id, 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: subscription[0]?.Properties.TopicArn,
    });
  });

  it('gives the notify function the two webhook secrets to read, and nothing to publish', () => {
    const notify = fn('Tells people on Slack and Microsoft Teams');

    expect(Object.keys(notify.env).sort()).toEqual(
      [
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'SECRETS_MAX_AGE_SECONDS',
        'SECRETS_SOURCE',
        'SLACK_WEBHOOK_SECRET_ID',
        'STAGE',
        'TEAMS_WEBHOOK_SECRET_ID',
      ].sort(),
    );
    for (const name of ['SLACK_WEBHOOK_SECRET_ID', 'TEAMS_WEBHOOK_SECRET_ID']) {
      const secret = notify.env[name];
      expect(JSON.stringify(secret), name).toMatch(/WebhookUrlSecret/);
      expect(notify.statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: secret,
        }),
      );
    }
    expect(actionsOf(notify.statements)).not.toContain('sns:Publish');
  });

  it('lets exactly the functions that propose writes or end them failed publish to the topic, and tells them its ARN', () => {
    const topicArn = fn('POST /mcp').env.NOTIFICATIONS_TOPIC_ARN;
    expect(JSON.stringify(topicArn)).toMatch(/NotificationsTopic/);
    const publishers = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .filter((resource) => resource.Properties.Environment.Variables.NOTIFICATIONS_TOPIC_ARN)
      .map((resource) => String(resource.Properties.Description))
      .sort();

    expect(publishers).toEqual(
      [
        'POST /mcp, GET /.well-known/oauth-protected-resource',
        ...tools.filter(isWriteTool).map((tool) => `POST /tools/${tool.name}`),
        ...tools.filter(isWriteTool).map((tool) => `Saga steps of ${tool.name}`),
      ].sort(),
    );
    for (const description of publishers) {
      const { statements } = fn(description);
      expect(statements, description).toContainEqual(
        expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: topicArn }),
      );
    }
    const readTool = tools.find((tool) => !isWriteTool(tool));
    expect(actionsOf(fn(`POST /tools/${readTool?.name}`).statements)).not.toContain('sns:Publish');
  });
});
