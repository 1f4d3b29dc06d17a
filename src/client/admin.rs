//! The admin routes: snapshot (take, prune, remove, fetch the file), trim-wal, manifest, dump. Answers decode into the admin
//! domain's wire types, the same the offline commands print.

use futures_util::{Stream, StreamExt};
use reqwest::Method;

use super::{Client, ClientError, Result};
use crate::admin::{
    KeepPolicy, Manifest, SnapshotOut, SnapshotPruneOut, SnapshotRemovedOut, SnapshotRequest,
    TrimOut,
};

impl Client {
    /// `POST /admin/snapshot`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn snapshot(&self) -> Result<SnapshotOut> {
        self.json(self.request(Method::POST, self.url(&["admin", "snapshot"])))
            .await
    }

    /// `POST /admin/trim-wal?snapshot_id=ID&dry_run=B`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn trim_wal(&self, snapshot_id: &str, dry_run: bool) -> Result<TrimOut> {
        let mut url = self.url(&["admin", "trim-wal"]);
        url.query_pairs_mut()
            .append_pair("snapshot_id", snapshot_id)
            .append_pair("dry_run", if dry_run { "true" } else { "false" });
        self.json(self.request(Method::POST, url)).await
    }

    /// `GET /admin/dump`: one JSON object per line.
    ///
    /// # Errors
    /// Transport and API errors.
    pub async fn dump(&self) -> Result<impl Stream<Item = Result<bytes::Bytes>> + use<>> {
        let resp = self
            .send_stream(self.request(Method::GET, self.url(&["admin", "dump"])))
            .await?;
        let url = resp.url().to_string();
        Ok(resp.bytes_stream().map(move |c| {
            c.map_err(|e| ClientError::Transport {
                url: url.clone(),
                source: e,
            })
        }))
    }

    /// `GET /admin/manifest`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn manifest(&self) -> Result<Manifest> {
        self.json(self.request(Method::GET, self.url(&["admin", "manifest"])))
            .await
    }

    /// `POST /admin/snapshot` with tags.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn snapshot_tagged(&self, tags: &[String]) -> Result<SnapshotOut> {
        let body = SnapshotRequest {
            tags: tags.to_vec(),
        };
        self.json(
            self.request(Method::POST, self.url(&["admin", "snapshot"]))
                .json(&body),
        )
        .await
    }

    /// `POST /admin/snapshots/prune`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn prune_snapshots(&self, keep: &KeepPolicy) -> Result<SnapshotPruneOut> {
        self.json(
            self.request(Method::POST, self.url(&["admin", "snapshots", "prune"]))
                .json(keep),
        )
        .await
    }

    /// `DELETE /admin/snapshots/{snapshot_id}`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn remove_snapshot(&self, snapshot_id: &str) -> Result<SnapshotRemovedOut> {
        self.json(self.request(
            Method::DELETE,
            self.url(&["admin", "snapshots", snapshot_id]),
        ))
        .await
    }

    /// `GET /admin/snapshots/{snapshot_id}/file`: the snapshot file's bytes.
    ///
    /// # Errors
    /// Transport and API errors.
    pub async fn snapshot_file(
        &self,
        snapshot_id: &str,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes>> + use<>> {
        let resp = self
            .send_stream(self.request(
                Method::GET,
                self.url(&["admin", "snapshots", snapshot_id, "file"]),
            ))
            .await?;
        let url = resp.url().to_string();
        Ok(resp.bytes_stream().map(move |c| {
            c.map_err(|e| ClientError::Transport {
                url: url.clone(),
                source: e,
            })
        }))
    }
}
