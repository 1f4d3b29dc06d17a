//! Precedence and error tests for settings resolution, with an injected environment and
//! platform directories (the process environment is never read or changed).

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::store::options::Durability;

/// A fake environment plus fake platform directories inside a tempdir.
struct World {
    dir: tempfile::TempDir,
    vars: HashMap<String, String>,
}

impl World {
    fn new() -> World {
        World {
            dir: tempfile::tempdir().expect("tempdir"),
            vars: HashMap::new(),
        }
    }

    fn set(mut self, name: &str, value: &str) -> World {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    fn dirs(&self) -> PlatformDirs {
        PlatformDirs {
            config_dir: Some(self.dir.path().join("config")),
            data_dir: Some(self.dir.path().join("data")),
        }
    }

    /// Writes the default config file (`<config dir>/config.toml`).
    fn default_file(self, text: &str) -> World {
        let dir = self.dir.path().join("config");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(CONFIG_FILE_NAME), text).expect("write config");
        self
    }

    /// Writes a config file elsewhere and returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write config");
        path
    }

    fn resolve(&self, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let env = |name: &str| self.vars.get(name).map(OsString::from);
        Settings::resolve(overrides, &env, &self.dirs())
    }

    fn settings(&self) -> Settings {
        self.resolve(&Overrides::default())
            .expect("settings resolve")
    }
}

fn flag_data_dir(dir: &str) -> Overrides {
    Overrides {
        data_dir: Some(PathBuf::from(dir)),
        ..Overrides::default()
    }
}

#[test]
fn defaults_without_any_file_or_variable() {
    let world = World::new();
    let settings = world.settings();
    assert_eq!(settings.data_dir, world.dir.path().join("data"));
    assert_eq!(settings.server, DEFAULT_SERVER);
    assert_eq!(settings.output, None);
    assert_eq!(settings.config_file, None);
    assert_eq!(settings.engine.durability, Durability::Always);
    assert!(
        !world.dir.path().join("config").exists(),
        "reading wrote files"
    );
}

#[test]
fn no_platform_dirs_falls_back_to_a_relative_data_dir() {
    let env = |_: &str| None;
    let settings =
        Settings::resolve(&Overrides::default(), &env, &PlatformDirs::default()).expect("resolve");
    assert_eq!(settings.data_dir, Path::new(FALLBACK_DATA_DIR));
}

#[test]
fn data_dir_precedence_flag_env_legacy_env_file_default() {
    let file = "data_dir = \"/from/file\"\n";
    let all = World::new()
        .default_file(file)
        .set("STMGR_DATA_DIR", "/from/stmgr-env")
        .set("DATA_DIR", "/from/legacy-env");
    let dir = |world: &World, o: &Overrides| world.resolve(o).expect("resolve").data_dir;

    assert_eq!(
        dir(&all, &flag_data_dir("/from/flag")),
        Path::new("/from/flag")
    );
    assert_eq!(
        dir(&all, &Overrides::default()),
        Path::new("/from/stmgr-env")
    );

    let legacy = World::new()
        .default_file(file)
        .set("DATA_DIR", "/from/legacy-env");
    assert_eq!(
        dir(&legacy, &Overrides::default()),
        Path::new("/from/legacy-env")
    );

    let file_only = World::new().default_file(file).set("STMGR_DATA_DIR", "");
    assert_eq!(
        dir(&file_only, &Overrides::default()),
        Path::new("/from/file")
    );

    let none = World::new();
    assert_eq!(
        dir(&none, &Overrides::default()),
        none.dir.path().join("data")
    );
}

#[test]
fn relative_data_dir_in_a_file_is_relative_to_the_file() {
    let world = World::new().default_file("data_dir = \"state\"\n");
    let settings = world.settings();
    assert_eq!(
        settings.data_dir,
        world.dir.path().join("config").join("state")
    );
    assert_eq!(
        settings.config_file,
        Some(world.dir.path().join("config").join(CONFIG_FILE_NAME))
    );
}

#[test]
fn explicit_file_beats_stmgr_config_which_beats_the_default_file() {
    let world = World::new().default_file("server = \"http://default-file\"\n");
    let named = world.file("named.toml", "server = \"http://named\"\n");
    let flagged = world.file("flagged.toml", "server = \"http://flagged\"\n");
    let world = world.set("STMGR_CONFIG", &named.to_string_lossy());

    assert_eq!(world.settings().server, "http://named");
    let overrides = Overrides {
        config: Some(flagged.clone()),
        ..Overrides::default()
    };
    let settings = world.resolve(&overrides).expect("resolve");
    assert_eq!(settings.server, "http://flagged");
    assert_eq!(settings.config_file, Some(flagged));
}

#[test]
fn engine_key_precedence_env_file_default() {
    let file = "[engine]\nhistory_age = \"2h\"\nsegment_size = \"1MiB\"\nwatch_buffer_events = 7\n";
    let world = World::new().default_file(file);
    let engine = world.settings().engine;
    assert_eq!(engine.history_age, Duration::from_secs(7200));
    assert_eq!(engine.segment_size, 1024 * 1024);
    assert_eq!(engine.watch_buffer_events, 7);
    assert_eq!(engine.history_versions, 16, "unset keys keep their default");

    let world = world
        .set("STMGR_HISTORY_AGE", "90s")
        .set("STMGR_WAL_SEGMENT_SIZE", "4096")
        .set("WATCH_BUFFER_SIZE", "9");
    let engine = world.settings().engine;
    assert_eq!(engine.history_age, Duration::from_secs(90));
    assert_eq!(engine.segment_size, 4096);
    assert_eq!(engine.watch_buffer_events, 9);

    let world = world
        .set("WATCH_BUFFER_EVENTS", "10")
        .set("STMGR_WATCH_BUFFER_EVENTS", "11");
    assert_eq!(world.settings().engine.watch_buffer_events, 11);
}

#[test]
fn engine_sizes_accept_numbers_and_units() {
    let world = World::new().default_file(
        "[engine]\nsegment_size = 8192\nwatch_buffer_bytes = \"2 MiB\"\ndurability = \"Interval\"\n",
    );
    let engine = world.settings().engine;
    assert_eq!(engine.segment_size, 8192);
    assert_eq!(engine.watch_buffer_bytes, 2 * 1024 * 1024);
    assert_eq!(engine.durability, Durability::Interval);
}

#[test]
fn output_and_server_precedence() {
    let world = World::new()
        .default_file("output = \"jsonl\"\nserver = \"http://file:1\"\n")
        .set("STMGR_SERVER", "https://env:2");
    let settings = world.settings();
    assert_eq!(settings.output, Some(OutputFormat::Jsonl));
    assert_eq!(settings.server, "https://env:2");
    let world = world.set("STMGR_OUTPUT", "JSON");
    assert_eq!(world.settings().output, Some(OutputFormat::Json));
}

#[test]
fn unknown_key_names_the_file_line_and_key() {
    let world =
        World::new().default_file("server = \"http://x\"\n\n[engine]\nhistroy_age = \"1h\"\n");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("typo accepted");
    let text = err.to_string();
    assert!(matches!(err, ConfigError::Parse { line: 4, .. }), "{err:?}");
    assert!(text.contains(CONFIG_FILE_NAME), "{text}");
    assert!(text.contains("histroy_age"), "{text}");
    assert!(!text.contains('\n'), "one line: {text}");
}

#[test]
fn bad_toml_is_a_parse_error() {
    let world = World::new().default_file("server = \n");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad toml accepted");
    assert!(matches!(err, ConfigError::Parse { line: 1, .. }), "{err:?}");
}

#[test]
fn bad_values_name_their_origin() {
    let world = World::new().default_file("[engine]\nhistory_age = \"soon\"\n");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad duration accepted");
    assert!(err.to_string().contains("engine.history_age"), "{err}");

    let world = World::new().set("STMGR_DURABILITY", "sometimes");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad mode accepted");
    assert!(err.to_string().contains("STMGR_DURABILITY"), "{err}");

    let world = World::new().set("STMGR_WAL_SEGMENT_SIZE", "0");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("zero size accepted");
    assert!(err.to_string().contains("greater than zero"), "{err}");

    let world = World::new().set("STMGR_SERVER", "localhost:8080");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad URL accepted");
    assert!(err.to_string().contains("STMGR_SERVER"), "{err}");
}

#[test]
fn missing_named_file_is_an_error_but_missing_default_file_is_not() {
    let world = World::new();
    let overrides = Overrides {
        config: Some(world.dir.path().join("absent.toml")),
        ..Overrides::default()
    };
    let err = world
        .resolve(&overrides)
        .expect_err("missing file accepted");
    assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("absent.toml"), "{err}");

    let world = world.set("STMGR_CONFIG", "/nonexistent/stmgr.toml");
    assert!(matches!(
        world.resolve(&Overrides::default()),
        Err(ConfigError::NotFound { .. })
    ));
}

#[test]
fn no_auth_settings_by_default() {
    let auth = World::new().settings().auth;
    assert!(auth.keys.is_none());
    assert!(auth.region.is_none());
    assert!(auth.api_key.is_none());
}

#[test]
fn auth_precedence_stmgr_env_legacy_env_file() {
    let file = "[auth]\ncap_key_active_id = \"file-id\"\ncap_key_active = \"file-key\"\n\
                region = \"file-region\"\napi_key = \"file-api\"\n";
    let world = World::new().default_file(file);
    let auth = world.settings().auth;
    let keys = auth.keys.expect("keys from the file");
    assert_eq!(keys.active().id(), "file-id");
    assert_eq!(keys.active().secret().expose(), b"file-key");
    assert!(keys.next().is_none());
    assert_eq!(auth.region.as_deref(), Some("file-region"));
    assert!(auth.api_key.expect("api key").matches(b"file-api"));

    let world = world
        .set("CAP_KEY_ACTIVE_ID", "legacy-id")
        .set("CAP_KEY_ACTIVE", "legacy-key")
        .set("REGION", "legacy-region")
        .set("API_KEY", "legacy-api");
    let auth = world.settings().auth;
    let keys = auth.keys.expect("keys");
    assert_eq!(keys.active().id(), "legacy-id");
    assert_eq!(keys.active().secret().expose(), b"legacy-key");
    assert_eq!(auth.region.as_deref(), Some("legacy-region"));
    assert!(auth.api_key.expect("api key").matches(b"legacy-api"));

    let world = world.set("STATE_MANAGER_SECRET", "exosphere-secret");
    assert!(
        world
            .settings()
            .auth
            .api_key
            .expect("api key")
            .matches(b"exosphere-secret")
    );

    let world = world
        .set("STMGR_CAP_KEY_ACTIVE_ID", "stmgr-id")
        .set("STMGR_CAP_KEY_ACTIVE", "base64:AAEC")
        .set("STMGR_REGION", "stmgr-region")
        .set("STMGR_API_KEY", "stmgr-api");
    let auth = world.settings().auth;
    let keys = auth.keys.expect("keys");
    assert_eq!(keys.active().id(), "stmgr-id");
    assert_eq!(keys.active().secret().expose(), [0u8, 1, 2]);
    assert_eq!(auth.region.as_deref(), Some("stmgr-region"));
    assert!(auth.api_key.expect("api key").matches(b"stmgr-api"));
}

#[test]
fn next_key_is_resolved_alongside_the_active_one() {
    let world = World::new()
        .set("CAP_KEY_ACTIVE_ID", "k1")
        .set("CAP_KEY_ACTIVE", "one")
        .default_file("[auth]\ncap_key_next_id = \"k2\"\ncap_key_next = \"two\"\n");
    let keys = world.settings().auth.keys.expect("keys");
    assert_eq!(keys.active().id(), "k1");
    let next = keys.next().expect("next key");
    assert_eq!((next.id(), next.secret().expose()), ("k2", &b"two"[..]));
}

/// Resolves and returns the error and its text, which must not contain any of `secrets`.
fn auth_error(world: &World, secrets: &[&str]) -> (ConfigError, String) {
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad auth settings accepted");
    let text = format!("{err} {err:?}");
    for secret in secrets {
        assert!(!text.contains(secret), "secret shown: {text}");
    }
    (err, text)
}

#[test]
fn a_key_without_its_id_and_an_id_without_its_key_are_errors() {
    let world = World::new().set("CAP_KEY_ACTIVE", "zebra-secret");
    let (err, text) = auth_error(&world, &["zebra-secret"]);
    assert!(matches!(err, ConfigError::Incomplete { .. }), "{err:?}");
    assert!(text.contains("CAP_KEY_ACTIVE is set"), "{text}");
    assert!(text.contains("CAP_KEY_ACTIVE_ID"), "{text}");

    let world = World::new().set("STMGR_CAP_KEY_NEXT_ID", "k2");
    let (_, text) = auth_error(&world, &[]);
    assert!(text.contains("STMGR_CAP_KEY_NEXT_ID is set"), "{text}");
    assert!(text.contains("CAP_KEY_NEXT"), "{text}");

    let world = World::new().default_file("[auth]\ncap_key_active_id = \"k1\"\n");
    let (_, text) = auth_error(&world, &[]);
    assert!(text.contains("auth.cap_key_active_id"), "{text}");
}

#[test]
fn a_next_key_needs_an_active_key_with_another_id() {
    let world = World::new()
        .set("CAP_KEY_NEXT_ID", "k2")
        .set("CAP_KEY_NEXT", "walrus-secret");
    let (_, text) = auth_error(&world, &["walrus-secret"]);
    assert!(text.contains("CAP_KEY_NEXT_ID"), "{text}");
    assert!(text.contains("no active key"), "{text}");

    let world = World::new()
        .set("CAP_KEY_ACTIVE_ID", "same")
        .set("CAP_KEY_ACTIVE", "walrus-one")
        .set("CAP_KEY_NEXT_ID", "same")
        .set("CAP_KEY_NEXT", "walrus-two");
    let (_, text) = auth_error(&world, &["walrus"]);
    assert!(text.contains("CAP_KEY_NEXT_ID"), "{text}");
    assert!(text.contains("same"), "{text}");
}

#[test]
fn bad_keys_and_ids_name_their_origin_but_not_the_key() {
    let world = World::new()
        .set("CAP_KEY_ACTIVE_ID", "k1")
        .set("CAP_KEY_ACTIVE", "base64:zebra!!");
    let (err, text) = auth_error(&world, &["zebra"]);
    assert!(matches!(err, ConfigError::InvalidSecret { .. }), "{err:?}");
    assert!(text.contains("CAP_KEY_ACTIVE"), "{text}");

    let world = World::new()
        .default_file("[auth]\ncap_key_active_id = \"k1\"\ncap_key_active = \"base64:\"\n");
    let (_, text) = auth_error(&world, &[]);
    assert!(text.contains("auth.cap_key_active"), "{text}");
    assert!(text.contains("empty"), "{text}");

    let world = World::new()
        .set("CAP_KEY_ACTIVE_ID", "bad.id")
        .set("CAP_KEY_ACTIVE", "zebra-key");
    let (_, text) = auth_error(&world, &["zebra-key"]);
    assert!(text.contains("CAP_KEY_ACTIVE_ID"), "{text}");
    assert!(text.contains("bad.id"), "{text}");
}

#[test]
fn settings_debug_never_shows_secrets() {
    let world = World::new()
        .set("CAP_KEY_ACTIVE_ID", "k1")
        .set("CAP_KEY_ACTIVE", "zebra-active")
        .set("CAP_KEY_NEXT_ID", "k2")
        .set("CAP_KEY_NEXT", "zebra-next")
        .set("STATE_MANAGER_SECRET", "zebra-api");
    let shown = format!("{:?}", world.settings());
    assert!(!shown.contains("zebra"), "{shown}");
    assert!(shown.contains("k1") && shown.contains("k2"), "{shown}");
}

#[test]
fn unknown_auth_key_in_the_file_is_an_error() {
    let world = World::new().default_file("[auth]\ncap_key = \"x\"\n");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("typo accepted");
    assert!(err.to_string().contains("cap_key"), "{err}");
}

/// base64 of the bytes 0..32, and the id of that key.
const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn key_id(bytes: &[u8]) -> u32 {
    crate::store::EncryptionKey::parse(bytes).expect("key").id()
}

fn resolved_key_id(world: &World) -> Option<u32> {
    world.settings().engine.encryption.map(|k| k.id())
}

#[test]
fn encryption_key_precedence_env_file_and_key_files() {
    let id = key_id(KEY_B64.as_bytes());
    let raw = "0123456789abcdef0123456789abcdef";
    assert_eq!(resolved_key_id(&World::new()), None);
    assert_eq!(
        resolved_key_id(&World::new().set("ENCRYPTION_KEY", KEY_B64)),
        Some(id)
    );
    let both = World::new()
        .set("ENCRYPTION_KEY", raw)
        .set("STMGR_ENCRYPTION_KEY", KEY_B64);
    assert_eq!(resolved_key_id(&both), Some(id), "STMGR_ wins");
    // The file's key, its key file (relative to the file), and the environment above both.
    let world = World::new().default_file(&format!("[engine]\nencryption_key = \"{raw}\"\n"));
    assert_eq!(resolved_key_id(&world), Some(key_id(raw.as_bytes())));
    let world = world.set("ENCRYPTION_KEY", KEY_B64);
    assert_eq!(resolved_key_id(&world), Some(id));
    let world = World::new().default_file("[engine]\nencryption_key_file = \"keys/k\"\n");
    let dir = world.dir.path().join("config/keys");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("k"), format!("{KEY_B64}\n")).expect("write key");
    assert_eq!(resolved_key_id(&world), Some(id));
    let bin = world.file("bin.key", "");
    std::fs::write(&bin, (0u8..32).collect::<Vec<_>>()).expect("write key");
    let world = world.set("STMGR_ENCRYPTION_KEY_FILE", bin.to_str().expect("utf-8"));
    assert_eq!(resolved_key_id(&world), Some(id), "raw bytes in a key file");
    let shown = format!("{:?}", world.settings());
    assert!(
        shown.contains(&format!("EncryptionKey {{ id: {id:08x}")),
        "{shown}"
    );
    assert!(
        !shown.contains(KEY_B64) && !shown.contains("[0, 1, 2, 3"),
        "{shown}"
    );
}

#[test]
fn encryption_key_errors_name_the_source_never_the_value() {
    let err = World::new()
        .set("ENCRYPTION_KEY", "hunter2-hunter2")
        .resolve(&Overrides::default())
        .expect_err("short key accepted");
    assert!(matches!(err, ConfigError::InvalidSecret { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("environment variable ENCRYPTION_KEY"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");

    let world = World::new().default_file("[engine]\nencryption_key = \"c2hvcnQ=\"\n");
    let msg = world
        .resolve(&Overrides::default())
        .expect_err("5-byte key accepted")
        .to_string();
    assert!(
        msg.contains("engine.encryption_key") && msg.contains("5 bytes"),
        "{msg}"
    );
    assert!(!msg.contains("c2hvcnQ"), "{msg}");

    let err = World::new()
        .set("STMGR_ENCRYPTION_KEY", KEY_B64)
        .set("STMGR_ENCRYPTION_KEY_FILE", "/k")
        .resolve(&Overrides::default())
        .expect_err("two keys accepted");
    assert!(matches!(err, ConfigError::Conflict { .. }), "{err:?}");

    let world = World::new()
        .default_file("[engine]\nencryption_key = \"x\"\nencryption_key_file = \"k\"\n");
    let err = world.resolve(&Overrides::default()).expect_err("two keys");
    assert!(matches!(err, ConfigError::Conflict { .. }), "{err:?}");

    let err = World::new()
        .set("STMGR_ENCRYPTION_KEY_FILE", "/nonexistent/stmgr.key")
        .resolve(&Overrides::default())
        .expect_err("missing key file accepted");
    let msg = err.to_string();
    assert!(
        msg.contains("/nonexistent/stmgr.key") && msg.contains("STMGR_ENCRYPTION_KEY_FILE"),
        "{msg}"
    );
    let world = World::new();
    let bad = world.file("bad.key", "not base64 at all, and not 32 bytes");
    let msg = world
        .set("STMGR_ENCRYPTION_KEY_FILE", bad.to_str().expect("utf-8"))
        .resolve(&Overrides::default())
        .expect_err("bad key file accepted")
        .to_string();
    assert!(
        msg.contains("encryption key file") && msg.contains("bad.key"),
        "{msg}"
    );
    assert!(!msg.contains("not base64 at all"), "{msg}");
}

#[test]
fn previous_encryption_key_resolves_on_its_own() {
    let raw = "0123456789abcdef0123456789abcdef";
    let world = World::new()
        .set("STMGR_PREVIOUS_ENCRYPTION_KEY", KEY_B64)
        .default_file(&format!("[engine]\nencryption_key = \"{raw}\"\n"));
    let engine = world.settings().engine;
    assert_eq!(
        engine.encryption.map(|k| k.id()),
        Some(key_id(raw.as_bytes()))
    );
    assert_eq!(
        engine.previous_encryption.map(|k| k.id()),
        Some(key_id(KEY_B64.as_bytes()))
    );
    let world = World::new().default_file("[engine]\nprevious_encryption_key = \"short\"\n");
    let msg = world
        .resolve(&Overrides::default())
        .expect_err("bad previous key accepted")
        .to_string();
    assert!(msg.contains("engine.previous_encryption_key"), "{msg}");
    assert!(!msg.contains("short\""), "{msg}");
}

#[test]
fn client_api_key_precedence_flag_server_env_exosphere_env_file() {
    let key = |world: &World, flag: Option<&str>| {
        let overrides = Overrides {
            api_key: flag.map(str::to_owned),
            ..Overrides::default()
        };
        let settings = world.resolve(&overrides).expect("settings resolve");
        settings.client.api_key.map(|k| k.expose().to_owned())
    };
    let world = World::new().default_file("[auth]\napi_key = \"server-file\"\n");
    assert_eq!(key(&world, None).as_deref(), Some("server-file"));
    let world = World::new()
        .default_file("[client]\napi_key = \"client-file\"\n[auth]\napi_key = \"server-file\"\n");
    assert_eq!(key(&world, None).as_deref(), Some("client-file"));
    let world = world.set("EXOSPHERE_API_KEY", "exo");
    assert_eq!(key(&world, None).as_deref(), Some("exo"));
    let world = world.set("STATE_MANAGER_SECRET", "secret");
    assert_eq!(key(&world, None).as_deref(), Some("secret"));
    let world = world.set("STMGR_API_KEY", "stmgr");
    assert_eq!(key(&world, None).as_deref(), Some("stmgr"));
    assert_eq!(key(&world, Some("flag")).as_deref(), Some("flag"));
    assert!(World::new().settings().client.api_key.is_none());
}

#[test]
fn client_timeout_precedence_flag_env_file_default_and_zero_is_no_limit() {
    let timeout = |world: &World, flag: Option<Duration>| {
        let overrides = Overrides {
            timeout: flag,
            ..Overrides::default()
        };
        world
            .resolve(&overrides)
            .expect("settings resolve")
            .client
            .timeout
    };
    let secs = |n| Some(Duration::from_secs(n));
    let world = World::new();
    assert_eq!(timeout(&world, None), Some(DEFAULT_TIMEOUT));
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
    let world = World::new().default_file("[client]\ntimeout = \"2m\"\n");
    assert_eq!(timeout(&world, None), secs(120));
    let world = world.set("STMGR_TIMEOUT", "1m 30s");
    assert_eq!(timeout(&world, None), secs(90));
    assert_eq!(timeout(&world, secs(5)), secs(5));
    // 0 means no limit, wherever it comes from.
    assert_eq!(timeout(&world, Some(Duration::ZERO)), None);
    assert_eq!(timeout(&world.set("STMGR_TIMEOUT", "0"), None), None);
    let world = World::new().default_file("[client]\ntimeout = \"0\"\n");
    assert_eq!(timeout(&world, None), None);
}

#[test]
fn a_bad_client_timeout_names_its_origin() {
    let err = World::new()
        .set("STMGR_TIMEOUT", "soon")
        .resolve(&Overrides::default())
        .expect_err("bad timeout accepted");
    let text = err.to_string();
    assert!(matches!(err, ConfigError::InvalidValue { .. }), "{err:?}");
    assert!(
        text.contains("STMGR_TIMEOUT") && text.contains("soon"),
        "{text}"
    );
    let err = World::new()
        .default_file("[client]\ntimeout = \"forever\"\n")
        .resolve(&Overrides::default())
        .expect_err("bad timeout accepted");
    assert!(err.to_string().contains("client.timeout"), "{err}");
    let err = World::new()
        .default_file("[client]\ntimeout = 30\n")
        .resolve(&Overrides::default())
        .expect_err("a number without a unit accepted");
    assert!(matches!(err, ConfigError::Parse { line: 2, .. }), "{err:?}");
}

#[test]
fn backend_is_embedded_by_default_and_a_postgres_url_from_the_file_or_environment() {
    let world = World::new();
    let s = world.resolve(&Overrides::default()).expect("resolve");
    assert_eq!(s.engine.backend, None);

    let url = "postgres://stmgr@db.internal/stmgr";
    let world = World::new().default_file(&format!("[engine]\nbackend = \"{url}\"\n"));
    let s = world.resolve(&Overrides::default()).expect("resolve");
    assert_eq!(s.engine.backend.as_deref(), Some(url));

    // The environment wins over the file; `embedded` turns it off.
    let world = World::new()
        .set("STMGR_BACKEND", "embedded")
        .default_file(&format!("[engine]\nbackend = \"{url}\"\n"));
    let s = world.resolve(&Overrides::default()).expect("resolve");
    assert_eq!(s.engine.backend, None);

    // Anything else is refused, without echoing the value (a URL may hold a password).
    let world = World::new().set("STMGR_BACKEND", "mysql://u:hunter2@db/x");
    let err = world
        .resolve(&Overrides::default())
        .expect_err("bad backend accepted");
    assert!(err.to_string().contains("STMGR_BACKEND"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
