//! Unit tests of the built-in rules, one per phenomenon.

use super::*;

fn split(lang: &str, text: &str) -> Vec<String> {
    let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap());
    seg.segments(text).map(|s| s.text.to_string()).collect()
}

/// The number of sentences of `text`, which with `\r\n` or lone `\r` line
/// ends gives the same sentences.
#[track_caller]
fn count(lang: &str, text: &str) -> usize {
    let lf = split(lang, text);
    let crlf: Vec<String> = split(lang, &text.replace('\n', "\r\n"))
        .iter()
        .map(|s| s.replace('\r', ""))
        .collect();
    assert_eq!(crlf, lf, "{lang}: {text}");
    if !text.contains('\r') {
        let cr: Vec<String> = split(lang, &text.replace('\n', "\r"))
            .iter()
            .map(|s| s.replace('\r', "\n"))
            .collect();
        assert_eq!(cr, lf, "{lang}, lone \\r line ends: {text}");
    }
    lf.len()
}

/// Checks the sentences of `text`, and that with `\r\n` or lone `\r` (old
/// Mac) line ends it gives the same ones (with those line ends).
#[track_caller]
fn check(lang: &str, text: &str, expected: &[&str]) {
    assert_eq!(split(lang, text), expected, "{lang}: {text}");
    if text.contains('\n') && !text.contains('\r') {
        for end in ["\r\n", "\r"] {
            let other = text.replace('\n', end);
            let expected: Vec<String> = expected.iter().map(|s| s.replace('\n', end)).collect();
            assert_eq!(split(lang, &other), expected, "{lang}: {other:?}");
        }
    }
}

#[test]
fn english_basics() {
    check(
        "en",
        "Good morning. The market opens at nine.",
        &["Good morning.", "The market opens at nine."],
    );
    check(
        "en",
        "Where is the station? It is next to the bank.",
        &["Where is the station?", "It is next to the bank."],
    );
    check(
        "en",
        "The train is here! Everyone gets on.",
        &["The train is here!", "Everyone gets on."],
    );
}

#[test]
fn time_abbreviation_then_title() {
    check(
        "en",
        "Trading opened at 9 A.M. Ms. Ortiz then rang the bell. By 10 a.m. Mr. Lee had sold.",
        &[
            "Trading opened at 9 A.M.",
            "Ms. Ortiz then rang the bell.",
            "By 10 a.m. Mr. Lee had sold.",
        ],
    );
}

#[test]
fn abbreviations_and_initials() {
    check(
        "en",
        "Mr. Smith met Dr. Jones.",
        &["Mr. Smith met Dr. Jones."],
    );
    check(
        "en",
        "We met Harriet I. Okafor. I liked her.",
        &["We met Harriet I. Okafor.", "I liked her."],
    );
    check(
        "en",
        "She left the U.S. He stayed in the U.S. Army.",
        &["She left the U.S.", "He stayed in the U.S. Army."],
    );
}

#[test]
fn numbers_and_ordinals() {
    check("en", "Pi is 3.14 roughly.", &["Pi is 3.14 roughly."]);
    check(
        "de",
        "Am 12. Juni kam er. Seite 12. Dort.",
        &["Am 12. Juni kam er.", "Seite 12.", "Dort."],
    );
    check(
        "sk",
        "Bolo to 5. mája. Potom nie.",
        &["Bolo to 5. mája.", "Potom nie."],
    );
}

#[test]
fn quotes_brackets_and_openers() {
    check(
        "en",
        "He said \"Go.\" Then he left.",
        &["He said \"Go.\"", "Then he left."],
    );
    check(
        "en",
        "It ended.\"Next\" was a word.",
        &["It ended.", "\"Next\" was a word."],
    );
    check("en", "(Really?) Yes.", &["(Really?)", "Yes."]);
    check("es", "¿Vienes? ¡Claro!", &["¿Vienes?", "¡Claro!"]);
}

#[test]
fn scripts_without_spaces_and_rtl() {
    check(
        "zh",
        "你好。我很好！你呢？",
        &["你好。", "我很好！", "你呢？"],
    );
    check(
        "ja",
        "「はい。」と答えた。次だ。",
        &["「はい。」と答えた。", "次だ。"],
    );
    check("ar", "هل جئت؟ نعم.", &["هل جئت؟", "نعم."]);
    check("hi", "वह आया।वह गया।", &["वह आया।", "वह गया।"]);
    check("hy", "Նա եկավ։ Գնաց։", &["Նա եկավ։", "Գնաց։"]);
    check("el", "Τι κάνεις; Καλά.", &["Τι κάνεις;", "Καλά."]);
    // A right-to-left mark between the terminal and the space stays with the sentence.
    check("fa", "او آمد.\u{200F} رفت.", &["او آمد.\u{200F}", "رفت."]);
}

#[test]
fn line_breaks_and_wrapped_mode() {
    check("en", "one\ntwo\n\nthree", &["one", "two", "three"]);
    check(
        "ja",
        "山です \r川です \r\n海です",
        &["山です", "川です", "海です"],
    );
    let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).wrapped(true);
    let got: Vec<_> = seg
        .segments("A long\nsentence. Next\n\n  para\r\n")
        .map(|s| s.text)
        .collect();
    assert_eq!(got, ["A long\nsentence.", "Next", "para"]);
}

#[test]
fn full_lines_join_a_capitalised_next_line() {
    // A line as wide as its block (here 60-80 characters), whose next word
    // did not fit, goes on in a capitalised line when another line of the
    // block is wrapped too, or when it ends in a comma or dash.
    let text = "The committee met on Tuesday to review the proposal submitted last month by\n\
                Professor Anna Kowalski, who argued that the library should open on Sundays\n\
                and that its reading rooms should stay open until ten. The vote was postponed.";
    assert_eq!(count("en", text), 2);
    check(
        "es",
        "La reunión anual de la asociación de bibliotecarios se celebrará en Valparaíso – \n\
         Chile, del 3 al 5 de junio, con la presencia de la ministra de las Culturas. \n\
         Las inscripciones abren mañana.",
        &[
            "La reunión anual de la asociación de bibliotecarios se celebrará en Valparaíso – \n\
             Chile, del 3 al 5 de junio, con la presencia de la ministra de las Culturas.",
            "Las inscripciones abren mañana.",
        ],
    );
    // Not joined: a heading before paragraphs set one per line, short lines,
    // a line ending in a number, a list item, a line much shorter than the block.
    let news = "Storm closes schools across the north of the country for a second day\n\
                Heavy snow fell overnight and more is expected on Friday, forecasters said.\n\
                Trains between the two largest cities were cancelled for the whole day.";
    assert_eq!(count("en", news), 3);
    check(
        "en",
        "Opening hours\nMonday to Friday.",
        &["Opening hours", "Monday to Friday."],
    );
    let contents = "Acknowledgements ............................................... 5\n\
                    Chapter 2: Three Weeks Later .................................... 9";
    assert_eq!(count("en", contents), 2);
    let list = "Applicants must send the following documents before the end of the month\n\
                A. The application form signed by both parents or guardians and the school\n\
                B. Two recent photographs.";
    assert_eq!(count("en", list), 3);
    let short = "The committee met on Tuesday to review the proposal submitted last month by\n\
                 the mayor, who argued that\nThe library should open.";
    assert_eq!(count("en", short), 3);
    // A list of file names or addresses, one per line, as wide as a block.
    let files = "Alger, Horatio, Jr./A Boy's Fortune; Or, The Strange Adventures of Ben.txt\n\
                 Andersen, Hans Christian/A Christmas Greeting: A Series of Stories.txt\n\
                 Defoe, Daniel/A Journal of the Plague Year, Written by a Citizen.txt\n\
                 Dickens, Charles/A Christmas Carol in Prose; Being a Ghost Story of Christmas.";
    assert_eq!(count("en", files), 4);
    // Two lines, the second ending the sentence: nothing shows a wrap.
    let two = "The committee met on Tuesday to review the proposal submitted last month by\n\
               Professor Anna Kowalski, who argued that the library should open on Sundays.";
    assert_eq!(count("en", two), 2);
    // A line ending in a colon ends the sentence of the lines joined to it.
    let colon = "Zehn kurze Hinweise sollen allen neuen Mitgliedern des Vereins helfen, eine\n\
                 Saison ohne Verletzungen zu erleben und bis zum letzten Spiel gesund zu\n\
                 bleiben:\n\n1. Wärmen Sie sich auf!";
    assert_eq!(count("de", colon), 2);
}

#[test]
fn hard_wrapped_lines_continue_their_sentence() {
    // Cased scripts: a line without a terminal, then a lower-case line.
    check(
        "en",
        "The lift is out\nof order today.",
        &["The lift is out\nof order today."],
    );
    check(
        "ru",
        "Лифт сегодня\nне работает.",
        &["Лифт сегодня\nне работает."],
    );
    check(
        "el",
        "Το ασανσέρ σήμερα\nδεν λειτουργεί.",
        &["Το ασανσέρ σήμερα\nδεν λειτουργεί."],
    );
    check(
        "hy",
        "Վերելակն այսօր\nչի աշխատում։",
        &["Վերելակն այսօր\nչի աշխատում։"],
    );
    // Over several lines, the sentence ending within the chain.
    check(
        "en",
        "a line that is\nwrapped twice and\nends here. Next",
        &["a line that is\nwrapped twice and\nends here.", "Next"],
    );
    // A lone `\r` and `\r\n` are line breaks too.
    check(
        "en",
        "out\r\nof order.\rnow.",
        &["out\r\nof order.", "now."],
    );
    // A line of only a terminal finishes the line before; `. Next` too.
    check("en", "call us\n.\nHours", &["call us\n.", "Hours"]);
    check("en", "call us\n. Hours", &["call us\n.", "Hours"]);
    // Not joined: a terminal, a capital, a blank line, a list, a bullet, a menu,
    // a caseless script, an ellipsis opening the line.
    check("en", "Closed.\nsee below.", &["Closed.", "see below."]);
    check(
        "en",
        "Closed “today.”\nsee below.",
        &["Closed “today.”", "see below."],
    );
    check("en", "Closed\nToday.", &["Closed", "Today."]);
    check("en", "Closed\n\ntoday.", &["Closed", "today."]);
    check("en", "Closed \n \ntoday.", &["Closed", "today."]);
    check("en", "Steps\nii. wait.", &["Steps", "ii. wait."]);
    check("en", "Steps\n(b) wait.", &["Steps", "(b) wait."]);
    check("en", "Steps\n• wait.", &["Steps", "• wait."]);
    check("en", "home\nnews\nabout us", &["home", "news", "about us"]);
    // A short lower-case fragment after a full stop, alone before a line
    // break that ends a sentence, is a menu entry: the full stop ends.
    check(
        "en",
        "Open all week. opening hours\nour prices\nbook a table\n",
        &[
            "Open all week.",
            "opening hours",
            "our prices",
            "book a table",
        ],
    );
    // Not after an abbreviation or an initialism, nor before a wrapped line.
    check(
        "en",
        "Made in the U.S. factories\nour prices\n",
        &["Made in the U.S. factories", "our prices"],
    );
    check(
        "en",
        "Prices went up again last week. but most\nshops kept them low.",
        &["Prices went up again last week. but most\nshops kept them low."],
    );
    check(
        "en",
        "He met the team at 5 p.m. today\nour prices\n",
        &["He met the team at 5 p.m. today", "our prices"],
    );
    check("ka", "ლიფტი\nარ მუშაობს.", &["ლიფტი", "არ მუშაობს."]);
    // Georgian letters are lower case for Unicode, but Georgian has no case.
    check("ka", "ფასი\nwifi ღირს.", &["ფასი", "wifi ღირს."]);
    // Nor after a line in a script without case, whatever the next one holds.
    check("zh", "价格是\n(30 元)。", &["价格是", "(30 元)。"]);
    check("zh", "价格是\nwifi 的价格。", &["价格是", "wifi 的价格。"]);
    check("ar", "السعر\n(٣٠ دينار).", &["السعر", "(٣٠ دينار)."]);
    check("he", "המחיר\n(30 שקל).", &["המחיר", "(30 שקל)."]);
    check("th", "ราคา\n(30 บาท)", &["ราคา", "(30 บาท)"]);
    check("hi", "कीमत\n(30 रुपये)।", &["कीमत", "(30 रुपये)।"]);
    check("en", "costs 30\n(or more).", &["costs 30\n(or more)."]);
    // A full stop inside a word is no terminal: no sentence ends in the chain.
    check("en", "home\nos.path\nnews", &["home", "os.path", "news"]);
    check("en", "see\nv2.1 notes", &["see", "v2.1 notes"]);
    check("en", "menu\nwww.x.com", &["menu", "www.x.com"]);
    check("en", "pay\n3.5 euros", &["pay", "3.5 euros"]);
    check(
        "en",
        "he said it\nwas “over.”",
        &["he said it\nwas “over.”"],
    );
    check("en", "wait\nfor it...", &["wait\nfor it..."]);
    // Code: not after a fence, not between indented lines.
    check(
        "en",
        "```python\nprint(x).\n```",
        &["```python", "print(x).", "```"],
    );
    check(
        "en",
        "    x = compute(a,\n    b).",
        &["x = compute(a,", "b)."],
    );
    check("en", "\tx = f(a,\n\tb).", &["x = f(a,", "b)."]);
    check(
        "en",
        "\tThe lift is out\nof order.",
        &["The lift is out\nof order."],
    );
    // A lower-case brand or address is no continuation.
    check(
        "en",
        "Buy the new\niPhone today.",
        &["Buy the new", "iPhone today."],
    );
    check(
        "en",
        "Sold on\neBay and more.",
        &["Sold on", "eBay and more."],
    );
    check(
        "en",
        "See\nwww.example.com now.",
        &["See", "www.example.com now."],
    );
    check(
        "en",
        "See\nhttps://x.org now.",
        &["See", "https://x.org now."],
    );
    check(
        "en",
        "Write to\nann@example.org today.",
        &["Write to", "ann@example.org today."],
    );
    // List items in any cased script.
    check(
        "ru",
        "Стороны обязуются:\nа) соблюдать;\nб) уведомлять.",
        &["Стороны обязуются:", "а) соблюдать;", "б) уведомлять."],
    );
    check(
        "el",
        "Βήματα\nα) περιμένετε.",
        &["Βήματα", "α) περιμένετε."],
    );
    check("ru", "Шаги\n(в) ждать.", &["Шаги", "(в) ждать."]);
    check("hy", "Քայլեր\nա. սպասել։", &["Քայլեր", "ա. սպասել։"]);
    check("en", "So\n...and then.", &["So", "...and then."]);
    // Off: every line break ends a sentence.
    let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).join_lines(false);
    assert_eq!(seg.segments("The lift is out\nof order.").count(), 2);
    assert!(!seg.joins_lines());
}

#[test]
fn unknown_languages_use_generic_rules() {
    let seg = Segmenter::for_language(&LanguageTag::parse("et").unwrap());
    assert_eq!(seg.rule_set(), Some("und"));
    let got: Vec<_> = seg
        .segments("Tere. Kuidas läheb? Hästi.")
        .map(|s| s.text)
        .collect();
    assert_eq!(got, ["Tere.", "Kuidas läheb?", "Hästi."]);
}

#[test]
fn offsets_point_into_the_input() {
    let text = "  Héllo wörld.  Ça va?\n";
    let seg = Segmenter::for_language(&LanguageTag::parse("fr").unwrap());
    for s in seg.segments(text) {
        assert_eq!(&text[s.start..s.end], s.text);
    }
    assert_eq!(seg.segments(text).count(), 2);
}

/// Spans in order, not overlapping, on char boundaries, trimmed, and with only
/// whitespace between them: no text lost or duplicated.
fn assert_covers(text: &str, sentences: &[Sentence<'_>]) {
    let mut pos = 0;
    for s in sentences {
        assert!(
            s.start >= pos && s.start < s.end,
            "{s:?} after {pos} in {text:?}"
        );
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        assert_eq!(&text[s.start..s.end], s.text);
        assert!(
            text[pos..s.start].chars().all(char::is_whitespace),
            "lost text in {text:?}"
        );
        assert_eq!(s.text.trim(), s.text);
        pos = s.end;
    }
    assert!(
        text[pos..].chars().all(char::is_whitespace),
        "lost tail of {text:?}"
    );
}

fn check_all_languages(text: &str) {
    for code in supported_languages() {
        for (wrapped, join) in [(false, true), (false, false), (true, true)] {
            for quotes in [QuoteMode::Auto, QuoteMode::Keep, QuoteMode::Split] {
                let seg = Segmenter::for_language(&LanguageTag::parse(code).unwrap())
                    .wrapped(wrapped)
                    .join_lines(join)
                    .quotes(quotes);
                let got: Vec<_> = seg.segments(text).collect();
                assert_covers(text, &got);
            }
        }
    }
}

pub(super) mod props {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u{A0}",
        ".",
        "..",
        "...",
        ". . .",
        "?",
        "!",
        "?!",
        "…",
        "。",
        "！",
        "？",
        "؟",
        "۔",
        "।",
        "։",
        "።",
        "။",
        ";",
        ":",
        "\"",
        "'",
        "“",
        "”",
        "«",
        "»",
        "„",
        " »",
        " ›",
        "‹",
        "›",
        "《",
        "》",
        "『",
        "』",
        "（",
        "）",
        "(",
        ")",
        "[",
        "]",
        "「",
        "」",
        "¿",
        "¡",
        "•",
        "\u{200F}",
        "\u{200E}",
        "\u{202B}",
        "\u{2067}",
        "a",
        "A",
        "Dr",
        "Mr",
        "U.S",
        "e.g",
        "etc",
        "z.B",
        "1",
        "12",
        "3.14",
        "a)",
        "1.)",
        "b.",
        "word",
        "Word",
        "世界",
        "こんにちは",
        "مرحبا",
        "שלום",
        "नमस्ते",
        "Բարև",
        "ሰላም",
        "ပြည်",
        "Ꭰ",
        "x@y.com",
        "http://a.b/c.d",
        "\u{301}",
        "😀",
        "ǅ",
    ];

    fn piece_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
    }

    /// Words of wrapped prose: lower-case and capitalised, with and without
    /// a terminal or a pause, list markers, bullets, numbers, a colon.
    const WORDS: &[&str] = &[
        "the",
        "committee",
        "of",
        "a",
        "met",
        "library",
        "should",
        "open",
        "on",
        "Sundays",
        "Holidays",
        "Professor",
        "The",
        "vote.",
        "May.",
        "later,",
        "rest;",
        "–",
        "says:",
        "what?",
        "Dr.",
        "a.",
        "ii)",
        "(b)",
        "•",
        "1990",
        "12.",
        ".",
        "   ",
        "    code",
        "```",
        "лифт",
        "Дом",
        "г.",
        "ist",
        "Wort",
    ];

    /// Lines of [`WORDS`], some blank, 0 to 18 words each (up to ~120 characters).
    pub(crate) fn wrapped_lines() -> impl Strategy<Value = String> {
        let line = proptest::collection::vec(proptest::sample::select(WORDS), 0..18)
            .prop_map(|w| w.join(" "));
        proptest::collection::vec(line, 1..14).prop_map(|v| v.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn crlf_lone_cr_and_lf_line_ends_give_the_same_sentences(
            text in wrapped_lines(),
            lang in proptest::sample::select(supported_languages().collect::<Vec<_>>()),
            wrapped: bool,
        ) {
            let seg = Segmenter::for_language(&LanguageTag::parse(lang).unwrap()).wrapped(wrapped);
            let lf: Vec<String> = seg.segments(&text).map(|s| s.text.to_string()).collect();
            let crlf_text = text.replace('\n', "\r\n");
            let crlf: Vec<String> = seg
                .segments(&crlf_text)
                .map(|s| s.text.replace('\r', ""))
                .collect();
            prop_assert_eq!(&crlf, &lf);
            // Old Mac text: a lone `\r` ends a line as `\n` does.
            let cr_text = text.replace('\n', "\r");
            let cr: Vec<String> = seg
                .segments(&cr_text)
                .map(|s| s.text.replace('\r', "\n"))
                .collect();
            prop_assert_eq!(cr, lf);
        }

        #[test]
        fn arbitrary_unicode_is_covered(text in any::<String>()) {
            check_all_languages(&text);
        }

        #[test]
        fn punctuation_and_newline_heavy_text_is_covered(text in piece_text()) {
            check_all_languages(&text);
        }
    }
}

#[test]
fn segmenter_is_cheap_to_share_between_threads() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Segmenter>();
    let seg = Segmenter::for_language(&LanguageTag::parse("de").unwrap());
    let texts = ["Eins. Zwei.", "Drei? Vier!"];
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                let seg = seg.clone();
                s.spawn(move || seg.segments(t).count())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(counts, [2, 2]);
}

#[test]
fn greek_question_mark_character() {
    check(
        "el",
        "Τι κάνεις\u{37E} Καλά.",
        &["Τι κάνεις\u{37E}", "Καλά."],
    );
    check(
        "und",
        "Τι κάνεις\u{37E} Καλά.",
        &["Τι κάνεις\u{37E}", "Καλά."],
    );
}

// The conventions of the standard test sets (issue #14), one test per phenomenon.

#[test]
fn list_items_inside_a_line() {
    check(
        "en",
        "Pack these. a. a tent b. a stove",
        &["Pack these.", "a. a tent", "b. a stove"],
    );
    check(
        "en",
        "Ask for (a) a name (b) a date",
        &["Ask for", "(a) a name", "(b) a date"],
    );
    check("en", "i. one ii. two", &["i. one", "ii. two"]);
    check("en", "I. Intro II. Methods", &["I. Intro", "II. Methods"]);
    // An ordinal date is not a list.
    check(
        "de",
        "Am 1. Mai und am 2. Juni ist zu.",
        &["Am 1. Mai und am 2. Juni ist zu."],
    );
}

#[test]
fn times_and_acronyms_ending_a_sentence() {
    check(
        "en",
        "It closed at 8 P.M. Visitors left.",
        &["It closed at 8 P.M.", "Visitors left."],
    );
    check(
        "en",
        "It opened at 9 a.m. Tuesday in the rain.",
        &["It opened at 9 a.m. Tuesday in the rain."],
    );
    check(
        "es",
        "Vive en EE. UU. Vuelve pronto.",
        &["Vive en EE. UU.", "Vuelve pronto."],
    );
    check(
        "en",
        "The board said no. Nobody spoke.",
        &["The board said no.", "Nobody spoke."],
    );
}

#[test]
fn quotations_and_brackets_are_not_split_inside() {
    check(
        "en",
        "'Oh! Look!' said Ann. \"Yes. Wait!\" Then she ran.",
        &["'Oh! Look!' said Ann.", "\"Yes. Wait!\"", "Then she ran."],
    );
    // A quoted statement of the news is split (unless QuoteMode::Keep).
    check(
        "en",
        "\"We won. It is over,\" he said.",
        &["\"We won.", "It is over,\" he said."],
    );
    // So is one that asks, as news quotes often do; one that exclaims is kept.
    check(
        "en",
        "\"Can we win? We think so,\" he said.",
        &["\"Can we win?", "We think so,\" he said."],
    );
    let keep = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).quotes(QuoteMode::Keep);
    let got: Vec<_> = keep
        .segments("\"We won. It is over,\" he said.")
        .map(|s| s.text)
        .collect();
    assert_eq!(got, ["\"We won. It is over,\" he said."]);
    // A quotation is not closed across a line break: with a lone `\r` for
    // line ends too (it once looked past `\r` for the closing mark).
    check(
        "en",
        "\"Stop! Go away!\nThen he left! Really!\" she said.\n",
        &[
            "\"Stop!",
            "Go away!",
            "Then he left!",
            "Really!\" she said.",
        ],
    );
    check(
        "de",
        "„Gut. Danke.“ sagte er.",
        &["„Gut. Danke.“ sagte er."],
    );
    check(
        "ja",
        "雨だ（寒い。暗い。）。帰る。",
        &["雨だ（寒い。暗い。）。", "帰る。"],
    );
    // An unclosed quotation protects nothing.
    check("en", "He said \"Go. Now.", &["He said \"Go.", "Now."]);
    let seg = Segmenter::for_language(&LanguageTag::parse("en").unwrap()).quotes(QuoteMode::Split);
    let got: Vec<_> = seg
        .segments("\"Go. Now.\" he said.")
        .map(|s| s.text)
        .collect();
    assert_eq!(got, ["\"Go.", "Now.\" he said."]);
}

#[test]
fn citation_markers_stay_with_their_sentence() {
    check(
        "en",
        "It rains.[1][2] We stay.",
        &["It rains.[1][2]", "We stay."],
    );
    check("en", "It rains.4 5 We stay.", &["It rains.4 5", "We stay."]);
    check(
        "en",
        "Mild (type 1).3 Severe too.",
        &["Mild (type 1).3", "Severe too."],
    );
    check("en", "Pi is 3.14 We know.", &["Pi is 3.14 We know."]);
}

#[test]
fn ellipses_open_and_close_sentences() {
    check("en", "Done. . . . The rest", &["Done.", ". . . The rest"]);
    check("nl", "Raak. ...en toen", &["Raak.", "...en toen"]);
    check("en", "Fire ! ! ! Run.", &["Fire ! ! !", "Run."]);
    check(
        "fr",
        "Il reste . . Puis rien.",
        &["Il reste . .", "Puis rien."],
    );
    check("en", "It is . . . I forgot.", &["It is . . . I forgot."]);
}

#[test]
fn language_abbreviations_and_ordinals() {
    check("it", "Parla l'Ing. Rossi.", &["Parla l'Ing. Rossi."]);
    check("sk", "Pri XII. pluku.", &["Pri XII. pluku."]);
    check("sk", "Pri XII. Pluku.", &["Pri XII. Pluku."]);
    check("ru", "Подписал П. С. Орлов.", &["Подписал П. С. Орлов."]);
    check("da", "Vi fejrer Skt. Hans.", &["Vi fejrer Skt. Hans."]);
}

#[test]
fn lower_case_sentence_starts() {
    check("el", "Ήρθε. το σπίτι.", &["Ήρθε.", "το σπίτι."]);
    check("el", "Πήρε π.χ. μήλα.", &["Πήρε π.χ. μήλα."]);
    check("ru", "кто? что?", &["кто?", "что?"]);
    check("en", "Yahoo! is big.", &["Yahoo! is big."]);
}

#[test]
fn names_spelt_with_an_exclamation_mark() {
    check(
        "en",
        "They met at Yahoo! Research in May. It grew.",
        &["They met at Yahoo! Research in May.", "It grew."],
    );
    check(
        "en",
        "I work at Yahoo! The pay is good.",
        &["I work at Yahoo!", "The pay is good."],
    );
    check(
        "en",
        "Help! Research is over.",
        &["Help!", "Research is over."],
    );
}

#[test]
fn a_lone_pair_of_full_stops_between_sentences() {
    check(
        "en",
        "It ended. .. Then it began.",
        &["It ended.", "..", "Then it began."],
    );
    // An ellipsis glued to the next word, or spaced, opens it.
    check(
        "nl",
        "Ik raak. ...en toen ging ik.",
        &["Ik raak.", "...en toen ging ik."],
    );
    check(
        "en",
        "It ended. . . . The rest was lost.",
        &["It ended.", ". . . The rest was lost."],
    );
}

#[test]
fn an_unclosed_bracket_protects_nothing_after_later_pairs() {
    check(
        "en",
        "Models (Smith, 2003(Jones, 2005 and BBMM (Horne, 2007). Next models (Lee, 2008) came. Last.",
        &[
            "Models (Smith, 2003(Jones, 2005 and BBMM (Horne, 2007).",
            "Next models (Lee, 2008) came.",
            "Last.",
        ],
    );
    check(
        "en",
        "He won (see (a) and (b). Both count) easily. Then.",
        &["He won (see (a) and (b). Both count) easily.", "Then."],
    );
}

#[test]
fn script_terminals_and_glued_sentences() {
    check("hy", "Նա եկավ: Հետո գնաց:", &["Նա եկավ:", "Հետո գնաց:"]);
    check(
        "ja",
        "彼は「終わり．」と言った．帰った．",
        &["彼は「終わり．」と言った．", "帰った．"],
    );
    check(
        "da",
        "Det var sent.I morgen.",
        &["Det var sent.", "I morgen."],
    );
    check("kk", "Ұзақ.XIX ғасыр.", &["Ұзақ.", "XIX ғасыр."]);
    check(
        "en",
        "Write to J.K.Rowling now.",
        &["Write to J.K.Rowling now."],
    );
}

/// One abbreviation per language from the generated tables in `data/mined/`
/// (`gen_abbrevs.py`: LibreOffice's exception lists, Hunspell, the corpora).
/// None of these is in the hand-written files, so each line fails without them.
#[test]
fn mined_abbreviations_are_used() {
    check(
        "de",
        "Der Preis ist 5 Euro zzgl. Versand und Zoll.",
        &["Der Preis ist 5 Euro zzgl. Versand und Zoll."],
    );
    check(
        "cs",
        "Velitelem byl pplk. Novák z Brna.",
        &["Velitelem byl pplk. Novák z Brna."],
    );
    check(
        "sv",
        "Föredraget hölls av tekn.kand. Erik Holm i Lund.",
        &["Föredraget hölls av tekn.kand. Erik Holm i Lund."],
    );
    check(
        "pl",
        "Spotkanie otworzył prez. Kowalski w Warszawie.",
        &["Spotkanie otworzył prez. Kowalski w Warszawie."],
    );
    check(
        "nl",
        "Het huis van jhr. Willem de Vries staat er nog.",
        &["Het huis van jhr. Willem de Vries staat er nog."],
    );
    check(
        "da",
        "Hun blev gift med cand.jur. Peter Holm i 1950.",
        &["Hun blev gift med cand.jur. Peter Holm i 1950."],
    );
    check(
        "es",
        "Lo atendió el licdo. Pérez en la oficina.",
        &["Lo atendió el licdo. Pérez en la oficina."],
    );
    check(
        "it",
        "La causa è alla sez. Lavoro del tribunale.",
        &["La causa è alla sez. Lavoro del tribunale."],
    );
    check(
        "pt",
        "Consulte a abrev. ONU no glossário.",
        &["Consulte a abrev. ONU no glossário."],
    );
    check("el", "Δες τόμ. 3 της σειράς.", &["Δες τόμ. 3 της σειράς."]);
    check("ru", "См. сб. 5 за 2001 год.", &["См. сб. 5 за 2001 год."]);
    check(
        "en",
        "See req. 4 in the spec.",
        &["See req. 4 in the spec."],
    );
    // A mined abbreviation still ends a sentence before a typical starter.
    check(
        "de",
        "Alles kostet 5 Euro zzgl. Dann kommt der Zoll.",
        &["Alles kostet 5 Euro zzgl.", "Dann kommt der Zoll."],
    );
}

/// `text` on one line, written as [`on_one_line`] returns it.
#[track_caller]
fn one_line(text: &str) -> String {
    let mut written = Vec::new();
    write_on_one_line(&mut written, text).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), on_one_line(text));
    on_one_line(text).into_owned()
}

#[test]
fn line_breaks_inside_east_asian_text_vanish_on_one_line() {
    assert_eq!(one_line("これは父の\n家です。"), "これは父の家です。");
    assert_eq!(one_line("这是我父亲的\r\n房子。"), "这是我父亲的房子。");
    // Spaces around the break go with it; full-width and half-width forms count.
    assert_eq!(one_line("これは父の \n 家です。"), "これは父の家です。");
    assert_eq!(one_line("ＡＢＣ\nｶﾀｶﾅ"), "ＡＢＣｶﾀｶﾅ");
    // Korean writes spaces between words; Latin next to CJK keeps a space.
    assert_eq!(
        one_line("이것은 아버지의\n집입니다."),
        "이것은 아버지의 집입니다."
    );
    assert_eq!(one_line("これは\nWiFi です。"), "これは WiFi です。");
    assert_eq!(one_line("It was\nwrapped."), "It was wrapped.");
    assert!(matches!(
        on_one_line("No break."),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn arabic_script_letters_of_every_block_glue_sentences() {
    // Sorani Kurdish `ە` (U+06D5) lies outside the basic Arabic letters.
    assert_eq!(split("ckb", "چوومە ماڵەوە.دەرگاکە داخرا.").len(), 2);
    assert_eq!(split("fa", "به خانه رسیدم.در بسته بود.").len(), 2);
}

#[test]
fn cyrillic_unit_after_a_number_is_no_list_item() {
    // `г.` follows `в.` as a list label, but after a year it is `год`.
    check(
        "ru",
        "Этапы: а. проект б. стройка в. запуск в 1990 г. и отчёт.",
        &[
            "Этапы:",
            "а. проект",
            "б. стройка",
            "в. запуск в 1990 г. и отчёт.",
        ],
    );
    check(
        "ru",
        "Этапы: а. проект б. стройка в. запуск г. отчёт",
        &["Этапы:", "а. проект", "б. стройка", "в. запуск", "г. отчёт"],
    );
}

#[test]
fn russian_year_abbreviation_goes_on_after_a_number() {
    check(
        "ru",
        "Мост открыли в 1936 г. В день открытия по нему прошли тысячи людей.",
        &["Мост открыли в 1936 г. В день открытия по нему прошли тысячи людей."],
    );
    check(
        "ru",
        "Работы шли в 1936–1937 гг. Потом мост закрыли. Мы шли в г. В.",
        &[
            "Работы шли в 1936–1937 гг.",
            "Потом мост закрыли.",
            "Мы шли в г. В.",
        ],
    );
    // A line break still ends it; other languages' year abbreviations end it.
    check(
        "ru",
        "Мост открыли в 1936 г.\nВ день открытия шёл дождь.",
        &["Мост открыли в 1936 г.", "В день открытия шёл дождь."],
    );
    check(
        "bg",
        "Мостът е открит през 1936 г. Днес е паметник.",
        &["Мостът е открит през 1936 г.", "Днес е паметник."],
    );
}
