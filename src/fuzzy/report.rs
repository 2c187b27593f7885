//! The analysis as one self-contained HTML page a project manager can attach
//! to a quote: a bar chart of the match bands per file (inline SVG), a table
//! per file and the total with weights, weighted words and the price. No
//! script, no external stylesheet, font or image: it opens anywhere offline.

use std::fmt::Write as _;

use super::analysis::{Band, BandTable, FileAnalysis, Quote, WeightGrid};

/// What the page says about the job besides its numbers.
#[derive(Debug, Clone, Default)]
pub struct ReportInfo {
    /// The page's title (the job's name).
    pub title: String,
    /// Lines shown under the title: memory, languages, date.
    pub details: Vec<String>,
    /// Price per weighted word, if a price is wanted.
    pub rate: Option<f64>,
}

/// Colour of each band in the chart and tables, in [`Band::ALL`] order:
/// greens for what the memory covers, blues for internal fuzzy, warm for new work.
const COLOURS: [&str; 12] = [
    "#1b7837", "#4d9a5a", "#00441b", "#2ca25f", "#66c2a4", "#b2e2b4", "#e4f3d8", "#2166ac",
    "#67a9cf", "#b6d6ea", "#fdb863", "#d6604d",
];

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
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

fn colour(band: Band) -> &'static str {
    let i = Band::ALL.iter().position(|&b| b == band).unwrap_or(0);
    COLOURS[i]
}

/// The stacked bar chart: one bar per file (and the total), each band's
/// share of the file's words and CJK characters.
fn chart(out: &mut String, rows: &[(&str, &BandTable)]) {
    const LABEL: usize = 220;
    const BAR: usize = 560;
    const ROW: usize = 30;
    let height = rows.len() * ROW + 10;
    let _ = write!(
        out,
        "<svg class=\"chart\" role=\"img\" aria-label=\"Words per match band and file\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = LABEL + BAR + 10
    );
    for (r, (name, table)) in rows.iter().enumerate() {
        let y = r * ROW + 5;
        let total = table.total();
        let units = (total.words + total.cjk_chars).max(1) as f64;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 8,
            y + 15,
            escape(&shorten(name, 30))
        );
        let mut x = LABEL as f64;
        for band in Band::ALL {
            let t = table.get(band);
            let n = t.words + t.cjk_chars;
            if n == 0 {
                continue;
            }
            let w = BAR as f64 * n as f64 / units;
            let _ = write!(
                out,
                "<rect class=\"bar\" data-file=\"{file}\" data-band=\"{band}\" data-words=\"{n}\" \
                 x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"20\" fill=\"{fill}\">\
                 <title>{file}: {band}, {n} words ({share:.1}%)</title></rect>",
                file = escape(name),
                band = band.label(),
                fill = colour(band),
                share = 100.0 * n as f64 / units,
            );
            x += w;
        }
    }
    out.push_str("</svg>");
}

fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        name.to_string()
    } else {
        let tail: String = chars[chars.len() - (max - 1)..].iter().collect();
        format!("…{tail}")
    }
}

fn number(x: f64) -> String {
    format!("{x:.1}")
}

/// One band table with its weights.
fn table(out: &mut String, title: &str, quote: &Quote, rate: Option<f64>) {
    let _ = write!(
        out,
        "<section><h2>{}</h2><table><thead><tr><th>band</th><th>segments</th><th>words</th>\
         <th>CJK chars</th><th>weight</th><th>weighted words</th></tr></thead><tbody>",
        escape(title)
    );
    for (row, band) in quote.rows.iter().zip(Band::ALL) {
        let _ = write!(
            out,
            "<tr data-band=\"{label}\"><td><span class=\"key\" style=\"background:{fill}\"></span>{label}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row.tally.segments,
            row.tally.words,
            row.tally.cjk_chars,
            row.weight,
            number(row.weighted_words + row.weighted_cjk_chars),
            label = row.band,
            fill = colour(band),
        );
    }
    let _ = write!(
        out,
        "</tbody><tfoot><tr class=\"total\"><td>total</td><td>{}</td><td>{}</td><td>{}</td><td></td><td>{}</td></tr>",
        quote.total.segments,
        quote.total.words,
        quote.total.cjk_chars,
        number(quote.weighted_words + quote.weighted_cjk_chars)
    );
    if let (Some(price), Some(rate)) = (quote.price, rate) {
        let _ = write!(
            out,
            "<tr class=\"price\"><td colspan=\"5\">price at {rate} per weighted word</td><td>{price:.2}</td></tr>"
        );
    }
    out.push_str("</tfoot></table></section>");
}

/// The report page.
///
/// ```
/// use tmkit::fuzzy::analysis::{BandTable, WeightGrid};
/// use tmkit::fuzzy::report::{ReportInfo, html_report};
/// let info = ReportInfo { title: "Job 42".into(), ..ReportInfo::default() };
/// let page = html_report(&info, &[], &BandTable::default(), &WeightGrid::default());
/// assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"));
/// ```
pub fn html_report(
    info: &ReportInfo,
    files: &[FileAnalysis],
    total: &BandTable,
    grid: &WeightGrid,
) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><header><h1>{title}</h1>",
        title = escape(&info.title)
    );
    for line in &info.details {
        let _ = write!(out, "<p class=\"detail\">{}</p>", escape(line));
    }
    let grand = total.quote(grid, info.rate);
    let _ = write!(
        out,
        "<p class=\"summary\"><span id=\"total-segments\">{}</span> segments, \
         <span id=\"total-words\">{}</span> words, <span id=\"total-cjk\">{}</span> CJK characters; \
         <span id=\"weighted\">{}</span> weighted",
        grand.total.segments,
        grand.total.words,
        grand.total.cjk_chars,
        number(grand.weighted_words + grand.weighted_cjk_chars)
    );
    if let Some(price) = grand.price {
        let _ = write!(out, "; price <span id=\"price\">{price:.2}</span>");
    }
    out.push_str("</p></header><main><section><h2>Match bands per file</h2>");
    let mut rows: Vec<(&str, &BandTable)> =
        files.iter().map(|f| (f.name.as_str(), &f.bands)).collect();
    if files.len() != 1 {
        rows.push(("Total", total));
    }
    chart(&mut out, &rows);
    out.push_str("<ul class=\"legend\">");
    for band in Band::ALL {
        let _ = write!(
            out,
            "<li><span class=\"key\" style=\"background:{}\"></span>{}</li>",
            colour(band),
            band.label()
        );
    }
    out.push_str("</ul></section>");
    for f in files {
        table(
            &mut out,
            &f.name,
            &f.bands.quote(grid, info.rate),
            info.rate,
        );
    }
    if files.len() != 1 {
        table(
            &mut out,
            &format!("Total ({} files)", files.len()),
            &grand,
            info.rate,
        );
    }
    out.push_str(
        "</main><footer>Words counted per GMX-V (Unicode word boundaries); CJK and Thai \
         characters counted apart. Scores as defined in tmkit's docs/SCORING.md.</footer></body></html>\n",
    );
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}\
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.5em 0 .5em}\
.detail{margin:0;color:#555}.summary{font-weight:600}\
table{border-collapse:collapse;min-width:36em}th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right}\
th:first-child,td:first-child{text-align:left}tfoot td{font-weight:600;border-top:2px solid #888}\
.key{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;border-radius:2px}\
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}\
.chart text{font:12px system-ui,sans-serif;fill:#222}footer{margin-top:2em;color:#777;font-size:.85em}\
@media print{body{margin:0}}";
