//! The committed `completions/` and `man/` must match what `stmgr generate` writes today.
//! `STMGR_REGENERATE=1 cargo test` rewrites them instead of failing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::TestDir;

const GENERATED_DIRS: [&str; 2] = ["completions", "man"];

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let dir = TestDir::new();
    let fresh = dir.path().join("generated");
    dir.stmgr()
        .arg("generate")
        .arg("--out-dir")
        .arg(&fresh)
        .assert()
        .success();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    if std::env::var_os("STMGR_REGENERATE").is_some_and(|v| v == "1") {
        for sub in GENERATED_DIRS {
            replace_dir(&fresh.join(sub), &repo.join(sub));
        }
        return;
    }

    let mut problems = Vec::new();
    for sub in GENERATED_DIRS {
        let (want, have) = (fresh.join(sub), repo.join(sub));
        let names: BTreeSet<PathBuf> = files(&want).into_iter().chain(files(&have)).collect();
        for name in names {
            let shown = Path::new(sub).join(&name);
            match (fs::read(want.join(&name)), fs::read(have.join(&name))) {
                (Ok(_), Err(_)) => problems.push(format!("missing: {}", shown.display())),
                (Err(_), Ok(_)) => problems.push(format!("stale: {}", shown.display())),
                (Ok(a), Ok(b)) if a != b => problems.push(format!("outdated: {}", shown.display())),
                _ => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "completions/ and man/ are not what `stmgr generate` writes:\n  {}\n\
         Run `STMGR_REGENERATE=1 cargo test --test it generated` and commit the result.",
        problems.join("\n  ")
    );
}

/// File names directly inside `dir` (none if it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|entry| PathBuf::from(entry.expect("read directory entry").file_name()))
        .collect()
}

/// Makes `to` hold exactly the files of `from`.
fn replace_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create generated directory");
    for name in files(to) {
        if !from.join(&name).exists() {
            fs::remove_file(to.join(&name)).expect("remove stale generated file");
        }
    }
    for name in files(from) {
        fs::copy(from.join(&name), to.join(&name)).expect("copy generated file");
    }
}
