//! Python tools for the tests (the `agentstate` SDK, schemathesis): each in its own venv under
//! cargo's target tmpdir, created with pip on first use. Without Python or pip a test skips
//! locally and fails under `CI=true` (see [`require`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

static VENV: Mutex<()> = Mutex::new(());

/// The `bin/` directory of a venv named `name` with `packages` installed, or why there is none.
/// `override_var` names an environment variable that may point at an existing `bin/` instead.
pub fn venv_bin(name: &str, packages: &[&str], override_var: &str) -> Result<PathBuf, String> {
    venv_bin_with(Path::new("python3"), name, packages, override_var)
}

/// As [`venv_bin`], with the venv made by a given Python.
pub fn venv_bin_with(
    python: &Path,
    name: &str,
    packages: &[&str],
    override_var: &str,
) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(override_var) {
        return Ok(PathBuf::from(p));
    }
    let _guard = VENV.lock().unwrap_or_else(|p| p.into_inner());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let bin = venv.join("bin");
    let ready = venv.join(".ready");
    if ready.exists() {
        return Ok(bin);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(bin.join("python"))
        .args(["-m", "pip", "install", "--quiet"])
        .args(packages))?;
    std::fs::write(&ready, b"").map_err(|e| e.to_string())?;
    Ok(bin)
}

/// `Some(value)`, or `None` after printing why the test is skipped; panics under `CI=true`,
/// where every tool must be there.
pub fn require(tool: &str, found: Result<PathBuf, String>) -> Option<PathBuf> {
    match found {
        Ok(p) => Some(p),
        Err(why) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: {tool} is not available here ({why})");
            None
        }
        Err(why) => panic!("{tool} is required under CI=true: {why}"),
    }
}
