//! The chart: an SVG that parses and renders, carries the series and the markers the
//! analysis found, is deterministic and small, and matches the snapshot kept in
//! fixtures/scenarios/table-lock/chart.svg (the README shows it).

use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn chart(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart.svg");
    let status = Command::cargo_bin("postmortem")
        .unwrap()
        .current_dir(root())
        .args([
            "chart",
            "--quiet",
            "--tz",
            "America/New_York",
            "fixtures/scenarios/table-lock/logs",
            "--output",
        ])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn the_chart_parses_renders_and_carries_what_was_found() {
    let svg = chart(&[]);
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).expect("the SVG parses");
    let size = tree.size().to_int_size();
    assert_eq!((size.width(), size.height()), (960, 480), "two panels: traffic, and request time");
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    assert!(
        pixmap.pixels().iter().any(|p| p.red() > 150 && p.green() < 100),
        "the failed requests are drawn in red"
    );
    for label in [
        "requests",
        "failed (5xx)",
        "trigger 15:28",
        "first failure 15:30",
        "mitigation 16:29",
        "recovery 16:43",
        "mean request ms",
    ] {
        assert!(svg.contains(label), "no {label:?} in the chart");
    }
    assert!(svg.len() < 100_000, "{} bytes: buckets, not requests", svg.len());
}

#[test]
fn the_chart_is_deterministic_and_matches_its_snapshot() {
    let one = chart(&["--threads", "1"]);
    assert_eq!(one, chart(&["--threads", "2"]));
    let snapshot = std::fs::read_to_string(root().join("fixtures/scenarios/table-lock/chart.svg")).unwrap();
    assert!(
        one == snapshot,
        "the chart changed; regenerate the snapshot (README, \"Scenarios\")"
    );
}

#[test]
fn a_draft_written_beside_its_chart_links_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let (draft, svg) = (dir.path().join("drafts/postmortem.md"), dir.path().join("charts/outage.svg"));
    std::fs::create_dir_all(draft.parent().unwrap()).unwrap();
    std::fs::create_dir_all(svg.parent().unwrap()).unwrap();
    let output = Command::cargo_bin("postmortem")
        .unwrap()
        .current_dir(root())
        .args([
            "draft",
            "--quiet",
            "--tz",
            "America/New_York",
            "fixtures/scenarios/table-lock/logs",
            "--output",
        ])
        .arg(&draft)
        .arg("--chart")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(text.contains("](../charts/outage.svg)"), "the link is relative to the draft");
    assert!(svg.exists());
}

#[test]
fn logs_without_access_lines_have_nothing_to_chart() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("postmortem")
        .unwrap()
        .args(["chart", "--quiet", "--tz", "UTC", "--output"])
        .arg(dir.path().join("c.svg"))
        .arg(root().join("fixtures/formats/syslog"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to chart"));
}

#[test]
fn a_chart_that_cannot_be_drawn_does_not_cost_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("postmortem")
        .unwrap()
        .args(["draft", "--quiet", "--tz", "UTC", "--chart"])
        .arg(dir.path().join("c.svg"))
        .arg(root().join("fixtures/formats/syslog"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to chart"));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("# Postmortem draft"),
        "the draft is still written"
    );
}
