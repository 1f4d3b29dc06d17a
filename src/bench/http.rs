//! The load generator's transport: one plain HTTP/1.1 keep-alive connection per worker (hyper's
//! client connection, no pool, no redirects, no JSON), so the generator spends as little of the
//! shared CPU as it can. Request bodies come pre-built; responses are checked for their status
//! and drained, not parsed.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use reqwest::Url;
use tokio::net::TcpStream;

/// Why a bench request failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server URL cannot be benchmarked.
    #[error("{0}")]
    Url(String),
    /// Connecting failed.
    #[error("cannot reach {addr}: {source}")]
    Connect {
        /// host:port.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The HTTP exchange failed.
    #[error(transparent)]
    Http(#[from] hyper::Error),
    /// A request could not be built.
    #[error(transparent)]
    Request(#[from] hyper::http::Error),
    /// The server answered with an error status.
    #[error("HTTP {0}")]
    Status(StatusCode),
}

/// Where the load goes: the server's address and the namespace's path, resolved once.
#[derive(Debug, Clone)]
pub struct Target {
    addr: String,
    host: HeaderValue,
    auth: Option<HeaderValue>,
    /// `/v1/<ns, percent-encoded>`.
    ns_path: String,
}

impl Target {
    /// A target for `base` (an `http://` URL), namespace `ns`, sending `token` if given.
    ///
    /// # Errors
    /// Not an `http://` URL, or a token that cannot be a header.
    pub fn new(base: &str, ns: &str, token: Option<&str>) -> Result<Target, HttpError> {
        let url = Url::parse(base).map_err(|e| HttpError::Url(format!("{base}: {e}")))?;
        if url.scheme() != "http" {
            return Err(HttpError::Url(format!(
                "stmgr bench speaks plain HTTP/1.1; give an http:// server URL (got {base})"
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| HttpError::Url(format!("{base}: no host")))?;
        let port = url.port_or_known_default().unwrap_or(80);
        // An IPv6 host comes bracketed, as an address needs it.
        let addr = format!("{host}:{port}");
        let mut ns_url = url.clone();
        ns_url
            .path_segments_mut()
            .map_err(|_| HttpError::Url(format!("{base}: cannot be a base")))?
            .pop_if_empty()
            .extend(["v1", ns]);
        let auth = token
            .map(|t| HeaderValue::from_str(&format!("Bearer {t}")))
            .transpose()
            .map_err(|_| HttpError::Url("the token cannot be sent in a header".into()))?;
        Ok(Target {
            host: HeaderValue::from_str(&addr)
                .map_err(|_| HttpError::Url(format!("{base}: bad host")))?,
            addr,
            auth,
            ns_path: ns_url.path().to_string(),
        })
    }

    /// Opens one connection.
    ///
    /// # Errors
    /// The server cannot be reached.
    pub async fn connect(&self) -> Result<Conn, HttpError> {
        let connect_err = |source| HttpError::Connect {
            addr: self.addr.clone(),
            source,
        };
        let stream = TcpStream::connect(&self.addr).await.map_err(connect_err)?;
        stream.set_nodelay(true).map_err(connect_err)?;
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // Ends when the connection closes; errors surface on the requests.
            let _ = conn.await;
        });
        Ok(Conn {
            send,
            target: self.clone(),
        })
    }

    /// Opens `GET /v1/<ns>/watch` on a bare socket (no HTTP client between the stream and the
    /// reader: one wakeup per read) and returns the socket once the answer's head is read, with
    /// the bytes read past the head. The body's chunk-size lines are left in: they sit between
    /// whole events, where a reader looking for event fields does not mind them.
    ///
    /// # Errors
    /// The server cannot be reached or does not answer 200.
    pub async fn open_watch(&self) -> Result<(TcpStream, Vec<u8>), HttpError> {
        let io_err = |source| HttpError::Connect {
            addr: self.addr.clone(),
            source,
        };
        let mut stream = TcpStream::connect(&self.addr).await.map_err(io_err)?;
        stream.set_nodelay(true).map_err(io_err)?;
        let mut head = format!(
            "GET {}/watch HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n",
            self.ns_path, self.addr
        );
        if let Some(a) = self.auth.as_ref().and_then(|a| a.to_str().ok()) {
            head.push_str(&format!("Authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        let mut sent = 0;
        while sent < head.len() {
            stream.writable().await.map_err(io_err)?;
            match stream.try_write(&head.as_bytes()[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(io_err(e)),
            }
        }
        let mut buf = Vec::with_capacity(4096);
        let end = loop {
            if let Some(i) = memchr::memmem::find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            if read_some(&mut stream, &mut buf).await.map_err(io_err)? == 0 {
                return Err(io_err(std::io::ErrorKind::UnexpectedEof.into()));
            }
        };
        let status = std::str::from_utf8(&buf[..end])
            .ok()
            .and_then(|h| h.split(' ').nth(1))
            .and_then(|c| c.parse::<u16>().ok())
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::BAD_GATEWAY);
        if status != StatusCode::OK {
            return Err(HttpError::Status(status));
        }
        Ok((stream, buf.split_off(end)))
    }

    /// `/v1/<ns>/objects`, the upsert path.
    pub fn objects_path(&self) -> String {
        format!("{}/objects", self.ns_path)
    }
}

/// One keep-alive connection.
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
    target: Target,
}

impl Conn {
    fn request(&self, method: Method, path: &str) -> hyper::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.target.host.clone());
        if let Some(a) = &self.target.auth {
            b = b.header(AUTHORIZATION, a.clone());
        }
        b
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Response<Incoming>, HttpError> {
        self.send.ready().await?;
        let resp = self.send.send_request(req).await?;
        if !resp.status().is_success() {
            let status = resp.status();
            drain(resp).await?;
            return Err(HttpError::Status(status));
        }
        Ok(resp)
    }

    /// `POST path` with a JSON body; the answer is drained.
    ///
    /// # Errors
    /// Transport errors and error statuses.
    pub async fn post(&mut self, path: &str, body: Bytes) -> Result<(), HttpError> {
        let req = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(Full::new(body))?;
        let resp = self.send(req).await?;
        drain(resp).await
    }

    /// `POST path` with a JSON body, and the answer's whole body.
    ///
    /// # Errors
    /// Transport errors and error statuses.
    pub async fn post_read(&mut self, path: &str, body: Bytes) -> Result<Bytes, HttpError> {
        let req = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(Full::new(body))?;
        let resp = self.send(req).await?;
        Ok(resp.into_body().collect().await?.to_bytes())
    }

    /// `GET path`; the answer is drained.
    ///
    /// # Errors
    /// Transport errors and error statuses.
    pub async fn get(&mut self, path: &str) -> Result<(), HttpError> {
        let req = self.request(Method::GET, path).body(Full::default())?;
        let resp = self.send(req).await?;
        drain(resp).await
    }

    /// `GET path` and the answer's whole body as text.
    ///
    /// # Errors
    /// Transport errors and error statuses.
    pub async fn get_text(&mut self, path: &str) -> Result<String, HttpError> {
        let req = self.request(Method::GET, path).body(Full::default())?;
        let resp = self.send(req).await?;
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Waits for the socket to be readable and appends what it has to `buf` (0: closed). Reads
/// into `buf`'s spare capacity (at least 64 KiB is reserved), which is never zeroed first.
///
/// # Errors
/// The read failed.
pub async fn read_some(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use tokio::io::AsyncReadExt;
    buf.reserve(64 * 1024);
    // `read_buf` forgets the socket's readiness after a short read, so a burst costs one
    // `recv`, not a second one that only finds the socket empty (a third of the generator's
    // system calls with a thousand watch streams).
    stream.read_buf(buf).await
}

async fn drain(resp: Response<Incoming>) -> Result<(), HttpError> {
    let mut body = resp.into_body();
    while let Some(frame) = body.frame().await {
        frame?;
    }
    Ok(())
}
