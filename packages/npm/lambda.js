// An AWS Lambda handler for EKS audit logs: `k8s-audit-ecs/lambda`, handler `handler`.
// Subscribe the function to the cluster's log group (`/aws/eks/<cluster>/cluster`, streams
// `kube-apiserver-audit-*`); it receives CloudWatch Logs subscription events,
// `{"awslogs": {"data": base64(gzip(message))}}`, and returns the ECS documents of the events
// in the batch, in order: one per audit event, an error document in place of a log event that
// is not one (CloudWatch cuts oversized events), none for a CONTROL_MESSAGE. Forward them to
// your SIEM from here (Firehose, OpenSearch, an HTTP intake).
//
// Environment: K8S_AUDIT_ECS_PROFILE (default `ecs`, the documents Elastic's detection rules
// read; any profile the component offers), K8S_AUDIT_ECS_CLUSTER_NAME (optional: used only
// where the log group names no EKS cluster).
//
// Try it locally: `k8s-audit-ecs lambda EVENT.json` runs this handler on one event.
import { Transformer, TransformError, errorDocument } from './index.js';

// One transformer per container: built on the first invocation, then reused.
let transformer;

export const handler = async (event) => {
  transformer ??= new Transformer({
    profile: process.env.K8S_AUDIT_ECS_PROFILE || 'ecs',
    clusterName: process.env.K8S_AUDIT_ECS_CLUSTER_NAME || undefined,
  });
  // The event is the subscription record itself: the component reads `awslogs.data`.
  const record = JSON.stringify(event);
  let documents;
  try {
    const converted = transformer.transform(record);
    documents = converted.documents;
    if (converted.failures.length > 0) {
      console.warn(`${converted.failures.length} of ${documents.length} log events were not audit events`);
    }
  } catch (error) {
    // The whole message could not be read (bad base64 or gzip, too large). Nothing is lost:
    // the record comes back with error.type and error.message.
    if (!(error instanceof TransformError)) throw error;
    documents = [errorDocument(record, error)];
    console.error(`the subscription event could not be read: ${documents[0]}`);
  }
  return documents.map((document) => JSON.parse(document));
};
