//! The conversion loop: the items a record's shape finds become documents, and the events that
//! fail on their own become error documents in their place. This is the only place where one
//! record turns into several documents (docs/record-shapes.md).

use std::borrow::Cow;

use crate::document::{Document, Fields, Node};
use crate::event::Event;
use crate::layout::Produced;
use crate::profile::{Context, Start};
use crate::shape::{self, Found, Item, Original, Scope, Source, Surround, event_list};
use crate::{TransformError, Transformer};

/// One output of a record, in order.
pub(crate) enum Output<'d, 'a> {
    /// A converted event's document, with the length expected for it.
    Document(&'d Document<'a>, usize),
    /// An event that failed on its own: its error document, `{"message": text, "error":
    /// {...}}`, stands in its place.
    Failed {
        /// The event's exact text.
        text: &'d str,
        /// Why it failed.
        error: TransformError,
    },
}

/// Receives a record's outputs, in order.
pub(crate) type Emit<'e> = dyn FnMut(Output<'_, '_>) + 'e;

impl Transformer {
    /// Reads `record` and hands each of its outputs to `emit`. An error fails the whole record;
    /// outputs emitted before it are then to be discarded.
    pub(crate) fn convert(&self, record: &str, emit: &mut Emit<'_>) -> Result<(), TransformError> {
        let options = shape::ReadOptions {
            event_field: &self.options().event_field,
            unwrap_pubsub: true,
        };
        shape::read(record, &options, &mut |item| match item {
            Item::Event(found) => self.convert_event(found, emit),
            Item::Failed { text, error } => {
                emit(Output::Failed { text, error });
                Ok(())
            }
        })
    }

    /// Converts one event text: an audit event gives its document, an `EventList` its items'.
    fn convert_event(
        &self,
        mut found: Found<'_>,
        emit: &mut Emit<'_>,
    ) -> Result<(), TransformError> {
        let whole = self.options().profile.reads_whole_event();
        let parsed = match found.members.take() {
            Some(members) => Ok(Event::from_members(found.text, members, whole)),
            None => Event::parse(found.text, &found.source, whole),
        };
        let event = match parsed {
            Ok(event) => event,
            Err(error) => return fail(&found, error, emit),
        };
        let is_item = matches!(found.source, Source::ListItem(_));
        if event.fields.is_event_list() && !is_item {
            let items = match event_list::items(&event.fields, &found) {
                Ok(items) => items,
                Err(error) => return fail(&found, error, emit),
            };
            for (index, item) in items.iter().enumerate() {
                self.convert_event(
                    event_list::item(item.get(), index, &event.fields, &found),
                    emit,
                )?;
            }
            return Ok(());
        }
        if !event.fields.is_event() {
            return fail(&found, found.source.not_an_event(), emit);
        }
        // The size the document is expected to have: about the event's, or four times it
        // when the profile copies the whole event (its text, the mirror, the fields).
        let size = found.text.len() * if whole { 4 } else { 1 };
        let document = self.document(found, &event);
        emit(Output::Document(&document, size));
        if let Document::Laid { produced, .. } = document {
            self.keep_scratch(produced.into_scratch());
        }
        Ok(())
    }

    /// The document of one audit event: where the shape and the profile say it starts, with
    /// the profile's fields and the shape's metadata deep-merged in (or, for a profile that
    /// keeps its own attributes, those alone).
    fn document<'a>(&self, found: Found<'a>, event: &'a Event<'a>) -> Document<'a> {
        let profile = self.options().profile;
        let original = match found.original {
            Original::Token(token) => Node::Verbatim(token),
            Original::Text(text) => Node::Text(Cow::Borrowed(text)),
        };
        let mut produced = Produced::in_scratch(self.take_scratch());
        let context = Context {
            user_agent: &|text| self.parse_user_agent(text),
            cluster_name: self.options().cluster_name.as_deref(),
            list_api_version: found.list_api_version,
            in_event_list: matches!(found.source, Source::ListItem(_)),
            envelope: found.metadata,
        };
        // What the produced fields merge into; `None` when they are the whole document.
        let start = match (profile.start(), found.surround) {
            (Start::KeepEventText, Surround::Record { fields, .. }) => Some(fields),
            (Start::KeepEventText, Surround::EventText) => {
                let mut fields = Fields::with_capacity(1);
                fields.insert(Cow::Borrowed("message"), original);
                Some(fields)
            }
            (Start::MoveToOriginal, surround) => {
                produced.set(&["event", "original"], original);
                Some(match surround {
                    Surround::Record { mut fields, field } => {
                        fields.remove(&field);
                        fields
                    }
                    Surround::EventText => Fields::default(),
                })
            }
            (
                Start::OwnAttributes {
                    event_text,
                    other_fields,
                },
                surround,
            ) => {
                produced.set(event_text, original);
                if let Surround::Record { mut fields, field } = surround {
                    fields.remove(&field);
                    if !fields.is_empty() {
                        produced.set(other_fields, Node::Object(fields));
                    }
                }
                None
            }
        };
        profile.apply(event, &mut produced, &context);
        if start.is_some() {
            // The profile's attributes alone are written without the envelope's metadata,
            // which is the profile's own to write.
            found.metadata.add_to(&mut produced);
        }
        let record = start.unwrap_or_default();
        match self.layout(&produced) {
            // Nothing to merge: no field of the record has a produced top-level field's name.
            Some(layout) if !record.keys().any(|key| layout.has_top_key(key)) => Document::Laid {
                record,
                produced,
                layout,
            },
            _ => {
                let mut document = record;
                document.merge(produced.into_fields());
                Document::Tree(document)
            }
        }
    }
}

/// Fails an event text as its scope says: the whole record, or only this event.
fn fail(
    found: &Found<'_>,
    error: TransformError,
    emit: &mut Emit<'_>,
) -> Result<(), TransformError> {
    match found.scope {
        Scope::Record => Err(error),
        Scope::Event => {
            emit(Output::Failed {
                text: found.original.text(found.text),
                error,
            });
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, Profile, Transformer};

    /// A record field named like a produced one is deep-merged: the `ecs` mirror, written
    /// straight into most documents, becomes a tree there and merges key by key.
    #[test]
    fn the_mirror_merges_into_a_record_field_of_the_same_name() {
        let event = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/pods","user":{"username":"alice"},"annotations":{"authorization.k8s.io/decision":"allow"}}"#;
        let record = format!(
            r#"{{"message":{},"kubernetes":{{"audit":{{"shipper":"fluent-bit","auditID":"old"}},"pod_name":"api-0"}}}}"#,
            serde_json::to_string(event).expect("a string")
        );
        let transformer = Transformer::new(Options {
            profile: Profile::Ecs,
            ..Options::default()
        });
        let documents = transformer.transform(&record).expect("converts");
        let document: serde_json::Value = serde_json::from_str(&documents[0]).expect("JSON");
        let kubernetes = &document["kubernetes"];
        assert_eq!(kubernetes["pod_name"], "api-0");
        let audit = &kubernetes["audit"];
        assert_eq!(audit["shipper"], "fluent-bit");
        assert_eq!(audit["auditID"], "a1");
        assert_eq!(
            audit["annotations"]["authorization_k8s_io/decision"],
            "allow"
        );
        // The record's keys keep their places; the mirror's follow.
        assert!(
            documents[0]
                .contains(r#""audit":{"shipper":"fluent-bit","auditID":"a1","kind":"Event","#),
            "{}",
            documents[0]
        );
    }
}
