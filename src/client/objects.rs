//! The client's calls of the object API (v1), checkpoints, admin routes, health and watch.

use futures_util::{Stream, StreamExt};
use reqwest::Method;

use super::{Client, ClientError, ListPage, Result, SseEvent};
use crate::checkpoints::CheckpointOut;
use crate::objects::ObjectOut;

impl Client {
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
        let items = resp.json().await.map_err(|e| self.body_error(url, e))?;
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

    /// `GET /health?format=json`: the health document, also when the server is degraded
    /// (a 503 whose body is the document, with `"status": "degraded"`).
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn health(&self) -> Result<serde_json::Value> {
        let mut url = self.url(&["health"]);
        url.query_pairs_mut().append_pair("format", "json");
        let unavailable = reqwest::StatusCode::SERVICE_UNAVAILABLE;
        let resp = self
            .send_allowing(self.request(Method::GET, url), Some(unavailable))
            .await?;
        let (status, url) = (resp.status(), resp.url().to_string());
        let text = resp.text().await.map_err(|e| ClientError::Transport {
            url: url.clone(),
            source: e,
        })?;
        let parsed = serde_json::from_str::<serde_json::Value>(&text);
        if status == unavailable {
            // Another 503 (too many connections, ...) stays an error.
            return match parsed {
                Ok(doc) if doc.get("status").is_some() => Ok(doc),
                _ => Err(super::api_error(status.as_u16(), &text)),
            };
        }
        parsed.map_err(|e| ClientError::Decode {
            url,
            message: e.to_string(),
        })
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
        self.sse(req, url).await
    }

    /// Sends `req` (an SSE request to `url`) and decodes the answer's events.
    ///
    /// # Errors
    /// Transport and API errors when connecting.
    pub(super) async fn sse(
        &self,
        req: reqwest::RequestBuilder,
        url: reqwest::Url,
    ) -> Result<impl Stream<Item = Result<SseEvent>> + use<>> {
        let resp = self.send_stream(req).await?;
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
