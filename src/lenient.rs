//! Field types that read what they can and skip what they cannot.
//!
//! An audit event arrives from the wild: a field may hold the wrong JSON type. Each type here
//! reads its value in one pass over the borrowed input; a value of another type is skipped
//! (consumed with [`IgnoredAny`]) and reads as absent, so one bad field never fails the event.
//! Only malformed JSON, which no type can skip, is an error. Empty strings read as absent:
//! docs/documents.md treats `""` like a missing value.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Generates a struct of lenient fields and a `Deserialize` that matches keys by their JSON
/// names, skips unknown keys, and lets a repeated key win over an earlier one (as JSON
/// parsers usually do) instead of failing on it as serde's derive does.
macro_rules! lenient_struct {
    (
        $(#[$meta:meta])*
        pub(crate) struct $name:ident $(<$lt:lifetime>)? {
            $( $(#[$field_meta:meta])* $json:literal => $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        pub(crate) struct $name $(<$lt>)? {
            $( $(#[$field_meta])* pub(crate) $field: $ty, )*
        }

        impl $(<$lt>)? $name $(<$lt>)? {
            /// The JSON keys the struct reads, in order.
            #[allow(dead_code, reason = "only some structs' keys are asked for")]
            pub(crate) const KEYS: &'static [&'static str] = &[$($json),*];
        }

        impl<'de $(: $lt, $lt)?> ::serde::Deserialize<'de> for $name $(<$lt>)? {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FieldsVisitor $(<$lt>)? (::std::marker::PhantomData<$(&$lt)? ()>);
                impl<'de $(: $lt, $lt)?> ::serde::de::Visitor<'de> for FieldsVisitor $(<$lt>)? {
                    type Value = $name $(<$lt>)?;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<M: ::serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                        let mut value = $name::default();
                        while let Some(key) = map.next_key::<$crate::lenient::Key<'de>>()? {
                            match key.0.as_ref() {
                                $( $json => value.$field = map.next_value()?, )*
                                _ => { map.next_value::<::serde::de::IgnoredAny>()?; }
                            }
                        }
                        Ok(value)
                    }
                }
                deserializer.deserialize_map(FieldsVisitor(::std::marker::PhantomData))
            }
        }

        impl<'de $(: $lt, $lt)?> $crate::lenient::FromMembers<'de> for $name $(<$lt>)? {
            fn from_members(members: &[$crate::lenient::Member<'de>]) -> Self {
                let mut value = $name::default();
                for (key, raw) in members {
                    match key.as_ref() {
                        $( $json => value.$field = $crate::lenient::FromMember::from_member(raw), )*
                        _ => {}
                    }
                }
                value
            }
        }
    };
}
pub(crate) use lenient_struct;

/// An object key, borrowed from the input unless it had escapes.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The JSON type of a value that was skipped, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Array,
}

impl JsonType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "boolean",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
        }
    }
}

/// Implements every `visit_*` of a visitor whose `Value` is `Option<T>`: the kinds the type
/// accepts are written by hand, every other kind is consumed and yields `None`.
macro_rules! skip_other_kinds {
    ($($kind:ident)*) => {
        $( skip_other_kinds!(@one $kind); )*
    };
    (@one bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok(None) }
    };
    (@one number) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok(None) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok(None) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(None) }
    };
    (@one string) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok(None) }
    };
    (@one null) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
    };
    (@one array) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
    (@one object) => {
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// A non-empty string, borrowed from the input when it had no escapes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    pub(crate) fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then_some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then(|| Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then_some(Cow::Owned(v)))
    }
    skip_other_kinds!(bool number null array object);
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor).map(Text)
    }
}

/// A string, empty or not (envelopes tell an empty string from a missing one); absent for
/// any other type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct AnyString<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for AnyString<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringVisitor;
        impl<'de> Visitor<'de> for StringVisitor {
            type Value = Option<Cow<'de, str>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Some(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Some(Cow::Owned(v)))
            }
            skip_other_kinds!(bool number null array object);
        }
        deserializer.deserialize_any(StringVisitor).map(AnyString)
    }
}

/// `sourceIPs`: its first element when that is a non-empty string (the only one baseline
/// reads), and every non-empty string in it, in order (ecs reads them all).
#[derive(Debug, Default)]
pub(crate) struct SourceIps<'a> {
    /// Element 0, when it is a non-empty string.
    pub(crate) first: Option<Cow<'a, str>>,
    /// Every element that is a non-empty string, in order.
    pub(crate) all: Vec<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for SourceIps<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IpsVisitor;
        impl<'de> Visitor<'de> for IpsVisitor {
            type Value = Option<SourceIps<'de>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut ips = SourceIps::default();
                let mut index = 0;
                while let Some(text) = seq.next_element::<Text<'de>>()? {
                    if let Some(ip) = text.0 {
                        if index == 0 {
                            ips.first = Some(ip.clone());
                        }
                        ips.all.push(ip);
                    }
                    index += 1;
                }
                Ok(Some(ips))
            }
            skip_other_kinds!(bool number string null object);
        }
        Ok(deserializer
            .deserialize_any(IpsVisitor)?
            .unwrap_or_default())
    }
}

/// The non-empty strings of an array, in order; other elements are skipped.
#[derive(Debug, Default)]
pub(crate) struct TextList<'a>(pub(crate) Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for TextList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = Option<Vec<Cow<'de, str>>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(64));
                while let Some(text) = seq.next_element::<Text<'de>>()? {
                    list.extend(text.0);
                }
                Ok(Some(list))
            }
            skip_other_kinds!(bool number string null object);
        }
        let list = deserializer.deserialize_any(ListVisitor)?;
        Ok(TextList(list.unwrap_or_default()))
    }
}

/// An array's first element, when that is a non-empty string (`user.extra` values: a list
/// whose first string is the value); absent for anything else.
#[derive(Debug, Default)]
pub(crate) struct FirstText<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for FirstText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = Option<Cow<'de, str>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<Text<'de>>()?.and_then(|text| text.0);
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(first)
            }
            skip_other_kinds!(bool number string null object);
        }
        deserializer.deserialize_any(FirstVisitor).map(FirstText)
    }
}

/// An integer; a string of ASCII digits is read as that integer (status codes sometimes
/// arrive quoted). Anything else, or a number outside `i64`, is absent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Integer(pub(crate) Option<i64>);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntegerVisitor;
        impl<'de> Visitor<'de> for IntegerVisitor {
            type Value = Option<i64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).ok())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
                Ok(digits.then(|| v.parse().ok()).flatten())
            }
            skip_other_kinds!(bool null array object);
        }
        deserializer.deserialize_any(IntegerVisitor).map(Integer)
    }
}

/// A boolean; `false` is a value, not an absence.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Boolean(pub(crate) Option<bool>);

impl<'de> Deserialize<'de> for Boolean {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BooleanVisitor;
        impl<'de> Visitor<'de> for BooleanVisitor {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            skip_other_kinds!(number string null array object);
        }
        deserializer.deserialize_any(BooleanVisitor).map(Boolean)
    }
}

/// Any JSON value, kept as its exact text for later (pruned subtrees, `EventList` items).
#[derive(Debug, Default)]
pub(crate) struct Raw<'a>(pub(crate) Option<&'a RawValue>);

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(|raw| Raw(Some(raw)))
    }
}

/// An array kept element by element as exact text (the items of an `EventList`); absent when
/// the value is not an array.
#[derive(Debug, Default)]
pub(crate) struct RawList<'a>(pub(crate) Option<Vec<&'a RawValue>>);

impl<'de> Deserialize<'de> for RawList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawListVisitor;
        impl<'de> Visitor<'de> for RawListVisitor {
            type Value = Option<Vec<&'de RawValue>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    items.push(item);
                }
                Ok(Some(items))
            }
            skip_other_kinds!(bool number string null object);
        }
        deserializer.deserialize_any(RawListVisitor).map(RawList)
    }
}

/// One member of a JSON object: its key and its value's exact text.
pub(crate) type Member<'a> = (Cow<'a, str>, &'a RawValue);

/// The members of the JSON object `text`, in order; a repeated key keeps its first position
/// and its last value. `source` names the text in errors.
pub(crate) fn object_members<'a>(
    text: &'a str,
    source: &dyn fmt::Display,
) -> Result<Vec<Member<'a>>, crate::TransformError> {
    match serde_json::from_str::<ObjectOr<Members<'a>>>(text) {
        Ok(ObjectOr::Object(Members(members))) => Ok(members),
        Ok(ObjectOr::Other(found)) => {
            Err(crate::TransformError::not_an_object(source, found.name()))
        }
        Err(error) => Err(crate::TransformError::from_json(source, &error)),
    }
}

/// An object's members, as [`object_members`] gives them.
struct Members<'a>(Vec<Member<'a>>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members: Vec<Member<'de>> =
                    Vec::with_capacity(map.size_hint().unwrap_or(16).min(64));
                while let Some((Key(key), raw)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    members.push((key, raw));
                }
                Ok(Members(without_repeats(members)))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// Members with each repeated key folded into its first position, holding its last value.
/// The usual object repeats no key and is returned as it is.
pub(crate) fn without_repeats<'k, V>(members: Vec<(Cow<'k, str>, V)>) -> Vec<(Cow<'k, str>, V)> {
    if members.len() <= 32 {
        let repeats = members
            .iter()
            .enumerate()
            .any(|(at, (key, _))| members[..at].iter().any(|(k, _)| k == key));
        if !repeats {
            return members;
        }
    }
    let mut kept: Vec<(Cow<'k, str>, V)> = Vec::with_capacity(members.len());
    if members.len() <= 32 {
        for (key, raw) in members {
            match kept.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = raw,
                None => kept.push((key, raw)),
            }
        }
        return kept;
    }
    // Many keys: find repeats through an index instead of a linear scan each.
    let mut index: std::collections::BTreeMap<Cow<'k, str>, usize> = Default::default();
    for (key, raw) in members {
        match index.get(&key) {
            Some(&at) => kept[at].1 = raw,
            None => {
                index.insert(key.clone(), kept.len());
                kept.push((key, raw));
            }
        }
    }
    kept
}

/// Reads a [`lenient_struct!`] from members already split out of an object, so an event is
/// read once whether a profile wants its typed fields, its members, or both: each member a
/// field names is read from its exact text ([`FromMember`]), the others are not looked at.
pub(crate) trait FromMembers<'a> {
    /// The struct read from `members` (a repeated key already folded into its last value).
    fn from_members(members: &[Member<'a>]) -> Self;
}

/// A lenient field read from a member's exact text, which was read once already as
/// well-formed JSON. Most fields parse it again (lenient types accept any JSON type, so that
/// cannot fail; the default, absent, is only a guard); a string without escapes is its own
/// text between the quotes, and a [`Raw`] field is the text itself, so neither is parsed again.
pub(crate) trait FromMember<'a>: Sized {
    /// The field's value from the member's exact text.
    fn from_member(raw: &'a RawValue) -> Self;
}

/// [`FromMember`] by parsing the member's text again.
macro_rules! from_member_by_parsing {
    ($( [$($generic:ident),*] $ty:ty; )*) => {
        $( impl<'a, $($generic: Deserialize<'a>),*> FromMember<'a> for $ty {
            fn from_member(raw: &'a RawValue) -> Self {
                serde_json::from_str(raw.get()).unwrap_or_default()
            }
        } )*
    };
}

from_member_by_parsing! {
    [] AnyString<'a>;
    [] SourceIps<'a>;
    [] TextList<'a>;
    [] FirstText<'a>;
    [] Integer;
    [] Boolean;
    [] RawList<'a>;
    [] StringOrOther<'a>;
    [T] Object<T>;
    [T] List<T>;
}

impl<'a> FromMember<'a> for Text<'a> {
    fn from_member(raw: &'a RawValue) -> Self {
        let text = raw.get();
        match text
            .strip_prefix('"')
            .and_then(|text| text.strip_suffix('"'))
        {
            // No backslash, so no escape (and no quote inside): the text is the string.
            Some(plain) if memchr::memchr(b'\\', plain.as_bytes()).is_none() => {
                Text((!plain.is_empty()).then_some(Cow::Borrowed(plain)))
            }
            _ => serde_json::from_str(text).unwrap_or_default(),
        }
    }
}

impl<'a> FromMember<'a> for Raw<'a> {
    fn from_member(raw: &'a RawValue) -> Self {
        Raw(Some(raw))
    }
}

/// An array read element by element as `T`; absent when the value is not an array. With
/// `T` = [`ObjectOr`]`<S>`, each element is an `S` object or the JSON type found instead.
#[derive(Debug)]
pub(crate) struct List<T>(pub(crate) Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = Option<Vec<T>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(16).min(4096));
                while let Some(item) = seq.next_element::<T>()? {
                    items.push(item);
                }
                Ok(Some(items))
            }
            skip_other_kinds!(bool number string null object);
        }
        deserializer
            .deserialize_any(ListVisitor(PhantomData))
            .map(List)
    }
}

/// A value that is usually a string and is then read (unescaped) in the same pass; any other
/// value is only noted, to be read as exact text when it is needed.
#[derive(Debug, Default)]
pub(crate) enum StringOrOther<'a> {
    /// The member is not there.
    #[default]
    Missing,
    /// `null`.
    Null,
    /// A string, empty or not.
    Text(Cow<'a, str>),
    /// Any other value (skipped).
    Other,
}

impl<'de> Deserialize<'de> for StringOrOther<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = StringOrOther<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(StringOrOther::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrOther::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StringOrOther::Text(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StringOrOther::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StringOrOther::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StringOrOther::Other)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StringOrOther::Other)
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// A JSON object read as `T`, or the type of the value that stood there instead.
#[derive(Debug)]
pub(crate) enum ObjectOr<T> {
    /// The value was an object.
    Object(T),
    /// The value was of another JSON type (skipped).
    Other(JsonType),
}

/// An object field: `Some` when the value is an object, absent for any other type.
#[derive(Debug)]
pub(crate) struct Object<T>(pub(crate) Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Object(match ObjectOr::<T>::deserialize(deserializer)? {
            ObjectOr::Object(value) => Some(value),
            ObjectOr::Other(_) => None,
        }))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShapeVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ShapeVisitor<T> {
            type Value = ObjectOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ObjectOr::Object)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::Bool))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::Number))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::Number))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::Number))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::String))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectOr::Other(JsonType::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ObjectOr::Other(JsonType::Array))
            }
        }
        deserializer.deserialize_any(ShapeVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    lenient_struct! {
        /// A test struct with one field of each lenient type.
        pub(crate) struct Sample<'a> {
            "text" => text: Text<'a>,
            "first" => first: SourceIps<'a>,
            "list" => list: TextList<'a>,
            "int" => int: Integer,
            "flag" => flag: Boolean,
            "inner" => inner: Object<Inner<'a>>,
        }
    }

    lenient_struct! {
        /// Nested object for the test.
        pub(crate) struct Inner<'a> {
            "name" => name: Text<'a>,
        }
    }

    fn sample(json: &str) -> Sample<'_> {
        serde_json::from_str(json).expect("valid sample")
    }

    #[test]
    fn reads_values_of_the_right_type() {
        let s = sample(
            r#"{"text":"a","first":["1.2.3.4","x"],"list":["g1","g2"],"int":200,"flag":false,"inner":{"name":"n"}}"#,
        );
        assert_eq!(s.text.as_deref(), Some("a"));
        assert!(
            matches!(s.text.0, Some(Cow::Borrowed(_))),
            "plain strings are borrowed"
        );
        assert_eq!(s.first.first.as_deref(), Some("1.2.3.4"));
        assert_eq!(s.first.all, ["1.2.3.4", "x"]);
        assert_eq!(s.list.0, vec!["g1", "g2"]);
        assert_eq!(s.int.0, Some(200));
        assert_eq!(s.flag.0, Some(false));
        assert_eq!(s.inner.0.and_then(|i| i.name.0).as_deref(), Some("n"));
    }

    #[test]
    fn values_of_the_wrong_type_read_as_absent() {
        let s = sample(
            r#"{"text":{"a":[1,{"b":2}]},"first":"1.2.3.4","list":{"x":1},"int":2.5,"flag":"true","inner":[1,2],"unknown":[{}]}"#,
        );
        assert_eq!(s.text.0, None);
        assert_eq!(s.first.first, None);
        assert!(s.list.0.is_empty());
        assert_eq!(s.int.0, None);
        assert_eq!(s.flag.0, None);
        assert!(s.inner.0.is_none());
    }

    #[test]
    fn empty_strings_and_non_strings_in_lists_are_absent() {
        let s = sample(r#"{"text":"","first":[7,"1.2.3.4"],"list":["a","",null,3,"b"]}"#);
        assert_eq!(s.text.0, None);
        assert_eq!(s.first.first, None, "only the first element counts");
        assert_eq!(s.first.all, ["1.2.3.4"]);
        assert_eq!(s.list.0, vec!["a", "b"]);
    }

    #[test]
    fn integers_accept_digit_strings_only() {
        for (json, expected) in [
            (r#"{"int":"403"}"#, Some(403)),
            (r#"{"int":"-1"}"#, None),
            (r#"{"int":"4e2"}"#, None),
            (r#"{"int":""}"#, None),
            (r#"{"int":"99999999999999999999"}"#, None),
            (r#"{"int":18446744073709551615}"#, None),
            (r#"{"int":-5}"#, Some(-5)),
        ] {
            assert_eq!(sample(json).int.0, expected, "{json}");
        }
    }

    #[test]
    fn escaped_strings_are_unescaped_and_a_repeated_key_wins() {
        let s = sample(r#"{"text":"first","text":"a\"b\u00e9"}"#);
        assert_eq!(s.text.as_deref(), Some("a\"bé"));
    }

    #[test]
    fn malformed_json_is_still_an_error() {
        assert!(serde_json::from_str::<Sample<'_>>(r#"{"text":{"a":}"#).is_err());
    }
}
