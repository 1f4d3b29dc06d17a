//! Shipping a snapshot just taken to a backup location: from the data directory's file, or
//! fetched from the server first (`GET /admin/snapshots/{id}/file`) into a temporary file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use futures_util::StreamExt;

use crate::backup::{SnapshotManifest, UploadInfo};
use crate::cli::context::Context;
use crate::cli::storage::Opened;
use crate::client::Client;

/// Uploads the snapshot file `path` with `tags`.
///
/// # Errors
/// The target's errors, a file that cannot be read.
pub fn upload(
    ctx: &Context,
    to: &Opened,
    path: &Path,
    tags: &BTreeSet<String>,
) -> anyhow::Result<SnapshotManifest> {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    to.bar.set_length(len);
    to.bar.set_position(0);
    to.bar.set_message("uploading");
    let info = UploadInfo {
        tags: tags.clone(),
        ..UploadInfo::default()
    };
    let m = ctx.block_on(to.target.upload_snapshot(path, info));
    to.bar.finish_and_clear();
    Ok(m?)
}

/// Fetches the server's snapshot `id` into a temporary directory and uploads it from there.
///
/// # Errors
/// The server's and the target's errors.
pub fn upload_from_server(
    ctx: &Context,
    client: &Client,
    to: &Opened,
    id: &str,
    tags: &BTreeSet<String>,
) -> anyhow::Result<SnapshotManifest> {
    let tmp = std::env::temp_dir().join(format!("stmgr-ship-{}", ulid::Ulid::generate()));
    std::fs::create_dir(&tmp).with_context(|| format!("create {}", tmp.display()))?;
    let path = tmp.join(format!("{id}.snap"));
    let result = (|| {
        ctx.block_on(async {
            let mut stream = client.snapshot_file(id).await?;
            let mut f = std::fs::File::create_new(&path)
                .with_context(|| format!("create {}", path.display()))?;
            while let Some(chunk) = stream.next().await {
                f.write_all(&chunk?)
                    .with_context(|| format!("write {}", path.display()))?;
            }
            f.sync_all()?;
            anyhow::Ok(())
        })?;
        upload(ctx, to, &path, tags)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
