// An AWS Lambda function for EKS audit logs: subscribe it to the cluster's log group
// (`/aws/eks/<cluster>/cluster`, streams `kube-apiserver-audit-*`) and it receives CloudWatch
// Logs subscription events, `{"awslogs": {"data": base64(gzip(message))}}`. It returns the ECS
// documents of the events in the batch, in order: one per audit event, an error document in
// place of a line that is not one (CloudWatch cuts oversized events), none for a
// CONTROL_MESSAGE. Forward them to your SIEM from here (Firehose, OpenSearch, an HTTP intake).
//
// Build: `npm run transpile` (the component, transpiled by jco into ./generated), then zip
// this folder (lambda.mjs, generated/, node_modules/@bytecodealliance/preview2-shim) with the
// handler `lambda.handler`, runtime Node.js 20 or later.
//
// Environment: K8S_AUDIT_ECS_PROFILE (default `ecs`, the documents Elastic's detection rules
// read; any profile the component offers), K8S_AUDIT_ECS_CLUSTER_NAME (optional: used only
// where the log group names no EKS cluster).
import { normalizer } from './generated/k8s_audit_ecs.js';

const profile = process.env.K8S_AUDIT_ECS_PROFILE ?? 'ecs';
if (!normalizer.profiles().some(({ name }) => name === profile)) {
  throw new Error(`K8S_AUDIT_ECS_PROFILE: unknown profile \`${profile}\``);
}
// One transformer per container: it is reused across invocations.
const transformer = new normalizer.Transformer({
  profile,
  eventField: undefined,
  clusterName: process.env.K8S_AUDIT_ECS_CLUSTER_NAME || undefined,
});

export const handler = async (event) => {
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
    // jco throws the WIT `transform-error` as a ComponentError with a `payload`: the whole
    // message could not be read (bad base64 or gzip, too large). Nothing is lost: the
    // record comes back with error.type and error.message.
    if (error.payload === undefined) throw error;
    documents = [normalizer.errorDocument(record, error.payload)];
    console.error(`the subscription event could not be read: ${documents[0]}`);
  }
  return documents.map((document) => JSON.parse(document));
};
