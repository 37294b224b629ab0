//! People × skills: each cell coloured by the gap to the person's
//! requirement; skills only one person holds are marked (a risk if they leave).

use super::{GAP_MORE, GAP_ONE, MET, NOT_REQUIRED, esc, open};

#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    pub agreed: Option<u8>,
    /// 0 when the person's level does not ask for the skill.
    pub required: u8,
    pub gap: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub skills: Vec<String>,
    /// Index of the person who alone holds each skill, if exactly one does.
    pub single_holder: Vec<Option<usize>>,
    pub people: Vec<(String, Vec<HeatCell>)>,
    /// Legend texts: met, gap 1, gap ≥ 2, not required, single holder.
    pub legend: [String; 5],
}

pub const CELL: u32 = 28;
pub const LEFT: u32 = 170;
pub const TOP: u32 = 190;

pub fn colour(cell: &HeatCell) -> &'static str {
    match (cell.required, cell.gap) {
        (0, _) => NOT_REQUIRED,
        (_, 0) => MET,
        (_, 1) => GAP_ONE,
        _ => GAP_MORE,
    }
}

/// The top-left corner of the cell of person `row`, skill `col`.
pub fn cell_origin(row: usize, col: usize) -> (u32, u32) {
    (LEFT + col as u32 * CELL, TOP + row as u32 * CELL)
}

pub fn render(map: &Heatmap) -> String {
    let width = (LEFT + map.skills.len() as u32 * CELL + 40).max(520);
    let height = TOP + map.people.len() as u32 * CELL + 70;
    let mut svg = open(width, height, &map.title);
    for (col, skill) in map.skills.iter().enumerate() {
        let (x, _) = cell_origin(0, col);
        let cx = x + CELL / 2;
        svg.push_str(&format!(
            "<text transform=\"translate({cx},{}) rotate(-60)\" font-size=\"12\" fill=\"#333333\">{}</text>",
            TOP - 8,
            esc(skill)
        ));
    }
    for (row, (name, cells)) in map.people.iter().enumerate() {
        let (_, y) = cell_origin(row, 0);
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#333333\">{}</text>",
            LEFT - 8,
            y + CELL / 2 + 5,
            esc(name)
        ));
        for (col, cell) in cells.iter().enumerate() {
            let (x, y) = cell_origin(row, col);
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\"/>",
                CELL,
                CELL,
                colour(cell)
            ));
            if let Some(level) = cell.agreed {
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#111111\">{level}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 4
                ));
            }
            if map.single_holder.get(col).copied().flatten() == Some(row) {
                svg.push_str(&format!(
                    "<rect class=\"single\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"3\"/>",
                    x + 2,
                    y + 2,
                    CELL - 4,
                    CELL - 4
                ));
            }
        }
    }
    let y = TOP + map.people.len() as u32 * CELL + 30;
    let swatches = [MET, GAP_ONE, GAP_MORE, NOT_REQUIRED, "#ffffff"];
    for (k, (label, fill)) in map.legend.iter().zip(swatches).enumerate() {
        let x = 20 + k as u32 * 120;
        let stroke = if k == 4 {
            "#000000\" stroke-width=\"3"
        } else {
            "#999999"
        };
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{y}\" font-size=\"12\" fill=\"#333333\">{}</text>",
            y - 11,
            x + 20,
            esc(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_coloured_and_single_holders_marked() {
        let cell = |agreed, required, gap| HeatCell {
            agreed: Some(agreed),
            required,
            gap,
        };
        assert_eq!(colour(&cell(3, 3, 0)), MET);
        assert_eq!(colour(&cell(2, 3, 1)), GAP_ONE);
        assert_eq!(colour(&cell(1, 3, 2)), GAP_MORE);
        assert_eq!(colour(&cell(1, 0, 0)), NOT_REQUIRED);
        let map = Heatmap {
            title: "Growth".into(),
            skills: vec!["a".into(), "b".into()],
            single_holder: vec![Some(1), None],
            people: vec![
                ("Ada".into(), vec![cell(1, 3, 2), cell(3, 3, 0)]),
                ("Bo".into(), vec![cell(4, 3, 0), cell(2, 3, 1)]),
            ],
            legend: Default::default(),
        };
        let svg = render(&map);
        assert_eq!(svg.matches("class=\"single\"").count(), 1);
        assert!(svg.contains(GAP_MORE) && svg.contains(GAP_ONE));
    }
}
