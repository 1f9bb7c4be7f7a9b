//! `actor`: the authenticated user (never the impersonated one, who goes to
//! `unmapped.impersonated_user`), its session as EKS and service-account tokens describe it,
//! and the authorizer's decision (docs/ocsf.md, "actor").

use std::borrow::Cow;

use crate::document::{Node, ObjectList};
use crate::event::{Event, UserInfo};
use crate::layout::{Path, Produced};
use crate::lenient::{FirstText, Object, lenient_struct};
use crate::profile::baseline::set_text;

use super::is_filled_object;
use super::observables::Pivots;

/// The actor of a request whose credentials were rejected (`"user": {}`): Kubernetes' own name
/// for callers without an identity, which no authenticator may hand out.
const UNAUTHENTICATED: &str = "system:unauthenticated";

lenient_struct! {
    /// The `user.extra` keys the actor is built from: EKS's IAM identity, and the credential a
    /// service-account token or client certificate carries.
    pub(crate) struct Extra<'a> {
        "principalId" => principal_id: FirstText<'a>,
        "accessKeyId" => access_key_id: FirstText<'a>,
        "sessionName" => session_name: FirstText<'a>,
        "arn" => arn: FirstText<'a>,
        "canonicalArn" => canonical_arn: FirstText<'a>,
        "authentication.kubernetes.io/credential-id" => credential_id: FirstText<'a>,
    }
}

/// Adds `actor.*`, `unmapped.user_extra` and `unmapped.impersonated_user`, and notes the
/// user pivots.
pub(super) fn add<'a>(event: &Event<'a>, produced: &mut Produced<'a>, pivots: &mut Pivots<'a>) {
    let fields = &event.fields;
    let user = fields.user.0.as_ref();
    let username = user.and_then(|user| user.username.0.clone());
    let uid = user.and_then(|user| user.uid.0.clone());
    let name = match (&username, &uid) {
        (Some(name), _) => Some(name.clone()),
        (None, None) => Some(Cow::Borrowed(UNAUTHENTICATED)),
        (None, Some(_)) => None,
    };
    if let Some(name) = &name {
        produced.set(&["actor", "user", "name"], Node::Text(name.clone()));
    }
    if let Some(uid) = &uid {
        produced.set(&["actor", "user", "uid"], Node::Text(uid.clone()));
    }
    if let Some(user) = user {
        add_groups(user, &["actor", "user", "groups"], produced);
    }
    let (type_id, type_name) = user_type(username.as_deref(), user);
    produced.set(&["actor", "user", "type_id"], Node::Integer(type_id));
    produced.set(
        &["actor", "user", "type"],
        Node::Text(Cow::Borrowed(type_name)),
    );
    pivots.user_name = name;
    pivots.user_uid = uid;

    if let Some(raw) = user.and_then(|user| user.extra.0) {
        if is_filled_object(raw.get()) {
            produced.set(&["unmapped", "user_extra"], event.copied(raw));
        }
        if let Ok(Object(Some(extra))) = serde_json::from_str::<Object<Extra<'a>>>(raw.get()) {
            add_session(extra, produced);
        }
    }
    add_authorizations(event, produced);
    add_impersonated(fields.impersonated_user.0.as_ref(), produced, pivots);
}

/// One `{"name": group}` object per group, in input order.
fn add_groups<'a>(user: &UserInfo<'a>, path: Path, produced: &mut Produced<'a>) {
    if user.groups.0.is_empty() {
        return;
    }
    let mut groups = ObjectList::with_capacity(32 * user.groups.0.len());
    for group in &user.groups.0 {
        groups.push(|object| object.text("name", group));
    }
    produced.set(path, Node::Objects(groups));
}

/// OCSF's user type from Kubernetes' reserved names: service accounts, the anonymous user,
/// other `system:` users, members of `system:masters`; anyone else is not told apart.
fn user_type(username: Option<&str>, user: Option<&UserInfo<'_>>) -> (i64, &'static str) {
    let Some(name) = username else {
        return (0, "Unknown");
    };
    let is_master = user.is_some_and(|user| user.groups.0.iter().any(|g| g == "system:masters"));
    if name.starts_with("system:serviceaccount:") {
        (4, "Service")
    } else if name == "system:anonymous" {
        (99, "Anonymous")
    } else if name.starts_with("system:") {
        (3, "System")
    } else if is_master {
        (2, "Admin")
    } else {
        (0, "Unknown")
    }
}

/// `actor.user.uid_alt` and `actor.session.*` from `user.extra`.
fn add_session<'a>(extra: Extra<'a>, produced: &mut Produced<'a>) {
    let credential = extra.access_key_id.0.or(extra.credential_id.0);
    let texts: [(&[&'static str], Option<Cow<'a, str>>); 5] = [
        (&["actor", "user", "uid_alt"], extra.principal_id.0),
        (&["actor", "session", "credential_uid"], credential),
        (&["actor", "session", "uid"], extra.session_name.0),
        (&["actor", "session", "uid_alt"], extra.arn.0),
        (&["actor", "session", "issuer"], extra.canonical_arn.0),
    ];
    for (path, text) in texts {
        if let Some(text) = text {
            produced.set(path, Node::Text(text));
        }
    }
}

/// `actor.authorizations`: the decision and, as the policy's name, the reason.
fn add_authorizations<'a>(event: &Event<'a>, produced: &mut Produced<'a>) {
    let Some(annotations) = &event.fields.annotations.0 else {
        return;
    };
    let (decision, reason) = (&annotations.decision.0, &annotations.reason.0);
    if decision.is_none() && reason.is_none() {
        return;
    }
    let mut authorizations = ObjectList::with_capacity(128);
    authorizations.push(|authorization| {
        if let Some(decision) = decision {
            authorization.text("decision", decision);
        }
        if let Some(reason) = reason {
            authorization.object("policy", |policy| policy.text("name", reason));
        }
    });
    produced.set(&["actor", "authorizations"], Node::Objects(authorizations));
}

/// `unmapped.impersonated_user`: who the request acted as.
fn add_impersonated<'a>(
    user: Option<&UserInfo<'a>>,
    produced: &mut Produced<'a>,
    pivots: &mut Pivots<'a>,
) {
    let Some(user) = user else {
        return;
    };
    set_text(
        produced,
        &["unmapped", "impersonated_user", "name"],
        &user.username,
    );
    set_text(
        produced,
        &["unmapped", "impersonated_user", "uid"],
        &user.uid,
    );
    if !user.groups.0.is_empty() {
        produced.set_list(
            &["unmapped", "impersonated_user", "groups"],
            user.groups.0.iter().cloned(),
        );
    }
    pivots.impersonated_name = user.username.0.clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(user: &str) -> (i64, &'static str) {
        let user: UserInfo<'_> = serde_json::from_str(user).unwrap();
        user_type(user.username.as_deref(), Some(&user))
    }

    #[test]
    fn user_types_follow_the_first_matching_row() {
        for (user, expected) in [
            (
                r#"{"username":"system:serviceaccount:ci:bot","groups":["system:masters"]}"#,
                (4, "Service"),
            ),
            (r#"{"username":"system:anonymous"}"#, (99, "Anonymous")),
            (r#"{"username":"system:node:worker-1"}"#, (3, "System")),
            (
                r#"{"username":"system:apiserver","groups":["system:masters"]}"#,
                (3, "System"),
            ),
            (
                r#"{"username":"kubernetes-admin","groups":["system:masters"]}"#,
                (2, "Admin"),
            ),
            (
                r#"{"username":"alice","groups":["admins"]}"#,
                (0, "Unknown"),
            ),
            (r#"{"uid":"42"}"#, (0, "Unknown")),
        ] {
            assert_eq!(type_of(user), expected, "{user}");
        }
    }

    #[test]
    fn extra_values_are_the_first_non_empty_string() {
        let extra: Extra<'_> = serde_json::from_str(
            r#"{"principalId":["P","Q"],"accessKeyId":[""],"sessionName":[7,"s"],"arn":"a","canonicalArn":[]}"#,
        )
        .unwrap();
        assert_eq!(extra.principal_id.0.as_deref(), Some("P"));
        assert_eq!(extra.access_key_id.0, None);
        assert_eq!(extra.session_name.0, None);
        assert_eq!(extra.arn.0, None);
        assert_eq!(extra.canonical_arn.0, None);
    }
}
