//! The chart: an SVG that parses and renders, carries the series and the markers the
//! analysis found, is deterministic and small, and matches the snapshots kept in
//! fixtures/scenarios/{table-lock,pool-after-deploy}/chart.svg; on every scenario its
//! texts lie inside the canvas, its marker labels apart, and the incident takes a fair
//! share of the axis.

use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The chart of a shipped scenario, drawn with `extra` options.
fn chart_with(scenario: &str, tz: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart.svg");
    let logs = root().join("fixtures/scenarios").join(scenario).join("logs");
    let run = Command::cargo_bin("postmortem")
        .unwrap()
        .args(["chart", "--quiet", "--tz", tz, "--output"])
        .arg(&out)
        .arg(logs)
        .args(extra)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    std::fs::read_to_string(out).unwrap()
}

fn chart_of(scenario: &str, tz: &str) -> String {
    chart_with(scenario, tz, &[])
}

fn chart(extra: &[&str]) -> String {
    chart_with("table-lock", "America/New_York", extra)
}

#[test]
fn the_chart_parses_renders_and_carries_what_was_found() {
    let svg = chart(&[]);
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).expect("the SVG parses");
    let size = tree.size().to_int_size();
    assert_eq!(size.width(), 960);
    assert!(size.height() > 450, "two panels: traffic, and request time ({})", size.height());
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
    // Two snapshots: an outage at peak, and one set off the night before (the README and
    // docs/draft.md show that one).
    for (scenario, tz, drawn) in [
        ("table-lock", "America/New_York", one),
        (
            "pool-after-deploy",
            "America/Los_Angeles",
            chart_of("pool-after-deploy", "America/Los_Angeles"),
        ),
    ] {
        let snapshot = std::fs::read_to_string(root().join(format!("fixtures/scenarios/{scenario}/chart.svg"))).unwrap();
        assert!(
            drawn == snapshot,
            "the chart of {scenario} ({tz}) changed; regenerate the snapshot (docs/draft.md, \"Scenarios\")"
        );
    }
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

/// A text of the SVG: where it is anchored, how, and what it says.
struct SvgText {
    x: f64,
    y: f64,
    anchor: String,
    size: f64,
    class: Option<String>,
    content: String,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

fn texts(svg: &str) -> Vec<SvgText> {
    svg.split("<text")
        .skip(1)
        .map(|piece| {
            let (tag, rest) = piece.split_once('>').unwrap();
            let number = |name| attribute(tag, name).unwrap().parse::<f64>().unwrap();
            SvgText {
                x: number("x"),
                y: number("y"),
                anchor: attribute(tag, "text-anchor").unwrap(),
                size: number("font-size"),
                class: attribute(tag, "class"),
                content: rest
                    .split("</text>")
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">"),
            }
        })
        .collect()
}

/// The box a text takes, from a character width no sans-serif glyph at that size exceeds
/// on average (0.6 em): `(left, right, top, bottom)`.
fn text_box(t: &SvgText) -> (f64, f64, f64, f64) {
    let width = t.content.chars().count() as f64 * t.size * 0.6;
    let left = match t.anchor.as_str() {
        "middle" => t.x - width / 2.0,
        "end" => t.x - width,
        _ => t.x,
    };
    (left, left + width, t.y - t.size, t.y + t.size * 0.25)
}

#[test]
fn on_every_scenario_labels_fit_apart_and_the_incident_is_framed() {
    for entry in std::fs::read_dir(root().join("fixtures/scenarios")).unwrap() {
        let dir = entry.unwrap().path();
        let truth = std::fs::read_to_string(dir.join("truth.json")).unwrap();
        let tz = truth.split("\"tz\": \"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let svg = chart_of(&name, &tz);
        let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
        let (width, height) = (tree.size().width() as f64, tree.size().height() as f64);
        let found = texts(&svg);
        for t in &found {
            let (left, right, top, bottom) = text_box(t);
            let rotated = t.content.contains("per bucket") || t.content.contains("mean request ms");
            if !rotated {
                assert!(
                    left >= 0.0 && right <= width && top >= 0.0 && bottom <= height,
                    "{name}: {:?} runs off the canvas",
                    t.content
                );
            }
        }
        let markers: Vec<&SvgText> = found.iter().filter(|t| t.class.as_deref() == Some("marker")).collect();
        for (i, a) in markers.iter().enumerate() {
            for b in &markers[i + 1..] {
                let (a, b) = (text_box(a), text_box(b));
                let apart = a.1 <= b.0 || b.1 <= a.0 || a.3 <= b.2 || b.3 <= a.2;
                assert!(apart, "{name}: marker labels overlap: {a:?} {b:?}");
            }
        }
        if name == "quiet-day" {
            assert!(markers.is_empty() && !svg.contains("class=\"incident\""), "{name}: nothing to mark");
            assert!(!svg.contains(">incident</text>"), "{name}: no incident in the legend");
            continue;
        }
        // The incident is framed: it takes between a third and nine tenths of the axis,
        // whatever came hours before it (a trigger the night before is a dated label).
        let rect = svg.split("<rect class=\"incident\"").nth(1).unwrap();
        let shaded: f64 = attribute(rect, "width").unwrap().parse().unwrap();
        let share = shaded / (960.0 - 28.0 - 76.0);
        assert!((0.33..0.9).contains(&share), "{name}: the incident takes {share:.2} of the axis");
        assert_eq!(markers.len(), 4, "{name}: trigger, first failure, mitigation, recovery");
        // Only the access log's request time makes a second panel.
        let has_time = svg.contains("mean request ms");
        assert_eq!(has_time, name != "cms-corruption", "{name}");
    }
}

#[test]
fn a_trigger_the_night_before_is_a_dated_label_at_the_edge() {
    let svg = chart_of("pool-after-deploy", "America/Los_Angeles");
    assert!(svg.contains(">← trigger 2024-05-11 22:04</text>"), "{svg}");
    // The axis crosses no midnight but starts on a new day: its first tick is dated.
    assert!(svg.contains(">2024-05-12</text>"));
}
