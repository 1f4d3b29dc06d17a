//! The HTTP client for every server API, used by the CLI's online commands. It decodes the
//! server's JSON errors into [`ClientError::Api`] so the CLI can show the server's message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::{Method, RequestBuilder, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api::admin::Manifest;
use crate::api::v1::checkpoints::CheckpointOut;
use crate::objects::ObjectOut;

/// Errors talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error.
    #[error("server answered {status}: {message} ({code})")]
    Api {
        /// HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("cannot reach {url}")]
    Transport {
        /// What was requested.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API promises.
    #[error("unexpected answer from {url}: {message}")]
    Decode {
        /// What was requested.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The server URL is not usable.
    #[error("bad server URL {0:?}")]
    BadUrl(String),
    /// The token holds characters an HTTP header cannot carry.
    #[error("the token holds characters an HTTP header cannot carry")]
    BadToken,
    /// A TLS file (CA, client certificate or key) cannot be used.
    #[error("cannot use {what} {}: {reason}", path.display())]
    Tls {
        /// `CA certificate`, `client certificate` or `client key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// How the client authenticates and which server certificates it trusts.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Sent as `Authorization: Bearer` (a capability token).
    pub token: Option<String>,
    /// PEM CA certificates to trust instead of the system's (for a private CA).
    pub ca_cert: Option<PathBuf>,
    /// PEM client certificate for mutual TLS (with `client_key`).
    pub client_cert: Option<PathBuf>,
    /// PEM private key of `client_cert`.
    pub client_key: Option<PathBuf>,
}

fn read_pem(what: &'static str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| ClientError::Tls {
        what,
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Makes rustls (with ring) the process's TLS provider; reqwest needs one before a client is
/// built. Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Shorthand.
pub type Result<T> = std::result::Result<T, ClientError>;

/// A page of `GET /v1/{ns}/objects`.
#[derive(Debug, Deserialize)]
pub struct ListPage {
    /// Objects in id order.
    pub objects: Vec<ObjectOut>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// One SSE event of a watch stream.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// `message` for changes; `overflow`, `compacted`, `reset`, `shutdown` or `error` at the end.
    pub kind: String,
    /// The `id:` field (commit_seq), if any.
    pub id: Option<u64>,
    /// The JSON data.
    pub data: serde_json::Value,
}

/// A client of one server.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
}

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`).
    ///
    /// # Errors
    /// A bad URL.
    pub fn new(base: &str) -> Result<Client> {
        Client::with_options(base, &ClientOptions::default())
    }

    /// A client with a token and TLS settings.
    ///
    /// # Errors
    /// A bad URL, or TLS files that cannot be read or parsed.
    pub fn with_options(base: &str, options: &ClientOptions) -> Result<Client> {
        let base = Url::parse(base).map_err(|_| ClientError::BadUrl(base.to_string()))?;
        if base.cannot_be_a_base() {
            return Err(ClientError::BadUrl(base.to_string()));
        }
        install_crypto_provider();
        let mut builder = reqwest::Client::builder().connect_timeout(Duration::from_secs(10));
        if let Some(path) = &options.ca_cert {
            let what = "CA certificate";
            let certs =
                reqwest::Certificate::from_pem_bundle(&read_pem(what, path)?).map_err(|e| {
                    ClientError::Tls {
                        what,
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                })?;
            if certs.is_empty() {
                return Err(ClientError::Tls {
                    what,
                    path: path.clone(),
                    reason: "no PEM certificate in the file".into(),
                });
            }
            builder = builder.tls_certs_only(certs);
        }
        match (&options.client_cert, &options.client_key) {
            (Some(cert), Some(key)) => {
                let mut pem = read_pem("client certificate", cert)?;
                pem.push(b'\n');
                pem.extend(read_pem("client key", key)?);
                let identity = reqwest::Identity::from_pem(&pem).map_err(|e| ClientError::Tls {
                    what: "client certificate",
                    path: cert.clone(),
                    reason: format!("{e} (with key {})", key.display()),
                })?;
                builder = builder.identity(identity);
            }
            (Some(path), None) | (None, Some(path)) => {
                return Err(ClientError::Tls {
                    what: "client certificate",
                    path: path.clone(),
                    reason: "--client-cert and --client-key go together".into(),
                });
            }
            (None, None) => {}
        }
        if let Some(token) = &options.token {
            let mut headers = reqwest::header::HeaderMap::new();
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| ClientError::BadToken)?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
            builder = builder.default_headers(headers);
        }
        let http = builder.build().map_err(|e| ClientError::Transport {
            url: base.to_string(),
            source: e,
        })?;
        Ok(Client { http, base })
    }

    /// `base` + path segments (each percent-encoded, so `agent://x` stays one segment).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        url
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.http.request(method, url)
    }

    async fn send(&self, req: RequestBuilder) -> Result<reqwest::Response> {
        let req = req.build().map_err(|e| ClientError::Transport {
            url: self.base.to_string(),
            source: e,
        })?;
        let url = req.url().to_string();
        let resp = self
            .http
            .execute(req)
            .await
            .map_err(|e| ClientError::Transport {
                url: url.clone(),
                source: e,
            })?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        Err(ClientError::Api {
            status,
            code: field("error").unwrap_or_else(|| "http_error".into()),
            message: field("message").or_else(|| field("detail")).unwrap_or(text),
        })
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T> {
        let resp = self.send(req).await?;
        let url = resp.url().to_string();
        resp.json::<T>().await.map_err(|e| ClientError::Decode {
            url,
            message: e.to_string(),
        })
    }

    /// `POST /v1/{ns}/objects`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn put(
        &self,
        ns: &str,
        input: &serde_json::Value,
        if_match: Option<u64>,
    ) -> Result<ObjectOut> {
        let mut req = self
            .request(Method::POST, self.url(&["v1", ns, "objects"]))
            .json(input);
        if let Some(seq) = if_match {
            req = req.header("If-Match", seq.to_string());
        }
        self.json(req).await
    }

    /// `GET /v1/{ns}/objects/{id}`, optionally at a seq or an RFC 3339 time.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn get(
        &self,
        ns: &str,
        id: &str,
        at_seq: Option<u64>,
        at: Option<&str>,
    ) -> Result<ObjectOut> {
        let mut url = self.url(&["v1", ns, "objects", id]);
        if let Some(s) = at_seq {
            url.query_pairs_mut().append_pair("at_seq", &s.to_string());
        }
        if let Some(t) = at {
            url.query_pairs_mut().append_pair("at", t);
        }
        self.json(self.request(Method::GET, url)).await
    }

    /// `DELETE /v1/{ns}/objects/{id}`.
    ///
    /// # Errors
    /// Transport and API errors (404 when missing).
    pub async fn delete(&self, ns: &str, id: &str) -> Result<()> {
        self.send(self.request(Method::DELETE, self.url(&["v1", ns, "objects", id])))
            .await?;
        Ok(())
    }

    /// `GET /v1/{ns}/objects`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn list(
        &self,
        ns: &str,
        prefix: Option<&str>,
        limit: Option<usize>,
        after: Option<&str>,
    ) -> Result<ListPage> {
        let mut url = self.url(&["v1", ns, "objects"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(p) = prefix {
                q.append_pair("prefix", p);
            }
            if let Some(l) = limit {
                q.append_pair("limit", &l.to_string());
            }
            if let Some(a) = after {
                q.append_pair("after", a);
            }
        }
        self.json(self.request(Method::GET, url)).await
    }

    /// `POST /v1/{ns}/query`; returns the page and the next cursor.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn query(
        &self,
        ns: &str,
        query: &serde_json::Value,
    ) -> Result<(Vec<ObjectOut>, Option<String>)> {
        let resp = self
            .send(
                self.request(Method::POST, self.url(&["v1", ns, "query"]))
                    .json(query),
            )
            .await?;
        let next = resp
            .headers()
            .get("x-next-cursor")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let url = resp.url().to_string();
        let items = resp.json().await.map_err(|e| ClientError::Decode {
            url,
            message: e.to_string(),
        })?;
        Ok((items, next))
    }

    /// `POST /v1/{ns}/objects/{id}/checkpoints`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn checkpoint_create(
        &self,
        ns: &str,
        id: &str,
        name: &str,
        metadata: Option<&serde_json::Value>,
    ) -> Result<CheckpointOut> {
        let body = serde_json::json!({"name": name, "metadata": metadata});
        self.json(
            self.request(
                Method::POST,
                self.url(&["v1", ns, "objects", id, "checkpoints"]),
            )
            .json(&body),
        )
        .await
    }

    /// `GET /v1/{ns}/objects/{id}/checkpoints` (newest first).
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn checkpoints(&self, ns: &str, id: &str) -> Result<Vec<CheckpointOut>> {
        self.json(self.request(
            Method::GET,
            self.url(&["v1", ns, "objects", id, "checkpoints"]),
        ))
        .await
    }

    /// `POST /v1/{ns}/objects/{id}/checkpoints/{name}/restore`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn checkpoint_restore(&self, ns: &str, id: &str, name: &str) -> Result<ObjectOut> {
        self.json(self.request(
            Method::POST,
            self.url(&["v1", ns, "objects", id, "checkpoints", name, "restore"]),
        ))
        .await
    }

    /// `DELETE /v1/{ns}/objects/{id}/checkpoints?keep_last=N`; returns the names deleted.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn checkpoint_prune(
        &self,
        ns: &str,
        id: &str,
        keep_last: usize,
    ) -> Result<Vec<String>> {
        let mut url = self.url(&["v1", ns, "objects", id, "checkpoints"]);
        url.query_pairs_mut()
            .append_pair("keep_last", &keep_last.to_string());
        let v: serde_json::Value = self.json(self.request(Method::DELETE, url)).await?;
        Ok(v["deleted"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect())
    }

    /// `POST /admin/snapshot`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn snapshot(&self) -> Result<serde_json::Value> {
        self.json(self.request(Method::POST, self.url(&["admin", "snapshot"])))
            .await
    }

    /// `POST /admin/trim-wal?snapshot_id=ID&dry_run=B`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn trim_wal(&self, snapshot_id: &str, dry_run: bool) -> Result<serde_json::Value> {
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
            .send(self.request(Method::GET, self.url(&["admin", "dump"])))
            .await?;
        let url = resp.url().to_string();
        Ok(resp.bytes_stream().map(move |c| {
            c.map_err(|e| ClientError::Transport {
                url: url.clone(),
                source: e,
            })
        }))
    }

    /// `GET /health?format=json`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn health(&self) -> Result<serde_json::Value> {
        let mut url = self.url(&["health"]);
        url.query_pairs_mut().append_pair("format", "json");
        self.json(self.request(Method::GET, url)).await
    }

    /// `GET /admin/manifest`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn manifest(&self) -> Result<Manifest> {
        self.json(self.request(Method::GET, self.url(&["admin", "manifest"])))
            .await
    }

    /// `GET /v1/{ns}/watch` from `from` (exclusive); the stream of SSE events.
    ///
    /// # Errors
    /// Transport and API errors when connecting; stream items carry later transport errors.
    pub async fn watch(
        &self,
        ns: &str,
        from: Option<u64>,
        prefix: Option<&str>,
    ) -> Result<impl Stream<Item = Result<SseEvent>> + use<>> {
        let mut url = self.url(&["v1", ns, "watch"]);
        if let Some(p) = prefix {
            url.query_pairs_mut().append_pair("prefix", p);
        }
        let mut req = self
            .request(Method::GET, url.clone())
            .header("Accept", "text/event-stream");
        if let Some(f) = from {
            req = req.header("Last-Event-ID", f.to_string());
        }
        let resp = self.send(req).await?;
        let url = url.to_string();
        let stream = eventsource_stream::Eventsource::eventsource(resp.bytes_stream()).map(
            move |ev| match ev {
                Ok(ev) => Ok(SseEvent {
                    kind: if ev.event.is_empty() {
                        "message".into()
                    } else {
                        ev.event
                    },
                    id: ev.id.parse().ok(),
                    data: serde_json::from_str(&ev.data)
                        .unwrap_or(serde_json::Value::String(ev.data)),
                }),
                Err(e) => Err(ClientError::Decode {
                    url: url.clone(),
                    message: e.to_string(),
                }),
            },
        );
        Ok(stream)
    }
}
