//! A bounded cache of parsed user agents.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{UserAgentFields, parse};

/// How many distinct user agents are kept; when full, the cache starts afresh. Clusters have
/// a few dozen distinct user agents, so it rarely fills; a flood of unique ones cannot grow it.
const CAPACITY: usize = 1024;

/// Parsed user agents by their text: the common case costs one hash lookup.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<Box<str>, UserAgentFields, BuildHasherDefault<FnvHasher>>,
}

impl Cache {
    /// The families of `user_agent`, parsed once and then served from the cache.
    pub fn parse(&mut self, user_agent: &str) -> UserAgentFields {
        if let Some(fields) = self.entries.get(user_agent) {
            return fields.clone();
        }
        let fields = parse(user_agent);
        if self.entries.len() >= CAPACITY {
            self.entries.clear();
        }
        self.entries.insert(user_agent.into(), fields.clone());
        fields
    }

    /// How many user agents are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// FNV-1a ([`crate::fnv1a`]): a fixed hasher, so the component asks its host for no random seed.
#[derive(Default)]
struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = crate::fnv::fnv1a(self.0, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_and_stays_bounded() {
        let mut cache = Cache::default();
        let kubectl = "kubectl/v1.28.2 (linux/amd64) kubernetes/89a4ea3";
        assert_eq!(cache.parse(kubectl), parse(kubectl));
        assert_eq!(cache.parse(kubectl), parse(kubectl));
        assert_eq!(cache.len(), 1);
        for i in 0..3 * CAPACITY {
            cache.parse(&format!("client-{i}/1.0"));
        }
        assert!(cache.len() <= CAPACITY);
    }
}
