//! Self-contained HTML reports: one file with its styles and SVG charts inline, nothing fetched
//! (a Content-Security-Policy forbids it), every text escaped. Benchmarks, runs and sweeps use it.

use std::fmt::Write;

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1f2328}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-variant-numeric:tabular-nums}\
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code{font-size:12px;word-break:break-all}\
.best{background:#dafbe1}.failed{color:#cf222e}svg{max-width:100%;height:auto}\
figure{margin:1rem 0}figcaption{font-weight:600}";

/// A whole page around `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n{body}\n\
<p><small>Made by llmops {}. Metrics as vLLM <code>bench serve</code> defines them.</small></p></body></html>\n",
        escape(title),
        escape(title),
        env!("CARGO_PKG_VERSION"),
    )
}

/// A table; cells are plain text (escaped here). Rows whose first cell starts with `★` are marked.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for header in headers {
        let _ = write!(out, "<th>{}</th>", escape(header));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        let class = if row.first().is_some_and(|c| c.starts_with('★')) {
            " class=\"best\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// Key–value rows (what something ran on).
pub fn facts(rows: &[(&str, String)]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| vec![k.to_string(), v.clone()])
        .collect();
    table(&["", ""], &rows)
}

/// One series of a chart: points joined by a line, or only dots.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub line: bool,
}

pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

const COLOURS: &[&str] = &[
    "#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#57606a",
];
const W: f64 = 720.0;
const H: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

/// Rounded tick steps covering `[low, high]`.
fn ticks(low: f64, high: f64) -> Vec<f64> {
    let span = (high - low).max(f64::EPSILON);
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(magnitude * 10.0);
    let first = (low / step).ceil() * step;
    (0..=10)
        .map(|i| first + step * f64::from(i))
        .take_while(|v| *v <= high + step * 1e-9)
        .collect()
}

fn label(value: f64) -> String {
    if value.abs() >= 1000.0 || value == value.trunc() {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The chart as inline SVG (axes from zero, a legend under the title).
pub fn chart(chart: &Chart) -> String {
    let all = || chart.series.iter().flat_map(|s| s.points.iter());
    let finite = |v: &f64| v.is_finite();
    let x_max = all()
        .map(|p| p.0)
        .filter(finite)
        .fold(0.0, f64::max)
        .max(1e-9);
    let y_max = all()
        .map(|p| p.1)
        .filter(finite)
        .fold(0.0, f64::max)
        .max(1e-9);
    let x = |v: f64| LEFT + v / x_max * (W - LEFT - RIGHT);
    let y = |v: f64| H - BOTTOM - v / y_max * (H - TOP - BOTTOM);
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        escape(&chart.title),
        escape(&chart.title)
    );
    for t in ticks(0.0, x_max) {
        let _ = write!(svg, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#eee\"/><text x=\"{0:.1}\" y=\"{3}\" font-size=\"11\" text-anchor=\"middle\">{4}</text>", x(t), TOP, H - BOTTOM, H - BOTTOM + 14.0, label(t));
    }
    for t in ticks(0.0, y_max) {
        let _ = write!(svg, "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1}\" y2=\"{2:.1}\" stroke=\"#eee\"/><text x=\"{3}\" y=\"{4:.1}\" font-size=\"11\" text-anchor=\"end\">{5}</text>", LEFT, W - RIGHT, y(t), LEFT - 4.0, y(t) + 4.0, label(t));
    }
    let _ = write!(svg, "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{}\" stroke=\"#888\"/><line x1=\"{LEFT}\" x2=\"{}\" y1=\"{1}\" y2=\"{1}\" stroke=\"#888\"/>", H - BOTTOM, W - RIGHT);
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
        (LEFT + W - RIGHT) / 2.0,
        H - 8.0,
        escape(&chart.x_label)
    );
    let _ = write!(svg, "<text x=\"14\" y=\"{0}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">{1}</text>", (TOP + H - BOTTOM) / 2.0, escape(&chart.y_label));
    for (i, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .collect();
        if series.line && points.len() > 1 {
            let path: Vec<String> = points
                .iter()
                .map(|(a, b)| format!("{:.1},{:.1}", x(*a), y(*b)))
                .collect();
            let _ = write!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
                path.join(" ")
            );
        }
        if !series.line || points.len() <= 60 {
            for (a, b) in &points {
                let _ = write!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                    x(*a),
                    y(*b)
                );
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{colour}\">■ {}</text>",
            LEFT + 8.0 + 150.0 * (i % 4) as f64,
            TOP + 12.0 + 14.0 * (i / 4) as f64,
            escape(&series.name)
        );
    }
    svg.push_str("</svg></figure>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_nothing_is_fetched() {
        let title = "<script>alert(1)</script>";
        let html = page(
            title,
            &chart(&Chart {
                title: "a\"><img src=x onerror=1>".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                series: vec![Series {
                    name: "<b>".into(),
                    points: vec![(1.0, 2.0), (f64::NAN, 1.0), (2.0, 4.0)],
                    line: true,
                }],
            }),
        );
        assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"));
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("http:") && !html.contains("https:"));
        assert!(!html.contains("NaN"));
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let t = ticks(0.0, 137.0);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() <= 137.0 && t.len() >= 3);
    }
}
