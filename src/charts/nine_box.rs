//! The talent review's nine boxes: potential rising upwards, performance
//! rising to the right, each box tinted by how strong it is and showing how
//! many people sit in it.

use super::{esc, open};

#[derive(Debug, Clone, PartialEq)]
pub struct NineBox {
    pub title: String,
    /// `counts[performance][potential]`, low to high.
    pub counts: [[usize; 3]; 3],
    pub performance_label: String,
    pub potential_label: String,
    /// Low, medium, high.
    pub band_labels: [String; 3],
}

pub const CELL: u32 = 120;
pub const LEFT: u32 = 110;
pub const TOP: u32 = 60;

/// Box tints from weakest to strongest (sum of the two thirds, 0 to 4).
pub const TINTS: [&str; 5] = ["#e53935", "#ff8a65", "#ffd54f", "#9ccc65", "#43a047"];

/// The top-left corner of the box for these thirds (0 low, 2 high).
pub fn box_origin(performance: usize, potential: usize) -> (u32, u32) {
    (
        LEFT + performance as u32 * CELL,
        TOP + (2 - potential as u32) * CELL,
    )
}

pub fn tint(performance: usize, potential: usize) -> &'static str {
    TINTS[performance + potential]
}

pub fn render(chart: &NineBox) -> String {
    let width = LEFT + 3 * CELL + 30;
    let height = TOP + 3 * CELL + 70;
    let mut svg = open(width, height, &chart.title);
    for performance in 0..3 {
        for potential in 0..3 {
            let (x, y) = box_origin(performance, potential);
            let count = chart.counts[performance][potential];
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"{}\" \
                 stroke=\"#ffffff\" stroke-width=\"2\" data-performance=\"{performance}\" \
                 data-potential=\"{potential}\" data-count=\"{count}\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"30\" text-anchor=\"middle\" fill=\"#111111\">{count}</text>",
                tint(performance, potential),
                x + CELL / 2,
                y + CELL / 2 + 10,
            ));
        }
    }
    for (i, label) in chart.band_labels.iter().enumerate() {
        let (x, _) = box_origin(i, 0);
        let (_, y) = box_origin(0, i);
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333333\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#333333\">{}</text>",
            x + CELL / 2,
            TOP + 3 * CELL + 20,
            esc(label),
            LEFT - 8,
            y + CELL / 2 + 5,
            esc(label)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"middle\" fill=\"#222222\">{}</text>\
         <text transform=\"translate(24,{}) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\" fill=\"#222222\">{}</text></svg>",
        LEFT + 3 * CELL / 2,
        TOP + 3 * CELL + 48,
        esc(&chart.performance_label),
        TOP + 3 * CELL / 2,
        esc(&chart.potential_label)
    ));
    svg
}
