//! `stmgr --version` names the package version, the commit and the build date, and the
//! server's `build_info` metric carries the same three as labels.

use std::path::Path;
use std::process::Command;

use crate::rawhttp;
use crate::server_cli::ServerProc;
use crate::util::{TestDir, stmgr};

/// `(version, commit, date)` of `stmgr ARG` (`--version` or `-V`).
fn version_parts(arg: &str) -> (String, String, String) {
    let out = stmgr().arg(arg).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rest = text
        .strip_prefix("stmgr ")
        .and_then(|r| r.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("`stmgr VERSION (...)`: {text:?}"));
    let (version, rest) = rest.split_once(" (commit ").expect("(commit");
    let (commit, date) = rest.split_once(", built ").expect(", built");
    (version.into(), commit.into(), date.into())
}

/// HEAD of the checkout the binary was built from, when git can tell.
fn git_head() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_package_version_the_commit_and_the_build_date() {
    let (version, commit, date) = version_parts("--version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert_eq!(version_parts("-V"), (version, commit.clone(), date.clone()));
    let fields: Vec<&str> = date.split('-').collect();
    assert!(
        fields.len() == 3
            && fields[0].len() == 4
            && fields[1..].iter().all(|f| f.len() == 2)
            && fields.iter().all(|f| f.parse::<u32>().is_ok()),
        "date {date:?}"
    );
    // Built from this checkout (unless the build was told another commit).
    if let Some(head) = git_head().filter(|_| std::env::var_os("STMGR_BUILD_COMMIT").is_none()) {
        assert_eq!(commit.len(), 12, "{commit}");
        assert!(head.starts_with(&commit), "commit {commit}, HEAD {head}");
    } else {
        assert!(
            commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{commit}"
        );
    }
}

#[test]
fn build_info_metric_has_the_version_labels_and_the_value_1() {
    let (version, commit, date) = version_parts("--version");
    let t = TestDir::new();
    let srv = ServerProc::start(&t, &t.path().join("state"));
    let addr = srv.url.trim_start_matches("http://").to_string();
    let (status, _, body) = rawhttp::get(&addr, "/metrics", "");
    assert_eq!(status, 200, "{body}");
    let want =
        format!("build_info{{version=\"{version}\",commit=\"{commit}\",build_date=\"{date}\"}} 1");
    assert!(body.lines().any(|l| l == want), "no `{want}` in\n{body}");
    assert!(body.contains("# TYPE build_info gauge"), "{body}");
}
