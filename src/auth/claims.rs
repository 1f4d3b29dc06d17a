//! What a capability token grants: [`Claims`] (their JSON shape, AgentState's), [`Verb`], and
//! the checks a request goes through once the token verified ([`Claims::allows`],
//! [`Claims::region_allows`]).
//!
//! | claim       | JSON type            | meaning                                                   |
//! |-------------|----------------------|-----------------------------------------------------------|
//! | `ns`        | array of strings     | namespaces granted: exact names, or prefixes ending in `*` |
//! | `verbs`     | array of strings     | `put` `get` `delete` `query` `watch` `lease` `admin`     |
//! | `iat`       | integer (unix s)     | issued at (informational)                                 |
//! | `exp`       | integer (unix s)     | expires at                                                |
//! | `nbf`       | integer, optional    | not valid before                                          |
//! | `region`    | string, optional     | only usable on servers of this `REGION`                   |
//! | `max_bytes` | integer, optional    | largest request body                                      |
//! | `max_qps`   | number, optional     | requests per second (token bucket, burst = rate)          |
//! | `jti`       | string, optional     | token id (rate limiting, audit)                           |
//!
//! `ns`, `verbs`, `iat` and `exp` are required (AgentState's minter always writes them); other
//! keys are ignored, so tokens with extra claims still verify. A verb outside the list above
//! makes the token invalid rather than silently granting less.
//!
//! Namespace patterns: a pattern ending in `*` grants every namespace starting with the text
//! before the `*` (`agent://team/*` grants `agent://team/a` and `agent://team/a/b`, not
//! `agent://team`); `*` alone grants every namespace, `admin://global` (the admin routes)
//! included. A `*` anywhere else is an ordinary character.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

/// An operation a token may grant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    /// Create or replace objects.
    Put,
    /// Read objects.
    Get,
    /// Delete objects.
    Delete,
    /// Query objects.
    Query,
    /// Follow changes (SSE watch).
    Watch,
    /// Acquire, renew and release leases.
    Lease,
    /// Admin routes (snapshots, dump, ...).
    Admin,
    /// Flows: list, status, start, stop, restart, scale (deploy and remove need `admin`).
    Flows,
}

impl Verb {
    /// Every verb, in the order of the table above.
    pub const ALL: [Verb; 8] = [
        Verb::Put,
        Verb::Get,
        Verb::Delete,
        Verb::Query,
        Verb::Watch,
        Verb::Lease,
        Verb::Admin,
        Verb::Flows,
    ];

    /// The verb as written in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Put => "put",
            Verb::Get => "get",
            Verb::Delete => "delete",
            Verb::Query => "query",
            Verb::Watch => "watch",
            Verb::Lease => "lease",
            Verb::Admin => "admin",
            Verb::Flows => "flows",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verb {
    type Err = ClaimsError;

    fn from_str(s: &str) -> Result<Verb, ClaimsError> {
        Verb::ALL
            .into_iter()
            .find(|verb| verb.as_str() == s)
            .ok_or_else(|| ClaimsError::UnknownVerb(shorten(s)))
    }
}

/// Why a claims document is refused (it verified, but cannot be used).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    /// Not a JSON object of the right shape (missing claim, wrong type, duplicate key).
    #[error("claims are not valid: {0}")]
    Json(String),
    /// A verb outside put, get, delete, query, watch, lease, admin.
    #[error("unknown verb {0:?} (expected put, get, delete, query, watch, lease or admin)")]
    UnknownVerb(String),
    /// `max_qps` is zero, negative or not a finite number.
    #[error("max_qps must be a positive number")]
    MaxQps,
}

/// Why a verified token does not grant a request (HTTP 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The token does not grant this verb.
    #[error("the token does not grant this operation")]
    Verb,
    /// The token does not grant this namespace.
    #[error("the token does not grant this namespace")]
    Namespace,
}

impl Denied {
    /// The stable machine code for error bodies: `verb_not_granted` or `namespace_not_granted`.
    pub fn code(self) -> &'static str {
        match self {
            Denied::Verb => "verb_not_granted",
            Denied::Namespace => "namespace_not_granted",
        }
    }
}

/// The claims of a capability token (see the module documentation for each field).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claims {
    /// Namespaces granted: exact names or prefix patterns ending in `*`.
    pub ns: Vec<String>,
    /// Verbs granted.
    pub verbs: Vec<Verb>,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
    /// Not valid before, unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Region the token is pinned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Largest request body, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// Requests per second. Whole numbers are written as JSON integers (AgentState reads only
    /// integers).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_qps"
    )]
    pub max_qps: Option<f64>,
    /// Token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The JSON shape as received, before verbs and `max_qps` are checked.
#[derive(Deserialize)]
struct RawClaims {
    ns: Vec<String>,
    verbs: Vec<String>,
    iat: i64,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    max_bytes: Option<u64>,
    #[serde(default)]
    max_qps: Option<f64>,
    #[serde(default)]
    jti: Option<String>,
}

impl Claims {
    /// Parses the claims JSON of a token.
    ///
    /// # Errors
    /// [`ClaimsError`]: not the right JSON shape, an unknown verb, a bad `max_qps`.
    pub fn from_json(bytes: &[u8]) -> Result<Claims, ClaimsError> {
        let raw: RawClaims =
            serde_json::from_slice(bytes).map_err(|e| ClaimsError::Json(e.to_string()))?;
        let verbs = raw
            .verbs
            .iter()
            .map(|v| v.parse())
            .collect::<Result<Vec<Verb>, _>>()?;
        if let Some(qps) = raw.max_qps
            && !(qps.is_finite() && qps > 0.0)
        {
            return Err(ClaimsError::MaxQps);
        }
        Ok(Claims {
            ns: raw.ns,
            verbs,
            iat: raw.iat,
            exp: raw.exp,
            nbf: raw.nbf,
            region: raw.region,
            max_bytes: raw.max_bytes,
            max_qps: raw.max_qps,
            jti: raw.jti,
        })
    }

    /// The claims as the compact JSON bytes that get signed.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings, integers and finite floats cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether the claims grant `verb` on namespace `ns` (namespace checked first).
    ///
    /// # Errors
    /// [`Denied::Namespace`] or [`Denied::Verb`].
    pub fn allows(&self, verb: Verb, ns: &str) -> Result<(), Denied> {
        if !self.ns.iter().any(|pattern| ns_matches(pattern, ns)) {
            return Err(Denied::Namespace);
        }
        if !self.verbs.contains(&verb) {
            return Err(Denied::Verb);
        }
        Ok(())
    }

    /// Whether the token may be used on a server of `server_region` (HTTP 451 when not).
    ///
    /// Denied only when both the token and the server name a region and they differ (exact,
    /// case-sensitive). A token without a region works everywhere; a server without `REGION`
    /// cannot check and accepts every token, as AgentState does. Set `REGION` on every server
    /// when tokens are pinned to regions.
    pub fn region_allows(&self, server_region: Option<&str>) -> bool {
        match (self.region.as_deref(), server_region) {
            (Some(token), Some(server)) if !token.is_empty() && !server.is_empty() => {
                token == server
            }
            _ => true,
        }
    }
}

/// Whether the namespace `pattern` of a token grants `ns`: equal, or `ns` starts with the text
/// before a trailing `*`.
pub fn ns_matches(pattern: &str, ns: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => ns.starts_with(prefix),
        None => pattern == ns,
    }
}

fn serialize_qps<S: Serializer>(qps: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match *qps {
        // Exactly representable whole numbers go out as integers.
        Some(q) if q.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&q) => {
            s.serialize_u64(q as u64)
        }
        Some(q) => s.serialize_f64(q),
        None => s.serialize_none(),
    }
}

/// At most 64 characters of attacker-controlled text, for error messages.
fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(ns: &[&str], verbs: &[Verb]) -> Claims {
        Claims {
            ns: ns.iter().map(|s| (*s).to_owned()).collect(),
            verbs: verbs.to_vec(),
            iat: 1_700_000_000,
            exp: 1_700_003_600,
            nbf: None,
            region: None,
            max_bytes: None,
            max_qps: None,
            jti: None,
        }
    }

    #[test]
    fn agentstate_claims_parse() {
        // What AgentState's generate_cap_token.py writes (json.dumps, compact separators).
        let json = br#"{"ns":["langchain-demo"],"verbs":["put","get","delete","query","lease"],"iat":1700000000,"exp":1700003600,"jti":"j1","region":"eu"}"#;
        let c = Claims::from_json(json).unwrap();
        assert_eq!(c.ns, ["langchain-demo"]);
        assert_eq!(c.verbs.len(), 5);
        assert_eq!((c.iat, c.exp), (1_700_000_000, 1_700_003_600));
        assert_eq!(c.jti.as_deref(), Some("j1"));
        assert_eq!(c.region.as_deref(), Some("eu"));
    }

    #[test]
    fn unknown_keys_are_ignored_but_unknown_verbs_are_errors() {
        let json = br#"{"ns":["a"],"verbs":["get"],"iat":1,"exp":2,"kid":"x","extra":{}}"#;
        assert!(Claims::from_json(json).is_ok());
        let json = br#"{"ns":["a"],"verbs":["get","fly"],"iat":1,"exp":2}"#;
        assert_eq!(
            Claims::from_json(json),
            Err(ClaimsError::UnknownVerb("fly".into()))
        );
    }

    #[test]
    fn missing_required_claims_and_wrong_types_are_errors() {
        for json in [
            &br#"{"verbs":["get"],"iat":1,"exp":2}"#[..],
            br#"{"ns":["a"],"iat":1,"exp":2}"#,
            br#"{"ns":["a"],"verbs":["get"],"iat":1}"#,
            br#"{"ns":"a","verbs":["get"],"iat":1,"exp":2}"#,
            br#"{"ns":["a"],"verbs":["get"],"iat":1,"exp":"2"}"#,
            br#"{"ns":["a"],"ns":["b"],"verbs":["get"],"iat":1,"exp":2}"#,
            br#"[1,2]"#,
            b"",
        ] {
            let err = Claims::from_json(json).unwrap_err();
            assert!(matches!(err, ClaimsError::Json(_)), "{json:?}: {err:?}");
        }
    }

    #[test]
    fn max_qps_accepts_integers_and_fractions_and_writes_integers_back() {
        let json = br#"{"ns":["a"],"verbs":["get"],"iat":1,"exp":2,"max_qps":5}"#;
        let c = Claims::from_json(json).unwrap();
        assert_eq!(c.max_qps, Some(5.0));
        assert!(
            String::from_utf8(c.to_json())
                .unwrap()
                .contains(r#""max_qps":5"#)
        );
        let json = br#"{"ns":["a"],"verbs":["get"],"iat":1,"exp":2,"max_qps":0.5}"#;
        let c = Claims::from_json(json).unwrap();
        assert!(
            String::from_utf8(c.to_json())
                .unwrap()
                .contains(r#""max_qps":0.5"#)
        );
        for bad in ["0", "-1"] {
            let json = format!(r#"{{"ns":["a"],"verbs":["get"],"iat":1,"exp":2,"max_qps":{bad}}}"#);
            assert_eq!(Claims::from_json(json.as_bytes()), Err(ClaimsError::MaxQps));
        }
    }

    #[test]
    fn json_roundtrip_leaves_out_unset_options() {
        let c = claims(&["agent://demo"], &[Verb::Put, Verb::Get]);
        let json = String::from_utf8(c.to_json()).unwrap();
        assert_eq!(
            json,
            r#"{"ns":["agent://demo"],"verbs":["put","get"],"iat":1700000000,"exp":1700003600}"#
        );
        assert_eq!(Claims::from_json(json.as_bytes()).unwrap(), c);
    }

    #[test]
    fn exact_names_and_prefix_patterns() {
        let c = claims(&["agent://demo", "agent://team/*"], &[Verb::Get]);
        assert_eq!(c.allows(Verb::Get, "agent://demo"), Ok(()));
        assert_eq!(c.allows(Verb::Get, "agent://team/a"), Ok(()));
        assert_eq!(c.allows(Verb::Get, "agent://team/a/b"), Ok(()));
        assert_eq!(c.allows(Verb::Get, "agent://team"), Err(Denied::Namespace));
        assert_eq!(c.allows(Verb::Get, "agent://demo2"), Err(Denied::Namespace));
        assert_eq!(c.allows(Verb::Put, "agent://demo"), Err(Denied::Verb));
        // Namespace first: a token for neither says "namespace".
        assert_eq!(c.allows(Verb::Put, "other"), Err(Denied::Namespace));
    }

    #[test]
    fn star_alone_grants_every_namespace_and_inner_stars_are_literal() {
        let all = claims(&["*"], &[Verb::Admin]);
        assert_eq!(all.allows(Verb::Admin, "admin://global"), Ok(()));
        assert_eq!(all.allows(Verb::Admin, "anything"), Ok(()));
        let inner = claims(&["agent://*/x"], &[Verb::Get]);
        assert_eq!(inner.allows(Verb::Get, "agent://*/x"), Ok(()));
        assert_eq!(
            inner.allows(Verb::Get, "agent://a/x"),
            Err(Denied::Namespace)
        );
        let none = claims(&[], &[Verb::Get]);
        assert_eq!(none.allows(Verb::Get, "a"), Err(Denied::Namespace));
    }

    #[test]
    fn denied_codes_are_stable() {
        assert_eq!(Denied::Verb.code(), "verb_not_granted");
        assert_eq!(Denied::Namespace.code(), "namespace_not_granted");
    }

    #[test]
    fn region_denied_only_when_both_are_set_and_differ() {
        let mut c = claims(&["a"], &[Verb::Get]);
        assert!(c.region_allows(None));
        assert!(c.region_allows(Some("eu")));
        c.region = Some("eu".into());
        assert!(c.region_allows(Some("eu")));
        assert!(!c.region_allows(Some("us")));
        assert!(!c.region_allows(Some("EU")));
        assert!(c.region_allows(None));
        assert!(c.region_allows(Some("")));
    }

    #[test]
    fn verbs_parse_and_print() {
        for verb in Verb::ALL {
            assert_eq!(verb.as_str().parse::<Verb>(), Ok(verb));
            assert_eq!(verb.to_string(), verb.as_str());
        }
        assert!("PUT".parse::<Verb>().is_err());
    }
}
