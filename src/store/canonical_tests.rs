//! Tests of the canonical JSON form: examples of each rule, refusals, and properties over
//! generated documents (same text as `serde_json::Value` gives in a build without
//! `preserve_order`, as AgentState's is; canonicalizing twice changes nothing).

use proptest::prelude::*;
use serde_json::Value;

use super::canonical::canonicalize;

fn canon(text: &str) -> String {
    canonicalize(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .get()
        .to_string()
}

/// What AgentState stores and returns for `text`: `serde_json::Value`, written back compactly.
fn via_value(text: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap()
}

#[test]
fn value_sorts_keys_in_this_build() {
    // If a dependency ever enables serde_json's `preserve_order`, `Value` keeps insertion order
    // and stops being the reference for the parity property below: that change must be seen.
    assert_eq!(via_value(r#"{"b":1,"a":2}"#), r#"{"a":2,"b":1}"#);
}

#[test]
fn whitespace_and_newlines_go() {
    assert_eq!(
        canon("\n {\r\n\t\"a\" : [ 1 ,\n 2 ] ,\"b\":{ } , \"c\" : [ ] }\n"),
        r#"{"a":[1,2],"b":{},"c":[]}"#
    );
    assert_eq!(canon(r#"  "x y\n"  "#), r#""x y\n""#, "strings keep theirs");
}

#[test]
fn keys_are_sorted_by_bytes_at_every_level() {
    assert_eq!(
        canon(r#"{"z":{"y":1,"x":[{"b":1,"a":2}]},"a":0,"B":1,"é":2,"aa":3}"#),
        r#"{"B":1,"a":0,"aa":3,"z":{"x":[{"a":2,"b":1}],"y":1},"é":2}"#
    );
}

#[test]
fn the_last_of_duplicate_keys_wins() {
    assert_eq!(canon(r#"{"d":1,"d":2}"#), r#"{"d":2}"#);
    assert_eq!(canon(r#"{"d":2,"c":0,"d":1}"#), r#"{"c":0,"d":1}"#);
    // The same key spelled with an escape is the same key.
    assert_eq!(canon(r#"{"a":1,"\u0061":2}"#), r#"{"a":2}"#);
    assert_eq!(canon(r#"{"d":{"x":1},"d":[3]}"#), r#"{"d":[3]}"#);
}

#[test]
fn strings_take_serde_json_escapes() {
    assert_eq!(canon(r#""\u0041\/\u00e9\t\u0001""#), "\"A/é\\t\\u0001\"");
    assert_eq!(canon(r#"{"\u0062":"\ud83d\ude00"}"#), "{\"b\":\"😀\"}");
}

#[test]
fn numbers_take_serde_json_forms() {
    for (given, stored) in [
        ("0", "0"),
        ("-7", "-7"),
        ("18446744073709551615", "18446744073709551615"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("18446744073709551616", "1.8446744073709552e+19"),
        ("1.50", "1.5"),
        ("1E2", "100.0"),
        ("-0", "-0.0"),
        ("0.1", "0.1"),
        ("1e-7", "1e-7"),
    ] {
        assert_eq!(canon(given), stored, "{given}");
    }
}

#[test]
fn invalid_documents_are_refused() {
    for bad in [
        "",
        "{",
        r#"{"a":1,}"#,
        "[1 2]",
        "1 2",
        r#"{"a":1}x"#,
        r#""\ud800""#,
        "1e400",
        "NaN",
    ] {
        assert!(canonicalize(bad).is_err(), "{bad:?} accepted");
    }
    let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
    assert!(canonicalize(&deep).is_err(), "nesting beyond 128 accepted");
    let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert!(canonicalize(&ok).is_ok());
}

/// JSON text with optional whitespace around every token and keys that repeat.
fn json_text() -> impl Strategy<Value = String> {
    let ws = prop::sample::select(vec!["", "", " ", "\n", "\t ", "\r\n  "]);
    let key = prop::sample::select(vec![
        r#""a""#,
        r#""b""#,
        r#""\u0061""#,
        r#""ab""#,
        r#""A""#,
        r#""é""#,
        r#""""#,
        r#""a b""#,
    ]);
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        "-?[0-9]{1,25}(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?",
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', ' ', '"', '\\', '\n', '\u{1}', 'é', '😀']),
            0..8
        )
        .prop_map(|cs| serde_json::to_string(&cs.into_iter().collect::<String>()).unwrap()),
        Just(r#""\u00e9\/\n""#.to_string()),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        let (ws, key) = (ws.clone(), key.clone());
        prop_oneof![
            prop::collection::vec((inner.clone(), ws.clone()), 0..6).prop_map(|items| {
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(v, w)| format!("{w}{v}{w}"))
                    .collect();
                format!("[{}]", parts.join(","))
            }),
            prop::collection::vec((key, inner, ws), 0..6).prop_map(|entries| {
                let parts: Vec<String> = entries
                    .into_iter()
                    .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}{w}"))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn same_text_as_agentstate(text in json_text()) {
        // Numbers too large for an f64 are refused by both.
        if serde_json::from_str::<Value>(&text).is_ok() {
            prop_assert_eq!(canon(&text), via_value(&text));
        } else {
            prop_assert!(canonicalize(&text).is_err());
        }
    }

    #[test]
    fn canonical_text_is_a_fixed_point(text in json_text()) {
        if let Ok(once) = canonicalize(&text) {
            prop_assert_eq!(canon(once.get()), once.get());
        }
    }

    #[test]
    fn every_float_survives_a_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let once = canon(&serde_json::to_string(&f).unwrap());
        prop_assert_eq!(canon(&once), once.clone());
        prop_assert_eq!(once.parse::<f64>().unwrap(), f);
    }
}
