//! Hostile records: what a log shipper may feed the transform. Shared by the native suite
//! (`tests/hostile.rs`) and the component suite (`host-test/tests/hostile.rs`).

use serde_json::json;

/// Every field of the audit Event schema, and the values of the wrong type tried in each.
pub const FIELDS: &[&str] = &[
    "kind",
    "apiVersion",
    "level",
    "auditID",
    "stage",
    "requestURI",
    "verb",
    "user",
    "impersonatedUser",
    "sourceIPs",
    "userAgent",
    "objectRef",
    "responseStatus",
    "requestObject",
    "responseObject",
    "requestReceivedTimestamp",
    "stageTimestamp",
    "annotations",
    "timestamp",
    "hostname",
    "items",
];

fn wrong_values() -> Vec<serde_json::Value> {
    vec![
        json!(42),
        json!(-1.5e300),
        json!("text"),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!([1, {"a": [null]}, "x"]),
        json!({"username": 7, "groups": "g", "code": [200], "name": {}, "spec": [1]}),
    ]
}

/// A small valid event to mutate.
fn base_event() -> serde_json::Value {
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": "7c5f1d2a-9b1e-4c3d-8e2f-0a1b2c3d4e5f", "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/default/pods", "verb": "create",
        "user": {"username": "alice", "uid": "u-1", "groups": ["dev"]},
        "sourceIPs": ["10.0.0.1"], "userAgent": "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
        "objectRef": {"resource": "pods", "namespace": "default", "name": "p"},
        "responseStatus": {"code": 201},
        "requestObject": {"spec": {"hostNetwork": true, "containers": [{"name": "c"}]}},
        "requestReceivedTimestamp": "2024-06-02T10:06:00.5Z",
        "annotations": {"authorization.k8s.io/decision": "allow"}
    })
}

/// Hostile records, each with a name for failure messages. Every one must give documents or
/// an error, never a panic or a trap.
pub fn records() -> Vec<(String, String)> {
    let mut records: Vec<(String, String)> = [
        ("empty line", ""),
        ("whitespace", " \t "),
        ("not JSON", "kube-apiserver: I1123 started"),
        ("JSON number", "42"),
        ("JSON string", "\"audit\""),
        ("JSON array", "[{\"auditID\":\"a\"}]"),
        ("JSON null", "null"),
        ("truncated object", "{\"auditID\":\"a\",\"verb\":\"ge"),
        ("truncated message", "{\"message\":\"{\\\"auditID\\\":\\\"a\\\",\\\"us"),
        ("message holds a number", "{\"message\":42}"),
        ("message holds an object", "{\"message\":{\"auditID\":\"a\"}}"),
        ("message holds an array text", "{\"message\":\"[1,2]\"}"),
        ("message holds a JSON string", "{\"message\":\"\\\"x\\\"\"}"),
        ("duplicate keys", "{\"auditID\":\"a\",\"auditID\":\"b\",\"verb\":\"get\",\"verb\":7,\"user\":{\"username\":\"x\"},\"user\":5}"),
        ("huge exponent", "{\"auditID\":\"a\",\"responseStatus\":{\"code\":1e400}}"),
        ("huge integer", "{\"auditID\":\"a\",\"responseStatus\":{\"code\":123456789012345678901234567890}}"),
        ("negative zero and denormals", "{\"auditID\":\"a\",\"responseStatus\":{\"code\":-0},\"x\":4.9e-324}"),
        ("NUL and control characters", "{\"auditID\":\"a\\u0000b\",\"verb\":\"\\u001f\\t\",\"userAgent\":\"\\u0000\"}"),
        ("raw control character", "{\"auditID\":\"a\u{1}b\"}"),
        ("lone high surrogate", "{\"auditID\":\"\\ud800\",\"verb\":\"get\"}"),
        ("lone low surrogate in message", "{\"message\":\"{\\\"auditID\\\":\\\"\\\\udfff\\\"}\"}"),
        ("EventList of garbage", "{\"kind\":\"EventList\",\"items\":[1,\"x\",null]}"),
        ("EventList without items", "{\"kind\":\"EventList\",\"items\":\"x\"}"),
        ("empty object", "{}"),
        ("trailing garbage", "{\"auditID\":\"a\"} trailing"),
        ("BOM", "\u{feff}{\"auditID\":\"a\"}"),
    ]
    .into_iter()
    .map(|(name, record)| (name.to_owned(), record.to_owned()))
    .collect();

    for field in FIELDS {
        for value in wrong_values() {
            let mut event = base_event();
            event[*field] = value.clone();
            records.push((format!("{field} = {value}"), event.to_string()));
            records.push((
                format!("wrapped, {field} = {value}"),
                json!({ "message": event.to_string() }).to_string(),
            ));
        }
    }

    let deep = 100_000;
    let nested = format!("{}{}", "[".repeat(deep), "]".repeat(deep));
    records.push(("100k-deep array".into(), nested.clone()));
    records.push((
        "100k-deep field".into(),
        format!("{{\"auditID\":\"a\",\"x\":{nested}}}"),
    ));
    records.push((
        "100k-deep containers".into(),
        format!("{{\"auditID\":\"a\",\"requestObject\":{{\"spec\":{{\"containers\":{nested}}}}}}}"),
    ));
    records.push((
        "100k-deep objects".into(),
        format!("{}1{}", "{\"a\":".repeat(deep), "}".repeat(deep)),
    ));
    records.push((
        "100k-deep message".into(),
        json!({ "message": nested }).to_string(),
    ));

    let mut many_ips = base_event();
    many_ips["sourceIPs"] = json!(vec!["10.0.0.1"; 100_000]);
    records.push(("100k sourceIPs".into(), many_ips.to_string()));

    let mut big = base_event();
    big["responseObject"] = json!({ "metadata": {"name": "big"}, "data": "x".repeat(20_000_000) });
    records.push(("20 MB event".into(), big.to_string()));
    records.extend(envelopes());
    records
}

/// Hostile cloud envelopes: payloads that do not decode, a zip bomb, a huge batch, deep
/// nesting inside an event, a message wrapping itself.
fn envelopes() -> Vec<(String, String)> {
    use base64::Engine as _;
    use std::io::Write as _;
    let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let lambda = |data: String| json!({ "awslogs": { "data": data } }).to_string();
    let message = |events: Vec<serde_json::Value>| {
        json!({
            "messageType": "DATA_MESSAGE", "owner": "111122223333",
            "logGroup": "/aws/eks/prod/cluster", "logStream": "kube-apiserver-audit-0",
            "subscriptionFilters": ["audit"], "logEvents": events,
        })
        .to_string()
    };
    let event = |i: usize| {
        json!({ "id": i.to_string(), "timestamp": 1717322760123u64,
                "message": json!({"kind": "Event", "auditID": format!("e{i}"), "verb": "get"}).to_string() })
    };
    let gzipped_message = gzip(message(vec![event(0), event(1)]).as_bytes());
    let truncated = gzipped_message[..gzipped_message.len() - 12].to_vec();
    // 128 MiB of zeros: a few hundred kilobytes of gzip.
    let bomb = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..128 {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    };
    let deep = 100_000;
    let nested = format!("{}{{}}{}", "{\"a\":".repeat(deep), "}".repeat(deep));
    let push = |data: String| {
        json!({ "message": { "data": data, "messageId": "1", "publishTime": "2024-06-02T10:06:00Z" },
                "subscription": "projects/p/subscriptions/s" })
        .to_string()
    };
    let inner_push = push(base64(b"{}"));
    vec![
        ("CloudWatch data that is not base64".into(), lambda("not base64!".into())),
        ("CloudWatch data that is not gzip".into(), lambda(base64(b"plain text"))),
        ("CloudWatch gzip cut short".into(), lambda(base64(&truncated))),
        ("CloudWatch zip bomb (128 MiB inflated)".into(), lambda(base64(&bomb))),
        (
            "CloudWatch message of 100,000 log events".into(),
            message((0..100_000).map(event).collect()),
        ),
        (
            "Event Hub record whose log nests 100k deep".into(),
            format!(r#"{{"records":[{{"category":"kube-audit","properties":{{"log":{nested}}}}}]}}"#),
        ),
        (
            "Pub/Sub message wrapping itself".into(),
            push(base64(inner_push.as_bytes())),
        ),
        (
            "GKE entry of wrong types".into(),
            json!({"protoPayload": {"serviceName": "k8s.io", "methodName": 7, "resourceName": ["x"],
                   "authenticationInfo": "x", "requestMetadata": [], "request": 1, "response": "s", "status": "bad"},
                   "insertId": {}, "timestamp": true, "labels": [1], "resource": {"labels": 3}})
            .to_string(),
        ),
    ]
}
