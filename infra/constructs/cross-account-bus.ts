import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CLOUDTRAIL_DETAIL_TYPE } from '../../shared/event-sources.js';

/** CloudTrail events another account may forward: that account and the `aws.*` sources it sends. */
export interface ForwardedEvents {
  /** Statement id in the bus policy. */
  readonly sid: string;
  readonly account: string;
  /** EventBridge sources (`aws.identitystore`, `aws.quicksight`, …). */
  readonly sources: readonly string[];
}

export interface CrossAccountBusProps {
  readonly eventBusName: string;
  /** What each other account may put on the bus. */
  readonly accept: readonly ForwardedEvents[];
}

/**
 * The stack's own event bus, for CloudTrail events that happen in another account or region
 * (IAM Identity Center in the management account, QuickSight elsewhere): a rule there forwards
 * them here (the companion stack, infra/stacks/identity-center-companion-stack.ts). The bus policy
 * lets each such account put only CloudTrail records ("AWS API Call via CloudTrail") of its
 * sources: `events:source` and `events:detail-type` conditions, one statement per account. A
 * forwarded event keeps its envelope (`account`, `source`), so the rules on this bus still match
 * on the originating account and the functions' genuine-event checks still apply; an `aws.*`
 * source can only come from AWS itself, never from an application's PutEvents.
 */
export class CrossAccountBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: CrossAccountBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description:
        'idsync: CloudTrail events forwarded from the IAM Identity Center and QuickSight accounts',
    });
    for (const from of props.accept) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: from.sid,
          principals: [new iam.AccountPrincipal(from.account)],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: {
            'ForAllValues:StringEquals': { 'events:source': [...from.sources] },
            StringEquals: { 'events:detail-type': CLOUDTRAIL_DETAIL_TYPE },
          },
        }),
      );
    }
  }
}
