//! `tmkit tm`: a living translation memory in a store (`team.tmdb`, SQLite;
//! `postgres://…`): import, export, concordance search, add, edit, delete,
//! stats, dedupe, conflicts, reindex, check.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use tmkit::batch::Progress;
use tmkit::store::export::{ExportFormat, export};
use tmkit::store::import::{ImportOptions, import_observed};
use tmkit::store::{
    DuplicatePolicy, Edit, Filter, IndexFeed, SearchQuery, Store, StoreLocation, StoreMemory,
    StoredUnit, Unit,
};
use tmkit::text::LanguageTag;
use tmkit::tm::LanguagePair;

use super::common::{self, Context, DataFormat};

const EXAMPLES: &str = "\
Examples:
  tmkit tm import --tm team.tmdb memories/ --project acme
  tmkit tm import --tm team.tmdb --src en --tgt fr phrases.tsv
  tmkit match --tm team.tmdb --src en --tgt fr --update-usage article.txt
  tmkit tm search --tm team.tmdb \"prime minister\"
  tmkit tm add --tm team.tmdb --src en --tgt fr \"Good morning\" \"Bonjour\"
  tmkit tm export --tm team.tmdb --src en --tgt fr --since 2024-01-01 -o recent.tmx
  tmkit tm export --tm team.tmdb --project acme -o acme.xlf
  tmkit tm stats --tm team.tmdb

A store is a .tmdb file (SQLite, created on first import or add) or a
postgres:// URI. Importing the same file twice changes nothing.";

/// Arguments of `tmkit tm`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub command: TmCommand,
}

/// The store to work on.
#[derive(Debug, clap::Args)]
pub struct StoreArg {
    /// The store: a .tmdb file (SQLite) or a postgres:// URI.
    #[arg(long = "tm", value_name = "STORE")]
    pub tm: String,
}

/// Which units (every option given must hold).
#[derive(Debug, Default, clap::Args)]
pub struct FilterArgs {
    /// Unit id (repeatable).
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<i64>,
    /// Has a variant in this language.
    #[arg(long, visible_alias = "sl", value_name = "LANG")]
    pub src: Option<LanguageTag>,
    /// Has a variant in this language too.
    #[arg(long, visible_alias = "tl", value_name = "LANG")]
    pub tgt: Option<LanguageTag>,
    /// Changed on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Changed on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Created or changed by this user.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// In this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// For this client.
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// In this domain.
    #[arg(long, value_name = "NAME")]
    pub domain: Option<String>,
    /// Has this field or prop (repeatable).
    #[arg(long = "field", value_name = "KEY=VALUE", value_parser = key_value)]
    pub fields: Vec<(String, String)>,
    /// Some variant contains this text (case- and accent-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

/// The one conversion of the filter options into the store's filter. Both
/// sides are spelled out without `..`, so a field added to either one does
/// not compile until it is carried across here.
impl From<&FilterArgs> for Filter {
    fn from(args: &FilterArgs) -> Filter {
        let FilterArgs {
            ids,
            src,
            tgt,
            since,
            until,
            user,
            project,
            client,
            domain,
            fields,
            search,
        } = args;
        Filter {
            ids: ids.clone(),
            src: src.as_ref().map(ToString::to_string),
            tgt: tgt.as_ref().map(ToString::to_string),
            since: since.clone(),
            until: until.clone(),
            user: user.clone(),
            project: project.clone(),
            client: client.clone(),
            domain: domain.clone(),
            fields: fields.clone(),
            search: search.clone(),
            limit: None,
        }
    }
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("{s}: expected KEY=VALUE"))
}

/// What to do when a source is already stored with other targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OnDuplicate {
    /// Add the new unit beside the others, as an alternative translation (nothing is lost).
    #[default]
    Add,
    /// Replace the others by the new unit.
    Overwrite,
    /// Keep the others, skip the new unit.
    Keep,
    /// Keep whichever was changed last (the stored one on a tie, undated units always tie).
    Newest,
}

impl From<OnDuplicate> for DuplicatePolicy {
    fn from(o: OnDuplicate) -> Self {
        match o {
            OnDuplicate::Add => DuplicatePolicy::Add,
            OnDuplicate::Overwrite => DuplicatePolicy::Overwrite,
            OnDuplicate::Keep => DuplicatePolicy::Keep,
            OnDuplicate::Newest => DuplicatePolicy::Newest,
        }
    }
}

/// Project, client and domain tags for new units.
#[derive(Debug, Default, clap::Args)]
pub struct TagArgs {
    /// Project of the new units.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// Client of the new units.
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// Domain of the new units.
    #[arg(long, value_name = "NAME")]
    pub domain: Option<String>,
}

/// The `tmkit tm` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TmCommand {
    /// Import TMX, TSV, CSV, XLIFF or PO files (or folders of them) into a store.
    Import {
        #[command(flatten)]
        store: StoreArg,
        /// Exact duplicates are always skipped; this decides for a source stored with other targets.
        #[arg(long, value_enum, default_value_t)]
        on_duplicate: OnDuplicate,
        #[command(flatten)]
        tags: TagArgs,
        /// Source language of TSV/CSV files whose name or header row does not say
        /// (en-fr.tsv does), and of XLIFF/PO files that do not declare it.
        #[arg(long, visible_alias = "sl", value_name = "LANG", requires = "tgt")]
        src: Option<LanguageTag>,
        /// Target language of such files.
        #[arg(long, visible_alias = "tl", value_name = "LANG", requires = "src")]
        tgt: Option<LanguageTag>,
        /// Units per transaction.
        #[arg(long, default_value_t = 20_000, hide = true, value_parser = common::count())]
        batch: usize,
        /// Files or folders to import; `-` reads standard input, as TSV unless
        /// its first line has no tab and it opens like TMX, XLIFF or PO.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Write units to a TMX, TSV or XLIFF file (by its extension), with filters.
    ///
    /// XLIFF (.xlf, .xliff): one <file> per language pair (only --src/--tgt
    /// when both are given), inline codes as XLIFF inline elements, the tuid
    /// as resname, notes kept, every segment in state translated.
    ///
    /// TSV (.tsv, needs --src and --tgt): a row of the two language codes,
    /// then source<TAB>target, tab, line break, CR and backslash escaped as
    /// \t \n \r \\ (as tmx convert writes and every TSV reader decodes).
    /// The codes are the variants' own tags when every pair exported has the
    /// same (en-US for --src en); when they vary, the language they share
    /// (en for en-US and en-GB units), else --src/--tgt as given.
    ///
    /// PostgreSQL: more than 5,000 units are read through a COPY per table
    /// (units, variants, and fields when the store has any), each on a
    /// connection of its own in one snapshot, so an export holds 3 or 4
    /// connections; when the server, the role's CONNECTION LIMIT or the
    /// database's leave fewer free, it reads pages of 5,000 units on its one
    /// connection instead (slower, same output).
    Export {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        filter: FilterArgs,
        /// Output file (.tmx, .tsv, .xlf or .xliff; '-' writes TMX to standard output).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// XLIFF output version: 1.2 (default) or 2.0 (one language pair only).
        #[arg(long, value_name = "VERSION", value_parser = ["1.2", "2.0"])]
        xliff_version: Option<String>,
    },
    /// Concordance: units with a variant containing TEXT (case- and accent-insensitive).
    Search {
        #[command(flatten)]
        store: StoreArg,
        /// Only variants of this language.
        #[arg(long, value_name = "LANG")]
        lang: Option<LanguageTag>,
        /// Most units shown.
        #[arg(long, default_value_t = 20, value_name = "N", value_parser = common::count())]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
        /// The text looked for.
        text: String,
    },
    /// Add a unit (SOURCE TARGET), or JSON lines from standard input.
    Add {
        #[command(flatten)]
        store: StoreArg,
        /// Source language.
        #[arg(long, visible_alias = "sl", value_name = "LANG")]
        src: LanguageTag,
        /// Target language.
        #[arg(long, visible_alias = "tl", value_name = "LANG")]
        tgt: LanguageTag,
        #[command(flatten)]
        tags: TagArgs,
        /// Who made the translation.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// What to do when the source is stored with another target.
        #[arg(long, value_enum, default_value_t = OnDuplicate::Overwrite)]
        on_duplicate: OnDuplicate,
        /// Source and target; none reads JSON lines {"source": ..., "target": ...} from stdin.
        #[arg(value_name = "TEXT", num_args = 0..=2)]
        texts: Vec<String>,
    },
    /// Change units by id or filter: texts, tags, fields.
    Edit {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        filter: FilterArgs,
        /// Set the text of a variant (repeatable).
        #[arg(long = "set-text", value_name = "LANG=TEXT", value_parser = key_value)]
        texts: Vec<(String, String)>,
        /// Set the project ('' clears it).
        #[arg(long, value_name = "NAME")]
        set_project: Option<String>,
        /// Set the client.
        #[arg(long, value_name = "NAME")]
        set_client: Option<String>,
        /// Set the domain.
        #[arg(long, value_name = "NAME")]
        set_domain: Option<String>,
        /// Set a free field (repeatable).
        #[arg(long = "set-field", value_name = "KEY=VALUE", value_parser = key_value)]
        set_fields: Vec<(String, String)>,
        /// Who makes the change.
        #[arg(long = "by", value_name = "USER")]
        by: Option<String>,
    },
    /// Delete units by id or filter.
    Delete {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        filter: FilterArgs,
        /// Allow deleting every unit when no filter is given.
        #[arg(long)]
        all: bool,
    },
    /// Units, variants, languages, pairs, words, projects, conflicts.
    Stats {
        #[command(flatten)]
        store: StoreArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Remove exact duplicate units (the oldest stays).
    Dedupe {
        #[command(flatten)]
        store: StoreArg,
    },
    /// Sources stored with different targets.
    Conflicts {
        #[command(flatten)]
        store: StoreArg,
        /// Most sources shown.
        #[arg(long, default_value_t = 50, value_name = "N", value_parser = common::count())]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: DataFormat,
    },
    /// Rebuild the fuzzy index of a pair (default: every pair in the store).
    Reindex {
        #[command(flatten)]
        store: StoreArg,
        /// Source language.
        #[arg(long, value_name = "LANG", requires = "tgt")]
        src: Option<LanguageTag>,
        /// Target language.
        #[arg(long, value_name = "LANG", requires = "src")]
        tgt: Option<LanguageTag>,
    },
    /// Check the store's integrity (exit 1 on a problem). Nothing is
    /// committed; on SQLite the check holds the write lock while it runs
    /// (writers wait), and a kill -9 during it leaves the store as it was.
    Check {
        #[command(flatten)]
        store: StoreArg,
    },
}

/// Runs `tmkit tm`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    match args.command {
        TmCommand::Import {
            store,
            on_duplicate,
            tags,
            src,
            tgt,
            batch,
            files,
        } => {
            if let (Some(s), Some(t)) = (&src, &tgt) {
                common::check_language_pair(s, t)?;
            }
            let mut db = tmkit::store::create(&store.tm)?;
            let options = ImportOptions {
                policy: on_duplicate.into(),
                project: tags.project,
                client: tags.client,
                domain: tags.domain,
                tsv_pair: src.zip(tgt).map(|(s, t)| LanguagePair::new(s, t)),
                batch,
            };
            import(db.as_mut(), &files, &options, ctx)
        }
        TmCommand::Export {
            store,
            filter,
            output,
            xliff_version,
        } => {
            let ext = output
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            let is_tsv = ext.as_deref() == Some("tsv");
            let is_xliff = matches!(ext.as_deref(), Some("xlf" | "xliff"));
            // TMX is written to `-`, a name without extension or a .tmx; a
            // .csv or .po would otherwise get TMX under its name.
            if let Some(e) = ext
                .as_deref()
                .filter(|e| !is_tsv && !is_xliff && *e != "tmx")
            {
                return Err(common::usage(format!(
                    "cannot tell the format of {} from its extension .{e}: tm export writes .tmx, .tsv, .xlf or .xliff",
                    output.display()
                )));
            }
            if xliff_version.is_some() && !is_xliff {
                return Err(common::usage(
                    "--xliff-version needs an .xlf or .xliff output file",
                ));
            }
            let format = if is_xliff {
                ExportFormat::Xliff {
                    version: if xliff_version.as_deref() == Some("2.0") {
                        tmkit::xliff::Format::Xliff20
                    } else {
                        tmkit::xliff::Format::Xliff12
                    },
                    pair: filter
                        .src
                        .clone()
                        .zip(filter.tgt.clone())
                        .map(|(s, t)| LanguagePair::new(s, t)),
                    original: store_name(&store.tm),
                }
            } else if is_tsv {
                let (Some(s), Some(t)) = (filter.src.clone(), filter.tgt.clone()) else {
                    return Err(common::usage("a TSV export needs --src and --tgt"));
                };
                ExportFormat::Tsv(LanguagePair::new(s, t))
            } else {
                ExportFormat::Tmx
            };
            let mut db = tmkit::store::open(&store.tm)?;
            let started = Instant::now();
            let selection = Filter::from(&filter);
            let n = if tmkit::files::is_stdio(&output) {
                let mut out = common::stdout();
                let n = export(db.as_mut(), &selection, &format, &mut out)?;
                out.flush()?;
                n
            } else {
                let mut out = tmkit::files::AtomicFile::create(&output)?;
                let n = export(db.as_mut(), &selection, &format, &mut out)?;
                out.commit()?;
                n
            };
            ctx.note(format!(
                "exported {n} unit(s) in {:.2}s",
                started.elapsed().as_secs_f64()
            ));
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Search {
            store,
            lang,
            limit,
            format,
            text,
        } => {
            let mut db = tmkit::store::open(&store.tm)?;
            let query = SearchQuery {
                text,
                lang: lang.map(|l| l.to_string()),
                limit,
            };
            let hits = db.search(&query)?;
            print_units(&hits, format)?;
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Add {
            store,
            src,
            tgt,
            tags,
            user,
            on_duplicate,
            texts,
        } => {
            common::check_language_pair(&src, &tgt)?;
            let units = match texts.as_slice() {
                [source, target] => {
                    if source.trim().is_empty() || target.trim().is_empty() {
                        return Err(common::usage("SOURCE and TARGET must not be empty"));
                    }
                    vec![new_unit(&src, &tgt, source, target)]
                }
                [] => read_jsonl_units(&src, &tgt)?,
                _ => {
                    return Err(common::usage(
                        "give SOURCE and TARGET, or neither (JSON lines on stdin)",
                    ));
                }
            };
            let now = tmkit::store::tmx_now();
            let units: Vec<Unit> = units
                .into_iter()
                .map(|mut u| {
                    u.project = u.project.or_else(|| tags.project.clone());
                    u.client = u.client.or_else(|| tags.client.clone());
                    u.domain = u.domain.or_else(|| tags.domain.clone());
                    u.tu.creationdate.get_or_insert_with(|| now.clone());
                    u.tu.changedate.get_or_insert_with(|| now.clone());
                    if let Some(user) = &user {
                        u.tu.creationid.get_or_insert_with(|| user.clone());
                        u.tu.changeid.get_or_insert_with(|| user.clone());
                    }
                    u
                })
                .collect();
            let mut db = tmkit::store::create(&store.tm)?;
            let report = db.add_units(&units, on_duplicate.into())?;
            ctx.note(format!(
                "added {} unit(s) ({} exact duplicate(s) skipped, {} replaced)",
                report.added, report.duplicates, report.replaced
            ));
            let mut out = std::io::stdout().lock();
            for id in &report.ids {
                writeln!(out, "{id}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Edit {
            store,
            filter,
            texts,
            set_project,
            set_client,
            set_domain,
            set_fields,
            by,
        } => {
            let filter = Filter::from(&filter);
            if filter == Filter::default() {
                return Err(common::usage("say which units to edit (--id or a filter)"));
            }
            let edit = Edit {
                variants: texts,
                project: set_project,
                client: set_client,
                domain: set_domain,
                fields: set_fields,
                user: by,
            };
            let n = tmkit::store::open(&store.tm)?.edit(&filter, &edit)?;
            ctx.note(format!("edited {n} unit(s)"));
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Delete { store, filter, all } => {
            let filter = Filter::from(&filter);
            if filter == Filter::default() && !all {
                return Err(common::usage(
                    "say which units to delete (--id or a filter), or --all",
                ));
            }
            let n = tmkit::store::open(&store.tm)?.delete(&filter)?;
            ctx.note(format!("deleted {n} unit(s)"));
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Stats { store, format } => {
            let stats = tmkit::store::open(&store.tm)?.stats()?;
            let mut out = common::stdout();
            if format == DataFormat::Text {
                writeln!(out, "units: {}\nvariants: {}", stats.units, stats.variants)?;
                writeln!(out, "source words: {}", stats.source_words)?;
                writeln!(out, "conflicting sources: {}", stats.conflicts)?;
                writeln!(out, "schema version: {}", stats.schema_version)?;
                writeln!(out, "languages:")?;
                for (l, n) in &stats.languages {
                    writeln!(out, "  {l}\t{n}")?;
                }
                writeln!(out, "pairs:")?;
                for (s, t, n) in &stats.pairs {
                    writeln!(out, "  {s} → {t}\t{n}")?;
                }
                writeln!(out, "projects:")?;
                for (p, n) in &stats.projects {
                    let p = if p.is_empty() { "(none)" } else { p.as_str() };
                    writeln!(out, "  {p}\t{n}")?;
                }
            } else {
                common::write_json_pretty(&mut out, &stats)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Dedupe { store } => {
            let n = tmkit::store::open(&store.tm)?.dedupe()?;
            ctx.note(format!("removed {n} duplicate unit(s)"));
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Conflicts {
            store,
            limit,
            format,
        } => {
            let conflicts = tmkit::store::open(&store.tm)?.conflicts(limit)?;
            let mut out = common::stdout();
            for c in &conflicts {
                match format {
                    DataFormat::Text => {
                        let source = c.units[0].unit.source_text().unwrap_or_default();
                        writeln!(out, "{source}")?;
                        for u in &c.units {
                            writeln!(out, "  #{}\t{}", u.id, targets(u))?;
                        }
                    }
                    _ => {
                        let units: Vec<UnitJson> = c.units.iter().map(UnitJson::of).collect();
                        common::write_json_line(&mut out, &units)?;
                    }
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Reindex { store, src, tgt } => {
            let mut db = tmkit::store::open(&store.tm)?;
            let pairs = match src.zip(tgt) {
                Some((s, t)) => vec![LanguagePair::new(s, t)],
                None => store_pairs(db.as_mut())?,
            };
            reindex(db.as_mut(), &pairs, ctx)?;
            Ok(ExitCode::SUCCESS)
        }
        TmCommand::Check { store } => {
            let mut db = tmkit::store::open(&store.tm)?;
            let problems = db.check()?;
            for warning in db.take_warnings() {
                tmkit::diag!("tmkit: {}: warning: {warning}", db.location());
            }
            if problems.is_empty() {
                ctx.note(format!("{}: ok", db.location()));
                return Ok(ExitCode::SUCCESS);
            }
            for p in &problems {
                tmkit::diag!("tmkit: {}: {p}", db.location());
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn import(
    db: &mut dyn Store,
    files: &[PathBuf],
    options: &ImportOptions,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut failed = 0usize;
    let mut total = tmkit::store::AddReport::default();
    let bar = ctx.progress("import");
    // A folder entry that cannot be read (a dangling link) is reported and
    // fails the run at the end, as a malformed file does; the rest goes in.
    let mut walked = tmkit::batch::BatchSummary::default();
    let inputs = ctx.walk_inputs(files, &tmkit::store::import::input_filter()?, &mut walked)?;
    failed += walked.failures.len();
    // Into an empty SQLite store, the fuzzy index is built beside the
    // writes, from each committed batch, on a connection of its own.
    let mut generation = db.generation()?;
    let feed = match db.location().clone() {
        StoreLocation::Sqlite(path) if db.count(&Filter::default())? == 0 => {
            let reader = tmkit::store::sqlite::SqliteStore::open(&path, false)?;
            // It reads each batch once, just written: 8 MiB of page cache, not 64.
            reader
                .connection()
                .pragma_update(None, "cache_size", -8192)?;
            Some(IndexFeed::start(Box::new(reader)))
        }
        _ => None,
    };
    bar.start(inputs.len() as u64);
    for file in &inputs {
        bar.item_started(file);
        let name = tmkit::files::display_name(file);
        let result = import_observed(db, file, &name, options, &mut |_read| {}, &mut |batch| {
            if batch.added + batch.replaced > 0 {
                generation += 1;
            }
            if let (Some(feed), Some(first), Some(last)) =
                (&feed, batch.ids.first(), batch.ids.last())
            {
                feed.batch(*first, *last);
            }
        });
        bar.item_done(file, result.is_ok());
        match result {
            Ok(mut report) => {
                // Always said, as a failed input is: the store lacks it.
                for lost in report.lost.drain(..) {
                    tmkit::diag!("{}: {lost} (not in the store)", ctx.err_label("warning"));
                }
                total.merge(report)
            }
            Err(e) => {
                failed += 1;
                ctx.warn_input(file, e);
            }
        }
    }
    bar.finish();
    ctx.note(format!(
        "imported {} unit(s) in {:.2}s: {}",
        total.added,
        started.elapsed().as_secs_f64(),
        tmkit::store::import::summary(&total, options.policy)
    ));
    if total.left_out > 0 {
        ctx.note(format!(
            "{} segment(s) left out: not finished (XLIFF/PO states other than translated, reviewed, final, signed-off) or without a target",
            total.left_out
        ));
    }
    if total.added + total.replaced > 0 {
        let assembled = Instant::now();
        match feed
            .map(|f| f.finish(db, generation))
            .transpose()?
            .flatten()
        {
            Some((pair, n)) => ctx.note(format!(
                "indexed {n} {} → {} segment(s) during the import ({:.2}s after it)",
                pair.source,
                pair.target,
                assembled.elapsed().as_secs_f64()
            )),
            None => {
                let pairs = store_pairs(db)?;
                reindex(db, &pairs, ctx)?;
            }
        }
    }
    // The concordance index of an import into an empty SQLite store was
    // moved in while the fuzzy index was assembled: wait for it.
    db.finish_import()?;
    for warning in db.take_warnings() {
        tmkit::diag!("tmkit: {}: warning: {warning}", db.location());
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What an export's XLIFF files name as their `original`: the store's file
/// name, or `postgres` for a server (a URI may hold a password).
fn store_name(tm: &str) -> String {
    if tm.contains("://") {
        return "postgres".into();
    }
    std::path::Path::new(tm)
        .file_name()
        .map_or_else(|| tm.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The (source, other language) pairs the store holds.
fn store_pairs(db: &mut dyn Store) -> anyhow::Result<Vec<LanguagePair>> {
    Ok(db
        .pairs()?
        .iter()
        .filter_map(|(s, t, _)| Some(LanguagePair::new(s.parse().ok()?, t.parse().ok()?)))
        .collect())
}

fn reindex(db: &mut dyn Store, pairs: &[LanguagePair], ctx: &Context) -> anyhow::Result<()> {
    for pair in pairs {
        let started = Instant::now();
        let n = StoreMemory::reindex(db, pair)
            .with_context(|| format!("indexing {} → {}", pair.source, pair.target))?;
        ctx.note(format!(
            "indexed {n} {} → {} segment(s) in {:.2}s",
            pair.source,
            pair.target,
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(())
}

fn new_unit(src: &LanguageTag, tgt: &LanguageTag, source: &str, target: &str) -> Unit {
    Unit::new(&[(&src.to_string(), source), (&tgt.to_string(), target)])
}

#[derive(serde::Deserialize)]
struct AddLine {
    source: String,
    target: String,
    #[serde(default)]
    tuid: Option<String>,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    client: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, String>,
}

fn read_jsonl_units(src: &LanguageTag, tgt: &LanguageTag) -> anyhow::Result<Vec<Unit>> {
    let mut units = Vec::new();
    // Decoded as every text input is (a UTF-16 byte-order mark, --encoding);
    // a UTF-8 byte-order mark is no part of the first line.
    let input = std::io::BufReader::new(tmkit::files::open_text(std::path::Path::new("-"))?);
    for (i, line) in input.lines().enumerate() {
        let line = line.context("<stdin>")?;
        let line = if i == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(&line)
        } else {
            &line
        };
        if line.trim().is_empty() {
            continue;
        }
        let add: AddLine = serde_json::from_str(line).map_err(|e| {
            // The position as file:line:column, not serde's 'at line 1 column N'.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            anyhow::anyhow!(
                "<stdin>:{}:{}: expected {{\"source\": ..., \"target\": ...}}: {message}",
                i + 1,
                e.column()
            )
        })?;
        if add.source.trim().is_empty() || add.target.trim().is_empty() {
            anyhow::bail!(
                "<stdin>:{}: \"source\" and \"target\" must not be empty",
                i + 1
            );
        }
        let mut unit = new_unit(src, tgt, &add.source, &add.target);
        unit.tu.tuid = add.tuid;
        unit.project = add.project;
        unit.client = add.client;
        unit.domain = add.domain;
        unit.fields = add.fields.into_iter().collect();
        units.push(unit);
    }
    Ok(units)
}

fn targets(u: &StoredUnit) -> String {
    let texts: Vec<String> = u
        .unit
        .tu
        .tuvs
        .iter()
        .filter(|v| !tmkit::tmx::model::lang_eq(&v.lang, &u.unit.source_lang))
        .map(|v| format!("[{}] {}", v.lang, v.seg.plain_text()))
        .collect();
    texts.join("  ")
}

/// A unit as JSON.
#[derive(serde::Serialize)]
struct UnitJson<'a> {
    id: i64,
    tuid: Option<&'a str>,
    source_lang: &'a str,
    variants: Vec<VariantJson>,
    origin: Option<&'a str>,
    project: Option<&'a str>,
    client: Option<&'a str>,
    domain: Option<&'a str>,
    changedate: Option<&'a str>,
    usage_count: Option<&'a str>,
    fields: &'a [(String, String)],
}

#[derive(serde::Serialize)]
struct VariantJson {
    lang: String,
    text: String,
}

impl<'a> UnitJson<'a> {
    fn of(u: &'a StoredUnit) -> Self {
        UnitJson {
            id: u.id,
            tuid: u.unit.tu.tuid.as_deref(),
            source_lang: &u.unit.source_lang,
            variants: u
                .unit
                .tu
                .tuvs
                .iter()
                .map(|v| VariantJson {
                    lang: v.lang.clone(),
                    text: v.seg.plain_text(),
                })
                .collect(),
            origin: u.unit.origin.as_deref(),
            project: u.unit.project.as_deref(),
            client: u.unit.client.as_deref(),
            domain: u.unit.domain.as_deref(),
            changedate: u.unit.tu.changedate.as_deref(),
            usage_count: u.unit.tu.usagecount.as_deref(),
            fields: &u.unit.fields,
        }
    }
}

fn print_units(units: &[StoredUnit], format: DataFormat) -> anyhow::Result<()> {
    let mut out = common::stdout();
    match format {
        DataFormat::Text => {
            for u in units {
                let source = u.unit.source_text().unwrap_or_default();
                writeln!(
                    out,
                    "#{}\t[{}] {}\t{}",
                    u.id,
                    u.unit.source_lang,
                    source,
                    targets(u)
                )?;
            }
        }
        DataFormat::Jsonl => {
            for u in units {
                common::write_json_line(&mut out, &UnitJson::of(u))?;
            }
        }
        DataFormat::Json => {
            let all: Vec<UnitJson> = units.iter().map(UnitJson::of).collect();
            common::write_json_pretty(&mut out, &all)?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The filter options alone, as `tm export` and `tm delete` take them.
    #[derive(Debug, Parser)]
    struct Filters {
        #[command(flatten)]
        filter: FilterArgs,
    }

    fn filter_of(args: &[&str]) -> Filter {
        let parsed = Filters::try_parse_from(std::iter::once("tm").chain(args.iter().copied()));
        Filter::from(&parsed.unwrap().filter)
    }

    #[test]
    fn each_filter_option_sets_its_own_field() {
        assert_eq!(filter_of(&[]), Filter::default());
        let got = filter_of(&[
            "--id",
            "3",
            "--id",
            "5",
            "--sl",
            "en-us",
            "--tgt",
            "fr",
            "--since",
            "2024-01-01",
            "--until",
            "2024-12-31",
            "--user",
            "ana",
            "--project",
            "p",
            "--client",
            "c",
            "--domain",
            "d",
            "--field",
            "k=v=w",
            "--field",
            "x=",
            "--search",
            "Prime",
        ]);
        let want = Filter {
            ids: vec![3, 5],
            src: Some("en-US".into()),
            tgt: Some("fr".into()),
            since: Some("2024-01-01".into()),
            until: Some("2024-12-31".into()),
            user: Some("ana".into()),
            project: Some("p".into()),
            client: Some("c".into()),
            domain: Some("d".into()),
            fields: vec![("k".into(), "v=w".into()), ("x".into(), String::new())],
            search: Some("Prime".into()),
            limit: None,
        };
        assert_eq!(got, want);
    }
}
