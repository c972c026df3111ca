//! The outage as a picture: requests and failed requests per bucket around the incident,
//! the incident shaded, and labelled markers for the trigger, the first failure, the
//! mitigation and the recovery; a second panel for request time where the access format
//! carries it. SVG written by hand from a layout computed first, so that what the layout
//! promises is tested: labels inside the canvas and never over each other, the incident
//! framed with a margin, ticks at round times. Deterministic (the same logs, the same
//! bytes) and small (one point a bucket). A solid light background keeps it legible in
//! light and dark viewers alike.

use super::View;
use crate::format::SourceKind;
use crate::report::Role;
use crate::report::{Report, TrafficBucket};
use crate::time::{display_time, Micros, Zone, MICROS_PER_SEC};
use std::fmt::Write as _;

const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SEC;

const WIDTH: f64 = 960.0;
const PLOT_LEFT: f64 = 76.0;
const PLOT_RIGHT: f64 = WIDTH - 28.0;
const TITLE_Y: f64 = 22.0;
const LEGEND_Y: f64 = 44.0;
/// The first row of marker labels; rows go down from here, above the plot.
const LABELS_TOP: f64 = 58.0;
const LABEL_ROW: f64 = 16.0;
const TRAFFIC_HEIGHT: f64 = 220.0;
const LATENCY_HEIGHT: f64 = 110.0;
/// Room under a panel for its time labels and their dates.
const AXIS_HEIGHT: f64 = 36.0;
const FONT: f64 = 12.0;
/// Width of a character at `FONT`, as an upper bound for sans-serif text: boxes made
/// with it hold the text, so boxes that do not overlap hold texts that do not.
const CHAR_WIDTH: f64 = 7.0;
/// Space kept between two labels of a row.
const LABEL_GAP: f64 = 8.0;

/// The incident takes about half the axis: this much of its duration is shown on each
/// side, so the build-up and the recovery are in view.
const FRAME_SHARE: f64 = 0.5;
/// A margin of at least this much on each side, so a short incident is not all of it.
const MIN_FRAME: Micros = 15 * MICROS_PER_MINUTE;
/// At most this many time ticks.
const MAX_TICKS: i64 = 8;
/// Steps of time ticks, in minutes: each divides an hour or a day evenly.
const TICK_STEPS: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

const REQUESTS: &str = "#2563aa";
const FAILED: &str = "#c82828";
const LATENCY: &str = "#7850a0";
const WINDOW: &str = "#fde2e2";
const INK: &str = "#3c3c3c";
const GRID: &str = "#e4e4e4";

/// A moment marked on the chart.
struct Marker {
    at: Micros,
    label: &'static str,
}

fn markers(report: &Report) -> Vec<Marker> {
    let mut marks = Vec::new();
    let Some(incident) = &report.incident else { return marks };
    let chain = report.root_cause.iter().flat_map(|r| &r.chain);
    if let Some(link) = chain.into_iter().find(|l| matches!(l.role, Role::Origin | Role::Trigger)) {
        marks.push(Marker {
            at: link.episode.start,
            label: "trigger",
        });
    }
    if let Some(detected) = &incident.detected {
        marks.push(Marker {
            at: detected.time,
            label: "first failure",
        });
    }
    if let Some(r) = &report.resolution {
        marks.push(Marker {
            at: r.episode.start,
            label: "mitigation",
        });
    }
    if let Some(end) = incident.end {
        marks.push(Marker {
            at: end,
            label: "recovery",
        });
    }
    marks
}

/// A label's place: its box, and the text drawn in it.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelBox {
    pub text: String,
    pub left: f64,
    pub right: f64,
    /// Row from the top, 0 first.
    pub row: usize,
    /// Where its marker line is, or none for a marker before the chart's start.
    pub marker_x: Option<f64>,
    /// Its place among the labels asked for (they are placed left to right).
    pub asked: usize,
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

/// Places labels above the plot: each starts at its marker (or ends there when it would
/// run past the right edge), kept inside `[left_edge, right_edge]`, in the first row where
/// it clears the labels already there.
pub fn place_labels(labels: &[(f64, String)], left_edge: f64, right_edge: f64) -> Vec<LabelBox> {
    let mut ends_of_rows: Vec<f64> = Vec::new();
    let mut placed = Vec::new();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].0.total_cmp(&labels[b].0));
    for index in order {
        let (x, text) = &labels[index];
        let width = text_width(text).min(right_edge - left_edge);
        let mut left = if x + width <= right_edge { *x } else { x - width };
        left = left.clamp(left_edge, right_edge - width);
        let row = match ends_of_rows.iter().position(|&end| left >= end + LABEL_GAP) {
            Some(row) => row,
            None => {
                ends_of_rows.push(f64::NEG_INFINITY);
                ends_of_rows.len() - 1
            }
        };
        ends_of_rows[row] = left + width;
        placed.push(LabelBox {
            text: text.clone(),
            left,
            right: left + width,
            row,
            marker_x: Some(*x),
            asked: index,
        });
    }
    placed
}

/// The time axis: what it spans, where its ticks are, and how a time maps to x.
#[derive(Clone, Copy)]
struct TimeAxis {
    from: Micros,
    to: Micros,
}

impl TimeAxis {
    fn x(&self, t: Micros) -> f64 {
        let share = (t - self.from) as f64 / (self.to - self.from).max(1) as f64;
        PLOT_LEFT + share.clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
    }

    fn contains(&self, t: Micros) -> bool {
        (self.from..=self.to).contains(&t)
    }
}

/// The span shown: the incident with a margin each side, within the traffic's span; the
/// traffic's span when there is no incident.
fn shown_span(report: &Report, traffic: (Micros, Micros)) -> (Micros, Micros) {
    let Some(incident) = &report.incident else { return traffic };
    let (start, end) = (incident.start, incident.window_end());
    let margin = crate::num::whole_i64((end - start) as f64 * FRAME_SHARE);
    let margin = margin.max(MIN_FRAME);
    ((start - margin).max(traffic.0), (end + margin).min(traffic.1))
}

/// Local minutes since midnight, for ticks that fall on round times where they are read.
fn local_minute(t: Micros, zone: Zone) -> i64 {
    (t + i64::from(zone.offset_at(t)) * MICROS_PER_SEC).div_euclid(MICROS_PER_MINUTE)
}

/// The round step in minutes that gives at most `MAX_TICKS` ticks over `span`.
pub fn tick_step(span: Micros) -> i64 {
    let minutes = (span / MICROS_PER_MINUTE).max(1);
    TICK_STEPS
        .iter()
        .copied()
        .find(|step| minutes / step < MAX_TICKS)
        .unwrap_or(1440 * ((minutes / 1440) / MAX_TICKS + 1))
}

/// Tick times from the first round time at or after `from`, `step` minutes apart.
fn ticks(axis: TimeAxis, zone: Zone) -> Vec<Micros> {
    let step = tick_step(axis.to - axis.from);
    let local = local_minute(axis.from, zone);
    let first_local = (local + step - 1).div_euclid(step) * step;
    let mut t = axis.from - axis.from.rem_euclid(MICROS_PER_MINUTE) + (first_local - local) * MICROS_PER_MINUTE;
    let mut out = Vec::new();
    while t <= axis.to {
        if t >= axis.from {
            out.push(t);
        }
        t += step * MICROS_PER_MINUTE;
    }
    out
}

/// A round step for a value axis up to `top`, and the top rounded up to it.
pub fn value_scale(top: f64) -> (f64, f64) {
    // A top that is no number (an overflowed sum) draws as an empty axis.
    let top = if top.is_finite() { top } else { 1.0 };
    let raw = (top.max(1.0) / 4.0).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let step = step.max(1.0);
    (step, (top / step).ceil().max(1.0) * step)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A text element; `anchor` is `start`, `middle` or `end`.
fn text(out: &mut String, x: f64, y: f64, anchor: &str, extra: &str, content: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{FONT}"{extra}>{}</text>"#,
        escape(content)
    );
}

/// One panel: its grid, value labels, series and the incident shaded.
struct PanelFrame {
    top: f64,
    height: f64,
    /// The value at the top of the panel.
    max: f64,
}

impl PanelFrame {
    fn y(&self, value: f64) -> f64 {
        self.top + self.height - (value / self.max).clamp(0.0, 1.0) * self.height
    }

    fn bottom(&self) -> f64 {
        self.top + self.height
    }
}

fn draw_value_axis(out: &mut String, panel: &PanelFrame, step: f64, caption: &str) {
    let mut value = 0.0;
    while value <= panel.max + step / 2.0 {
        let y = panel.y(value);
        let _ = writeln!(
            out,
            r#"<line x1="{PLOT_LEFT}" y1="{y:.1}" x2="{PLOT_RIGHT}" y2="{y:.1}" stroke="{GRID}"/>"#
        );
        let label = super::thousands(crate::num::rounded(value));
        text(out, PLOT_LEFT - 6.0, y + 4.0, "end", "", &label);
        value += step;
    }
    let middle = panel.top + panel.height / 2.0;
    text(
        out,
        16.0,
        middle,
        "middle",
        &format!(r#" transform="rotate(-90 16 {middle:.1})""#),
        caption,
    );
}

fn draw_time_axis(out: &mut String, panel: &PanelFrame, axis: TimeAxis, zone: Zone) {
    let mut last_day = String::new();
    for t in ticks(axis, zone) {
        let x = axis.x(t);
        let shown = display_time(t, zone);
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{GRID}"/>"#,
            panel.top,
            panel.bottom() + 4.0
        );
        text(out, x, panel.bottom() + 16.0, "middle", "", &shown[11..16]);
        // The date under the first tick and wherever the axis crosses midnight.
        if shown[..10] != last_day {
            text(out, x, panel.bottom() + 30.0, "middle", "", &shown[..10]);
            last_day = shown[..10].to_string();
        }
    }
    let _ = writeln!(
        out,
        r#"<line x1="{PLOT_LEFT}" y1="{b:.1}" x2="{PLOT_RIGHT}" y2="{b:.1}" stroke="{INK}"/>"#,
        b = panel.bottom()
    );
}

fn draw_window(out: &mut String, panel: &PanelFrame, axis: TimeAxis, window: Option<(Micros, Micros)>) {
    if let Some((start, end)) = window {
        let (x0, x1) = (axis.x(start), axis.x(end));
        let _ = writeln!(
            out,
            r#"<rect class="incident" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{WINDOW}"/>"#,
            panel.top,
            x1 - x0,
            panel.height
        );
    }
}

fn points(values: &[(Micros, f64)], axis: TimeAxis, panel: &PanelFrame) -> String {
    values
        .iter()
        .map(|&(t, v)| format!("{:.1},{:.1}", axis.x(t), panel.y(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Buckets to draw: those in the shown span, less a last one the logs end inside (it
/// would fall to nearly nothing and read as an outage).
fn whole_buckets(report: &Report, axis: TimeAxis) -> Vec<&TrafficBucket> {
    let width = report.traffic.bucket;
    let logs_end = report
        .sources
        .iter()
        .filter(|s| s.source == SourceKind::Web)
        .filter_map(|s| s.last)
        .max();
    let buckets = &report.traffic.buckets;
    let partial_last = match (buckets.last(), logs_end) {
        (Some(last), Some(end)) => end < last.time + width - MICROS_PER_SEC,
        _ => false,
    };
    let whole = if partial_last {
        &buckets[..buckets.len() - 1]
    } else {
        &buckets[..]
    };
    whole.iter().filter(|b| axis.contains(b.time)).collect()
}

/// The chart as SVG text; `None` when the logs hold no web traffic to draw.
pub fn chart_svg(report: &Report, view: &View) -> Result<Option<String>, String> {
    let zone: Zone = view.zone;
    let buckets = &report.traffic.buckets;
    let width = report.traffic.bucket;
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Ok(None);
    };
    let (from, to) = shown_span(report, (first.time, last.time + width));
    let axis = TimeAxis { from, to };
    let drawn = whole_buckets(report, axis);
    let requests: Vec<(Micros, f64)> = drawn.iter().map(|b| (b.time, b.requests as f64)).collect();
    let failed: Vec<(Micros, f64)> = drawn.iter().map(|b| (b.time, b.failed as f64)).collect();
    let latency: Vec<(Micros, f64)> = drawn.iter().filter_map(|b| b.mean_ms.map(|ms| (b.time, ms))).collect();
    let has_latency = latency.iter().any(|&(_, ms)| ms > 0.0);

    // Marker labels: a marker before the shown span is told at the left edge, dated.
    let marks = markers(report);
    let wanted: Vec<(f64, String)> = marks
        .iter()
        .map(|m| {
            let shown = display_time(m.at, zone);
            if m.at < axis.from {
                (PLOT_LEFT, format!("← {} {}", m.label, &shown[..16]))
            } else {
                (axis.x(m.at), format!("{} {}", m.label, &shown[11..16]))
            }
        })
        .collect();
    let mut labels = place_labels(&wanted, 8.0, WIDTH - 8.0);
    for label in &mut labels {
        if marks[label.asked].at < axis.from {
            label.marker_x = None;
        }
    }
    let rows = labels.iter().map(|l| l.row + 1).max().unwrap_or(0) as f64;
    let traffic_panel = {
        let (_, max) = value_scale(requests.iter().map(|p| p.1).fold(1.0, f64::max) * 1.05);
        PanelFrame {
            top: LABELS_TOP + rows * LABEL_ROW + 8.0,
            height: TRAFFIC_HEIGHT,
            max,
        }
    };
    let latency_panel = has_latency.then(|| {
        let (_, max) = value_scale(latency.iter().map(|p| p.1).fold(1.0, f64::max) * 1.05);
        PanelFrame {
            top: traffic_panel.bottom() + AXIS_HEIGHT + 12.0,
            height: LATENCY_HEIGHT,
            max,
        }
    });
    let height = latency_panel.as_ref().unwrap_or(&traffic_panel).bottom() + AXIS_HEIGHT + 6.0;
    let window = report.incident.as_ref().map(|i| (i.start.max(from), i.window_end().min(to)));

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" fill="{INK}">"#
    );
    let _ = writeln!(out, r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#);
    let title = format!("Requests and failed requests per {} min ({zone})", width / MICROS_PER_MINUTE);
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{TITLE_Y}" text-anchor="middle" font-size="15">{}</text>"#,
        WIDTH / 2.0,
        escape(&title)
    );
    // The legend, on its own row above the labels: never over the data.
    let legend_x = PLOT_LEFT;
    let _ = writeln!(
        out,
        r#"<line x1="{legend_x}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{REQUESTS}" stroke-width="2"/>"#,
        legend_x + 18.0,
        y = LEGEND_Y - 4.0
    );
    text(&mut out, legend_x + 24.0, LEGEND_Y, "start", "", "requests");
    let x = legend_x + 110.0;
    let _ = writeln!(
        out,
        r#"<rect x="{x}" y="{:.1}" width="18" height="10" fill="{FAILED}" fill-opacity="0.35" stroke="{FAILED}"/>"#,
        LEGEND_Y - 9.0
    );
    text(&mut out, x + 24.0, LEGEND_Y, "start", "", "failed (5xx)");
    if window.is_some() {
        let x = legend_x + 230.0;
        let _ = writeln!(
            out,
            r#"<rect x="{x}" y="{:.1}" width="18" height="10" fill="{WINDOW}" stroke="{FAILED}" stroke-opacity="0.3"/>"#,
            LEGEND_Y - 9.0
        );
        text(&mut out, x + 24.0, LEGEND_Y, "start", "", "incident");
    }

    for (panel, caption) in std::iter::once((&traffic_panel, "per bucket")).chain(latency_panel.iter().map(|p| (p, "mean request ms"))) {
        draw_window(&mut out, panel, axis, window);
        let (step, _) = value_scale(panel.max);
        draw_value_axis(&mut out, panel, step, caption);
        draw_time_axis(&mut out, panel, axis, zone);
    }
    if let (Some(first), Some(last)) = (failed.first(), failed.last()) {
        let base = traffic_panel.bottom();
        let _ = writeln!(
            out,
            r#"<polygon points="{:.1},{base:.1} {} {:.1},{base:.1}" fill="{FAILED}" fill-opacity="0.35" stroke="{FAILED}"/>"#,
            axis.x(first.0),
            points(&failed, axis, &traffic_panel),
            axis.x(last.0)
        );
    }
    let _ = writeln!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{REQUESTS}" stroke-width="2"/>"#,
        points(&requests, axis, &traffic_panel)
    );
    if let Some(panel) = &latency_panel {
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{LATENCY}" stroke-width="2"/>"#,
            points(&latency, axis, panel)
        );
    }
    // Markers: a dashed line through the panels, its label above the plot.
    let lowest = latency_panel.as_ref().unwrap_or(&traffic_panel).bottom();
    for label in &labels {
        let y = LABELS_TOP + label.row as f64 * LABEL_ROW + 10.0;
        text(&mut out, label.left, y, "start", r#" class="marker""#, &label.text);
        if let Some(x) = label.marker_x {
            let _ = writeln!(
                out,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{lowest:.1}" stroke="{INK}" stroke-dasharray="4 3"/>"#,
                traffic_panel.top
            );
        }
    }
    out.push_str("</svg>\n");
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: &LabelBox, b: &LabelBox) -> bool {
        a.row == b.row && a.left < b.right + LABEL_GAP && b.left < a.right + LABEL_GAP
    }

    #[test]
    fn labels_stay_inside_and_never_overlap() {
        // Markers close together, and two at the right edge (a mitigation and a recovery
        // minutes apart, as in an outage fixed just before the logs end).
        let wanted: Vec<(f64, String)> = vec![
            (300.0, "trigger 15:28".into()),
            (305.0, "first failure 15:30".into()),
            (925.0, "mitigation 11:11".into()),
            (930.0, "recovery 11:15".into()),
            (8.0, "← trigger 2024-05-11 22:04".into()),
        ];
        let placed = place_labels(&wanted, 8.0, WIDTH - 8.0);
        assert_eq!(placed.len(), wanted.len());
        for (i, a) in placed.iter().enumerate() {
            assert!(a.left >= 8.0 && a.right <= WIDTH - 8.0, "{a:?} outside");
            assert!((a.right - a.left - text_width(&a.text)).abs() < 1e-9, "{a:?} is cut");
            for b in &placed[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} over {b:?}");
            }
        }
        // A label that would run past the right edge ends at its marker instead.
        let recovery = placed.iter().find(|l| l.text.starts_with("recovery")).unwrap();
        assert!((recovery.right - 930.0).abs() < 1e-9, "{recovery:?}");
        // Each box remembers which label it is, whatever order they were placed in.
        for label in &placed {
            assert_eq!(label.text, wanted[label.asked].1);
        }
        // Far-apart labels share the first row.
        let spread = place_labels(&[(100.0, "a".into()), (500.0, "b".into())], 8.0, 952.0);
        assert!(spread.iter().all(|l| l.row == 0));
    }

    #[test]
    fn ticks_fall_on_round_times() {
        assert_eq!(tick_step(3 * 60 * MICROS_PER_MINUTE), 30);
        assert_eq!(tick_step(20 * MICROS_PER_MINUTE), 5);
        assert_eq!(tick_step(14 * 60 * MICROS_PER_MINUTE), 120);
        assert_eq!(tick_step(3 * 1440 * MICROS_PER_MINUTE), 720);
        // 2024-01-21 15:07 to 18:41 UTC, shown in New York (-05:00): ticks on the half
        // hour there.
        let from = 1_705_849_620 * MICROS_PER_SEC;
        let axis = TimeAxis {
            from,
            to: from + 214 * MICROS_PER_MINUTE,
        };
        let zone: Zone = "America/New_York".parse().unwrap();
        let shown: Vec<String> = ticks(axis, zone)
            .iter()
            .map(|&t| display_time(t, zone)[11..16].to_string())
            .collect();
        assert_eq!(shown, ["10:30", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30"]);
    }

    #[test]
    fn value_axes_end_on_a_round_step() {
        assert_eq!(value_scale(57.0), (20.0, 60.0));
        assert_eq!(value_scale(4951.0), (2000.0, 6000.0));
        assert_eq!(value_scale(3.0), (1.0, 3.0));
        assert_eq!(value_scale(0.0), (1.0, 1.0));
        assert_eq!(value_scale(f64::INFINITY), (1.0, 1.0));
        assert_eq!(value_scale(f64::NAN), (1.0, 1.0));
    }
}
