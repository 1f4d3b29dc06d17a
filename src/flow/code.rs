//! Code snapshots of a flow's workers, so that a rollback runs the previous code and not only the
//! previous manifest. At each deploy, every worker's `code` directory is copied into
//! `DATA_DIR/flows/NAME/code/ID/`, where `ID` is the SHA-256 of the tree (relative paths, file
//! types, permission bits, contents and symlink targets); the manifest records it as the worker's
//! `code_id`, and the replicas run from the copy (`STMGR_FLOW_CODE` and their default working
//! directory point at it). A directory whose content did not change gets the same `ID` (the
//! deploy changes nothing); a rollback puts back the previous manifest and with it the previous
//! `ID`, whatever the operator wrote into the source directory since. Snapshots that neither the
//! manifest being deployed, the one in place nor its predecessor use are removed, except the
//! [`KEEP`] most recent.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::FlowError;
use super::manifest::Manifest;

/// Snapshots kept beyond the ones the flow's manifests use.
pub const KEEP: usize = 3;

/// Most files one code directory may hold (a directory that is not code, such as `/`, is
/// refused instead of copied).
pub const MAX_FILES: usize = 100_000;

/// The directory of flow `flow`'s snapshots: `ROOT/FLOW/code` (`ROOT` is `DATA_DIR/flows`).
pub fn code_root(root: &Path, flow: &str) -> PathBuf {
    root.join(flow).join("code")
}

/// Whether `id` has the form of a snapshot id (64 lowercase hex digits).
pub fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Snapshots every worker's `code` directory into `code_root` and sets its `code_id` (cleared
/// for a worker without `code`), then removes the snapshots none of `manifest`, `in_use` (the
/// manifests in place, stored JSON) nor the [`KEEP`] most recent use.
///
/// # Errors
/// [`FlowError::Manifest`] naming `workers.W.code` when a directory cannot be read or copied.
pub fn prepare(
    code_root: &Path,
    manifest: &mut Manifest,
    in_use: &[&str],
) -> Result<(), FlowError> {
    for (name, w) in &mut manifest.workers {
        w.code_id = match &w.code {
            Some(dir) => Some(snapshot(code_root, dir).map_err(|e| FlowError::Manifest {
                message: format!("workers.{name}.code: {}: {e}", dir.display()),
            })?),
            None => None,
        };
    }
    let mut keep: BTreeSet<String> = ids(manifest);
    for json in in_use {
        if let Ok(m) = Manifest::parse(json, super::Format::Json) {
            keep.extend(ids(&m));
        }
    }
    prune(code_root, &keep);
    Ok(())
}

/// [`prepare`] on a blocking thread, for a deploy: `current` is the flow's record in place
/// (its manifest and the one before stay usable by a rollback).
///
/// # Errors
/// As [`prepare`].
pub async fn prepare_async(
    code_root: PathBuf,
    mut manifest: Manifest,
    current: Option<&crate::store::state::flows::FlowRecord>,
) -> Result<Manifest, FlowError> {
    let in_use: Vec<String> = current
        .map(|c| {
            std::iter::once(c.manifest.to_string())
                .chain(c.previous.as_ref().map(|p| p.to_string()))
                .collect()
        })
        .unwrap_or_default();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = in_use.iter().map(String::as_str).collect();
        prepare(&code_root, &mut manifest, &refs).map(|()| manifest)
    })
    .await
    .map_err(|e| FlowError::Invalid(format!("code snapshot: {e}")))?
}

fn ids(m: &Manifest) -> BTreeSet<String> {
    m.workers
        .values()
        .filter_map(|w| w.code_id.clone())
        .collect()
}

/// Copies `src` into `code_root/ID` unless that snapshot exists; returns `ID`.
///
/// # Errors
/// `src` is not a readable directory, holds more than [`MAX_FILES`] entries, or the copy fails.
pub fn snapshot(code_root: &Path, src: &Path) -> std::io::Result<String> {
    let mut entries = Vec::new();
    list(src, Path::new(""), &mut entries)?;
    let mut hash = Sha256::new();
    for e in &entries {
        hash.update(e.rel.as_os_str().as_encoded_bytes());
        hash.update([0, e.kind as u8]);
        hash.update(e.mode.to_be_bytes());
        match e.kind {
            Kind::File => {
                let mut f = std::fs::File::open(src.join(&e.rel))?;
                let mut buf = [0u8; 64 * 1024];
                let mut len = 0u64;
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    len += n as u64;
                    hash.update(&buf[..n]);
                }
                hash.update(len.to_be_bytes());
            }
            Kind::Link => {
                let target = std::fs::read_link(src.join(&e.rel))?;
                hash.update(target.as_os_str().as_encoded_bytes());
                hash.update([0]);
            }
            Kind::Dir => {}
        }
    }
    let id: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let dest = code_root.join(&id);
    if dest.is_dir() {
        // Touched, so that pruning counts it as recent.
        let _ =
            std::fs::File::open(&dest).and_then(|f| f.set_modified(std::time::SystemTime::now()));
        return Ok(id);
    }
    std::fs::create_dir_all(code_root)?;
    let tmp = code_root.join(format!(".tmp-{id}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp)?;
    let copied = copy(src, &tmp, &entries);
    if let Err(e) = copied.and_then(|()| std::fs::rename(&tmp, &dest)) {
        let _ = std::fs::remove_dir_all(&tmp);
        // Another deploy made the same snapshot meanwhile.
        if dest.is_dir() {
            return Ok(id);
        }
        return Err(e);
    }
    Ok(id)
}

#[derive(Clone, Copy)]
enum Kind {
    File = 1,
    Dir = 2,
    Link = 3,
}

struct Entry {
    rel: PathBuf,
    kind: Kind,
    mode: u32,
}

/// Every entry under `dir`, depth first in name order (so the hash does not depend on the
/// order `read_dir` returns).
fn list(base: &Path, rel: &Path, out: &mut Vec<Entry>) -> std::io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(base.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let rel = rel.join(name);
        let meta = std::fs::symlink_metadata(base.join(&rel))?;
        let kind = if meta.file_type().is_symlink() {
            Kind::Link
        } else if meta.is_dir() {
            Kind::Dir
        } else if meta.is_file() {
            Kind::File
        } else {
            // Sockets, pipes and devices are not code.
            continue;
        };
        if out.len() >= MAX_FILES {
            return Err(std::io::Error::other(format!(
                "more than {MAX_FILES} files: point `code` at the worker's own directory"
            )));
        }
        out.push(Entry {
            rel: rel.clone(),
            kind,
            mode: meta.mode() & 0o7777,
        });
        if let Kind::Dir = kind {
            list(base, &rel, out)?;
        }
    }
    Ok(())
}

fn copy(src: &Path, dest: &Path, entries: &[Entry]) -> std::io::Result<()> {
    for e in entries {
        let to = dest.join(&e.rel);
        match e.kind {
            Kind::Dir => std::fs::create_dir(&to)?,
            Kind::File => {
                std::fs::copy(src.join(&e.rel), &to)?;
            }
            Kind::Link => std::os::unix::fs::symlink(std::fs::read_link(src.join(&e.rel))?, &to)?,
        }
    }
    // Modes last, so a read-only directory does not refuse its own files.
    for e in entries.iter().rev() {
        if !matches!(e.kind, Kind::Link) {
            std::fs::set_permissions(dest.join(&e.rel), std::fs::Permissions::from_mode(e.mode))?;
        }
    }
    Ok(())
}

/// Removes the snapshots in `code_root` that are not in `keep`, beyond the [`KEEP`] most
/// recently used, and temporary copies a killed deploy left.
fn prune(code_root: &Path, keep: &BTreeSet<String>) {
    let Ok(dir) = std::fs::read_dir(code_root) else {
        return;
    };
    let mut others = Vec::new();
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") {
            if !name.ends_with(&format!("-{}", std::process::id())) {
                remove(&e.path());
            }
            continue;
        }
        if !valid_id(&name) || keep.contains(&name) {
            continue;
        }
        let used = e
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        others.push((used, e.path()));
    }
    others.sort();
    let extra = others.len().saturating_sub(KEEP);
    for (_, path) in others.into_iter().take(extra) {
        remove(&path);
    }
}

/// Removes a snapshot (its directories may be read-only).
fn remove(path: &Path) {
    if std::fs::remove_dir_all(path).is_ok() {
        return;
    }
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if let Ok(m) = std::fs::symlink_metadata(&p)
            && m.is_dir()
        {
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700));
            if let Ok(d) = std::fs::read_dir(&p) {
                stack.extend(d.flatten().map(|e| e.path()));
            }
        }
    }
    let _ = std::fs::remove_dir_all(path);
}

/// The directory replicas of a worker run from: its snapshot when it has one, else its `code`
/// (also when the snapshot is missing: a data directory restored from an engine snapshot has
/// the flows but not their code copies, until the next deploy makes them again).
pub fn run_dir(code_root: &Path, code: Option<&Path>, id: Option<&str>) -> Option<PathBuf> {
    match id {
        Some(id) if valid_id(id) && code_root.join(id).is_dir() => Some(code_root.join(id)),
        _ => code.map(Path::to_path_buf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn a_snapshot_is_a_copy_named_by_content_and_survives_the_source_changing() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        let root = t.path().join("code");
        tree(&src, &[("main.sh", "echo v1\n"), ("lib/a.txt", "a")]);
        std::fs::set_permissions(src.join("main.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::os::unix::fs::symlink("lib/a.txt", src.join("link")).unwrap();
        let v1 = snapshot(&root, &src).unwrap();
        assert!(valid_id(&v1));
        assert_eq!(snapshot(&root, &src).unwrap(), v1, "same content, same id");
        let copy = root.join(&v1);
        assert_eq!(
            std::fs::read_to_string(copy.join("main.sh")).unwrap(),
            "echo v1\n"
        );
        assert_eq!(std::fs::read_to_string(copy.join("link")).unwrap(), "a");
        let mode = std::fs::metadata(copy.join("main.sh")).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o755);

        tree(&src, &[("main.sh", "echo v2\n")]);
        let v2 = snapshot(&root, &src).unwrap();
        assert_ne!(v1, v2);
        assert_eq!(
            std::fs::read_to_string(copy.join("main.sh")).unwrap(),
            "echo v1\n"
        );
        // A mode change is a change too.
        std::fs::set_permissions(src.join("main.sh"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert_ne!(snapshot(&root, &src).unwrap(), v2);
        assert!(snapshot(&root, &t.path().join("missing")).is_err());
        // Replicas run from the snapshot; from the source when the snapshot is gone.
        assert_eq!(run_dir(&root, Some(&src), Some(&v1)), Some(root.join(&v1)));
        let gone = "0".repeat(64);
        assert_eq!(run_dir(&root, Some(&src), Some(&gone)), Some(src.clone()));
        assert_eq!(run_dir(&root, None, None), None);
    }

    #[test]
    fn pruning_keeps_what_is_in_use_and_the_most_recent() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        let root = t.path().join("code");
        let mut made = Vec::new();
        for i in 0..8 {
            tree(&src, &[("v", &i.to_string())]);
            made.push(snapshot(&root, &src).unwrap());
            // Distinct modification times.
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(100 - i);
            std::fs::File::open(root.join(&made[i as usize]))
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        std::fs::create_dir(root.join(".tmp-dead-1")).unwrap();
        let keep: BTreeSet<String> = [made[0].clone()].into();
        prune(&root, &keep);
        let mut left: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            made[0].clone(),
            made[5].clone(),
            made[6].clone(),
            made[7].clone(),
        ];
        want.sort();
        assert_eq!(left, want);
    }
}
