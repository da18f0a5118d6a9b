//! The binary end to end: output formats, exit statuses, stdin and Ctrl-C.

use std::fs;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use <%= crate %>::sample;

const BIN: &str = env!("CARGO_BIN_EXE_<%= name %>");

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("a piped stdin");
    pipe.write_all(stdin).expect("the binary reads stdin");
    drop(pipe);
    child.wait_with_output().expect("the binary ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn writes_one_json_record_per_file() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..5 {
        fs::write(
            dir.path().join(format!("{seed}.txt")),
            sample::text(seed, 300),
        )
        .unwrap();
    }
    let output = Command::new(BIN)
        .arg(dir.path())
        .args(["--format", "json", "--threads", "2", "--quiet"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let records: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(records.len(), 5);
    for record in &records {
        assert_eq!(record["stats"]["words"], 300, "{record}");
    }
    assert!(text(&output.stderr).contains("5 of 5 jobs"));
}

#[test]
fn a_failed_job_exits_2_and_the_others_are_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.txt"), "alpha beta gamma").unwrap();
    fs::write(dir.path().join("bad.txt"), b"\xff\xfe").unwrap();
    let output = Command::new(BIN).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("good.txt\t1 lines, 3 words"), "{stdout}");
    assert!(!stdout.contains("bad.txt"), "{stdout}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bad.txt: not valid UTF-8"), "{stderr}");
}

#[test]
fn reads_one_job_per_line_of_stdin() {
    let output = run_with_stdin(&["--quiet"], b"one two two\nthree\n");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut lines: Vec<String> = text(&output.stdout).lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("line 1\t1 lines, 3 words (2 unique)"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("line 2\t1 lines, 1 words"),
        "{lines:?}"
    );
}

#[test]
fn a_missing_directory_exits_1_with_the_cause() {
    let output = Command::new(BIN).arg("/no/such/dir").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("/no/such/dir"), "{stderr}");
    assert!(stderr.contains("No such file"), "{stderr}");
}

/// Ctrl-C while stdin stays open: the finished job is reported and the
/// worker blocked on the next line does not keep the process alive.
#[cfg(unix)]
#[test]
fn ctrl_c_prints_a_partial_summary_and_exits_130() {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};

    let mut child = Command::new(BIN)
        .arg("--quiet")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"first line\n").unwrap();
    stdin.flush().unwrap();
    // Results are flushed at least every second; once the first arrives the
    // Ctrl-C handler is installed and the workers wait for more input.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("line 1\t"), "{first}");

    let signal = Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(signal.success());

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("still running 10 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(stderr.contains("1 jobs in"), "{stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");
}
