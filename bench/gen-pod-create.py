#!/usr/bin/env python3
"""Writes bench/pod-create.json: a large RequestResponse pod-create audit event (about 20 KB)
with managedFields, as kube-apiserver logs a ReplicaSet controller creating a pod."""
import json
import os

ENV = 24


def fv1_container(name):
    return {f'k:{{"name":"{name}"}}': {
        ".": {}, "f:env": {f'k:{{"name":"ENV_{i}"}}': {".": {}, "f:name": {}, "f:value": {}} for i in range(ENV)},
        "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
        "f:ports": {'k:{"containerPort":8080,"protocol":"TCP"}': {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}},
        "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
        "f:securityContext": {".": {}, "f:allowPrivilegeEscalation": {}, "f:readOnlyRootFilesystem": {}, "f:runAsNonRoot": {}},
        "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {},
        "f:volumeMounts": {".": {}, 'k:{"mountPath":"/etc/config"}': {".": {}, "f:mountPath": {}, "f:name": {}}}}}


def container(name, image):
    return {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": f"ENV_{i}", "value": f"value-{i}"} for i in range(ENV)],
            "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "volumeMounts": [{"name": "config", "mountPath": "/etc/config"},
                             {"name": "kube-api-access-x7k2p", "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True}}


CONTAINERS = [("checkout", "registry.example.com/shop/checkout:2.14.3"), ("envoy", "envoyproxy/envoy:v1.30.1"),
              ("otel-agent", "otel/opentelemetry-collector-contrib:0.101.0")]
managed = {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2024-06-02T10:21:07Z",
           "fieldsType": "FieldsV1", "fieldsV1": {
               "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app.kubernetes.io/name": {}, "f:app.kubernetes.io/part-of": {}, "f:pod-template-hash": {}},
                              "f:ownerReferences": {".": {}, 'k:{"uid":"9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}': {}}},
               "f:spec": {"f:containers": {k: v for name, _ in CONTAINERS for k, v in fv1_container(name).items()},
                          "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                          "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}, "f:volumes": {}}}}
meta = {"name": "checkout-7d9f8b6c5-x2lqz", "generateName": "checkout-7d9f8b6c5-", "namespace": "shop",
        "uid": "3f6b2c1e-8a4d-4e2f-9b7c-1d2e3f4a5b6c", "resourceVersion": "48213377", "creationTimestamp": "2024-06-02T10:21:07Z",
        "labels": {"app.kubernetes.io/name": "checkout", "app.kubernetes.io/part-of": "shop", "pod-template-hash": "7d9f8b6c5"},
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-06-01T08:00:00Z", "prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "checkout-7d9f8b6c5",
                             "uid": "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "controller": True, "blockOwnerDeletion": True}],
        "managedFields": [managed]}
spec = {"hostNetwork": False, "containers": [container(n, i) for n, i in CONTAINERS],
        "volumes": [{"name": "config", "configMap": {"name": "checkout-config", "defaultMode": 420}},
                    {"name": "kube-api-access-x7k2p", "projected": {"sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}], "defaultMode": 420}}],
        "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "serviceAccountName": "checkout",
        "schedulerName": "default-scheduler", "priority": 0, "enableServiceLinks": True,
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}
pod = {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": {"phase": "Pending", "qosClass": "Burstable"}}
request = json.loads(json.dumps(pod))
request["metadata"] = {k: v for k, v in meta.items() if k not in ("name", "uid", "resourceVersion", "creationTimestamp", "managedFields")}
del request["status"]
event = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "0b6f7a55-3c1e-4f8e-a0d2-7e9b1c4d5f60",
         "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create",
         "user": {"username": "system:serviceaccount:kube-system:replicaset-controller", "uid": "b1e2c3d4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
                  "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
         "sourceIPs": ["10.0.0.12"],
         "userAgent": "kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:replicaset-controller",
         "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201},
         "requestObject": request, "responseObject": pod,
         "requestReceivedTimestamp": "2024-06-02T10:21:07.402118Z", "stageTimestamp": "2024-06-02T10:21:07.431977Z",
         "annotations": {"authorization.k8s.io/decision": "allow",
                         "authorization.k8s.io/reason": 'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"',
                         "pod-security.kubernetes.io/enforce-policy": "restricted:latest"}}
text = json.dumps(event, separators=(",", ":"))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pod-create.json"), "w") as out:
    out.write(text + "\n")
print(f"pod-create.json: {len(text)} bytes")
