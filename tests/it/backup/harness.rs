//! The backup tests' backends: a local directory and a moto S3 server, so every test runs the
//! same code against both ([`backends`]).
//!
//! moto comes from PyPI into a venv under cargo's target tmpdir (see `pyvenv`;
//! `STMGR_MOTO_BIN` may point at the `bin/` of an existing one). Each test starts its own
//! `moto_server` on 127.0.0.1 on a free port, waits for it with a deadline, creates a bucket,
//! and stops it by its PID when dropped (and the kernel kills it if the test process dies
//! first). Without moto the S3 half is skipped locally and fails under `CI=true`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStoreExt;
use stmgr::backup::{
    Credentials, Location, S3Location, Secret, Target, TargetConfig, TargetOptions,
};

use crate::pyvenv;
use crate::util::wait_until;

/// Credentials moto accepts (it checks none); distinctive, so a test can look for them.
pub const ACCESS_KEY: &str = "AKIDMOTOTESTKEY";
pub const SECRET_KEY: &str = "motoSecretNeverPrinted42";

/// A running `moto_server`.
pub struct Moto {
    child: Child,
    port: u16,
}

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a free port")
}

impl Moto {
    /// Starts moto, or `None` (after saying why) when it is not available outside CI.
    pub fn start() -> Option<Moto> {
        Moto::start_on(free_port())
    }

    /// Starts moto on `port`.
    fn start_on(port: u16) -> Option<Moto> {
        let bin = pyvenv::require(
            "moto_server",
            pyvenv::venv_bin("venv-moto", &["moto[server]"], "STMGR_MOTO_BIN"),
        )?;
        let mut cmd = Command::new(bin.join("moto_server"));
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only an async-signal-safe prctl between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                rustix::process::set_parent_process_death_signal(Some(
                    rustix::process::Signal::KILL,
                ))
                .map_err(std::io::Error::from)
            });
        }
        let child = cmd.spawn().expect("start moto_server");
        let moto = Moto { child, port };
        wait_until(Duration::from_secs(60), "moto_server to answer", || {
            moto.request("GET", "/moto-api/").is_some_and(|s| s < 500)
        });
        Some(moto)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends a bodiless request; the status, or `None` when the server is not there.
    pub fn request(&self, method: &str, path: &str) -> Option<u16> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }

    /// Kills the server (an outage); [`Moto::restart`] brings one back on the same port,
    /// empty (moto keeps nothing).
    pub fn stop(&mut self) {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::KILL,
        );
        let _ = self.child.wait();
        wait_until(Duration::from_secs(10), "moto_server to be gone", || {
            self.request("GET", "/moto-api/").is_none()
        });
    }

    /// Starts a server again on the same port.
    pub fn restart(&mut self) {
        let again = Moto::start_on(self.port).expect("moto again");
        let old = std::mem::replace(self, again);
        std::mem::forget(old); // its child was reaped by `stop`
    }

    /// Creates the bucket `name`.
    pub fn create_bucket(&self, name: &str) {
        let status = self.request("PUT", &format!("/{name}"));
        assert_eq!(status, Some(200), "create bucket {name}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process(
            rustix::process::Pid::from_child(&self.child),
            rustix::process::Signal::KILL,
        );
        let _ = self.child.wait();
    }
}

/// One backend a test runs against.
pub struct Backend {
    /// `local` or `moto`.
    pub name: &'static str,
    /// Where.
    pub location: Location,
    /// The opened target.
    pub target: Target,
    _moto: Option<Moto>,
    _dir: Option<tempfile::TempDir>,
}

/// Test options: short timeouts, small parts (so multipart uploads happen with small files).
pub fn options() -> TargetOptions {
    TargetOptions {
        part_size: 5 * 1024 * 1024,
        ..TargetOptions::default()
    }
}

/// Credentials for moto.
pub fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY, Secret::new(SECRET_KEY))
}

/// A local directory and, when moto is there, a fresh bucket with a prefix.
pub fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("tempdir");
    let location = Location::Local {
        root: dir.path().join("backups"),
    };
    let mut out = vec![Backend {
        name: "local",
        target: open(&location, None),
        location,
        _moto: None,
        _dir: Some(dir),
    }];
    if let Some(moto) = Moto::start() {
        moto.create_bucket("stmgr-test");
        let location = Location::S3(S3Location {
            bucket: "stmgr-test".into(),
            prefix: "team/stmgr".into(),
            endpoint: Some(moto.endpoint()),
            region: Some("us-east-1".into()),
            ..S3Location::default()
        });
        out.push(Backend {
            name: "moto",
            target: open(&location, Some(credentials())),
            location,
            _moto: Some(moto),
            _dir: None,
        });
    }
    out
}

/// Opens `location` with the test options.
pub fn open(location: &Location, credentials: Option<Credentials>) -> Target {
    Target::open(TargetConfig {
        location: location.clone(),
        credentials,
        options: options(),
    })
    .expect("open target")
}

/// A current-thread runtime, as the CLI uses.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

impl Backend {
    /// A raw client on the same bucket or directory, to damage or plant objects as a
    /// misbehaving store or an interrupted upload would.
    pub fn raw(&self) -> Arc<dyn object_store::ObjectStore> {
        match &self.location {
            Location::Local { .. } => Arc::new(object_store::local::LocalFileSystem::new()),
            Location::S3(s3) => Arc::new(
                object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_endpoint(s3.endpoint.clone().expect("endpoint"))
                    .with_region("us-east-1")
                    .with_allow_http(true)
                    .with_access_key_id(ACCESS_KEY)
                    .with_secret_access_key(SECRET_KEY)
                    .build()
                    .expect("raw client"),
            ),
        }
    }

    /// The raw path of `rel` (a key under the location's prefix).
    pub fn raw_path(&self, rel: &str) -> object_store::path::Path {
        match &self.location {
            Location::Local { root } => {
                let root = root.to_str().expect("UTF-8 path").trim_start_matches('/');
                object_store::path::Path::from(format!("{root}/{rel}"))
            }
            Location::S3(s3) => object_store::path::Path::from(format!("{}/{rel}", s3.prefix)),
        }
    }

    /// Makes the location unreachable: moto stops; a local directory is replaced by a file
    /// (so nothing can be written under it).
    pub fn outage(&mut self) {
        match (&self.location, self._moto.as_mut()) {
            (_, Some(moto)) => moto.stop(),
            (Location::Local { root }, None) => {
                std::fs::rename(root, root.with_extension("away")).expect("move away");
                std::fs::write(root, b"not a directory").expect("plant a file");
            }
            _ => unreachable!(),
        }
    }

    /// Ends [`Backend::outage`]: moto starts again on the same port (empty, with the bucket
    /// created again); a local directory is put back as it was.
    pub fn recover(&mut self) {
        match (&self.location, self._moto.as_mut()) {
            (_, Some(moto)) => {
                moto.restart();
                moto.create_bucket("stmgr-test");
            }
            (Location::Local { root }, None) => {
                std::fs::remove_file(root).expect("remove the file");
                std::fs::rename(root.with_extension("away"), root).expect("move back");
            }
            _ => unreachable!(),
        }
    }

    /// True when an outage loses what the location held (moto keeps nothing).
    pub fn outage_loses_data(&self) -> bool {
        self._moto.is_some()
    }

    /// The `--replicate` URL of this location, and the environment a server needs for it.
    pub fn replicate_url(&self) -> (String, Vec<(&'static str, String)>) {
        let env = match &self.location {
            Location::S3(_) => vec![
                ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
                ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
            ],
            Location::Local { .. } => Vec::new(),
        };
        (self.location.to_string(), env)
    }

    /// Reads `rel` raw.
    pub async fn raw_get(&self, rel: &str) -> Vec<u8> {
        let store = self.raw();
        let r = store.get(&self.raw_path(rel)).await.expect("raw get");
        r.bytes().await.expect("raw bytes").to_vec()
    }

    /// Writes `rel` raw.
    pub async fn raw_put(&self, rel: &str, bytes: Vec<u8>) {
        self.raw()
            .put(&self.raw_path(rel), bytes.into())
            .await
            .expect("raw put");
    }
}
