//! Property tests of the token format: parsing never panics and always answers with a typed
//! error; issue → verify gives back any claims; any single-byte change breaks verification.

use std::time::Duration;

use proptest::prelude::*;

use super::claims::{Claims, Verb};
use super::keys::{Key, KeyRing, KeySlot};
use super::token::{DEFAULT_LEEWAY, issue, parse, verify};

const CODES: [&str; 7] = [
    "token_missing",
    "token_malformed",
    "token_invalid_claims",
    "token_unknown_kid",
    "token_bad_signature",
    "token_expired",
    "token_not_yet_valid",
];

const NOW: i64 = 1_750_000_000;

fn keys() -> KeyRing {
    let active = Key::from_config("active", "dev-secret").expect("key");
    let next = Key::from_config("next", "base64:AAECAwQFBgcICQ").expect("key");
    KeyRing::new(active, Some(next)).expect("ring")
}

fn verb() -> impl Strategy<Value = Verb> {
    prop::sample::select(Verb::ALL.to_vec())
}

/// Claims valid at [`NOW`]: any namespaces, verbs and optional claims.
fn claims() -> impl Strategy<Value = Claims> {
    (
        prop::collection::vec(any::<String>(), 0..5),
        prop::collection::vec(verb(), 0..8),
        (
            any::<i64>(),
            NOW..i64::MAX,
            prop::option::of(i64::MIN..=NOW),
        ),
        prop::option::of(any::<String>()),
        prop::option::of(any::<u64>()),
        // Dyadic fractions: exactly representable in decimal, so JSON gives them back exactly.
        prop::option::of((1u32..4_000_000).prop_map(|n| f64::from(n) / 8.0)),
        prop::option::of("[A-Za-z0-9_-]{1,40}"),
    )
        .prop_map(
            |(ns, verbs, (iat, exp, nbf), region, max_bytes, max_qps, jti)| Claims {
                ns,
                verbs,
                iat,
                exp,
                nbf,
                region,
                max_bytes,
                max_qps,
                jti,
            },
        )
}

/// Checks that `token` either parses or fails with one of the known codes.
fn parses_or_typed_error(token: &str) -> Result<(), TestCaseError> {
    if let Err(err) = parse(token) {
        prop_assert!(CODES.contains(&err.code()), "{err:?}");
    }
    if let Err(err) = verify(&keys(), token, NOW, DEFAULT_LEEWAY) {
        prop_assert!(CODES.contains(&err.code()), "{err:?}");
    }
    Ok(())
}

proptest! {
    /// Arbitrary text never panics the parser.
    #[test]
    fn parse_never_panics_on_strings(token in any::<String>()) {
        parses_or_typed_error(&token)?;
    }

    /// Text made of the token alphabet (so it gets past the first checks more often).
    #[test]
    fn parse_never_panics_on_token_like_strings(token in "[A-Za-z0-9_.=-]{0,400}") {
        parses_or_typed_error(&token)?;
    }

    /// Arbitrary bytes never panic the parser (as text, lossily).
    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parses_or_typed_error(&String::from_utf8_lossy(&bytes))?;
    }

    /// A signed token whose claims part is arbitrary bytes: parsing reaches the claims parser.
    #[test]
    fn arbitrary_signed_claims_never_panic(json in prop::collection::vec(any::<u8>(), 0..512)) {
        use base64::Engine as _;
        use hmac::{Hmac, KeyInit, Mac};
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"dev-secret").unwrap();
        mac.update(&json);
        let tag = mac.finalize().into_bytes();
        let token = format!("active.{}.{}", b64.encode(&json), b64.encode(tag));
        parses_or_typed_error(&token)?;
        // The signature is right: any failure is about the claims.
        if let Err(err) = verify(&keys(), &token, NOW, DEFAULT_LEEWAY) {
            prop_assert!(
                matches!(err.code(), "token_invalid_claims" | "token_expired" | "token_not_yet_valid"),
                "{err:?}"
            );
        }
    }

    /// issue → verify gives back the same claims, from either key.
    #[test]
    fn issue_verify_roundtrip(claims in claims(), next in any::<bool>()) {
        let slot = if next { KeySlot::Next } else { KeySlot::Active };
        let keys = keys();
        match issue(&keys, slot, &claims) {
            Ok(token) => {
                prop_assert_eq!(verify(&keys, &token, NOW, Duration::ZERO), Ok(claims.clone()));
                let parsed = parse(&token).unwrap();
                prop_assert_eq!(parsed.claims(), &claims);
            }
            // Only refusal allowed: a token over the length limit.
            Err(err) => prop_assert!(claims.to_json().len() > 6000, "{err:?}"),
        }
    }

    /// Changing any one byte of a valid token makes verification fail.
    #[test]
    fn any_single_byte_change_fails(claims in claims(), at in any::<prop::sample::Index>(), to in any::<u8>()) {
        let keys = keys();
        let Ok(token) = issue(&keys, KeySlot::Active, &claims) else {
            return Ok(());
        };
        let mut bytes = token.into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != to);
        bytes[i] = to;
        // A change that is not UTF-8 cannot even be presented as a token.
        if let Ok(changed) = String::from_utf8(bytes) {
            prop_assert!(verify(&keys, &changed, NOW, DEFAULT_LEEWAY).is_err(), "{changed}");
        }
    }
}
