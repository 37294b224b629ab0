//! A radar of levels (0–5) on a few axes: a person's five areas, agreed vs
//! required now vs required at the next level.

use super::{esc, open};

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    pub dashed: bool,
    /// One value per axis, 0–5.
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Radar {
    pub title: String,
    pub axes: Vec<String>,
    pub series: Vec<Series>,
}

pub const SIZE: u32 = 560;
pub const WIDTH: u32 = 760;
pub const CENTER: (f64, f64) = (380.0, 290.0);
pub const RADIUS: f64 = 180.0;
const MAX: f64 = 5.0;

/// Where `value` on axis `i` of `n` lies: axis 0 points up, clockwise.
pub fn point(i: usize, n: usize, value: f64) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    let r = RADIUS * (value.clamp(0.0, MAX) / MAX);
    (CENTER.0 + r * angle.cos(), CENTER.1 + r * angle.sin())
}

pub fn render(radar: &Radar) -> String {
    let n = radar.axes.len().max(3);
    let mut svg = open(WIDTH, SIZE + 40, &radar.title);
    // Rings at each level, and the axes.
    for level in 1..=5 {
        let ring: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = point(i, n, level as f64);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        svg.push_str(&format!(
            "<polygon points=\"{}\" fill=\"none\" stroke=\"#dddddd\" stroke-width=\"1\"/>",
            ring.join(" ")
        ));
    }
    for (i, axis) in radar.axes.iter().enumerate() {
        let (x, y) = point(i, n, MAX);
        let (lx, ly) = point(i, n, MAX * 1.18);
        let anchor = if (lx - CENTER.0).abs() < 5.0 {
            "middle"
        } else if lx > CENTER.0 {
            "start"
        } else {
            "end"
        };
        svg.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"#cccccc\"/>\
             <text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"{anchor}\" fill=\"#333333\">{}</text>",
            CENTER.0,
            CENTER.1,
            ly + 5.0,
            esc(axis)
        ));
    }
    // The first series (agreed) is drawn last, on top of the requirements.
    for s in radar.series.iter().rev() {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (x, y) = point(i, n, *v);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let dash = if s.dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let fill = if s.dashed { "none" } else { s.color };
        svg.push_str(&format!(
            "<polygon class=\"series\" points=\"{}\" fill=\"{fill}\" fill-opacity=\"0.25\" stroke=\"{}\" stroke-width=\"2.5\"{dash}/>",
            points.join(" "),
            s.color
        ));
    }
    // Legend.
    for (k, s) in radar.series.iter().enumerate() {
        let x = 90.0 + k as f64 * 200.0;
        let y = SIZE as f64 + 18.0;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"13\" fill=\"#333333\">{}</text>",
            y - 11.0,
            s.color,
            x + 20.0,
            esc(&s.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_series_is_a_polygon_through_its_values() {
        let radar = Radar {
            title: "Ada <p2>".into(),
            axes: (1..=5).map(|i| format!("area {i}")).collect(),
            series: vec![Series {
                label: "agreed".into(),
                color: "#1f77b4",
                dashed: false,
                values: vec![5.0, 0.0, 0.0, 0.0, 0.0],
            }],
        };
        let svg = render(&radar);
        assert!(svg.contains("Ada &lt;p2&gt;"));
        // Axis 0 at full value is straight above the centre.
        assert_eq!(point(0, 5, 5.0), (CENTER.0, CENTER.1 - RADIUS));
        assert!(svg.contains(&format!("{:.1},{:.1}", CENTER.0, CENTER.1 - RADIUS)));
        assert_eq!(svg.matches("class=\"series\"").count(), 1);
    }
}
