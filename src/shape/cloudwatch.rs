//! EKS: CloudWatch Logs subscription messages (docs/record-shapes.md, "EKS"). EKS writes the
//! audit log to the log group `/aws/eks/<cluster>/cluster`; a subscription delivers it in
//! batches, decoded (`{"messageType": ..., "logEvents": [...]}`, as Firehose writes them) or
//! as a Lambda function receives them (`{"awslogs": {"data": base64(gzip(message))}}`).

use std::borrow::Cow;

use super::{Found, Item, Metadata, Original, Scope, Source, Surround, Visit, decode};
use crate::document::Fields;
use serde_json::value::RawValue;

use crate::lenient::{
    AnyString, FromMembers, List, Object, ObjectOr, RawList, Text, lenient_struct,
};
use crate::{ErrorKind, TransformError};

lenient_struct! {
    /// A subscription message; its log events are read in the same pass, each `message`
    /// unescaped as it is read.
    pub(crate) struct Message<'a> {
        "messageType" => message_type: AnyString<'a>,
        "owner" => owner: Text<'a>,
        "logGroup" => log_group: Text<'a>,
        "logEvents" => log_events: List<ObjectOr<LogEvent<'a>>>,
    }
}

lenient_struct! {
    /// The log events as exact text, read only when one of them fails.
    pub(crate) struct RawLogEvents<'a> {
        "logEvents" => log_events: RawList<'a>,
    }
}

lenient_struct! {
    /// One log event; its `message` is the line the API server wrote.
    pub(crate) struct LogEvent<'a> {
        "message" => message: AnyString<'a>,
    }
}

lenient_struct! {
    /// `awslogs`, as a Lambda function receives it.
    pub(crate) struct Awslogs<'a> {
        "data" => data: AnyString<'a>,
    }
}

/// Rule (a): `awslogs` is an object with a string `data`; gives the data.
pub(crate) fn lambda_data<'r>(fields: &Fields<'r>) -> Option<Cow<'r, str>> {
    let raw = fields.raw("awslogs")?;
    let Object(Some(awslogs)) = serde_json::from_str::<Object<Awslogs<'r>>>(raw.get()).ok()? else {
        return None;
    };
    awslogs.data.0
}

/// Rule (b): the keys `messageType` and `logEvents`.
pub(crate) fn is_message(fields: &Fields<'_>) -> bool {
    fields.get("messageType").is_some() && fields.get("logEvents").is_some()
}

/// Reads form (a): base64, then gzip (every member), then the message as UTF-8 JSON.
pub(crate) fn read_lambda(data: &str, visit: &mut Visit<'_>) -> Result<(), TransformError> {
    let compressed = decode::base64(data, "`awslogs.data`")?;
    let payload = decode::gunzip(&compressed, "the decoded `awslogs.data`")?;
    let text = decode::utf8(payload, "the gunzipped `awslogs.data`")?;
    let message = match serde_json::from_str::<ObjectOr<Message<'_>>>(&text) {
        Ok(ObjectOr::Object(message)) => message,
        Ok(ObjectOr::Other(found)) => {
            return Err(invalid_envelope(format_args!(
                "the gunzipped `awslogs.data` is a JSON {}, not a CloudWatch Logs message",
                found.name()
            )));
        }
        Err(error) => {
            return Err(TransformError::from_json(
                &"the gunzipped `awslogs.data`",
                &error,
            ));
        }
    };
    let entries = || {
        serde_json::from_str::<RawLogEvents<'_>>(&text)
            .ok()
            .and_then(|message| message.log_events.0)
    };
    read_events(message, &entries, visit)
}

/// Reads form (b): the record is the message.
pub(crate) fn read_message(
    fields: &Fields<'_>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let message = Message::from_members(&fields.members());
    let entries = || serde_json::from_str::<Vec<&RawValue>>(fields.raw("logEvents")?.get()).ok();
    read_events(message, &entries, visit)
}

/// Checks the message and hands over each of its log events; `entries` gives the log events'
/// exact texts, looked up only for those that fail.
fn read_events<'t>(
    message: Message<'t>,
    entries: &dyn Fn() -> Option<Vec<&'t RawValue>>,
    visit: &mut Visit<'_>,
) -> Result<(), TransformError> {
    let Some(events) = &message.log_events.0 else {
        return Err(invalid_envelope(
            "a CloudWatch Logs message needs `messageType` and a `logEvents` array",
        ));
    };
    match message.message_type.0.as_deref() {
        Some("DATA_MESSAGE") => {}
        // A delivery health check: nothing to convert.
        Some("CONTROL_MESSAGE") => return Ok(()),
        other => {
            return Err(invalid_envelope(format_args!(
                "`messageType` is {}, neither `DATA_MESSAGE` nor `CONTROL_MESSAGE`",
                other.map_or_else(|| "not a string".to_owned(), |t| format!("`{t}`"))
            )));
        }
    }
    let metadata = metadata(&message);
    let mut texts: Option<Vec<&RawValue>> = None;
    for (index, entry) in events.iter().enumerate() {
        let event = match entry {
            ObjectOr::Object(LogEvent {
                message: AnyString(Some(text)),
            }) => text,
            _ => {
                let texts = texts.get_or_insert_with(|| entries().unwrap_or_default());
                visit(Item::Failed {
                    text: texts.get(index).map_or("", |raw| raw.get()),
                    error: invalid_envelope(format_args!(
                        "logEvents[{index}] is not an object with a string `message`"
                    )),
                })?;
                continue;
            }
        };
        visit(Item::Event(Found {
            text: event,
            original: Original::Text(event),
            surround: Surround::EventText,
            source: Source::LogEvent(index),
            scope: Scope::Event,
            metadata: &metadata,
            list_api_version: None,
            members: None,
        }))?;
    }
    Ok(())
}

/// `cloud.*` and the EKS cluster, from the message.
fn metadata<'a>(message: &Message<'a>) -> Metadata<'a> {
    let cluster = message.log_group.as_deref().and_then(|group| {
        let cluster = group.strip_prefix("/aws/eks/")?.strip_suffix("/cluster")?;
        (!cluster.is_empty() && !cluster.contains('/')).then(|| cluster.to_owned())
    });
    Metadata {
        cloud_provider: Some("aws"),
        cloud_service: cluster.is_some().then_some("eks"),
        cloud_account_id: message.owner.0.clone(),
        cluster_name: cluster.map(Cow::Owned),
        ..Metadata::NONE
    }
}

fn invalid_envelope(reason: impl std::fmt::Display) -> TransformError {
    TransformError::new(ErrorKind::InvalidEnvelope, reason.to_string())
}
