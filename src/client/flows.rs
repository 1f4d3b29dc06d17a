//! The flow routes (`/v1/flows`): deploy, list, status, start, stop, restart, scale, remove.
//! Answers decode into the flow domain's wire types ([`crate::flow::wire`]).

use reqwest::Method;

use super::{Client, Result};
use crate::flow::Manifest;
use crate::flow::wire::{DeployOut, FlowStatus, FlowSummary, ScaleInput, SendInput, SendOut};

impl Client {
    /// `POST /v1/flows`: creates or updates a flow (the rollout goes on after the answer).
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_deploy(&self, manifest: &Manifest) -> Result<DeployOut> {
        self.json(
            self.request(Method::POST, self.url(&["v1", "flows"]))
                .json(manifest),
        )
        .await
    }

    /// `GET /v1/flows`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_list(&self) -> Result<Vec<FlowSummary>> {
        self.json(self.request(Method::GET, self.url(&["v1", "flows"])))
            .await
    }

    /// `GET /v1/flows/{name}`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_status(&self, name: &str) -> Result<FlowStatus> {
        self.json(self.request(Method::GET, self.url(&["v1", "flows", name])))
            .await
    }

    /// `POST /v1/flows/{name}/{start|stop|restart}`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_action(&self, name: &str, action: &str) -> Result<FlowSummary> {
        self.json(self.request(Method::POST, self.url(&["v1", "flows", name, action])))
            .await
    }

    /// `POST /v1/flows/{name}/scale`.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_scale(
        &self,
        name: &str,
        worker: Option<&str>,
        replicas: u32,
    ) -> Result<FlowSummary> {
        let body = ScaleInput {
            worker: worker.map(str::to_owned),
            replicas,
        };
        self.json(
            self.request(Method::POST, self.url(&["v1", "flows", name, "scale"]))
                .json(&body),
        )
        .await
    }

    /// `DELETE /v1/flows/{name}`.
    ///
    /// # Errors
    /// Transport and API errors.
    pub async fn flow_remove(&self, name: &str) -> Result<()> {
        self.send(self.request(Method::DELETE, self.url(&["v1", "flows", name])))
            .await?;
        Ok(())
    }
}

impl Client {
    /// `POST /v1/flows/{name}/send`: a command to a replica's control socket.
    ///
    /// # Errors
    /// Transport, API and decoding errors.
    pub async fn flow_send(&self, name: &str, body: &SendInput) -> Result<SendOut> {
        self.json(
            self.request(Method::POST, self.url(&["v1", "flows", name, "send"]))
                .json(body),
        )
        .await
    }
}

impl Client {
    /// `GET /v1/flows/events`: flow events after `since` (exclusive; `None`: from now on), of
    /// one flow or all, as SSE events (`kind` is the event's kind, `lagged` or `shutdown`);
    /// without `follow` the stream ends after the replay.
    ///
    /// # Errors
    /// Transport and API errors when connecting; stream items carry later transport errors.
    pub async fn flow_events(
        &self,
        flow: Option<&str>,
        since: Option<u64>,
        follow: bool,
    ) -> Result<impl futures_util::Stream<Item = Result<super::SseEvent>> + use<>> {
        let mut url = self.url(&["v1", "flows", "events"]);
        if let Some(f) = flow {
            url.query_pairs_mut().append_pair("flow", f);
        }
        if !follow {
            url.query_pairs_mut().append_pair("follow", "false");
        }
        let mut req = self
            .request(Method::GET, url.clone())
            .header("Accept", "text/event-stream");
        if let Some(s) = since {
            req = req.header("Last-Event-ID", s.to_string());
        }
        self.sse(req, url).await
    }
}

impl Client {
    /// `GET /v1/flows/{name}/logs`: the lines (`since`: RFC 3339 or a duration back, `tail`:
    /// the last N of each replica), then with `follow` the new ones as they come, as chunks of
    /// text; without `follow` the whole answer must come within the timeout.
    ///
    /// # Errors
    /// Transport and API errors when connecting; stream items carry later errors.
    pub async fn flow_logs(
        &self,
        name: &str,
        replica: Option<&str>,
        since: Option<&str>,
        tail: Option<usize>,
        follow: bool,
    ) -> Result<impl futures_util::Stream<Item = Result<bytes::Bytes>> + use<>> {
        use futures_util::StreamExt as _;
        let mut url = self.url(&["v1", "flows", name, "logs"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(r) = replica {
                q.append_pair("replica", r);
            }
            if let Some(s) = since {
                q.append_pair("since", s);
            }
            if let Some(n) = tail {
                q.append_pair("tail", &n.to_string());
            }
            if follow {
                q.append_pair("follow", "true");
            }
        }
        let req = self.request(Method::GET, url.clone());
        let resp = if follow {
            self.send_stream(req).await?
        } else {
            self.send(req).await?
        };
        let this = self.clone();
        let shown = url.to_string();
        Ok(resp
            .bytes_stream()
            .map(move |c| c.map_err(|e| this.body_error(shown.clone(), e))))
    }
}
