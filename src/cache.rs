//! An on-disk cache of what holdscreen derives from list files: the parsed entries of a
//! list snapshot and the lookup index over a set of snapshots.
//!
//! Parsing the 3.9 MB SDN CSV and indexing its 6,900 entities costs ~10x what screening a
//! 1,000-row book costs; a pre-trade check runs again and again against the same files. The
//! cache turns that into reading one file.
//!
//! What keeps it safe:
//! * the key is the SHA-256 of the source files' own SHA-256 (computed from their bytes on
//!   every run: the evidence never trusts the cache for what was screened), of what is
//!   cached, and of a fingerprint of this program's source code (build.rs): a different
//!   file or a different build never reads an entry;
//! * entries are written to a temporary file and renamed into place, so a reader sees a
//!   whole entry or none; an entry that does not decode is ignored and rewritten;
//! * any failure to read or write the cache only costs time: the list is then parsed
//!   again; the result is the same either way (tested).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// First bytes of every cache file (bumped when the envelope changes).
const MAGIC: &[u8; 8] = b"HSCACHE1";

/// The fingerprint of this build's source code (see build.rs).
pub const BUILD_FINGERPRINT: &str = env!("HOLDSCREEN_SOURCE_FINGERPRINT");

/// Cache files kept per kind; older ones are removed when a new one is written.
const KEEP_PER_KIND: usize = 8;

/// Lists smaller than this are parsed every time (faster than reading a cache file).
pub const MIN_CACHED_BYTES: u64 = 512 * 1024;

/// A folder of cache files.
#[derive(Debug, Clone)]
pub struct ListCache {
    dir: PathBuf,
}

impl ListCache {
    pub fn new(dir: impl Into<PathBuf>) -> ListCache {
        ListCache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of an item: SHA-256 over the build fingerprint, the kind and the parts.
    pub fn key(kind: &str, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(BUILD_FINGERPRINT.as_bytes());
        h.update([0]);
        h.update(kind.as_bytes());
        for p in parts {
            h.update([0]);
            h.update(p.as_bytes());
        }
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    }

    fn path(&self, kind: &str, key: &str) -> PathBuf {
        self.dir.join(format!("{kind}-{key}.bin"))
    }

    /// The cached item, if present and readable.
    pub fn load<T: DeserializeOwned>(&self, kind: &str, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(kind, key)).ok()?;
        let body = bytes.strip_prefix(MAGIC.as_slice())?;
        postcard::from_bytes(body).ok()
    }

    /// Store an item; failures are returned for tests but cost only time to callers.
    pub fn store<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> std::io::Result<()> {
        let mut bytes = MAGIC.to_vec();
        postcard::to_io(value, &mut bytes).map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(self.path(kind, key)).map_err(|e| e.error)?;
        self.prune(kind);
        Ok(())
    }

    /// Remove all but the newest [`KEEP_PER_KIND`] files of a kind.
    fn prune(&self, kind: &str) {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!("{kind}-");
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = read
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".bin"))
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if files.len() <= KEEP_PER_KIND {
            return;
        }
        files.sort();
        for (_, path) in &files[..files.len() - KEEP_PER_KIND] {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Items stored as separately encoded chunks, so that a cached list decodes on every core.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chunked<T>(pub Vec<T>);

/// Chunks per [`Chunked`] (a few per core of a large machine; decoding is the cost).
const CHUNKS: usize = 16;

impl<T: Serialize> Serialize for Chunked<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let size = self.0.len().div_ceil(CHUNKS).max(1);
        let mut seq = s.serialize_seq(Some(self.0.len().div_ceil(size)))?;
        for chunk in self.0.chunks(size) {
            let bytes = postcard::to_stdvec(chunk).map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&Bytes(&bytes))?;
        }
        seq.end()
    }
}

/// Bytes written as one byte string (a `Vec<u8>` would be written byte by byte).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de, T: DeserializeOwned + Send> Deserialize<'de> for Chunked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Chunked<T>, D::Error> {
        let chunks = <Vec<&'de [u8]>>::deserialize(d)?;
        let decoded: Vec<Vec<T>> = chunks
            .par_iter()
            .map(|c| postcard::from_bytes::<Vec<T>>(c))
            .collect::<Result<_, _>>()
            .map_err(serde::de::Error::custom)?;
        Ok(Chunked(decoded.into_iter().flatten().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_miss_and_corrupt_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ListCache::new(dir.path().join("c"));
        let key = ListCache::key("t", &["a", "b"]);
        assert_eq!(key.len(), 64);
        assert_ne!(key, ListCache::key("t", &["ab"]));
        assert_eq!(cache.load::<Vec<String>>("t", &key), None);
        cache.store("t", &key, &vec!["x".to_string()]).unwrap();
        assert_eq!(cache.load::<Vec<String>>("t", &key), Some(vec!["x".into()]));
        // A damaged file is a miss, never an error or a wrong value.
        std::fs::write(cache.path("t", &key), b"HSCACHE1\xff\xff\xff").unwrap();
        assert_eq!(cache.load::<Vec<String>>("t", &key), None);
        std::fs::write(cache.path("t", &key), b"garbage").unwrap();
        assert_eq!(cache.load::<Vec<String>>("t", &key), None);
    }

    #[test]
    fn chunked_round_trip() {
        for n in [0usize, 1, 15, 16, 17, 1000] {
            let v = Chunked((0..n).map(|i| format!("item {i}")).collect::<Vec<_>>());
            let bytes = postcard::to_stdvec(&v).unwrap();
            assert_eq!(postcard::from_bytes::<Chunked<String>>(&bytes).unwrap(), v);
        }
    }

    #[test]
    fn prune_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ListCache::new(dir.path());
        for i in 0..(KEEP_PER_KIND + 3) {
            cache
                .store("k", &ListCache::key("k", &[&i.to_string()]), &i)
                .unwrap();
        }
        cache.store("other", "x", &1u8).unwrap();
        let count = |p: &str| {
            std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_str().unwrap().starts_with(p))
                .count()
        };
        assert_eq!(count("k-"), KEEP_PER_KIND);
        assert_eq!(count("other-"), 1);
    }
}
