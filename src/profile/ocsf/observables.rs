//! `observables`: the values a consumer pivots on, each typed as OCSF types the attribute it
//! comes from (docs/ocsf.md, "observables").

use std::borrow::Cow;

use crate::document::{Node, ObjectList};
use crate::layout::Produced;

/// The pivot values, noted while their attributes are written.
#[derive(Default)]
pub(super) struct Pivots<'a> {
    /// `actor.user.name` (the stand-in included).
    pub(super) user_name: Option<Cow<'a, str>>,
    /// `actor.user.uid`.
    pub(super) user_uid: Option<Cow<'a, str>>,
    /// `impersonatedUser.username`: a user name without an OCSF attribute.
    pub(super) impersonated_name: Option<Cow<'a, str>>,
    /// `src_endpoint.ip`.
    pub(super) source_ip: Option<Cow<'a, str>>,
    /// `src_endpoint.intermediate_ips`.
    pub(super) intermediate_ips: Vec<Cow<'a, str>>,
    /// `http_request.user_agent`.
    pub(super) user_agent: Option<Cow<'a, str>>,
    /// `resources[0].name`.
    pub(super) resource_name: Option<Cow<'a, str>>,
    /// `resources[0].uid`.
    pub(super) resource_uid: Option<Cow<'a, str>>,
}

/// OCSF's observable types: (`type_id`, caption).
const USER_NAME: (i64, &str) = (4, "User Name");
const USER_UID: (i64, &str) = (31, "User Object: uid");
const IP_ADDRESS: (i64, &str) = (2, "IP Address");
const USER_AGENT: (i64, &str) = (16, "HTTP User-Agent");
const RESOURCE_NAME: (i64, &str) = (38, "Resource Details Object: name");
const RESOURCE_UID: (i64, &str) = (10, "Resource UID");

/// One observable: the attribute it names (OCSF's bracket-less path), its type, its value.
type Observable<'a> = (Option<&'static str>, (i64, &'static str), Cow<'a, str>);

impl<'a> Pivots<'a> {
    /// Writes `observables`, in the documented order, an observable equal to an earlier one
    /// left out.
    pub(super) fn add_to(self, produced: &mut Produced<'a>) {
        let mut list: Vec<Observable<'a>> = Vec::with_capacity(8);
        let mut push = |name, kind, value: Option<Cow<'a, str>>| {
            if let Some(value) = value {
                let observable = (name, kind, value);
                if !list.contains(&observable) {
                    list.push(observable);
                }
            }
        };
        push(Some("actor.user.name"), USER_NAME, self.user_name);
        push(Some("actor.user.uid"), USER_UID, self.user_uid);
        push(None, USER_NAME, self.impersonated_name);
        push(Some("src_endpoint.ip"), IP_ADDRESS, self.source_ip);
        for ip in self.intermediate_ips {
            push(Some("src_endpoint.intermediate_ips"), IP_ADDRESS, Some(ip));
        }
        push(Some("http_request.user_agent"), USER_AGENT, self.user_agent);
        push(Some("resources.name"), RESOURCE_NAME, self.resource_name);
        push(Some("resources.uid"), RESOURCE_UID, self.resource_uid);
        if list.is_empty() {
            return;
        }
        let mut objects = ObjectList::with_capacity(96 * list.len());
        for (name, (type_id, caption), value) in list {
            objects.push(|observable| {
                if let Some(name) = name {
                    observable.text("name", name);
                }
                observable.integer("type_id", type_id);
                observable.text("type", caption);
                observable.text("value", &value);
            });
        }
        produced.set(&["observables"], Node::Objects(objects));
    }
}
