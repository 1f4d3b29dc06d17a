//! Unit tests of the token format: AgentState compatibility, every error and its code,
//! leeway, rotation.

use std::time::Duration;

use super::claims::{Claims, ClaimsError, Verb};
use super::keys::{Key, KeyRing, KeySlot};
use super::token::*;

/// A token minted by AgentState's `scripts/generate_cap_token.py` logic (Python `hmac`,
/// `json.dumps(separators=(",", ":"))`) with the key `dev-secret` and kid `active`.
const AGENTSTATE_TOKEN: &str = "active.eyJucyI6WyJsYW5nY2hhaW4tZGVtbyIsImludGVncmF0aW9uLXRlc3QiXSwidmVyYnMiOlsicHV0IiwiZ2V0IiwiZGVsZXRlIiwicXVlcnkiLCJsZWFzZSJdLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwianRpIjoiYWJjIiwicmVnaW9uIjoiZXUtd2VzdCJ9.-zGp4aZZjDCLfNQU0kmErVdGMvVGrhcS9D0BUb-WNp4";

/// The same claims written by Python's default `json.dumps` (with spaces): the MAC covers the
/// bytes as sent, so this verifies too.
const AGENTSTATE_SPACED_TOKEN: &str = "active.eyJucyI6IFsibGFuZ2NoYWluLWRlbW8iLCAiaW50ZWdyYXRpb24tdGVzdCJdLCAidmVyYnMiOiBbInB1dCIsICJnZXQiLCAiZGVsZXRlIiwgInF1ZXJ5IiwgImxlYXNlIl0sICJpYXQiOiAxNzAwMDAwMDAwLCAiZXhwIjogMTcwMDAwMzYwMCwgImp0aSI6ICJhYmMiLCAicmVnaW9uIjogImV1LXdlc3QifQ.TFxPietmCu6hpuaZIy4eJmI3TpXd-60vdeYkBJexxUI";

const NOW: i64 = 1_700_000_100;

fn ring(active: (&str, &str), next: Option<(&str, &str)>) -> KeyRing {
    let key = |(id, value): (&str, &str)| Key::from_config(id, value).expect("key");
    KeyRing::new(key(active), next.map(key)).expect("ring")
}

fn claims() -> Claims {
    Claims {
        ns: vec!["agent://demo".into(), "agent://team/*".into()],
        verbs: vec![Verb::Put, Verb::Get],
        iat: NOW,
        exp: NOW + 3600,
        nbf: None,
        region: Some("eu".into()),
        max_bytes: Some(1 << 20),
        max_qps: Some(5.0),
        jti: Some("01J0000000000000000000000".into()),
    }
}

fn verify_now(keys: &KeyRing, token: &str) -> Result<Claims, TokenError> {
    verify(keys, token, NOW, DEFAULT_LEEWAY)
}

#[test]
fn agentstate_tokens_verify() {
    let keys = ring(("active", "dev-secret"), None);
    for token in [AGENTSTATE_TOKEN, AGENTSTATE_SPACED_TOKEN] {
        let c = verify_now(&keys, token).expect("AgentState token verifies");
        assert_eq!(c.ns, ["langchain-demo", "integration-test"]);
        assert_eq!(c.exp, 1_700_003_600);
        assert_eq!(c.region.as_deref(), Some("eu-west"));
        assert_eq!(c.jti.as_deref(), Some("abc"));
    }
    // The key is the raw text, not its base64 decoding.
    let keys = ring(("active", "base64:ZGV2LXNlY3JldA=="), None);
    assert_eq!(
        verify_now(&keys, AGENTSTATE_TOKEN).unwrap().exp,
        1_700_003_600
    );
}

#[test]
fn issue_then_verify_with_either_slot() {
    let keys = ring(("k1", "one"), Some(("k2", "two")));
    for (slot, kid) in [(KeySlot::Active, "k1"), (KeySlot::Next, "k2")] {
        let token = issue(&keys, slot, &claims()).unwrap();
        assert!(token.starts_with(&format!("{kid}.")), "{token}");
        assert_eq!(verify_now(&keys, &token), Ok(claims()));
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.kid(), kid);
        assert_eq!(parsed.claims(), &claims());
    }
}

#[test]
fn issue_without_a_next_key_or_with_bad_claims_fails() {
    let keys = ring(("k1", "one"), None);
    assert_eq!(
        issue(&keys, KeySlot::Next, &claims()),
        Err(IssueError::NoKey(KeySlot::Next))
    );
    let mut bad = claims();
    bad.max_qps = Some(f64::NAN);
    assert_eq!(
        issue(&keys, KeySlot::Active, &bad),
        Err(IssueError::InvalidClaims(ClaimsError::MaxQps))
    );
    let mut long = claims();
    long.ns = vec!["x".repeat(9000)];
    assert!(matches!(
        issue(&keys, KeySlot::Active, &long),
        Err(IssueError::TooLong(_))
    ));
}

#[test]
fn wrong_key_unknown_kid_and_retired_key() {
    let token = issue(&ring(("k1", "one"), None), KeySlot::Active, &claims()).unwrap();
    assert_eq!(
        verify_now(&ring(("k1", "other"), None), &token),
        Err(TokenError::BadSignature)
    );
    let err = verify_now(&ring(("k9", "one"), None), &token).unwrap_err();
    assert_eq!(err, TokenError::UnknownKid { kid: "k1".into() });
    assert_eq!(err.code(), "token_unknown_kid");
}

#[test]
fn rotation_stage_issue_promote_retire() {
    let old = ring(("k1", "one"), None);
    let old_token = issue(&old, KeySlot::Active, &claims()).unwrap();
    // Stage k2 as next: both old and new tokens verify.
    let staged = ring(("k1", "one"), Some(("k2", "two")));
    let new_token = issue(&staged, KeySlot::Next, &claims()).unwrap();
    assert!(verify_now(&staged, &old_token).is_ok());
    assert!(verify_now(&staged, &new_token).is_ok());
    // Promote k2 to active and drop k1: old tokens are refused by kid.
    let promoted = ring(("k2", "two"), None);
    assert!(verify_now(&promoted, &new_token).is_ok());
    assert_eq!(
        verify_now(&promoted, &old_token).unwrap_err().code(),
        "token_unknown_kid"
    );
}

#[test]
fn expiry_and_not_before_with_leeway() {
    let keys = ring(("k1", "one"), None);
    let mut c = claims();
    c.exp = NOW - 30;
    let token = issue(&keys, KeySlot::Active, &c).unwrap();
    assert_eq!(
        verify_now(&keys, &token),
        Err(TokenError::Expired { exp: NOW - 30 })
    );
    assert!(verify(&keys, &token, NOW - 1, DEFAULT_LEEWAY).is_ok());
    assert!(verify(&keys, &token, NOW - 30, Duration::ZERO).is_err());

    let mut c = claims();
    c.nbf = Some(NOW + 31);
    let token = issue(&keys, KeySlot::Active, &c).unwrap();
    let err = verify_now(&keys, &token).unwrap_err();
    assert_eq!(err, TokenError::NotYetValid { nbf: NOW + 31 });
    assert_eq!(err.code(), "token_not_yet_valid");
    assert!(verify(&keys, &token, NOW + 1, DEFAULT_LEEWAY).is_ok());
}

#[test]
fn extreme_times_do_not_overflow() {
    let keys = ring(("k1", "one"), None);
    let token = |exp: i64, nbf: Option<i64>| {
        let mut c = claims();
        c.exp = exp;
        c.nbf = nbf;
        issue(&keys, KeySlot::Active, &c).unwrap()
    };
    let forever = token(i64::MAX, Some(i64::MIN));
    assert!(verify(&keys, &forever, i64::MAX, Duration::MAX).is_ok());
    assert!(verify(&keys, &forever, i64::MIN, Duration::ZERO).is_ok());
    let never = token(i64::MIN, None);
    assert!(matches!(
        verify(&keys, &never, i64::MIN, Duration::MAX),
        Err(TokenError::Expired { .. })
    ));
    let later = token(i64::MAX, Some(i64::MAX));
    assert!(verify(&keys, &later, i64::MAX, Duration::MAX).is_ok());
    assert!(matches!(
        verify(&keys, &later, 0, Duration::ZERO),
        Err(TokenError::NotYetValid { .. })
    ));
}

#[test]
fn malformed_tokens_have_typed_errors_and_codes() {
    let keys = ring(("k1", "one"), None);
    let good = issue(&keys, KeySlot::Active, &claims()).unwrap();
    let (kid, rest) = good.split_once('.').unwrap();
    let (body, sig) = rest.split_once('.').unwrap();
    let cases: Vec<(String, TokenError)> = vec![
        (String::new(), TokenError::Missing),
        (
            "a".repeat(MAX_TOKEN_LEN + 1),
            Malformed::TooLong {
                len: MAX_TOKEN_LEN + 1,
            }
            .into(),
        ),
        (format!("{kid}.{body}"), Malformed::Parts.into()),
        (format!("{good}.x"), Malformed::Parts.into()),
        (format!(".{body}.{sig}"), Malformed::Kid.into()),
        (format!("k 1.{body}.{sig}"), Malformed::Kid.into()),
        (
            format!("{kid}.{body}=.{sig}"),
            Malformed::ClaimsEncoding.into(),
        ),
        (
            format!("{kid}.{body}.{sig}="),
            Malformed::SignatureEncoding.into(),
        ),
        (
            format!("{kid}.{body}.AAAA"),
            Malformed::SignatureLength { len: 3 }.into(),
        ),
    ];
    for (token, want) in cases {
        let got = parse(&token).unwrap_err();
        assert_eq!(got, want, "{token}");
        assert_eq!(verify_now(&keys, &token).unwrap_err(), want, "{token}");
        let code = got.code();
        assert!(
            code == "token_missing" || code == "token_malformed",
            "{code}"
        );
    }
}

#[test]
fn bad_claims_are_checked_after_the_signature() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let key = Key::from_config("k1", "one").unwrap();
    let keys = KeyRing::new(key, None).unwrap();
    let json = br#"{"ns":["a"],"verbs":["fly"],"iat":1,"exp":2}"#;
    // With a wrong signature the answer is about the signature, not the claims.
    let forged = format!("k1.{}.{}", b64(json), b64(&[0u8; 32]));
    assert_eq!(verify_now(&keys, &forged), Err(TokenError::BadSignature));
    let err = parse(&forged).unwrap_err();
    assert_eq!(
        err,
        TokenError::InvalidClaims(ClaimsError::UnknownVerb("fly".into()))
    );
    assert_eq!(err.code(), "token_invalid_claims");
}

#[test]
fn every_code_is_distinct_and_snake_case() {
    let errors = [
        TokenError::Missing,
        Malformed::Parts.into(),
        TokenError::InvalidClaims(ClaimsError::MaxQps),
        TokenError::UnknownKid { kid: "x".into() },
        TokenError::BadSignature,
        TokenError::Expired { exp: 0 },
        TokenError::NotYetValid { nbf: 0 },
    ];
    let codes: std::collections::BTreeSet<&str> = errors.iter().map(TokenError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(
        codes
            .iter()
            .all(|c| c.starts_with("token_")
                && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    );
}

#[test]
fn errors_never_contain_the_key() {
    let keys = ring(("k1", "zebra-hunter2"), None);
    let token = issue(&keys, KeySlot::Active, &claims()).unwrap();
    let other = ring(("k1", "walrus-hunter3"), None);
    let err = verify_now(&other, &token).unwrap_err();
    let shown = format!("{err} {err:?} {other:?}");
    assert!(!shown.contains("hunter"), "{shown}");
}
