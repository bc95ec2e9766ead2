import { Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface TopicSubscriberProps {
  readonly topic: Topic;
  /** Invoked asynchronously by SNS with each message published to the topic. */
  readonly subscriber: IFunction;
  /** Why the subscription has no dead-letter queue (cdk-nag Serverless-SNSRedrivePolicy). */
  readonly noDeadLetterReason: string;
}

/**
 * A function subscribed to a topic (SNS → Lambda), the way the notify function listens to the
 * notifications topic: SNS invokes it asynchronously with each message.
 *
 * @example
 * new TopicSubscriber(this, 'NotificationsTopicSubscriber', { topic, subscriber: notify });
 */
export class TopicSubscriber extends Construct {
  constructor(scope: Construct, id: string, props: TopicSubscriberProps) {
    super(scope, id);
    const subscription = props.topic.addSubscription(new LambdaSubscription(props.subscriber));
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason: props.noDeadLetterReason,
    });
  }
}
