//! Build script: the commit and the build date that `stmgr --version` and the `build_info`
//! metric show (`STMGR_BUILD_COMMIT` and `STMGR_BUILD_DATE` for the compiler).
//!
//! It never downloads anything and never fails the build. The commit is, in order:
//! `STMGR_BUILD_COMMIT` from the environment (a container build without `.git`), `git rev-parse`
//! when this directory is the top of a git checkout, the `sha1` of `.cargo_vcs_info.json` (a
//! crate packaged by `cargo package` or installed from a registry), else `unknown`. The date
//! (UTC, `YYYY-MM-DD`) is that of `SOURCE_DATE_EPOCH` when set (reproducible builds), else
//! today's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Characters of the commit hash shown (like `git log --oneline` in a large repository).
const SHORT: usize = 12;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-env-changed=STMGR_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");

    let commit = env_commit()
        .or_else(|| git_commit(&dir))
        .or_else(|| vcs_info_commit(&dir))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=STMGR_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=STMGR_BUILD_DATE={}", build_date());
}

fn env_commit() -> Option<String> {
    let c = std::env::var("STMGR_BUILD_COMMIT").ok()?;
    let c = c.trim();
    (!c.is_empty()).then(|| short(c))
}

/// `git rev-parse HEAD`, only when `dir` is the top of the checkout (a source tarball unpacked
/// inside another repository must not take that repository's commit). Asks cargo to run this
/// again when HEAD moves.
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "HEAD"])?;
    // HEAD itself (a checkout, a detached HEAD), the branch it points to (a commit) and the
    // packed refs (a fetch that packs them); in a worktree these live in different places.
    let mut watched = vec![git(dir, &["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(dir, &["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(dir, &["rev-parse", "--git-path", "packed-refs"]));
    for path in watched.into_iter().flatten() {
        let path = dir.join(path);
        // A path that does not exist would make cargo run this script on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Some(short(&commit))
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The `"sha1": "..."` of `.cargo_vcs_info.json` (read without a JSON parser: the build script
/// has no dependencies).
fn vcs_info_commit(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after.split('"').nth(1)?;
    value
        .chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| short(value))
        .filter(|c| !c.is_empty())
}

fn short(commit: &str) -> String {
    commit.chars().take(SHORT).collect()
}

/// `SOURCE_DATE_EPOCH` or now, as a UTC date.
fn build_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
