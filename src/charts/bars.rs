//! Horizontal bars against a reference line: KPI attainment per target
//! (100 % = target met), and any other "share of" view.

use super::{esc, open};

#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    /// (label, value); a missing value draws no bar.
    pub bars: Vec<(String, Option<f64>)>,
    /// The axis runs from 0 to this.
    pub max: f64,
    /// A dashed reference line (100 % for attainment).
    pub reference: Option<f64>,
    pub unit: String,
}

pub const LEFT: f64 = 200.0;
pub const WIDTH: f64 = 360.0;
pub const ROW: f64 = 34.0;
pub const TOP: f64 = 56.0;

pub fn colour(value: f64, reference: Option<f64>) -> &'static str {
    match reference {
        Some(r) if value >= r => super::MET,
        Some(r) if value >= r * 0.6 => super::GAP_ONE,
        Some(_) => super::GAP_MORE,
        None => super::AGREED,
    }
}

/// The x where `value` lies.
pub fn x_of(value: f64, max: f64) -> f64 {
    LEFT + WIDTH * (value.clamp(0.0, max) / max)
}

pub fn render(chart: &Bars) -> String {
    let max = if chart.max > 0.0 { chart.max } else { 1.0 };
    let height = TOP + chart.bars.len() as f64 * ROW + 40.0;
    let mut svg = open((LEFT + WIDTH + 80.0) as u32, height as u32, &chart.title);
    for (i, (label, value)) in chart.bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"end\" fill=\"#333333\">{}</text>",
            LEFT - 8.0,
            y + 18.0,
            esc(label)
        ));
        if let Some(v) = value {
            svg.push_str(&format!(
                "<rect class=\"bar\" x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#333333\">{:.0}{}</text>",
                y + 4.0,
                x_of(*v, max) - LEFT,
                ROW - 10.0,
                colour(*v, chart.reference),
                x_of(*v, max) + 6.0,
                y + 18.0,
                v,
                esc(&chart.unit)
            ));
        }
    }
    if let Some(r) = chart.reference {
        let x = x_of(r, max);
        svg.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333333\" stroke-dasharray=\"4 3\"/>",
            TOP - 6.0,
            TOP + chart.bars.len() as f64 * ROW
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{LEFT}\" y2=\"{:.1}\" stroke=\"#999999\"/></svg>",
        TOP - 6.0,
        TOP + chart.bars.len() as f64 * ROW
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_as_long_as_their_values() {
        let chart = Bars {
            title: "Q4".into(),
            bars: vec![("new users".into(), Some(75.0)), ("retention".into(), None)],
            max: 150.0,
            reference: Some(100.0),
            unit: "%".into(),
        };
        let svg = render(&chart);
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
        assert!(svg.contains(&format!("width=\"{:.1}\"", WIDTH / 2.0)));
        assert_eq!(colour(75.0, Some(100.0)), crate::charts::GAP_ONE);
    }
}
