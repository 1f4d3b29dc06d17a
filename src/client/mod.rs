//! The HTTP client for every server API, used by the CLI's online commands. It decodes the
//! server's JSON errors into [`ClientError::Api`] so the CLI can show the server's message.
//!
//! The calls live by API: [`objects`] (v1 objects, checkpoints, admin, health, watch) and
//! [`workflows`] (the workflow API v0).
//!
//! Timeout ([`ClientOptions::timeout`]): a request with no complete answer within it fails
//! with [`ClientError::Timeout`]. Streams (watch, dump) are bounded only until their answer
//! starts (the status and headers): their body may run as long as it needs.
//!
//! Credentials: the token goes in `Authorization: Bearer` on every request. The API key goes
//! in `x-api-key` on workflow (v0) requests, and on the others only when no token is set: the
//! server lets an `x-api-key` decide a v1 request (refused unless `--api-key-grants-v1`) even
//! when a valid token comes with it.

pub mod admin;
pub mod flows;
pub mod names;
pub mod objects;
pub mod supervise;
pub mod workflows;

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::SecretString;
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
    /// No answer (or no complete answer) within the client's timeout.
    #[error("no answer from {server} within {} (raise it with --timeout)", humantime::format_duration(*after))]
    Timeout {
        /// The server's base URL.
        server: String,
        /// The timeout.
        after: Duration,
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
    /// The API key holds characters an HTTP header cannot carry.
    #[error("the API key holds characters an HTTP header cannot carry")]
    BadApiKey,
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
    /// Sent as `x-api-key` (the server's API key; see the module docs for when).
    pub api_key: Option<SecretString>,
    /// PEM CA certificates to trust instead of the system's (for a private CA).
    pub ca_cert: Option<PathBuf>,
    /// PEM client certificate for mutual TLS (with `client_key`).
    pub client_cert: Option<PathBuf>,
    /// PEM private key of `client_cert`.
    pub client_key: Option<PathBuf>,
    /// The longest wait for an answer (for a stream: for its start); `None`: no limit.
    pub timeout: Option<Duration>,
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

/// A header value marked sensitive (hidden from reqwest's and hyper's `Debug`).
/// `None` when the text cannot be a header value.
fn sensitive(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
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
    /// `message` for changes; `overflow`, `compacted`, `reset`, `shutdown`,
    /// `expired` or `error` at the end.
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
    /// `x-api-key`, marked sensitive.
    api_key: Option<HeaderValue>,
    /// Whether a token is sent (then v1 requests go without the API key).
    has_token: bool,
    /// See [`ClientOptions::timeout`].
    timeout: Option<Duration>,
}

/// How much of an exchange the timeout bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// The whole exchange, the answer's body included.
    Whole,
    /// Until the answer starts: the body is a stream that may last.
    Start,
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
            let mut headers = HeaderMap::new();
            let value = sensitive(&format!("Bearer {token}")).ok_or(ClientError::BadToken)?;
            headers.insert(reqwest::header::AUTHORIZATION, value);
            builder = builder.default_headers(headers);
        }
        let api_key = match &options.api_key {
            Some(key) => Some(sensitive(key.expose()).ok_or(ClientError::BadApiKey)?),
            None => None,
        };
        let http = builder.build().map_err(|e| ClientError::Transport {
            url: base.to_string(),
            source: e,
        })?;
        Ok(Client {
            http,
            base,
            api_key,
            has_token: options.token.is_some(),
            timeout: options.timeout,
        })
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

    /// A request to the v1 or admin API: with the API key only when no token is set.
    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let req = self.http.request(method, url);
        match &self.api_key {
            Some(key) if !self.has_token => req.header("x-api-key", key.clone()),
            _ => req,
        }
    }

    /// A request to the workflow API (v0): with the API key when one is set.
    fn v0_request(&self, method: Method, url: Url) -> RequestBuilder {
        let req = self.http.request(method, url);
        match &self.api_key {
            Some(key) => req.header("x-api-key", key.clone()),
            None => req,
        }
    }

    /// Sends a request whose whole answer must come within the timeout.
    async fn send(&self, req: RequestBuilder) -> Result<reqwest::Response> {
        self.exchange(req, Bound::Whole, None).await
    }

    /// As [`Client::send`], with `also` answered as a response rather than an error.
    async fn send_allowing(
        &self,
        req: RequestBuilder,
        also: Option<reqwest::StatusCode>,
    ) -> Result<reqwest::Response> {
        self.exchange(req, Bound::Whole, also).await
    }

    /// Sends a request whose answer is a stream: only its start must come within the timeout.
    async fn send_stream(&self, req: RequestBuilder) -> Result<reqwest::Response> {
        self.exchange(req, Bound::Start, None).await
    }

    async fn exchange(
        &self,
        req: RequestBuilder,
        bound: Bound,
        also: Option<reqwest::StatusCode>,
    ) -> Result<reqwest::Response> {
        let mut req = req.build().map_err(|e| ClientError::Transport {
            url: self.base.to_string(),
            source: e,
        })?;
        if bound == Bound::Whole {
            *req.timeout_mut() = self.timeout;
        }
        let url = req.url().to_string();
        let answer = self.http.execute(req);
        let answer = match (bound, self.timeout) {
            (Bound::Start, Some(limit)) => tokio::time::timeout(limit, answer)
                .await
                .map_err(|_| self.timed_out(limit))?,
            _ => answer.await,
        };
        let resp = answer.map_err(|e| self.transport(url, e))?;
        if resp.status().is_success() || Some(resp.status()) == also {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        Err(api_error(status, &text))
    }

    /// [`ClientError::Timeout`] for this client's server.
    fn timed_out(&self, after: Duration) -> ClientError {
        ClientError::Timeout {
            server: self.base.as_str().trim_end_matches('/').to_owned(),
            after,
        }
    }

    /// A failed exchange: [`ClientError::Timeout`] when the timeout cut it (not a connect
    /// timeout, which is the server not being reachable), else [`ClientError::Transport`].
    fn transport(&self, url: String, e: reqwest::Error) -> ClientError {
        match self.timeout {
            Some(limit) if e.is_timeout() && !e.is_connect() => self.timed_out(limit),
            _ => ClientError::Transport { url, source: e },
        }
    }

    /// A body that could not be read or decoded: a timeout, or [`ClientError::Decode`].
    fn body_error(&self, url: String, e: reqwest::Error) -> ClientError {
        match self.timeout {
            Some(limit) if e.is_timeout() => self.timed_out(limit),
            _ => ClientError::Decode {
                url,
                message: e.to_string(),
            },
        }
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T> {
        let resp = self.send(req).await?;
        let url = resp.url().to_string();
        resp.json::<T>().await.map_err(|e| self.body_error(url, e))
    }
}

/// The error of a non-success answer: its JSON `error` and `message` (or `detail`), else the
/// text.
fn api_error(status: u16, text: &str) -> ClientError {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    ClientError::Api {
        status,
        code: field("error").unwrap_or_else(|| "http_error".into()),
        message: field("message")
            .or_else(|| field("detail"))
            .unwrap_or_else(|| text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_key(req: RequestBuilder) -> bool {
        let req = req.build().expect("request builds");
        req.headers()
            .get("x-api-key")
            .is_some_and(|v| v.is_sensitive() && v.as_bytes() == b"k")
    }

    #[test]
    fn the_api_key_goes_to_v0_always_and_elsewhere_only_without_a_token() {
        let options = ClientOptions {
            api_key: Some(SecretString::new("k")),
            ..ClientOptions::default()
        };
        let client = Client::with_options("http://127.0.0.1:1", &options).unwrap();
        let v1 = client.url(&["v1", "ns", "objects"]);
        assert!(has_key(client.request(Method::GET, v1.clone())));
        let with_token = ClientOptions {
            token: Some("t".into()),
            ..options
        };
        let client = Client::with_options("http://127.0.0.1:1", &with_token).unwrap();
        assert!(!has_key(client.request(Method::GET, v1.clone())));
        assert!(has_key(client.v0_request(Method::GET, v1)));
        let bad = ClientOptions {
            api_key: Some(SecretString::new("a\nb")),
            ..ClientOptions::default()
        };
        assert!(matches!(
            Client::with_options("http://127.0.0.1:1", &bad),
            Err(ClientError::BadApiKey)
        ));
    }
}
