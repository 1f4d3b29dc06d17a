//! Names of the objects in a backup location (see the module doc of [`super`] for the whole
//! layout) and the layout file `stmgr.json`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The layout version this stmgr writes and reads.
pub const LAYOUT_VERSION: u32 = 1;
/// Version of the JSON manifests (`format` field) this stmgr writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

/// `stmgr.json`: what the location holds and who made it, so a person with only the bucket can
/// find the documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutFile {
    /// The layout version ([`LAYOUT_VERSION`]).
    pub layout: u32,
    /// `stmgr <version>` that created the location.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Where the layout is described.
    pub docs: String,
}

impl LayoutFile {
    /// The layout file this stmgr writes.
    pub fn current() -> LayoutFile {
        LayoutFile {
            layout: LAYOUT_VERSION,
            created_by: created_by(),
            created_at: Utc::now(),
            docs: "stmgr backup layout v1: snapshots/<id>.snap with snapshots/<id>.json \
                   (manifest, written last: a snapshot exists only with its manifest); \
                   wal/<generation>/generation.json and \
                   wal/<generation>/<first_seq>-<last_seq>.wal with .json manifests; \
                   leases/<name>.json. See the `stmgr::backup` module documentation."
                .into(),
        }
    }
}

/// `stmgr <version>`.
pub fn created_by() -> String {
    concat!("stmgr ", env!("CARGO_PKG_VERSION")).to_owned()
}

/// Key names relative to the location's prefix.
pub mod keys {
    /// The layout file.
    pub const LAYOUT: &str = "stmgr.json";
    /// Folder of snapshots.
    pub const SNAPSHOTS: &str = "snapshots";
    /// Folder of generations and their WAL pieces.
    pub const WAL: &str = "wal";
    /// Folder of leases.
    pub const LEASES: &str = "leases";
    /// A generation's description, inside its folder.
    pub const GENERATION: &str = "generation.json";

    /// `snapshots/<id>.snap`.
    pub fn snapshot_data(id: &str) -> String {
        format!("{SNAPSHOTS}/{id}.snap")
    }

    /// `snapshots/<id>.json`.
    pub fn snapshot_manifest(id: &str) -> String {
        format!("{SNAPSHOTS}/{id}.json")
    }

    /// `wal/<generation>/generation.json`.
    pub fn generation(generation: &str) -> String {
        format!("{WAL}/{generation}/{GENERATION}")
    }

    /// `wal/<generation>/<first_seq>-<last_seq>` (20 digits each), without extension.
    pub fn wal_stem(generation: &str, first_seq: u64, last_seq: u64) -> String {
        format!("{WAL}/{generation}/{first_seq:020}-{last_seq:020}")
    }

    /// `leases/<name>.json`.
    pub fn lease(name: &str) -> String {
        format!("{LEASES}/{name}.json")
    }
}

/// True for `snap-` followed by letters and digits (a snapshot id as the engine makes them).
pub fn valid_snapshot_id(id: &str) -> bool {
    id.strip_prefix("snap-").is_some_and(|r| {
        !r.is_empty() && r.len() <= 64 && r.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// True for `gen-` followed by letters and digits.
pub fn valid_generation(id: &str) -> bool {
    id.strip_prefix("gen-").is_some_and(|r| {
        !r.is_empty() && r.len() <= 64 && r.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// True for a lease name: 1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.`.
pub fn valid_lease_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Parses `<first_seq>-<last_seq>` (the stem of a WAL piece's name).
pub fn parse_wal_stem(stem: &str) -> Option<(u64, u64)> {
    let (a, b) = stem.split_once('-')?;
    if a.len() != 20 || b.len() != 20 {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(keys::snapshot_data("snap-01AB"), "snapshots/snap-01AB.snap");
        assert_eq!(
            keys::wal_stem("gen-01X", 1, 250),
            "wal/gen-01X/00000000000000000001-00000000000000000250"
        );
        assert_eq!(
            parse_wal_stem("00000000000000000001-00000000000000000250"),
            Some((1, 250))
        );
        assert_eq!(parse_wal_stem("1-250"), None);
        assert!(valid_snapshot_id("snap-01J9Z"));
        assert!(!valid_snapshot_id("snap-../x") && !valid_snapshot_id("snap-"));
        assert!(valid_generation("gen-01J9Z") && !valid_generation("01J9Z"));
        assert!(valid_lease_name("replicate.main") && !valid_lease_name("../x"));
    }
}
