//! The outage as a picture: requests and failed requests per bucket over the logs' span,
//! the incident window shaded, and labelled markers for the trigger, the first failure,
//! the mitigation and the recovery; a second panel for request time where the access
//! format carries it. SVG, drawn with plotters; deterministic (the same logs, the same
//! bytes), and small (one point a bucket, never one a request). A solid light background
//! keeps it legible in light and dark viewers alike.

use super::View;
use crate::analyze::Role;
use crate::report::Report;
use crate::time::{display_clock, display_time, Micros, Zone};

const MICROS_PER_MINUTE: i64 = 60_000_000;

/// The x axis counts minutes, so that its labels fall on round times.
fn minute(t: Micros) -> i64 {
    t.div_euclid(MICROS_PER_MINUTE)
}
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;

const WIDTH: u32 = 960;
const PANEL: u32 = 300;
const LATENCY_PANEL: u32 = 180;
const REQUESTS: RGBColor = RGBColor(37, 99, 170);
const FAILED: RGBColor = RGBColor(200, 40, 40);
const LATENCY: RGBColor = RGBColor(120, 80, 160);
const WINDOW: RGBColor = RGBColor(253, 226, 226);
const MARKER: RGBColor = RGBColor(60, 60, 60);

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

/// A panel of the chart, time across and a count or duration up.
type Panel<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordi64, RangedCoordf64>>;

/// Sets up one panel: axes with times in the display zone and whole-number labels, and
/// the incident window shaded.
fn panel<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: Option<&str>,
    (x0, x1): (i64, i64),
    top: f64,
    y_desc: &str,
    label: &dyn Fn(&i64) -> String,
    window: Option<(i64, i64)>,
) -> Result<Panel<'a, 'b>, String> {
    let mut builder = ChartBuilder::on(area);
    if let Some(caption) = caption {
        builder.caption(caption, ("sans-serif", 16));
    }
    let mut chart = builder
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(68)
        .build_cartesian_2d(x0..x1, 0f64..top)
        .map_err(failure)?;
    let count = |v: &f64| super::thousands(v.max(0.0).round() as u64);
    chart
        .configure_mesh()
        .x_labels(10)
        .x_label_formatter(label)
        .y_label_formatter(&count)
        .y_desc(y_desc)
        // One light line at most (0 overflows in plotters 0.3.7's debug build).
        .max_light_lines(1)
        .draw()
        .map_err(failure)?;
    if let Some((start, end)) = window {
        chart
            .draw_series(std::iter::once(Rectangle::new([(start, 0.0), (end, top)], WINDOW.filled())))
            .map_err(failure)?;
    }
    Ok(chart)
}

fn failure<E: std::fmt::Debug>(e: E) -> String {
    format!("cannot draw the chart: {e:?}")
}

/// The chart as SVG text; `None` when the logs hold no web traffic to draw.
pub fn chart_svg(report: &Report, view: &View) -> Result<Option<String>, String> {
    let zone: Zone = view.zone;
    let buckets = &report.traffic.buckets;
    let (Some(first), Some(last)) = (buckets.first().map(|b| b.time), buckets.last().map(|b| b.time)) else {
        return Ok(None);
    };
    let width = report.traffic.bucket;
    // The trigger may come long before the traffic starts (a deploy the night before):
    // the x axis covers it too.
    let marks = markers(report);
    let x0 = marks.iter().map(|m| m.at).min().map_or(first, |m| m.min(first));
    let x1 = marks.iter().map(|m| m.at).max().map_or(last + width, |m| m.max(last + width));
    let (x0, x1) = (minute(x0), minute(x1));
    let requests: Vec<(i64, f64)> = buckets.iter().map(|b| (minute(b.time), b.requests as f64)).collect();
    let failed: Vec<(i64, f64)> = buckets.iter().map(|b| (minute(b.time), b.failed as f64)).collect();
    let latency: Vec<(i64, f64)> = buckets.iter().filter_map(|b| b.mean_ms.map(|ms| (minute(b.time), ms))).collect();
    let top = requests.iter().map(|p| p.1).fold(1.0, f64::max) * 1.25;
    let height = PANEL + if latency.is_empty() { 0 } else { LATENCY_PANEL };
    let span_days = (x1 - x0) > 24 * 60;
    let label = move |m: &i64| {
        let t = m * MICROS_PER_MINUTE;
        if span_days {
            display_time(t, zone)[5..16].to_string()
        } else {
            display_clock(t, zone)[..5].to_string()
        }
    };

    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failure)?;
        let (upper, lower) = if latency.is_empty() {
            (root.clone(), None)
        } else {
            let (u, l) = root.split_vertically(PANEL);
            (u, Some(l))
        };
        let title = format!("Requests and failed requests per {} min ({zone})", width / 60_000_000);
        let window = report.incident.as_ref().map(|i| (minute(i.start), minute(i.window_end())));
        let mut chart = panel(&upper, Some(&title), (x0, x1), top, "per bucket", &label, window)?;
        chart
            .draw_series(LineSeries::new(requests, REQUESTS.stroke_width(2)))
            .map_err(failure)?
            .label("requests")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], REQUESTS.stroke_width(2)));
        chart
            .draw_series(AreaSeries::new(failed, 0.0, FAILED.mix(0.35)).border_style(FAILED.stroke_width(1)))
            .map_err(failure)?
            .label("failed (5xx)")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], FAILED.mix(0.35).filled()));
        for (index, mark) in marks.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    vec![(minute(mark.at), 0.0), (minute(mark.at), top)],
                    MARKER.stroke_width(1),
                ))
                .map_err(failure)?;
            // Labels step down so that close markers do not overwrite each other.
            let y = top * (0.97 - 0.07 * index as f64);
            let text = format!("{} {}", mark.label, display_clock(mark.at, zone)[..5].to_owned());
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (minute(mark.at), y),
                    ("sans-serif", 12).into_font().color(&MARKER),
                )))
                .map_err(failure)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(MARKER)
            .draw()
            .map_err(failure)?;

        if let Some(lower) = lower {
            let top_ms = latency.iter().map(|p| p.1).fold(1.0, f64::max) * 1.2;
            let mut chart = panel(&lower, None, (x0, x1), top_ms, "mean request ms", &label, window)?;
            chart
                .draw_series(LineSeries::new(latency, LATENCY.stroke_width(2)))
                .map_err(failure)?;
        }
        root.present().map_err(failure)?;
    }
    Ok(Some(out))
}
