//! The fields a profile produces for one document, kept as a flat list in the order they are
//! set, and written grouped into objects through a layout computed once per sequence of paths
//! (docs/performance.md, "Writing a document").
//!
//! Profiles set fields by path (`["event", "action"]`), in an order that mixes objects:
//! `event.original`, then `message`, then `event.start`. The document groups them as a tree
//! built by [`Fields::set`] would: each object where its first field was set, its fields in
//! the order set, and a field set twice in its first place with its last value. Building that
//! tree for every document costs an allocation per object, a search per field and a drop per
//! node. Instead, [`Produced`] only appends, and a [`Layout`] — the grouping of one sequence
//! of paths — says in which order to write the list. A profile's documents set few distinct
//! sequences (they differ in which optional fields are present), so a [`Layouts`] cache finds
//! nearly every document's layout computed already.
//!
//! Paths are `'static` slices, so a path is recognised by its address and length (which
//! determine its contents: statics never change); the cache is keyed by those and never
//! compares text. Where the tree's rules need the tree — a path that runs into a field set as
//! a value, or a value set where an object is — there is no layout, and the list is replayed
//! into a tree ([`Produced::into_fields`]), which is the same result by construction.
//!
//! A document's list, the texts a profile composes for it (timestamps, the description) and
//! its lists of strings live in buffers that only grow while it is built and are cleared once
//! it is written: the transformer hands the same [`Scratch`] to one document after another, so
//! building a document allocates none of them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Arc;

use crate::document::{Fields, Node};
use crate::json_text::{write_string, write_string_list};

/// Where a produced field goes: its keys from the top of the document down.
pub(crate) type Path = &'static [&'static str];

/// The fields a profile produced for one document, in the order they were set, and the texts
/// it composed for them.
#[derive(Debug, Default)]
pub(crate) struct Produced<'a> {
    entries: Vec<(Path, Value<'a>)>,
    /// The texts composed for this document (timestamps, the description), one after another;
    /// a [`Value::Composed`] names its part.
    texts: String,
    /// The items of the document's lists of strings, one list after another; a
    /// [`Value::List`] names its part.
    items: Vec<Cow<'a, str>>,
}

/// A produced field's value.
#[derive(Debug)]
enum Value<'a> {
    /// A value of the document.
    Node(Node<'a>),
    /// A string composed into [`Produced::texts`], by its byte range there.
    Composed(Range<usize>),
    /// A list of strings in [`Produced::items`], by its range there.
    List(Range<usize>),
}

/// The buffers of a document's [`Produced`] fields, kept between documents: a transformer
/// hands the same ones to each document it builds, so a document allocates neither its list
/// of fields nor the texts it composes; it only clears them.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The list of fields, always empty between documents (it holds no borrow then).
    entries: Vec<(Path, Value<'static>)>,
    /// The composed texts, always empty between documents.
    texts: String,
    /// The lists' items, always empty between documents.
    items: Vec<Cow<'static, str>>,
}

/// The room a first document gets: every field a profile produces for a typical event, and
/// its composed texts (three timestamps and a sentence).
const FIELDS_ROOM: usize = 64;
const TEXTS_ROOM: usize = 512;
const ITEMS_ROOM: usize = 32;

/// Buffers grown beyond these (a document with many fields or a long sentence) are not kept,
/// so one odd event cannot hold memory for the transformer's lifetime.
const FIELDS_KEPT: usize = 1024;
const TEXTS_KEPT: usize = 64 * 1024;
const ITEMS_KEPT: usize = 1024;

impl Scratch {
    /// Whether the buffers are small enough to keep for the next document.
    pub(crate) fn worth_keeping(&self) -> bool {
        self.entries.capacity() <= FIELDS_KEPT
            && self.texts.capacity() <= TEXTS_KEPT
            && self.items.capacity() <= ITEMS_KEPT
    }
}

impl<'a> Produced<'a> {
    /// An empty list in `scratch`'s buffers (given room for a typical document if they have
    /// none yet).
    pub(crate) fn in_scratch(scratch: Scratch) -> Self {
        let Scratch {
            mut entries,
            mut texts,
            mut items,
        } = scratch;
        entries.reserve(FIELDS_ROOM);
        texts.reserve(TEXTS_ROOM);
        items.reserve(ITEMS_ROOM);
        Produced {
            entries: emptied(entries),
            texts,
            items: emptied(items),
        }
    }

    /// The buffers, emptied, for the next document.
    pub(crate) fn into_scratch(self) -> Scratch {
        let Produced {
            entries,
            mut texts,
            items,
        } = self;
        texts.clear();
        Scratch {
            entries: emptied(entries),
            texts,
            items: emptied(items),
        }
    }

    /// Sets the value at `path`, as [`Fields::set`] would in the document's tree: objects on
    /// the way are created, and a value set again replaces the earlier one in its place.
    pub(crate) fn set(&mut self, path: Path, node: Node<'a>) {
        self.entries.push((path, Value::Node(node)));
    }

    /// Sets the string at `path` to the text `compose` appends to the buffer it is given (in
    /// the document's own text buffer, not an allocation of its own). As [`Produced::set`].
    pub(crate) fn compose(&mut self, path: Path, compose: impl FnOnce(&mut String)) {
        let start = self.texts.len();
        compose(&mut self.texts);
        self.entries
            .push((path, Value::Composed(start..self.texts.len())));
    }

    /// Sets the string at `path` to a copy of `text` (a text that does not outlive its
    /// maker, such as a timestamp), kept in the document's own text buffer.
    pub(crate) fn set_copied(&mut self, path: Path, text: &str) {
        self.compose(path, |buffer| buffer.push_str(text));
    }

    /// Sets the list of strings at `path` to `items` (kept in the document's own list buffer,
    /// not a vector of its own). As [`Produced::set`].
    pub(crate) fn set_list(&mut self, path: Path, items: impl IntoIterator<Item = Cow<'a, str>>) {
        let start = self.items.len();
        self.items.extend(items);
        self.entries
            .push((path, Value::List(start..self.items.len())));
    }

    /// Sets the list of strings at `path` to the non-empty ones of `items`, each once, in the
    /// order first seen; sets nothing when none is left.
    pub(crate) fn set_distinct_list(
        &mut self,
        path: Path,
        items: impl IntoIterator<Item = Cow<'a, str>>,
    ) {
        let start = self.items.len();
        for item in items {
            if !item.is_empty() && !self.items[start..].contains(&item) {
                self.items.push(item);
            }
        }
        if self.items.len() > start {
            self.entries
                .push((path, Value::List(start..self.items.len())));
        }
    }

    /// A list's items, by their range.
    fn list(&self, range: &Range<usize>) -> &[Cow<'a, str>] {
        self.items.get(range.clone()).unwrap_or_default()
    }

    /// A composed text, by its range.
    fn composed(&self, range: &Range<usize>) -> &str {
        self.texts.get(range.clone()).unwrap_or_default()
    }

    /// The tree of the fields, built by setting each in order.
    pub(crate) fn into_fields(self) -> Fields<'a> {
        let mut fields = Fields::with_capacity(16);
        for (path, value) in self.entries {
            let node = match value {
                Value::Node(Node::Mirror(mirror)) => Node::Object(mirror.into_fields()),
                Value::Node(node) => node,
                Value::Composed(range) => Node::Text(Cow::Owned(
                    self.texts.get(range).unwrap_or_default().to_owned(),
                )),
                Value::List(range) => {
                    Node::TextList(self.items.get(range).unwrap_or_default().to_vec())
                }
            };
            fields.set(path, node);
        }
        fields
    }

    /// The addresses and lengths of the paths set, in order: what identifies a layout.
    fn path_ids(&self) -> impl Iterator<Item = PathId> + '_ {
        self.entries.iter().map(|(path, _)| path_id(path))
    }

    /// Appends the fields as members of an object (no braces), grouped as `layout` says;
    /// `comma` says whether a member was written before them.
    pub(crate) fn write_members(&self, layout: &Layout, comma: bool, out: &mut String) {
        if comma && !layout.fields.is_empty() {
            out.push(',');
        }
        for (before, index) in &layout.fields {
            out.push_str(before);
            match &self.entries[*index].1 {
                Value::Node(node) => node.write_json(out),
                Value::Composed(range) => write_string(out, self.composed(range)),
                Value::List(range) => write_string_list(out, self.list(range)),
            }
        }
        out.push_str(&layout.end);
    }
}

/// What a profile sets fields in by path: the document's produced fields, or an object it
/// builds (an OCSF resource).
pub(crate) trait SetPath<'a> {
    /// Sets the value at `path`, creating the objects on the way.
    fn set_path(&mut self, path: Path, node: Node<'a>);
}

impl<'a> SetPath<'a> for Produced<'a> {
    fn set_path(&mut self, path: Path, node: Node<'a>) {
        self.set(path, node);
    }
}

impl<'a> SetPath<'a> for Fields<'a> {
    fn set_path(&mut self, path: Path, node: Node<'a>) {
        self.set(path, node);
    }
}

/// A path's address and length.
type PathId = (usize, usize);

fn path_id(path: Path) -> PathId {
    (path.as_ptr() as usize, path.len())
}

/// `buffer` emptied, its allocation kept, for values of another lifetime: collecting an
/// emptied vector's iterator into a vector of a type of the same size and alignment reuses
/// its allocation (the standard library collects such iterators in place), and no value of
/// the old lifetime is left to outlive it.
fn emptied<T, U>(mut buffer: Vec<T>) -> Vec<U> {
    buffer.clear();
    buffer.into_iter().filter_map(|_| None).collect()
}

/// How to write a sequence of produced fields: the tree [`Fields::set`] would build from
/// them, walked depth first, with the text between the values written out once.
#[derive(Debug)]
pub(crate) struct Layout {
    /// Each field to write, in order: the text before its value (the braces that close, the
    /// comma, the keys of the objects that open, its own key) and the index of its entry in
    /// the list (the last one set at its path).
    fields: Vec<(Box<str>, usize)>,
    /// The text after the last value: the braces of the objects still open.
    end: Box<str>,
    /// The top-level keys, in order (a record's field of the same name needs the tree merge).
    top_keys: Vec<&'static str>,
}

/// A node of the tree a layout is computed from: a field's entry index, or an object.
enum Slot {
    Field(usize),
    Object(Vec<(&'static str, Slot)>),
}

impl Layout {
    /// The layout of `paths`, set in this order; `None` when the tree's rules need the tree
    /// (a path runs into a field set as a value, or a value is set where an object is).
    fn of(paths: &[Path]) -> Option<Layout> {
        let mut root: Vec<(&'static str, Slot)> = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            // An empty path sets nothing (as `Fields::set`).
            let Some((&last, parents)) = path.split_last() else {
                continue;
            };
            let mut level = &mut root;
            for &parent in parents {
                let at = match level.iter().position(|(key, _)| *key == parent) {
                    Some(at) => at,
                    None => {
                        level.push((parent, Slot::Object(Vec::new())));
                        level.len() - 1
                    }
                };
                level = match &mut level[at].1 {
                    Slot::Object(inner) => inner,
                    Slot::Field(_) => return None,
                };
            }
            match level.iter_mut().find(|(key, _)| *key == last) {
                Some((_, Slot::Field(slot))) => *slot = index,
                Some((_, Slot::Object(_))) => return None,
                None => level.push((last, Slot::Field(index))),
            }
        }
        let mut layout = Layout {
            fields: Vec::with_capacity(paths.len()),
            end: Box::default(),
            top_keys: root.iter().map(|(key, _)| *key).collect(),
        };
        let mut before = String::new();
        layout.walk(root, &mut before);
        layout.end = before.into();
        Some(layout)
    }

    /// Adds the fields of one object level; `before` holds the text written since the last
    /// value.
    fn walk(&mut self, level: Vec<(&'static str, Slot)>, before: &mut String) {
        for (at, (key, slot)) in level.into_iter().enumerate() {
            if at > 0 {
                before.push(',');
            }
            // A key of a profile's path needs no escape.
            before.push('"');
            before.push_str(key);
            before.push_str("\":");
            match slot {
                Slot::Field(index) => self.fields.push((std::mem::take(before).into(), index)),
                Slot::Object(inner) => {
                    before.push('{');
                    self.walk(inner, before);
                    before.push('}');
                }
            }
        }
    }

    /// Whether a top-level field of the produced ones is named `key`.
    pub(crate) fn has_top_key(&self, key: &str) -> bool {
        self.top_keys.contains(&key)
    }
}

/// How many sequences of paths are kept; when full, the cache starts afresh. A profile's
/// documents use a few dozen; a flood of odd events cannot grow it.
const CAPACITY: usize = 256;

/// A sequence of paths (their identities) and its layout, or `None` when it needs the tree.
type Cached = (Box<[PathId]>, Option<Arc<Layout>>);

/// Layouts by their sequence of paths.
#[derive(Debug, Default)]
pub(crate) struct Layouts {
    /// Keyed by a hash of the path identities; each holds the identities it was computed from
    /// (compared in full on a hit) and its layout, or `None` when the sequence needs the tree.
    by_hash: HashMap<u64, Vec<Cached>, BuildHasherDefault<Prehashed>>,
    len: usize,
}

impl Layouts {
    /// The layout of the sequence of paths `produced` set, computed once; `None` when the
    /// sequence needs the tree.
    pub(crate) fn get(&mut self, produced: &Produced<'_>) -> Option<Arc<Layout>> {
        let hash = produced.path_ids().fold(0u64, |hash, (address, len)| {
            (hash.rotate_left(5) ^ address as u64 ^ ((len as u64) << 56))
                .wrapping_mul(0x517c_c1b7_2722_0a95)
        });
        let same = |ids: &[PathId]| {
            ids.len() == produced.entries.len() && ids.iter().copied().eq(produced.path_ids())
        };
        if let Some(found) = self.by_hash.get(&hash)
            && let Some((_, layout)) = found.iter().find(|(ids, _)| same(ids))
        {
            return layout.clone();
        }
        let paths: Vec<Path> = produced.entries.iter().map(|(path, _)| *path).collect();
        let layout = Layout::of(&paths).map(Arc::new);
        if self.len >= CAPACITY {
            self.by_hash.clear();
            self.len = 0;
        }
        self.by_hash
            .entry(hash)
            .or_default()
            .push((produced.path_ids().collect(), layout.clone()));
        self.len += 1;
        layout
    }

    /// How many sequences are cached.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn text(value: &'static str) -> Node<'static> {
        Node::Text(Cow::Borrowed(value))
    }

    /// The document written through the layout, and through the tree.
    fn both(sets: &[(Path, &'static str)]) -> (Option<String>, String) {
        both_set(sets, false)
    }

    /// [`both`]; `mixed` sets the values every way a profile can, by turns: as a node, as a
    /// text copied into the document's buffer, and as a list in its list buffer.
    fn both_set(sets: &[(Path, &'static str)], mixed: bool) -> (Option<String>, String) {
        let produced = || {
            let mut produced = Produced::in_scratch(Scratch::default());
            for (index, &(path, value)) in sets.iter().enumerate() {
                match index % 3 {
                    1 if mixed => produced.set_copied(path, value),
                    2 if mixed => produced.set_list(path, [value, value].map(Cow::Borrowed)),
                    _ => produced.set(path, text(value)),
                }
            }
            produced
        };
        let mut layouts = Layouts::default();
        let laid = layouts.get(&produced()).map(|layout| {
            let mut out = String::from("{");
            produced().write_members(&layout, false, &mut out);
            out.push('}');
            out
        });
        (laid, produced().into_fields().to_json(0))
    }

    #[test]
    fn objects_are_grouped_where_their_first_field_was_set() {
        let (laid, tree) = both(&[
            (&["event", "original"], "o"),
            (&["message"], "m"),
            (&["event", "start"], "s"),
            (&["http", "request", "method"], "GET"),
            (&["user", "name"], "u"),
            (&["http", "response", "code"], "200"),
            (&["http", "request", "id"], "i"),
            (&[], "nothing"),
            (&["event", "original"], "o2"),
        ]);
        assert_eq!(
            laid.as_deref(),
            Some(
                r#"{"event":{"original":"o2","start":"s"},"message":"m","http":{"request":{"method":"GET","id":"i"},"response":{"code":"200"}},"user":{"name":"u"}}"#
            )
        );
        assert_eq!(laid.as_deref(), Some(tree.as_str()));
    }

    #[test]
    fn a_path_through_a_value_or_a_value_over_an_object_needs_the_tree() {
        let (laid, tree) = both(&[(&["user"], "u"), (&["user", "name"], "n")]);
        assert_eq!(laid, None);
        assert_eq!(tree, r#"{"user":{"name":"n"}}"#);
        let (laid, tree) = both(&[(&["user", "name"], "n"), (&["user"], "u")]);
        assert_eq!(laid, None);
        assert_eq!(tree, r#"{"user":"u"}"#);
    }

    #[test]
    fn every_sequence_of_paths_writes_what_the_tree_writes() {
        // Paths that share prefixes, nest, repeat and run into each other.
        const PATHS: [Path; 9] = [
            &["a"],
            &["a", "b"],
            &["a", "c"],
            &["a", "b", "c"],
            &["b"],
            &["b", "a"],
            &["c", "d", "e"],
            &["c", "d", "f"],
            &[],
        ];
        const VALUES: [&str; 4] = ["1", "2", "3", "4"];
        // A small linear congruential generator: the same sequences on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % bound
        };
        let (mut laid_out, mut needed_tree) = (0, 0);
        for _ in 0..2000 {
            let sets: Vec<(Path, &'static str)> = (0..1 + next(7))
                .map(|_| (PATHS[next(PATHS.len())], VALUES[next(VALUES.len())]))
                .collect();
            let (laid, tree) = both_set(&sets, laid_out % 2 == 1);
            // No layout exactly when one path runs through another's value.
            let through = sets.iter().any(|(path, _)| {
                sets.iter().any(|(other, _)| {
                    other.len() > path.len() && other.starts_with(path) && !path.is_empty()
                })
            });
            assert_eq!(laid.is_none(), through, "{sets:?}");
            match laid {
                Some(laid) => {
                    assert_eq!(laid, tree, "{sets:?}");
                    laid_out += 1;
                }
                None => needed_tree += 1,
            }
        }
        assert!(
            laid_out > 500 && needed_tree > 500,
            "{laid_out} {needed_tree}"
        );
    }

    #[test]
    fn a_documents_buffers_are_emptied_and_kept_for_the_next() {
        let mut produced = Produced::in_scratch(Scratch::default());
        produced.set_copied(&["at"], "2024-06-02T10:06:00.000000Z");
        produced.set_list(&["ips"], [Cow::Borrowed("10.0.0.1")]);
        produced.set_distinct_list(&["users"], ["a", "", "b", "a"].map(Cow::Borrowed));
        produced.set_distinct_list(&["none"], [Cow::Borrowed("")]);
        let tree = produced.into_fields().to_json(0);
        assert_eq!(
            tree,
            r#"{"at":"2024-06-02T10:06:00.000000Z","ips":["10.0.0.1"],"users":["a","b"]}"#
        );

        let mut produced = Produced::in_scratch(Scratch::default());
        produced.set_copied(&["at"], "x");
        produced.set_list(&["ips"], [Cow::Borrowed("10.0.0.1")]);
        let scratch = produced.into_scratch();
        let places = |s: &Scratch| {
            (
                s.entries.as_ptr() as usize,
                s.texts.as_ptr() as usize,
                s.items.as_ptr() as usize,
            )
        };
        let before = places(&scratch);
        let again = Produced::in_scratch(scratch);
        assert!(again.entries.is_empty() && again.texts.is_empty() && again.items.is_empty());
        assert_eq!(places(&again.into_scratch()), before);
    }

    #[test]
    fn layouts_are_computed_once_per_sequence_of_paths() {
        const A: Path = &["a", "x"];
        const B: Path = &["b"];
        let mut layouts = Layouts::default();
        let mut produced = Produced::default();
        produced.set(A, text("1"));
        produced.set(B, text("2"));
        let first = layouts.get(&produced).expect("a layout");
        let again = layouts.get(&produced).expect("a layout");
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(layouts.len(), 1);
        produced.set(A, text("3"));
        let other = layouts.get(&produced).expect("a layout");
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(layouts.len(), 2);
        assert!(other.has_top_key("a") && other.has_top_key("b") && !other.has_top_key("x"));
    }
}
