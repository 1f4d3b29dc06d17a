//! The client of the supervisor's control interface (`stmgr supervise status|start|…`): over
//! its Unix socket, or over TCP with a bearer token. Errors are [`ClientError`]s, so a socket
//! nobody listens on is "unreachable" (exit 10) like any server.

use std::path::PathBuf;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::{ClientError, Result};
use crate::supervisor::ReloadReport;
use crate::supervisor::protect::{CheckpointManifest, ReleaseReport, RestoreReport};
use crate::supervisor::state::{InstanceStatus, Overview};

/// Where the control interface listens.
#[derive(Debug, Clone)]
pub enum Target {
    /// Its Unix socket.
    Unix(PathBuf),
    /// Its TCP address, as a base URL (`http://127.0.0.1:9700`).
    Url(String),
}

/// A connection to one supervisor.
pub struct ControlClient {
    http: reqwest::Client,
    base: Url,
    shown: String,
    timeout: Option<Duration>,
}

impl ControlClient {
    /// A client of `target`, sending `token` as a bearer token when given.
    ///
    /// # Errors
    /// A bad URL or token.
    pub fn new(target: &Target, token: Option<&str>, timeout: Option<Duration>) -> Result<Self> {
        super::install_crypto_provider();
        let mut builder = reqwest::Client::builder().connect_timeout(Duration::from_secs(10));
        let (base, shown) = match target {
            Target::Unix(path) => {
                builder = builder.unix_socket(path.as_path());
                (
                    "http://supervisor/".to_owned(),
                    format!("unix:{}", path.display()),
                )
            }
            Target::Url(u) => (u.clone(), u.clone()),
        };
        let base = Url::parse(&base).map_err(|_| ClientError::BadUrl(base.clone()))?;
        if let Some(t) = token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {t}"))
                .map_err(|_| ClientError::BadToken)?;
            value.set_sensitive(true);
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::AUTHORIZATION, value);
            builder = builder.default_headers(headers);
        }
        let http = builder.build().map_err(|e| ClientError::Transport {
            url: shown.clone(),
            source: e,
        })?;
        Ok(ControlClient {
            http,
            base,
            shown,
            timeout,
        })
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        bounded: bool,
    ) -> Result<reqwest::Response> {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if bounded && let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        Err(ClientError::Api {
            status,
            code: body["error"].as_str().unwrap_or("unknown").to_owned(),
            message: body["message"].as_str().unwrap_or("no message").to_owned(),
        })
    }

    fn transport(&self, e: reqwest::Error) -> ClientError {
        match (e.is_timeout(), self.timeout) {
            (true, Some(after)) => ClientError::Timeout {
                server: self.shown.clone(),
                after,
            },
            _ => ClientError::Transport {
                url: self.shown.clone(),
                source: e,
            },
        }
    }

    async fn json<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<T> {
        resp.json().await.map_err(|e| ClientError::Decode {
            url: self.shown.clone(),
            message: e.to_string(),
        })
    }

    /// `GET /`.
    ///
    /// # Errors
    /// Transport, timeout, or the supervisor's error.
    pub async fn overview(&self) -> Result<Overview> {
        let r = self.call(Method::GET, "/", None, true).await?;
        self.json(r).await
    }

    /// `POST /processes/NAME/ACTION` (`start`, `stop`, `restart`).
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn command(&self, name: &str, action: &str) -> Result<Vec<InstanceStatus>> {
        let path = format!("/processes/{}/{action}", encode(name));
        let r = self.call(Method::POST, &path, None, true).await?;
        let v: serde_json::Value = self.json(r).await?;
        serde_json::from_value(v["processes"].clone()).map_err(|e| ClientError::Decode {
            url: self.shown.clone(),
            message: e.to_string(),
        })
    }

    /// `POST /processes/NAME/signal`.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn signal(&self, name: &str, signal: &str) -> Result<()> {
        let path = format!("/processes/{}/signal", encode(name));
        let body = serde_json::json!({ "signal": signal });
        self.call(Method::POST, &path, Some(body), true)
            .await
            .map(|_| ())
    }

    /// `POST /reload`.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn reload(&self) -> Result<ReloadReport> {
        let r = self.call(Method::POST, "/reload", None, true).await?;
        self.json(r).await
    }

    /// `POST /checkpoint`: copies the state directory into a new checkpoint (no timeout: a
    /// large directory takes a while).
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn checkpoint(&self) -> Result<CheckpointManifest> {
        let r = self.call(Method::POST, "/checkpoint", None, false).await?;
        self.json(r).await
    }

    /// `GET /checkpoints`, oldest first.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn checkpoints(&self) -> Result<Vec<CheckpointManifest>> {
        let r = self.call(Method::GET, "/checkpoints", None, true).await?;
        let v: serde_json::Value = self.json(r).await?;
        serde_json::from_value(v["checkpoints"].clone()).map_err(|e| ClientError::Decode {
            url: self.shown.clone(),
            message: e.to_string(),
        })
    }

    /// `POST /restore` of checkpoint `id` (no timeout).
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn restore(&self, id: &str) -> Result<RestoreReport> {
        let body = serde_json::json!({ "id": id });
        let r = self
            .call(Method::POST, "/restore", Some(body), false)
            .await?;
        self.json(r).await
    }

    /// `POST /release-lease`: this supervisor's own epoch, or with `force` whoever holds it.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn release_lease(&self, force: bool) -> Result<ReleaseReport> {
        let body = serde_json::json!({ "force": force });
        let r = self
            .call(Method::POST, "/release-lease", Some(body), false)
            .await?;
        self.json(r).await
    }

    /// `GET /processes/NAME/logs`: the lines, then (with `follow`) new ones as they come.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn logs(
        &self,
        name: &str,
        since: Option<&str>,
        follow: bool,
    ) -> Result<impl Stream<Item = Result<bytes::Bytes>> + use<>> {
        let mut path = format!("/processes/{}/logs?follow={follow}", encode(name));
        if let Some(s) = since {
            path.push_str(&format!("&since={}", encode(s)));
        }
        let r = self.call(Method::GET, &path, None, !follow).await?;
        let shown = self.shown.clone();
        Ok(r.bytes_stream().map(move |c| {
            c.map_err(|e| ClientError::Transport {
                url: shown.clone(),
                source: e,
            })
        }))
    }

    /// `GET /events`: (kind, JSON) of each event, forever.
    ///
    /// # Errors
    /// As [`ControlClient::overview`].
    pub async fn events(
        &self,
    ) -> Result<impl Stream<Item = Result<(String, serde_json::Value)>> + use<>> {
        use eventsource_stream::Eventsource as _;
        let r = self.call(Method::GET, "/events", None, false).await?;
        let shown = self.shown.clone();
        Ok(r.bytes_stream().eventsource().map(move |ev| match ev {
            Ok(ev) => Ok((
                ev.event,
                serde_json::from_str(&ev.data).unwrap_or(serde_json::Value::String(ev.data)),
            )),
            Err(e) => Err(ClientError::Decode {
                url: shown.clone(),
                message: e.to_string(),
            }),
        }))
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
