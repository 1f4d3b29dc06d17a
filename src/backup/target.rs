//! An opened backup location ([`Target`]): the `object_store` client for it, the key prefix, the
//! timeouts, and the few object operations the layout is built from, each turning the client's
//! errors into [`BackupError`]s that name the object's URL.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{
    BackoffConfig, ClientOptions, ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutOptions,
    PutPayload, PutResult, RetryConfig,
};
use tokio::sync::OnceCell;

use super::credentials::Credentials;
use super::error::{BackupError, Redactor, Result};
use super::layout::{LAYOUT_VERSION, LayoutFile, keys};
use super::location::Location;

/// Timeouts, retries and transfer sizes. The defaults suit a server on a network: a dead
/// endpoint fails within about 20 s, not the client's default 3 minutes.
#[derive(Debug, Clone)]
pub struct TargetOptions {
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for one request, body included (one part of a multipart upload).
    pub request_timeout: Duration,
    /// Retries of a failed idempotent request.
    pub max_retries: usize,
    /// No retry starts after this long.
    pub retry_timeout: Duration,
    /// Files up to this size go up in one request; larger ones in parts of this size.
    pub part_size: usize,
    /// Parts uploaded at once.
    pub upload_concurrency: usize,
    /// Told the bytes of each piece of a file upload or download as it moves (a progress bar).
    pub progress: Option<Progress>,
}

/// A callback told how many more bytes of a file transfer moved.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl Progress {
    pub(crate) fn add(progress: Option<&Progress>, bytes: u64) {
        if let Some(p) = progress {
            (p.0)(bytes);
        }
    }
}

impl Default for TargetOptions {
    fn default() -> Self {
        TargetOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(120),
            max_retries: 3,
            retry_timeout: Duration::from_secs(20),
            part_size: 16 * 1024 * 1024,
            upload_concurrency: 4,
            progress: None,
        }
    }
}

/// What [`Target::open`] needs.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// Where.
    pub location: Location,
    /// Credentials for S3; `None`: the client's usual chain (the `AWS_*` variables, web
    /// identity, instance metadata).
    pub credentials: Option<Credentials>,
    /// Timeouts and sizes.
    pub options: TargetOptions,
}

impl TargetConfig {
    /// A location with credentials from the environment and default options.
    pub fn new(location: Location) -> TargetConfig {
        TargetConfig {
            location,
            credentials: None,
            options: TargetOptions::default(),
        }
    }
}

/// An opened backup location. Cheap to clone; safe to print (no credentials inside its
/// `Debug`).
#[derive(Clone)]
pub struct Target {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn ObjectStore>,
    location: Location,
    /// Prefix of every key, without trailing `/` (for a local directory: its path from `/`).
    prefix: String,
    redactor: Redactor,
    options: TargetOptions,
    /// Set once `stmgr.json` was found readable (or written): checked once per target.
    layout_ok: OnceCell<()>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.inner.location)
    }
}

impl Target {
    /// Opens `config.location`. Nothing is sent or written yet.
    ///
    /// # Errors
    /// [`BackupError::InvalidLocation`] when the client cannot be built from it.
    pub fn open(config: TargetConfig) -> Result<Target> {
        let TargetConfig {
            location,
            credentials,
            options,
        } = config;
        let invalid = |reason: String| BackupError::InvalidLocation {
            url: location.to_string(),
            reason,
        };
        let (store, prefix, redactor): (Arc<dyn ObjectStore>, String, Redactor) = match &location {
            Location::Local { root } => {
                if !root.is_absolute() {
                    return Err(invalid("a local directory must be an absolute path".into()));
                }
                let prefix = root
                    .to_str()
                    .ok_or_else(|| invalid("the path is not UTF-8".into()))?
                    .trim_matches('/')
                    .to_owned();
                ObjPath::parse(&prefix).map_err(|e| invalid(e.to_string()))?;
                let fs = LocalFileSystem::new().with_fsync(true);
                (Arc::new(fs), prefix, Redactor::default())
            }
            Location::S3(s3) => {
                // reqwest is built without a default crypto provider: the process uses ring.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let creds = credentials.clone().or_else(Credentials::from_env);
                let redactor = creds
                    .as_ref()
                    .map(Credentials::redactor)
                    .unwrap_or_default();
                let mut b = match &credentials {
                    Some(c) => {
                        let b = AmazonS3Builder::new()
                            .with_access_key_id(c.access_key_id())
                            .with_secret_access_key(c.secret_access_key());
                        match c.session_token() {
                            Some(t) => b.with_token(t),
                            None => b,
                        }
                    }
                    None => AmazonS3Builder::from_env(),
                };
                let path_style = s3.uses_path_style();
                b = b
                    .with_bucket_name(&s3.bucket)
                    .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
                    .with_virtual_hosted_style_request(!path_style)
                    .with_allow_http(s3.http_allowed())
                    .with_conditional_put(S3ConditionalPut::ETagMatch)
                    .with_client_options(
                        ClientOptions::new()
                            .with_allow_http(s3.http_allowed())
                            .with_connect_timeout(options.connect_timeout)
                            .with_timeout(options.request_timeout),
                    )
                    .with_retry(RetryConfig {
                        backoff: BackoffConfig {
                            init_backoff: Duration::from_millis(100),
                            max_backoff: Duration::from_secs(2),
                            base: 2.0,
                        },
                        max_retries: options.max_retries,
                        retry_timeout: options.retry_timeout,
                    });
                if let Some(ep) = &s3.endpoint {
                    let ep = if path_style {
                        ep.clone()
                    } else {
                        virtual_hosted(ep, &s3.bucket).map_err(&invalid)?
                    };
                    b = b.with_endpoint(ep);
                }
                let store = b
                    .build()
                    .map_err(|e| invalid(redactor.scrub(&e.to_string())))?;
                (Arc::new(store), s3.prefix.clone(), redactor)
            }
        };
        tracing::debug!(%location, "backup target opened");
        Ok(Target {
            inner: Arc::new(Inner {
                store,
                location,
                prefix,
                redactor,
                options,
                layout_ok: OnceCell::new(),
            }),
        })
    }

    /// The location.
    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    /// The options it was opened with.
    pub fn options(&self) -> &TargetOptions {
        &self.inner.options
    }

    pub(crate) fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.inner.store
    }

    /// The local directory, for a `file://` location.
    pub(crate) fn local_root(&self) -> Option<&Path> {
        match &self.inner.location {
            Location::Local { root } => Some(root),
            Location::S3(_) => None,
        }
    }

    /// The on-disk path of `rel` for a local location.
    pub(crate) fn local_path(&self, rel: &str) -> Option<PathBuf> {
        self.local_root().map(|r| r.join(rel))
    }

    /// The object path of `rel` (a key relative to the prefix).
    pub(crate) fn path(&self, rel: &str) -> ObjPath {
        let full = if self.inner.prefix.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.inner.prefix)
        };
        ObjPath::from(full)
    }

    /// The URL naming `rel` in messages.
    pub fn url(&self, rel: &str) -> String {
        match &self.inner.location {
            Location::Local { root } => format!("file://{}/{rel}", root.display()),
            Location::S3(s3) if s3.prefix.is_empty() => format!("s3://{}/{rel}", s3.bucket),
            Location::S3(s3) => format!("s3://{}/{}/{rel}", s3.bucket, s3.prefix),
        }
    }

    /// `rel` of an object path listed under the prefix.
    pub(crate) fn rel<'a>(&self, path: &'a ObjPath) -> &'a str {
        let p = path.as_ref();
        if self.inner.prefix.is_empty() {
            p
        } else {
            p.strip_prefix(self.inner.prefix.as_str())
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(p)
        }
    }

    pub(crate) fn err(&self, op: &'static str, rel: &str, e: object_store::Error) -> BackupError {
        self.inner.redactor.convert(op, self.url(rel), e)
    }

    /// The whole object `rel` and its metadata (ETag included).
    pub(crate) async fn get_bytes(&self, rel: &str) -> Result<(Bytes, ObjectMeta)> {
        let r = self
            .inner
            .store
            .get(&self.path(rel))
            .await
            .map_err(|e| self.err("get", rel, e))?;
        let meta = r.meta.clone();
        let bytes = r.bytes().await.map_err(|e| self.err("get", rel, e))?;
        Ok((bytes, meta))
    }

    /// Writes `bytes` to `rel` with `mode`.
    pub(crate) async fn put_bytes(
        &self,
        rel: &str,
        bytes: Bytes,
        mode: PutMode,
    ) -> Result<PutResult> {
        let opts = PutOptions {
            mode,
            ..PutOptions::default()
        };
        self.inner
            .store
            .put_opts(&self.path(rel), PutPayload::from_bytes(bytes), opts)
            .await
            .map_err(|e| self.err("put", rel, e))
    }

    /// The metadata of `rel`, `None` when it does not exist.
    pub(crate) async fn head(&self, rel: &str) -> Result<Option<ObjectMeta>> {
        match self.inner.store.head(&self.path(rel)).await {
            Ok(m) => Ok(Some(m)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("head", rel, e)),
        }
    }

    /// Every object under the folder `rel_dir` (recursively); a missing folder has none.
    pub(crate) async fn list(&self, rel_dir: &str) -> Result<Vec<ObjectMeta>> {
        let prefix = self.path(rel_dir);
        match self.inner.store.list(Some(&prefix)).try_collect().await {
            Ok(v) => Ok(v),
            Err(object_store::Error::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(self.err("list", rel_dir, e)),
        }
    }

    /// The names of the folders directly under `rel_dir`.
    pub(crate) async fn list_folders(&self, rel_dir: &str) -> Result<Vec<String>> {
        let prefix = self.path(rel_dir);
        match self.inner.store.list_with_delimiter(Some(&prefix)).await {
            Ok(r) => Ok(r
                .common_prefixes
                .iter()
                .filter_map(|p| p.filename().map(str::to_owned))
                .collect()),
            Err(object_store::Error::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(self.err("list", rel_dir, e)),
        }
    }

    /// Deletes `rel`; true when it existed (S3 does not say: always true there).
    pub(crate) async fn delete(&self, rel: &str) -> Result<bool> {
        match self.inner.store.delete(&self.path(rel)).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.err("delete", rel, e)),
        }
    }

    /// Reads `stmgr.json`: `None` for an empty location.
    ///
    /// # Errors
    /// [`BackupError::Unsupported`] for a layout newer than this stmgr reads,
    /// [`BackupError::Corrupt`] when it does not parse, and the target's errors.
    pub async fn layout(&self) -> Result<Option<LayoutFile>> {
        let (bytes, _) = match self.get_bytes(keys::LAYOUT).await {
            Ok(b) => b,
            Err(BackupError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let url = self.url(keys::LAYOUT);
        let file: LayoutFile = serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::corrupt(&url, format!("layout file does not parse: {e}")))?;
        if file.layout != LAYOUT_VERSION {
            return Err(BackupError::Unsupported {
                url,
                reason: format!(
                    "layout version {} (written by {}); this stmgr reads version {LAYOUT_VERSION}",
                    file.layout, file.created_by
                ),
            });
        }
        Ok(Some(file))
    }

    /// Checks the layout before reading (an empty location is fine).
    pub(crate) async fn check_layout(&self) -> Result<()> {
        if self.inner.layout_ok.initialized() {
            return Ok(());
        }
        if self.layout().await?.is_some() {
            let _ = self.inner.layout_ok.set(());
        }
        Ok(())
    }

    /// Checks the layout before writing, creating `stmgr.json` if the location is new.
    pub(crate) async fn ensure_layout(&self) -> Result<()> {
        self.inner
            .layout_ok
            .get_or_try_init(|| async {
                if self.layout().await?.is_some() {
                    return Ok(());
                }
                let body = serde_json::to_vec_pretty(&LayoutFile::current())
                    .map_err(|e| BackupError::corrupt(self.url(keys::LAYOUT), e.to_string()))?;
                match self
                    .put_bytes(keys::LAYOUT, body.into(), PutMode::Create)
                    .await
                {
                    Ok(_) | Err(BackupError::AlreadyExists { .. }) => {}
                    Err(e) => return Err(e),
                }
                // Another writer may have made it first: read what is there.
                self.layout().await.map(|_| ())
            })
            .await
            .map(|_| ())
    }
}

/// `https://host:port` → `https://bucket.host:port`.
fn virtual_hosted(endpoint: &str, bucket: &str) -> std::result::Result<String, String> {
    let mut u = url::Url::parse(endpoint).map_err(|e| e.to_string())?;
    let host = u.host_str().ok_or("the endpoint has no host")?.to_owned();
    u.set_host(Some(&format!("{bucket}.{host}")))
        .map_err(|e| e.to_string())?;
    Ok(u.as_str().trim_end_matches('/').to_owned())
}
