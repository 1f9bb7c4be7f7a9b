//! The same events delivered bare, in a CloudWatch Logs Lambda event and in an Event Hub body.

use std::io::Write;

use k8s_audit_ecs::{Options, Profile, Transformer};

use super::throughput::{Measured, Route, measure_interleaved, per_call};
use crate::{Error, Runtime, Session};

/// How a batch of events is delivered, for [`envelopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One bare event per record.
    Bare,
    /// One CloudWatch Logs subscription event as a Lambda receives it (base64 of gzip).
    CloudWatchLambda,
    /// One Event Hub body of diagnostic records.
    EventHub,
}

impl Delivery {
    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Delivery::Bare => "the same events bare, one record each",
            Delivery::CloudWatchLambda => "CloudWatch Lambda event (base64+gzip)",
            Delivery::EventHub => "Event Hub body of records",
        }
    }
}

/// The records that deliver `events` (bare event texts) each way.
pub fn deliveries(events: &[String]) -> Result<Vec<(Delivery, Vec<String>)>, Error> {
    use base64::Engine as _;
    let log_events: Vec<serde_json::Value> = events
        .iter()
        .enumerate()
        .map(|(i, event)| serde_json::json!({ "id": format!("{i:056}"), "timestamp": 1_717_322_760_123u64 + i as u64, "message": event }))
        .collect();
    let message = serde_json::json!({
        "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/eks/prod/cluster",
        "logStream": "kube-apiserver-audit-5e2c", "subscriptionFilters": ["audit"], "logEvents": log_events,
    });
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(message.to_string().as_bytes())
        .and_then(|()| encoder.try_finish())
        .map_err(|e| Error::new(e.to_string()))?;
    let data = base64::engine::general_purpose::STANDARD.encode(encoder.get_ref());
    let lambda = serde_json::json!({ "awslogs": { "data": data } }).to_string();
    let records: Vec<serde_json::Value> = events
        .iter()
        .map(|event| serde_json::json!({
            "category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
            "resourceId": "/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-1",
            "time": "2024-06-02T10:06:00.1234567Z",
            "properties": { "log": format!("{event}\n"), "stream": "stdout", "pod": "kube-apiserver-7d9f" },
        }))
        .collect();
    let hub = serde_json::json!({ "records": records }).to_string();
    Ok(vec![
        (Delivery::Bare, events.to_vec()),
        (Delivery::CloudWatchLambda, vec![lambda]),
        (Delivery::EventHub, vec![hub]),
    ])
}

/// Events per second of `events` delivered each way, natively and through the component
/// (one call per record, baseline profile), in interleaved rounds.
pub fn envelopes(runtime: &Runtime, events: &[String]) -> Result<Vec<(Delivery, f64, f64)>, Error> {
    let deliveries = deliveries(events)?;
    let native = Transformer::new(Options::default());
    let mut paths: Vec<Measured<'_>> = Vec::new();
    for (_, records) in &deliveries {
        let native = &native;
        paths.push(Measured {
            path: Route::NativePerCall,
            profile: Some(Profile::Baseline),
            pass: Box::new(move || {
                for record in records {
                    let converted = native
                        .transform(record)
                        .map_err(|e| Error::new(e.to_string()))?;
                    std::hint::black_box(converted);
                }
                Ok(())
            }),
        });
        paths.push(Measured {
            path: Route::ComponentPerCall,
            profile: Some(Profile::Baseline),
            pass: per_call(Session::new(runtime, &Options::default())?, records),
        });
    }
    // Every path converts the same events: measure against `events`.
    let figures = measure_interleaved(events, &mut paths)?;
    Ok(deliveries
        .iter()
        .zip(figures.0.chunks(2))
        .map(|((delivery, _), pair)| {
            (
                *delivery,
                pair[0].events_per_second,
                pair[1].events_per_second,
            )
        })
        .collect())
}
