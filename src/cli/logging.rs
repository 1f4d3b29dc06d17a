//! Diagnostics on stderr with `tracing`: which events are shown and how.
//!
//! Precedence: `-q` (errors only) or `-v`/`-vv`/`-vvv` (info, debug, trace) > `STMGR_LOG`
//! (full `tracing_subscriber::EnvFilter` syntax, e.g. `warn,stmgr::store=debug`) > `LOG_LEVEL`
//! (a level name; `WARNING`, `CRITICAL` and `FATAL` are accepted for deployments that already
//! set it) > `warn`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{ConfigError, Env, Origin, ProcessEnv};

/// The default filter when nothing is asked for.
/// rustls's own log lines repeat what the error chain already says: shown only with `-v`.
pub const DEFAULT_FILTER: &str = "warn,rustls=off";

/// The filter directives for these flags and this environment, with the variable they came
/// from (`None` for flags and the default).
///
/// # Errors
/// `LOG_LEVEL` is not a level name, or a variable is not UTF-8.
pub fn filter_directives(
    quiet: bool,
    verbose: u8,
    env: &dyn Env,
) -> Result<(String, Option<&'static str>), ConfigError> {
    if quiet {
        return Ok(("error,rustls=off".to_owned(), None));
    }
    match verbose {
        0 => {}
        1 => return Ok(("info".to_owned(), None)),
        2 => return Ok(("debug".to_owned(), None)),
        _ => return Ok(("trace".to_owned(), None)),
    }
    if let Some((name, value)) = crate::config::first_var(env, &["STMGR_LOG"])? {
        return Ok((value, Some(name)));
    }
    if let Some((name, value)) = crate::config::first_var(env, &["LOG_LEVEL"])? {
        let level = match value.trim().to_ascii_lowercase().as_str() {
            level @ ("off" | "error" | "warn" | "info" | "debug" | "trace") => level.to_owned(),
            "warning" => "warn".to_owned(),
            "critical" | "fatal" => "error".to_owned(),
            _ => {
                return Err(ConfigError::InvalidValue {
                    origin: Origin::Env(name.to_owned()),
                    value,
                    reason: "expected off, error, warn, info, debug or trace".to_owned(),
                });
            }
        };
        return Ok((level, Some(name)));
    }
    Ok((DEFAULT_FILTER.to_owned(), None))
}

/// Installs the global subscriber writing to stderr. `with_time` adds timestamps (long-running
/// commands such as a server); client commands print without them. No colour when stderr is
/// not a terminal or `NO_COLOR` is set.
///
/// # Errors
/// A [`ConfigError`] for an invalid `STMGR_LOG` or `LOG_LEVEL`.
pub fn init(quiet: bool, verbose: u8, with_time: bool, json: bool) -> Result<(), ConfigError> {
    let (directives, origin) = filter_directives(quiet, verbose, &ProcessEnv)?;
    let filter =
        EnvFilter::builder()
            .parse(&directives)
            .map_err(|err| ConfigError::InvalidValue {
                origin: Origin::Env(origin.unwrap_or("STMGR_LOG").to_owned()),
                value: directives.clone(),
                reason: err.to_string(),
            })?;
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false);
    // A second initialisation (tests) keeps the first subscriber: nothing to report.
    if json {
        // One JSON object per line, for log shippers.
        let _ = builder.json().with_current_span(false).try_init();
        return Ok(());
    }
    let _ = if with_time {
        builder.try_init()
    } else {
        builder.without_time().try_init()
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::ffi::OsString;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).map(OsString::from)
    }

    #[test]
    fn flags_beat_environment() {
        let e = env(&[("STMGR_LOG", "trace"), ("LOG_LEVEL", "debug")]);
        assert_eq!(
            filter_directives(true, 3, &e).unwrap().0,
            "error,rustls=off"
        );
        assert_eq!(filter_directives(false, 1, &e).unwrap().0, "info");
        assert_eq!(filter_directives(false, 0, &e).unwrap().0, "trace");
        let e = env(&[("LOG_LEVEL", "WARNING")]);
        assert_eq!(filter_directives(false, 0, &e).unwrap().0, "warn");
        assert_eq!(
            filter_directives(false, 0, &env(&[])).unwrap().0,
            "warn,rustls=off"
        );
    }

    #[test]
    fn bad_log_level_is_a_config_error() {
        let err = filter_directives(false, 0, &env(&[("LOG_LEVEL", "loud")])).unwrap_err();
        assert!(err.to_string().contains("LOG_LEVEL"), "{err}");
    }
}
