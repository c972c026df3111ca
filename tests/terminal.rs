//! The text timeline as a terminal shows it: run behind a pseudo-terminal of a known
//! width, every row fits it, nothing is cut that fits, and `TERM=dumb` gets no colour.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};

fn scenario(name: &str) -> String {
    format!("{}/fixtures/scenarios/{name}/logs", env!("CARGO_MANIFEST_DIR"))
}

/// What `postmortem ARGS` writes to a terminal `columns` wide, `\r\n` read as `\n`.
fn on_terminal(columns: u16, term: &str, args: &[&str]) -> String {
    on_a_terminal(columns, term, args, Stream::Out)
}

/// Which of the program's streams is the terminal (the other goes nowhere).
enum Stream {
    Out,
    Err,
}

/// What `postmortem ARGS` writes on `stream` to a terminal `columns` wide.
fn on_a_terminal(columns: u16, term: &str, args: &[&str], stream: Stream) -> String {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 50,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors we then own; the other pointers may be null.
    let opened = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and nothing else owns them.
    let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // The child gets the only copy of the slave: reading ends when it exits.
    let (out, err) = match stream {
        Stream::Out => (Stdio::from(slave), Stdio::null()),
        Stream::Err => (Stdio::null(), Stdio::from(slave)),
    };
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", term)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut master = master;
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        }
        bytes
    });
    assert!(child.wait().unwrap().success());
    let bytes = reader.join().unwrap();
    String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
}

fn piped(args: &[&str]) -> String {
    let out = Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
        .args(args)
        .env_remove("COLUMNS")
        .env("TZ", "UTC")
        .stderr(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// A line as the terminal shows it: colour escapes take no columns.
fn shown(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_row_fits_the_terminal_and_nothing_that_fits_is_cut() {
    for name in ["table-lock", "pool-after-deploy", "cms-corruption"] {
        let logs = scenario(name);
        for raw in [false, true] {
            let mut args = vec!["timeline", "-q", logs.as_str()];
            if raw {
                args.push("--raw");
            }
            let full = piped(&args);
            assert!(!full.contains('\x1b'), "piped output has no colour");
            for columns in [80u16, 200] {
                let seen = on_terminal(columns, "xterm-256color", &args);
                assert!(seen.contains('\x1b'), "a terminal gets colour");
                let (seen, full): (Vec<String>, Vec<&str>) = (seen.lines().map(shown).collect(), full.lines().collect());
                assert_eq!(seen.len(), full.len(), "{name} at {columns}: one row a row");
                for (row, whole) in seen.iter().zip(&full) {
                    let width = row.chars().count();
                    assert!(width <= usize::from(columns), "{name} at {columns}: {width} columns: {row}");
                    if whole.chars().count() <= usize::from(columns) {
                        assert_eq!(row, whole, "{name} at {columns}: a row that fits is whole");
                    } else {
                        // A cut row keeps its time; its message ends with `…` or its
                        // citation gave up its last line, or both.
                        let cited_first_only = row.ends_with(']') && whole.rsplit('[').next().unwrap().contains(" … ");
                        assert!(row.contains('…') || cited_first_only, "{row}");
                        assert_eq!(row.split(' ').next(), whole.split(' ').next(), "{row}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_dumb_terminal_gets_no_colour_and_a_wide_one_the_whole_rows() {
    let logs = scenario("table-lock");
    let args = ["timeline", "-q", logs.as_str()];
    let dumb = on_terminal(200, "dumb", &args);
    assert!(!dumb.contains('\x1b'), "{dumb}");
    assert_eq!(dumb, piped(&args), "at 200 columns every row of this scenario fits");
    // The first rows name files below their shared folder and the day once.
    let mut lines = dumb.lines();
    assert!(lines.next().unwrap().starts_with("Files in ") && dumb.contains("[syslog:7]"));
    // Shown in the zone the access log carries.
    assert_eq!(lines.next(), Some("2024-01-21 -05:00"));
}

#[test]
fn columns_from_the_environment_fit_piped_output() {
    let logs = scenario("table-lock");
    let out = Command::new(assert_cmd::cargo::cargo_bin("postmortem"))
        .args(["timeline", "-q", &logs])
        .env("COLUMNS", "60")
        .env("TZ", "UTC")
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
    assert!(Path::new(&logs).is_dir());
}

#[test]
fn a_draft_on_a_terminal_has_no_mermaid_block_and_a_short_run_no_progress() {
    let logs = scenario("table-lock");
    let args = ["draft", "-q", "--tz", "America/New_York", logs.as_str()];
    let seen = on_terminal(200, "xterm-256color", &args);
    assert!(seen.contains("## Timeline") && !seen.contains("mermaid"), "{seen}");
    assert!(piped(&args).contains("```mermaid"));
    // Without -q, a run of a fraction of a second draws no bar on the terminal.
    let said = on_a_terminal(
        200,
        "xterm-256color",
        &["draft", "--tz", "America/New_York", logs.as_str()],
        Stream::Err,
    );
    assert!(!said.contains("eta") && !said.contains("B/s"), "{said:?}");
}
