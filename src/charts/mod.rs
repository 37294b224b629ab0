//! Pictures made by the server as SVG: pure functions from plain data to an
//! SVG string, so they are tested without a database or HTTP. Text is set
//! in a font stack that covers Chinese (Noto Sans CJK, WenQuanYi) before the
//! generic sans-serif, so zh-CN labels render wherever such a font exists.

pub mod bars;
pub mod data;
pub mod graphql;
pub mod heatmap;
pub mod http;
pub mod nine_box;
pub mod radar;
pub mod views;

pub const FONT: &str =
    "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// Colours used across charts: agreed (blue), required now (orange),
/// required at the next level (grey, dashed).
pub const AGREED: &str = "#1f77b4";
pub const REQUIRED: &str = "#ff7f0e";
pub const NEXT: &str = "#7f7f7f";
/// Heatmap: requirement met, a gap of one, a gap of two or more, not required.
pub const MET: &str = "#4caf50";
pub const GAP_ONE: &str = "#ffc107";
pub const GAP_MORE: &str = "#e53935";
pub const NOT_REQUIRED: &str = "#eeeeee";

/// Text escaped for XML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The opening of an SVG document of the given size, with a white background.
pub fn open(width: u32, height: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FONT}\" role=\"img\" aria-label=\"{t}\">\
         <title>{t}</title><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <text x=\"{x}\" y=\"28\" font-size=\"18\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#222222\">{t}</text>",
        x = width / 2,
        t = esc(title)
    )
}
