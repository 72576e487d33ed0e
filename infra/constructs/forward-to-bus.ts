import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface ForwardToBusProps {
  /** The account the companion stack is in: only its EventBridge may assume the role. */
  readonly sourceAccount: string;
  /** The idsync stack's own bus (infra/stacks/identity-center-layout.ts idsyncBusArn). */
  readonly busArn: string;
  readonly eventPattern: events.EventPattern;
  /** What is forwarded, for the rule's and the role's descriptions (e.g. "IdC user events"). */
  readonly what: string;
  /**
   * The rule's state when not plain ENABLED (e.g. read-only CloudTrail events included).
   * @default ENABLED
   */
  readonly state?: string;
}

/**
 * A companion stack's forwarding of CloudTrail events to the idsync stack's bus: a rule on the
 * account's default bus (where CloudTrail's events arrive) with the idsync bus as its target,
 * through a role EventBridge of this account assumes; the EventBus target grants that role
 * `events:PutEvents` on that one bus, nothing else.
 */
export class ForwardToBus extends Construct {
  readonly rule: events.Rule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ForwardToBusProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: `idsync: EventBridge forwards ${props.what} to ${props.busArn}`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': props.sourceAccount },
      }),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: `idsync: ${props.what} from CloudTrail, forwarded to the idsync stack bus`,
      eventPattern: props.eventPattern,
      targets: [
        new targets.EventBus(events.EventBus.fromEventBusArn(this, 'IdsyncBus', props.busArn), {
          role: this.role,
        }),
      ],
    });
    if (props.state) (this.rule.node.defaultChild as events.CfnRule).state = props.state;
  }
}
