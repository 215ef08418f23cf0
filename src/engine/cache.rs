//! The answer cache (contract §5 "Cache"): an answer is reused for the same base URL, key
//! and canonical path for five minutes, in memory only (never in storage: a page's answers
//! are the partner's data), and then costs no request.

use crate::api::types::AnalyticsResponse;
use crate::contract::SecretKey;
use std::collections::HashMap;
use std::sync::Arc;

/// How long an answer is reused.
pub const TTL_MS: i64 = 5 * 60 * 1000;
/// At most this many answers are kept (each is at most one page of 100 instances); the
/// oldest goes first.
pub const MAX_ENTRIES: usize = 400;

/// What an answer is cached under: who asked (base URL and key) and what (the canonical
/// path, contract §2, which already normalizes the query).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub base_url: String,
    pub key: SecretKey,
    pub path: String,
}

#[derive(Clone, Debug)]
struct Entry {
    stored_at_ms: i64,
    response: Arc<AnalyticsResponse>,
    text: Arc<str>,
}

/// The cache itself; time is passed in, so it is tested with a pinned clock.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<CacheKey, Entry>,
}

impl Cache {
    /// The answer for `key` and when it was stored, if it is younger than [`TTL_MS`]
    /// (an expired one is dropped). A clock that went backwards expires it too.
    pub fn get(
        &mut self,
        key: &CacheKey,
        now_ms: i64,
    ) -> Option<(Arc<AnalyticsResponse>, Arc<str>, i64)> {
        let entry = self.entries.get(key)?;
        let age = now_ms - entry.stored_at_ms;
        if (0..TTL_MS).contains(&age) {
            Some((
                entry.response.clone(),
                entry.text.clone(),
                entry.stored_at_ms,
            ))
        } else {
            self.entries.remove(key);
            None
        }
    }

    /// Whether `key` would be answered from the cache at `now_ms` (no side effect).
    pub fn has(&self, key: &CacheKey, now_ms: i64) -> bool {
        self.entries
            .get(key)
            .is_some_and(|e| (0..TTL_MS).contains(&(now_ms - e.stored_at_ms)))
    }

    /// Keeps `response` (and its `text`) under `key`, dropping expired answers and, when
    /// full, the oldest.
    pub fn put(
        &mut self,
        key: CacheKey,
        response: Arc<AnalyticsResponse>,
        text: Arc<str>,
        now_ms: i64,
    ) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries
                .retain(|_, e| (0..TTL_MS).contains(&(now_ms - e.stored_at_ms)));
        }
        if self.entries.len() >= MAX_ENTRIES {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.stored_at_ms)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            key,
            Entry {
                stored_at_ms: now_ms,
                response,
                text,
            },
        );
    }

    /// The paths of the answers `base_url` and `key` would get from the cache at `now_ms`
    /// (at most [`MAX_ENTRIES`]).
    pub fn live_paths<'a>(
        &'a self,
        base_url: &'a str,
        key: &'a SecretKey,
        now_ms: i64,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, e)| {
                k.base_url == base_url
                    && k.key == *key
                    && (0..TTL_MS).contains(&(now_ms - e.stored_at_ms))
            })
            .map(|(k, _)| k.path.as_str())
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
