//! Basics of the command line: help, version, usage errors and configuration errors, with
//! their exit codes (0 ok, 1 failed, 2 usage or configuration error).

use predicates::prelude::*;

use crate::util::{TestDir, lines_starting_with, stmgr};

/// Arguments of a command that resolves the configuration before doing anything else. The
/// configuration errors below are detected before the command itself runs.
const READS_CONFIG: &[&str] = &["snapshot"];

#[test]
fn help_lists_commands_and_exit_statuses() {
    stmgr()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: stmgr"))
        .stdout(predicate::str::contains("snapshot"))
        .stdout(predicate::str::contains("trim-wal"))
        .stdout(predicate::str::contains("Exit status:"))
        .stdout(predicate::str::contains("generate").not());
}

#[test]
fn no_command_prints_help_and_exits_2() {
    stmgr()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage: stmgr"));
}

#[test]
fn unknown_flag_exits_2() {
    stmgr()
        .arg("--no-such-flag")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with("error:"));
}

#[test]
fn bogus_output_format_exits_2_from_flag_and_environment() {
    let dir = TestDir::new();
    dir.stmgr()
        .args(["--output", "bogus"])
        .args(READS_CONFIG)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error:"));
    dir.stmgr()
        .env("STMGR_OUTPUT", "bogus")
        .args(READS_CONFIG)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bogus"));
}

/// Runs a config-reading command and checks: exit 2, exactly one `error:` line, naming `path`.
fn assert_config_error(cmd: &mut assert_cmd::Command, needle: &str) {
    let output = cmd.args(READS_CONFIG).output().expect("run stmgr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    let errors = lines_starting_with(&output.stderr, "error:");
    assert_eq!(errors.len(), 1, "expected one error line, got: {stderr}");
    assert!(
        errors[0].contains(needle),
        "error should name {needle}: {stderr}"
    );
}

#[test]
fn unknown_config_key_exits_2_naming_the_file() {
    let dir = TestDir::new();
    let file = dir.write(
        "stmgr.toml",
        "server = \"http://127.0.0.1:1\"\ndat_dir = \"x\"\n",
    );
    let path = file.to_str().expect("UTF-8 path");
    assert_config_error(dir.stmgr().arg("--config").arg(&file), path);
    assert_config_error(dir.stmgr().env("STMGR_CONFIG", &file), path);
    assert_config_error(dir.stmgr().arg("--config").arg(&file), "dat_dir");
}

#[test]
fn default_config_file_is_read_from_the_platform_config_dir() {
    let dir = TestDir::new();
    let file = dir.default_config_file();
    dir.write(&file, "[engine]\nhistory_age = \"whenever\"\n");
    assert_config_error(&mut dir.stmgr(), file.to_str().expect("UTF-8 path"));
}

#[test]
fn missing_named_config_file_exits_2() {
    let dir = TestDir::new();
    let file = dir.path().join("absent.toml");
    assert_config_error(
        dir.stmgr().arg("--config").arg(&file),
        file.to_str().expect("UTF-8 path"),
    );
}

#[test]
fn invalid_environment_value_exits_2_naming_the_variable() {
    let dir = TestDir::new();
    assert_config_error(
        dir.stmgr().env("STMGR_WAL_SEGMENT_SIZE", "lots"),
        "STMGR_WAL_SEGMENT_SIZE",
    );
    assert_config_error(dir.stmgr().env("LOG_LEVEL", "loud"), "LOG_LEVEL");
}

#[test]
fn closed_stdout_exits_0_without_a_message() {
    let dir = TestDir::new();
    let data = dir.path().join("state");
    drop(stmgr::store::Engine::open(&data, crate::engine::options(), "test").expect("open"));
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = dir
        .std_command()
        .arg("--data-dir")
        .arg(&data)
        .args(["snapshot", "list", "--output", "json"])
        .stdout(writer)
        .output()
        .expect("run stmgr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(
        stderr.is_empty(),
        "nothing printed on a broken pipe: {stderr}"
    );
}

#[test]
fn the_most_used_commands_show_examples_in_help_and_man_pages() {
    let man = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    for command in [
        &["put"][..],
        &["get"],
        &["ls"],
        &["query"],
        &["watch"],
        &["snapshot"],
        &["restore"],
        &["server", "start"],
        &["graph", "upload"],
        &["graph", "trigger"],
    ] {
        for flag in ["-h", "--help"] {
            stmgr()
                .args(command)
                .arg(flag)
                .assert()
                .success()
                .stdout(predicate::str::contains(format!(
                    "Examples:\n  stmgr {}",
                    command.join(" ")
                )));
        }
        let page = man.join(format!("stmgr-{}.1", command.join("-")));
        let text = std::fs::read_to_string(&page).unwrap();
        assert!(
            text.contains("Examples:") && text.contains(&format!("stmgr {}", command.join(" "))),
            "{}",
            page.display()
        );
    }
}
