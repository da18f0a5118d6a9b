//! End-to-end runs of the built binary, as a user or a script would run it.

use std::io::Write;

use assert_cmd::Command;
use predicates::prelude::*;

fn cli() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!()
}

#[test]
fn counts_standard_input() {
    cli()
        .arg("stats")
        .write_stdin("one two\nthree\n")
        .assert()
        .success()
        .stdout("       2        3       14       14 -\n");
}

#[test]
fn counts_a_file_as_json() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all("héllo wörld\n".as_bytes()).unwrap();

    let output = cli()
        .args(["stats", "--format", "json"])
        .arg(file.path())
        .output()
        .unwrap();

    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["lines"], 1);
    assert_eq!(json["words"], 2);
    assert_eq!(json["chars"], 12);
    assert_eq!(json["bytes"], 14);
    assert_eq!(json["input"], file.path().display().to_string());
}

#[test]
fn missing_file_fails_with_a_message() {
    cli()
        .args(["stats", "does/not/exist.txt"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("cannot open does/not/exist.txt"));
}

#[test]
fn invalid_utf8_fails_with_the_line() {
    cli()
        .arg("stats")
        .write_stdin(b"ok\n\xff\n".to_vec())
        .assert()
        .failure()
        .stderr(predicate::str::contains("- is not valid UTF-8 (line 2)"));
}

#[test]
fn unknown_format_is_a_usage_error() {
    cli()
        .args(["stats", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'yaml'"));
}

#[test]
fn prints_completions() {
    cli()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_NAME")));
}

#[test]
fn prints_version() {
    cli()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}
