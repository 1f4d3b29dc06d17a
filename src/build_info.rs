//! What this binary is: its version, the commit it was built from and the build date, as
//! `stmgr --version` prints them and the `build_info` metric exports them (set by `build.rs`,
//! which falls back to `unknown` for the commit outside a git checkout).

/// The package version (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit built, 12 hex digits, or `unknown`.
pub const COMMIT: &str = env!("STMGR_BUILD_COMMIT");

/// The build date, UTC, `YYYY-MM-DD` (`SOURCE_DATE_EPOCH`'s when it was set).
pub const BUILD_DATE: &str = env!("STMGR_BUILD_DATE");

/// What `stmgr --version` prints after `stmgr `.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("STMGR_BUILD_COMMIT"),
    ", built ",
    env!("STMGR_BUILD_DATE"),
    ")"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_line_names_version_commit_and_date() {
        assert!(VERSION_LINE.starts_with(VERSION));
        assert!(VERSION_LINE.contains(COMMIT));
        assert!(VERSION_LINE.ends_with(&format!("built {BUILD_DATE})")));
        assert!(COMMIT == "unknown" || COMMIT.chars().all(|c| c.is_ascii_hexdigit()));
        let parts: Vec<&str> = BUILD_DATE.split('-').collect();
        assert_eq!(parts.len(), 3, "{BUILD_DATE}");
        assert!(
            parts.iter().all(|p| p.parse::<u32>().is_ok()),
            "{BUILD_DATE}"
        );
    }
}
