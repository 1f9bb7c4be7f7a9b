// Type declarations for k8s-audit-ecs/lambda: an AWS Lambda handler for EKS audit logs.

/** A CloudWatch Logs subscription event, as Lambda delivers it. */
export interface CloudWatchLogsEvent {
  awslogs: {
    /** base64 of the gzip of the subscription message (JSON). */
    data: string;
  };
}

/** The batch's ECS documents, in order, as objects (see the module's comment). */
export function handler(event: CloudWatchLogsEvent): Promise<Record<string, unknown>[]>;
