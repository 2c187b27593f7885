//! What marks a part of a page as furniture rather than the article: element
//! attributes (`class`, `id`, `role`, `hidden`) and what a block says.

use scraper::ElementRef;

/// Class and id words of page furniture, matched as whole words of the
/// attribute (split at `-`, `_`, spaces and case changes are not split).
const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "advert",
    "advertisement",
    "advertising",
    "author",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "caption",
    "comment",
    "comments",
    "cookie",
    "cookies",
    "credit",
    "credits",
    "dateline",
    "disqus",
    "footer",
    "masthead",
    "menu",
    "meta",
    "modal",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "paywall",
    "popup",
    "promo",
    "readmore",
    "recommended",
    "related",
    "share",
    "sharebar",
    "sharing",
    "sidebar",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "taboola",
    "tags",
    "toolbar",
    "trending",
    "widget",
];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "toolbar",
];

/// Elements that are never dropped for their class: they hold the page.
const CONTAINERS: &[&str] = &["html", "body", "article", "main"];

/// True when the element's attributes mark it as page furniture: hidden, a
/// furniture role, or a furniture word in its class or id.
pub(super) fn is_boilerplate(el: &ElementRef<'_>) -> bool {
    let v = el.value();
    if CONTAINERS.contains(&v.name()) {
        return false;
    }
    if v.attr("hidden").is_some() || v.attr("aria-hidden") == Some("true") {
        return true;
    }
    if v.attr("role")
        .is_some_and(|r| FURNITURE_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    let style = v.attr("style").unwrap_or_default().replace(' ', "");
    if style.contains("display:none") || style.contains("visibility:hidden") {
        return true;
    }
    [v.attr("class"), v.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(|a| a.split(|c: char| !c.is_ascii_alphanumeric()))
        .any(|word| {
            !word.is_empty() && FURNITURE_WORDS.contains(&word.to_ascii_lowercase().as_str())
        })
}

/// Openings of blocks that are advertising, promotion or navigation, in the
/// languages we meet (compared case-insensitively).
const FURNITURE_OPENINGS: &[&str] = &[
    "sponsored",
    "advertisement",
    "advertising",
    "paid content",
    "paid post",
    "partner content",
    "promoted",
    "publicité",
    "contenu sponsorisé",
    "anzeige",
    "werbung",
    "publicidad",
    "patrocinado",
    "pubblicità",
    "iklan",
    "quảng cáo",
    "реклама",
    "广告",
    "広告",
];

/// Openings of short blocks that point elsewhere ("Read more: ...").
const POINTER_OPENINGS: &[&str] = &[
    "read more",
    "read also",
    "see also",
    "related:",
    "more:",
    "share this",
    "share on",
    "follow us",
    "sign up",
    "subscribe",
    "click here",
    "lire aussi",
    "à lire aussi",
    "voir aussi",
    "lesen sie auch",
    "mehr zum thema",
    "lee también",
    "leia também",
    "leggi anche",
    "baca juga",
    "xem thêm",
    "читайте также",
    "相关阅读",
    "延伸阅读",
    "photo:",
    "image:",
    "picture:",
    "credit:",
    "source:",
    "updated",
    "published",
    "last updated",
    "posted",
    "mis à jour",
    "publié le",
];

/// True for a block that is advertising, a pointer to other pages, a byline,
/// a dateline or a caption rather than prose of the article.
///
/// Checked on the whole block, so "Sponsored: …" goes whatever its length,
/// while "Read more" and caption-like openings only end short blocks.
pub(super) fn is_furniture_text(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let words = lower.split_whitespace().count();
    if FURNITURE_OPENINGS.iter().any(|o| opens_with(&lower, o)) {
        return true;
    }
    if words <= 25 && POINTER_OPENINGS.iter().any(|o| opens_with(&lower, o)) {
        return true;
    }
    looks_like_byline(text)
}

/// `text` starts with `opening` as whole words.
fn opens_with(text: &str, opening: &str) -> bool {
    text.strip_prefix(opening).is_some_and(|rest| {
        rest.chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() || opening.ends_with(':'))
    })
}

/// Headings that open a comment thread.
const COMMENT_HEADINGS: &[&str] = &[
    "comments",
    "comment",
    "reader comments",
    "leave a comment",
    "leave a reply",
    "join the conversation",
    "join the discussion",
    "what do you think?",
    "commentaires",
    "réactions",
    "kommentare",
    "comentarios",
    "comentários",
    "commenti",
    "komentar",
    "bình luận",
    "комментарии",
    "评论",
    "コメント",
];

/// True when a block opens the comment thread: a heading (or a short block)
/// such as "Comments" or "12 comments".
pub(super) fn starts_comments(text: &str, element: &str) -> bool {
    let lower = text.trim().trim_end_matches([':', '.']).to_lowercase();
    let short = lower.split_whitespace().count() <= 4;
    let heading = element.starts_with('h') || short;
    // "12 comments", "Commentaires (4)": the count is not part of the heading.
    let without_count: String = lower
        .chars()
        .filter(|c| !c.is_ascii_digit() && !matches!(c, '(' | ')'))
        .collect();
    heading && short && COMMENT_HEADINGS.contains(&without_count.trim())
}

/// Words that introduce an author's name in a byline.
const BYLINE_WORDS: &[&str] = &["By", "BY", "Par", "PAR", "Von", "Por", "Door", "Oleh"];

/// True when `s` reads as a byline: a byline word, then a capitalized name of
/// at least two words, in a short line ("By Monday, the storm had passed" is
/// prose: "Monday," is one capitalized word followed by a lowercase one).
///
/// ```
/// use tmkit::html::looks_like_byline;
/// assert!(looks_like_byline("By Jane Doe, Maritime Correspondent."));
/// assert!(looks_like_byline("Par Jean Dupont"));
/// assert!(!looks_like_byline("By Monday, the storm had passed over the town."));
/// ```
pub fn looks_like_byline(s: &str) -> bool {
    let mut tokens = s.split_whitespace();
    let starts = tokens.next().is_some_and(|t| BYLINE_WORDS.contains(&t));
    let capitalized = |t: Option<&str>| {
        t.and_then(|t| t.chars().next())
            .is_some_and(char::is_uppercase)
    };
    starts
        && s.split_whitespace().count() <= 12
        && capitalized(tokens.next())
        && capitalized(tokens.next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_blocks_and_prose() {
        for furniture in [
            "Sponsored: Get the best mortgage rates today, our partners offer great deals and more.",
            "Advertisement",
            "Read more: Storm damage in pictures",
            "Photo: Reuters",
            "Updated 3 March 2024",
            "By Jane Doe, Maritime Correspondent.",
            "PUBLICITÉ",
        ] {
            assert!(is_furniture_text(furniture), "{furniture}");
        }
        for prose in [
            "Sponsors of the bill said it would pass.",
            "Readers of the paper were surprised.",
            "Updates to the law take effect in May, officials said on Monday.",
        ] {
            assert!(!is_furniture_text(prose), "{prose}");
        }
    }

    #[test]
    fn comment_headings() {
        assert!(starts_comments("Comments", "h3"));
        assert!(starts_comments("12 comments", "h2"));
        assert!(starts_comments("Commentaires (4)", "div"));
        assert!(!starts_comments(
            "Comments from the minister angered the union.",
            "p"
        ));
    }
}
