//! TLS to PostgreSQL with libpq's meanings of `sslmode`, so a managed database's URL works as
//! its provider gives it (rustls, through `tokio-postgres-rustls`):
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | no | — |
//! | `prefer` (default) | when the server offers it | no |
//! | `require` | yes | no (as `verify-ca` when a root certificate is given) |
//! | `verify-ca` | yes | chain, against the root certificates |
//! | `verify-full` | yes | chain and host name |
//!
//! The root certificates come from `sslrootcert` in the URL, else `PGSSLROOTCERT`, else
//! `~/.postgresql/root.crt` when it exists; `sslrootcert=system` takes the system's store.
//! `sslmode` may also come from `PGSSLMODE`. The PostgreSQL driver reads neither parameter
//! beyond `disable`/`prefer`/`require`, so they are taken out of the URL here.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::store::error::StoreError;

/// `sslmode`, as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, certificate not checked.
    Prefer,
    /// TLS, certificate not checked.
    Require,
    /// TLS, the chain checked.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

/// A database URL split into what the driver reads and how TLS is set up.
#[derive(Debug, Clone)]
pub struct TlsSetup {
    /// The URL without `sslrootcert`, with `sslmode` one the driver knows.
    pub driver_url: String,
    /// The mode asked for.
    pub mode: SslMode,
    /// The root certificates' file, or `system`.
    pub root_cert: Option<String>,
}

fn bad(what: String) -> StoreError {
    StoreError::Backend(format!("database URL: {what}"))
}

impl TlsSetup {
    /// Reads `sslmode` and `sslrootcert` from `url` (or the environment).
    ///
    /// # Errors
    /// An unparsable URL or an unknown `sslmode`.
    pub fn from_url(url: &str) -> Result<TlsSetup, StoreError> {
        let mut parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let mut mode = std::env::var("PGSSLMODE").ok();
        let mut root_cert = std::env::var("PGSSLROOTCERT").ok();
        let mut kept = Vec::new();
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "sslmode" => mode = Some(v.into_owned()),
                "sslrootcert" => root_cert = Some(v.into_owned()),
                _ => kept.push((k.into_owned(), v.into_owned())),
            }
        }
        let mode = match mode.as_deref().unwrap_or("prefer") {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(bad(format!(
                    "sslmode {other:?} is not one of disable, allow, prefer, require, \
                     verify-ca, verify-full"
                )));
            }
        };
        if root_cert.is_none() && mode != SslMode::Disable {
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let default = home.map(|h| h.join(".postgresql/root.crt"));
            root_cert = default
                .filter(|p| p.exists())
                .map(|p| p.display().to_string());
        }
        let driver_mode = match mode {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            _ => "require",
        };
        kept.push(("sslmode".into(), driver_mode.into()));
        parsed.query_pairs_mut().clear().extend_pairs(&kept);
        Ok(TlsSetup {
            driver_url: parsed.into(),
            mode,
            root_cert,
        })
    }

    /// The connector for this setup.
    ///
    /// # Errors
    /// `verify-ca`/`verify-full` without root certificates, or a root certificate file that
    /// does not read.
    pub fn connector(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Backend(format!("TLS: {e}")))?;
        let verify = match (self.mode, &self.root_cert) {
            (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => None,
            (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
                return Err(bad(format!(
                    "sslmode {} needs root certificates: sslrootcert=FILE (or system), \
                     PGSSLROOTCERT, or ~/.postgresql/root.crt",
                    if self.mode == SslMode::VerifyCa {
                        "verify-ca"
                    } else {
                        "verify-full"
                    }
                )));
            }
            (_, Some(file)) => Some(roots(file)?),
        };
        let config = match verify {
            None => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unverified(
                    provider.signature_verification_algorithms,
                )))
                .with_no_client_auth(),
            Some(roots) => {
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| StoreError::Backend(format!("TLS: {e}")))?;
                if self.mode == SslMode::VerifyFull {
                    builder.with_webpki_verifier(webpki).with_no_client_auth()
                } else {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
                        .with_no_client_auth()
                }
            }
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// The root certificates in `file` (PEM), or the system's for `system`.
fn roots(file: &str) -> Result<RootCertStore, StoreError> {
    let mut store = RootCertStore::empty();
    if file == "system" {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
    } else {
        use rustls::pki_types::pem::PemObject;
        let certs = CertificateDer::pem_file_iter(file)
            .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
        for c in certs {
            let c = c.map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
            store
                .add(c)
                .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
        }
    }
    if store.is_empty() {
        return Err(bad(format!("sslrootcert {file}: no certificate")));
    }
    Ok(store)
}

/// `prefer`/`require`: encrypted, the certificate taken as it comes (libpq's meaning); the
/// handshake's signatures are still checked.
#[derive(Debug)]
struct Unverified(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a root; the host name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_leave_the_driver_url() {
        let s = TlsSetup::from_url(
            "postgres://u:p@db:5432/x?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=3",
        )
        .unwrap();
        assert_eq!(s.mode, SslMode::VerifyFull);
        assert_eq!(s.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(
            s.driver_url,
            "postgres://u:p@db:5432/x?connect_timeout=3&sslmode=require"
        );
        let d = TlsSetup::from_url("postgres://db/x?sslmode=disable").unwrap();
        assert_eq!(d.mode, SslMode::Disable);
        assert!(d.connector().is_ok());
        let e = TlsSetup::from_url("postgres://db/x?sslmode=verify").unwrap_err();
        assert!(e.to_string().contains("verify-full"), "{e}");
    }

    #[test]
    fn verification_without_roots_is_refused() {
        let s = TlsSetup {
            driver_url: "postgres://db/x?sslmode=require".into(),
            mode: SslMode::VerifyFull,
            root_cert: None,
        };
        let e = s.connector().err().unwrap();
        assert!(e.to_string().contains("needs root certificates"), "{e}");
        let s = TlsSetup {
            root_cert: Some("/nonexistent/ca.pem".into()),
            ..s
        };
        let e = s.connector().err().unwrap();
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
    }
}
