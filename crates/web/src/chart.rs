//! Progression charts as inline SVG: one small chart per item, its ratings across the
//! person's assessments. No script, no external reference and no `style` attribute, so the
//! chart lives under the page's strict CSP; risk and resource differ in colour, dash pattern
//! and marker shape, so it reads without colour too.

use infohus_domain::instrument::Side;
use infohus_domain::progression::{Movement, Progression};
use std::fmt::{self, Write};
use time::Date;

const WIDTH: usize = 640;
const PLOT_LEFT: f64 = 130.0;
const PLOT_RIGHT: f64 = 620.0;
const HEADER: f64 = 50.0;
const PANEL_TITLE: f64 = 26.0;
const DATE_ROW: f64 = 16.0;
const PANEL_GAP: f64 = 12.0;
const MIN_LEVEL_SPACING: f64 = 12.0;
const MIN_PLOT_HEIGHT: f64 = 48.0;
/// The narrowest column that still fits a `dd.mm.yyyy` label.
const DATE_LABEL_WIDTH: f64 = 58.0;
const ITEM_TEXT_MAX: usize = 72;

const TEXT: &str = "#1a1a1a";
const MUTED: &str = "#545454";
const GRID: &str = "#d9d9d9";
const RESOURCE: &str = "#0059b3";
const RISK: &str = "#b51d09";
const RISK_DASH: &str = "6 3";
const FONT: &str = "IBM Plex Sans, Arial, sans-serif";

/// Every word of the chart comes from the message catalogue.
fn t() -> &'static crate::i18n::Catalog {
    crate::i18n::Catalog::danish()
}

fn side_label(side: Side) -> &'static str {
    match side {
        Side::Risk => t().get("side.risk"),
        Side::Resource => t().get("side.resource"),
    }
}

fn movement_label(movement: Movement) -> &'static str {
    match movement {
        Movement::Better => t().get("movement.better"),
        Movement::Worse => t().get("movement.worse"),
        Movement::Unchanged => t().get("movement.unchanged"),
        Movement::NotComparable => t().get("movement.not_comparable"),
    }
}

/// The chart of a person's progression, with `title` as its accessible name and heading.
/// The same input always gives the same text.
pub fn progression_svg(p: &Progression, title: &str) -> String {
    let mut svg = String::new();
    match render(&mut svg, p, title) {
        Ok(()) => svg,
        // Writing to a String cannot fail; an empty chart is the harmless answer if it did.
        Err(fmt::Error) => String::new(),
    }
}

fn render(out: &mut String, p: &Progression, title: &str) -> fmt::Result {
    let levels = p.scale.len().max(2);
    let plot_height = MIN_PLOT_HEIGHT.max((levels - 1) as f64 * MIN_LEVEL_SPACING);
    let panel_height = PANEL_TITLE + plot_height + DATE_ROW + PANEL_GAP;
    let empty = p.columns.is_empty() || p.items.is_empty();
    let height = if empty { HEADER + 20.0 } else { HEADER + p.items.len() as f64 * panel_height };

    write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" font-family=\"{FONT}\" font-size=\"11\" fill=\"{TEXT}\">"
    )?;
    write!(out, "<title>{}</title><desc>{}</desc>", escape(title), escape(&description(p)))?;
    write!(out, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>", escape(title))?;
    if empty {
        write!(out, "<text x=\"8\" y=\"44\">{}</text></svg>", escape(t().get("chart.empty")))?;
        return Ok(());
    }
    legend(out)?;

    let columns = p.columns.len();
    let column_width = (PLOT_RIGHT - PLOT_LEFT) / columns as f64;
    let x = |index: usize| PLOT_LEFT + (index as f64 + 0.5) * column_width;
    // Label every `step`-th date counted back from the newest, so labels never overlap.
    let step = (DATE_LABEL_WIDTH / column_width).ceil().max(1.0) as usize;

    for (index, series) in p.items.iter().enumerate() {
        let top = HEADER + index as f64 * panel_height;
        let plot_top = top + PANEL_TITLE;
        let plot_bottom = plot_top + plot_height;
        let y = |level: usize| plot_bottom - level as f64 * plot_height / (levels - 1) as f64;
        let colour = side_colour(series.side);

        write!(out, "<g>")?;
        let heading = format!("{}: {}", series.dimension_name, series.item_text);
        write!(
            out,
            "<text x=\"8\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            top + 12.0,
            escape(&shorten(&heading))
        )?;
        write!(
            out,
            "<text x=\"{PLOT_RIGHT}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{colour}\">{} – {}</text>",
            top + 12.0,
            escape(side_label(series.side)),
            escape(movement_label(series.movement))
        )?;

        for (level, label) in p.scale.iter().enumerate() {
            let y = y(level);
            write!(
                out,
                "<line x1=\"{PLOT_LEFT}\" y1=\"{y:.1}\" x2=\"{PLOT_RIGHT}\" y2=\"{y:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>"
            )?;
            write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
                PLOT_LEFT - 6.0,
                y + 3.5,
                escape(label)
            )?;
        }
        for (column, assessment) in p.columns.iter().enumerate() {
            let x = x(column);
            write!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{plot_top:.1}\" x2=\"{x:.1}\" y2=\"{plot_bottom:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>"
            )?;
            if (columns - 1 - column).is_multiple_of(step) {
                write!(
                    out,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"{MUTED}\">{}</text>",
                    plot_bottom + 12.0,
                    date(assessment.assessed_on)
                )?;
            }
        }

        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .enumerate()
            .filter_map(|(column, level)| level.map(|level| (x(column), y(level))))
            .collect();
        if points.len() >= 2 {
            let coordinates: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let dash = match series.side {
                Side::Risk => format!(" stroke-dasharray=\"{RISK_DASH}\""),
                Side::Resource => String::new(),
            };
            write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                coordinates.join(" ")
            )?;
        }
        for (x, y) in points {
            marker(out, series.side, x, y)?;
        }
        write!(out, "</g>")?;
    }
    write!(out, "</svg>")
}

fn legend(out: &mut String) -> fmt::Result {
    let y = 36.0;
    for (side, x) in [(Side::Risk, 8.0), (Side::Resource, 250.0)] {
        let colour = side_colour(side);
        let dash = if side == Side::Risk { format!(" stroke-dasharray=\"{RISK_DASH}\"") } else { String::new() };
        write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
            x + 28.0
        )?;
        marker(out, side, x + 14.0, y)?;
        let text = match side {
            Side::Risk => t().get("chart.legend_risk"),
            Side::Resource => t().get("chart.legend_resource"),
        };
        write!(out, "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>", x + 34.0, y + 4.0, escape(text))?;
    }
    Ok(())
}

/// Squares for risks, circles for resources.
fn marker(out: &mut String, side: Side, x: f64, y: f64) -> fmt::Result {
    let colour = side_colour(side);
    match side {
        Side::Risk => write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
            x - 3.5,
            y - 3.5
        ),
        Side::Resource => write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1\"/>"
        ),
    }
}

fn side_colour(side: Side) -> &'static str {
    match side {
        Side::Risk => RISK,
        Side::Resource => RESOURCE,
    }
}

/// The chart in words, for screen readers: what is shown and every item's ratings in order.
fn description(p: &Progression) -> String {
    let (Some(first), Some(last)) = (p.columns.first(), p.columns.last()) else {
        return t().get("chart.empty").to_owned();
    };
    let mut text = t().format(
        "chart.description",
        &[
            ("items", &p.items.len().to_string()),
            ("assessments", &p.columns.len().to_string()),
            ("from", &date(first.assessed_on)),
            ("to", &date(last.assessed_on)),
        ],
    );
    for series in &p.items {
        let ratings: Vec<&str> = series
            .points
            .iter()
            .map(|point| point.and_then(|level| p.scale.get(level)).map_or(t().get("chart.not_rated"), String::as_str))
            .collect();
        text.push_str(&format!(
            " {}: {} ({}): {}; {}.",
            series.dimension_name,
            series.item_text,
            side_label(series.side).to_lowercase(),
            ratings.join(", "),
            movement_label(series.movement).to_lowercase()
        ));
    }
    text
}

/// `dd.mm.yyyy`, as Danish pages write dates.
fn date(on: Date) -> String {
    format!("{:02}.{:02}.{:04}", on.day(), u8::from(on.month()), on.year())
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= ITEM_TEXT_MAX {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(ITEM_TEXT_MAX - 1).collect();
    short.push('…');
    short
}

/// Text for XML content and attribute values; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(' '),
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use infohus_domain::progression::{Column, ItemSeries};
    use time::macros::date;

    fn series(item: &str, side: Side, points: Vec<Option<usize>>, movement: Movement) -> ItemSeries {
        ItemSeries {
            dimension_key: "netvaerk".into(),
            dimension_name: "Netværk og fritid".into(),
            item_key: item.into(),
            item_text: format!("{item} tekst"),
            side,
            points,
            movement,
        }
    }

    fn sample() -> Progression {
        Progression {
            columns: vec![
                Column { id: "a1".into(), assessed_on: date!(2026 - 01 - 31) },
                Column { id: "a2".into(), assessed_on: date!(2026 - 04 - 02) },
                Column { id: "a3".into(), assessed_on: date!(2026 - 08 - 15) },
            ],
            scale: vec!["Lav".into(), "Moderat".into(), "Høj".into()],
            items: vec![
                series("isolation", Side::Risk, vec![Some(2), None, Some(1)], Movement::Better),
                series("venner", Side::Resource, vec![Some(0), Some(1), Some(2)], Movement::Better),
                series("skole", Side::Resource, vec![None, None, Some(1)], Movement::NotComparable),
            ],
        }
    }

    /// Every element closed in order; no stray `<` or `&` in text. Enough for our output.
    fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            assert!(!text.contains('>'), "stray > in {text:?}");
            assert_entities(text);
            let end = rest[start..].find('>').map(|end| start + end).expect("unclosed tag");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside tag {tag:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            } else {
                let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                assert!(!name.is_empty(), "bad tag {tag:?}");
                assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag:?}");
                assert_entities(tag);
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        assert!(rest.is_empty(), "text after the root: {rest:?}");
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }

    fn assert_entities(text: &str) {
        for (index, _) in text.match_indices('&') {
            let entity = &text[index..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|known| entity.starts_with(known)),
                "bare & in {text:?}"
            );
        }
    }

    #[test]
    fn the_chart_is_well_formed_and_self_contained() {
        let svg = progression_svg(&sample(), "Udvikling");
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title>Udvikling</title><desc>"));
        for forbidden in ["style", "<script", "href", "url(", "<image", "<foreignObject"] {
            assert!(!svg.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn one_polyline_per_series_with_two_or_more_points() {
        let svg = progression_svg(&sample(), "Udvikling");
        assert_eq!(svg.matches("<polyline").count(), 2);
        // Risk dashed, resource solid, each in its own colour.
        assert_eq!(svg.matches(&format!("stroke=\"{RISK}\" stroke-width=\"2\" stroke-dasharray")).count(), 2);
        assert!(svg.contains(&format!("<polyline points=\"211.7,76.0 538.3,100.0\" fill=\"none\" stroke=\"{RISK}\"")));
        // Two squares for the risk item and one in the legend; 3 + 1 + 1 circles.
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 5);
    }

    #[test]
    fn text_is_escaped() {
        let mut progression = sample();
        progression.items[0].dimension_name = "<script>alert('x')</script> & \"co\"\u{0}".into();
        progression.scale[0] = "<b>".into();
        let svg = progression_svg(&progression, "Titel <script>");
        assert_well_formed(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;co&quot;"));
        assert!(svg.contains("<title>Titel &lt;script&gt;</title>"));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains('\u{0}'));
    }

    #[test]
    fn dates_are_danish_and_the_description_reads_the_ratings() {
        let svg = progression_svg(&sample(), "Udvikling");
        assert!(svg.contains(">31.01.2026</text>"));
        assert!(svg.contains(">15.08.2026</text>"));
        assert!(svg.contains("fra 31.01.2026 til 15.08.2026"));
        assert!(svg.contains("isolation tekst (risikofaktor): Høj, ikke vurderet, Moderat; bedre."));
    }

    #[test]
    fn date_labels_are_thinned_from_the_newest_when_crowded() {
        let mut progression = sample();
        progression.columns = (1..=20)
            .map(|day| Column {
                id: format!("a{day}"),
                assessed_on: Date::from_calendar_date(2026, time::Month::March, day).unwrap(),
            })
            .collect();
        for series in &mut progression.items {
            series.points = vec![Some(1); 20];
        }
        let svg = progression_svg(&progression, "Mange");
        assert_well_formed(&svg);
        assert!(svg.contains(">20.03.2026</text>"));
        assert!(!svg.contains(">19.03.2026</text>"));
        // 490 px over 20 columns: every third label, per item panel.
        assert_eq!(svg.matches("font-size=\"9\"").count(), 7 * 3);
    }

    #[test]
    fn an_empty_progression_still_renders() {
        let svg = progression_svg(&Progression::default(), "Ingen data");
        assert_well_formed(&svg);
        assert!(svg.contains("<title>Ingen data</title>"));
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(progression_svg(&sample(), "x"), progression_svg(&sample(), "x"));
    }
}
