//! The [`Printer`]: the one owner of stdout, stderr, progress bars and prompts.
//!
//! Results go to stdout (tables, lines, JSON, JSON lines), always through `write_stdout`:
//! every write error is returned, and a closed stdout as `StdoutClosed`, so that it reaches
//! `main` (which then exits 0 quietly). Nothing else writes to stdout but clap (`--help`).
//! Status messages, warnings, progress bars and prompts go to stderr. Progress bars appear only
//! when stderr is a terminal; prompts only when stdin and stderr are. Nothing here uses colour,
//! so `NO_COLOR` is honoured trivially.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::exit::{StdoutClosed, UsageError};
use crate::config::OutputFormat;

/// Prints results and messages for one command run.
#[derive(Debug, Clone)]
pub struct Printer {
    format: Option<OutputFormat>,
    quiet: bool,
    no_headers: bool,
}

impl Printer {
    /// A printer for the requested format (`None`: the command's default) and `-q`.
    pub fn new(format: Option<OutputFormat>, quiet: bool) -> Self {
        Printer {
            format,
            quiet,
            no_headers: false,
        }
    }

    /// The same printer, printing tables without their header (`--no-headers`): rows only, one
    /// per line, columns aligned with spaces, no borders, never wrapped.
    #[must_use]
    pub fn with_no_headers(mut self, no_headers: bool) -> Self {
        self.no_headers = no_headers;
        self
    }

    /// The format asked for with `--output`, `STMGR_OUTPUT` or the config file, if any.
    pub fn format(&self) -> Option<OutputFormat> {
        self.format
    }

    /// The requested format, or the command's `default`.
    pub fn format_or(&self, default: OutputFormat) -> OutputFormat {
        self.format.unwrap_or(default)
    }

    /// True with `-q`: no status messages, no progress bars.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Prints a table on stdout; with `--no-headers`, only its rows (nothing for no rows).
    ///
    /// # Errors
    /// Writing to stdout failed (a broken pipe included).
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        if !self.no_headers {
            return self.line(&render_table(headers, rows));
        }
        if rows.is_empty() {
            return Ok(());
        }
        self.line(&render_rows(rows))
    }

    /// Prints `value` as one pretty-printed JSON document on stdout.
    ///
    /// # Errors
    /// `value` cannot be serialized, or writing to stdout failed.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let mut text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        text.push(b'\n');
        write_stdout(&text)
    }

    /// Prints `value` as one compact JSON line on stdout, flushed at once (for streams).
    ///
    /// # Errors
    /// `value` cannot be serialized, or writing to stdout failed.
    pub fn jsonl<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let mut text = serde_json::to_vec(value).map_err(io::Error::other)?;
        text.push(b'\n');
        write_stdout(&text)
    }

    /// Prints one line of text on stdout.
    ///
    /// # Errors
    /// Writing to stdout failed (a broken pipe included).
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(b'\n');
        write_stdout(&bytes)
    }

    /// Prints a text answer that comes in chunks (`supervise logs`, `flow logs`) line by line,
    /// each as soon as it is whole, until the stream ends.
    ///
    /// # Errors
    /// A chunk that failed, or writing to stdout (a broken pipe included).
    pub async fn text_stream<E>(
        &self,
        chunks: impl futures_util::Stream<Item = Result<bytes::Bytes, E>>,
    ) -> anyhow::Result<()>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        use futures_util::StreamExt as _;
        let mut chunks = std::pin::pin!(chunks);
        let mut pending = Vec::new();
        while let Some(chunk) = chunks.next().await {
            pending.extend_from_slice(&chunk?);
            while let Some(pos) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=pos).collect();
                self.line(&String::from_utf8_lossy(&line[..line.len() - 1]))?;
            }
        }
        Ok(())
    }

    /// A status message on stderr ("snapshot written"), unless `-q`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            // stderr is the last resort: if it is gone, there is nobody left to tell.
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// A warning on stderr, even with `-q`.
    pub fn warn(&self, text: &str) {
        let _ = writeln!(io::stderr().lock(), "warning: {text}");
    }

    /// One error line on stderr (`error: …`), even with `-q`: for commands that report several
    /// problems before failing with a summary.
    pub fn error(&self, text: &str) {
        let _ = writeln!(io::stderr().lock(), "error: {text}");
    }

    /// A progress bar of `len` steps on stderr; hidden when stderr is not a terminal or with
    /// `-q`. While it is shown, print with [`ProgressBar::println`] or inside
    /// [`ProgressBar::suspend`], and end it with [`ProgressBar::finish_and_clear`].
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let style = ProgressStyle::with_template("{msg} [{wide_bar}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(message.to_owned())
    }

    /// A progress bar of `len` bytes on stderr, with the rate and the time left; hidden like
    /// [`Printer::progress`] (so never in a pipe or a cron job).
    pub fn bytes_progress(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let style = ProgressStyle::with_template(
            "{msg} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(message.to_owned())
    }

    /// Asks a yes/no question on the terminal (default: no).
    ///
    /// # Errors
    /// A [`UsageError`] when stdin or stderr is not a terminal (the command must be given
    /// `--yes` instead), or the terminal failed.
    pub fn confirm(&self, prompt: &str) -> anyhow::Result<bool> {
        if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
            return Err(UsageError::new(format!(
                "cannot ask \"{prompt}\" without a terminal; pass --yes to confirm"
            ))
            .into());
        }
        let answer = dialoguer::Confirm::new()
            .with_prompt(prompt)
            .default(false)
            .interact_opt()?;
        Ok(answer.unwrap_or(false))
    }
}

/// The text of a table: UTF-8 borders, wrapped to the terminal width when stdout is one.
pub fn render_table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().copied());
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// The rows of a table without header or borders, for scripts (`--no-headers`): one line per
/// row whatever the terminal width, columns left-aligned and two spaces apart, no trailing
/// spaces.
pub fn render_rows(rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    for row in rows {
        table.add_row(row);
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes to stdout; a closed stdout is reported as [`StdoutClosed`], so that it (and only
/// it, not a broken connection to a server) makes stmgr exit quietly.
fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => io::Error::new(io::ErrorKind::BrokenPipe, StdoutClosed),
            _ => e,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_headers_and_cells() {
        let text = render_table(
            &["ID", "COMMIT_SEQ"],
            vec![vec!["snap-1".to_owned(), "42".to_owned()]],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("ID") && l.contains("COMMIT_SEQ")),
            "{text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("snap-1") && l.contains("42")),
            "{text}"
        );
        assert!(
            !text.ends_with('\n'),
            "the printer adds the newline: {text:?}"
        );
    }

    #[test]
    fn rows_without_headers_are_one_line_each_with_no_borders() {
        let text = render_rows(vec![
            vec!["snap-1".to_owned(), "42".to_owned(), "a b".to_owned()],
            vec!["s2".to_owned(), "7".to_owned(), "c".to_owned()],
        ]);
        assert_eq!(text, "snap-1  42  a b\ns2      7   c", "{text:?}");
    }

    #[test]
    fn format_or_prefers_the_requested_format() {
        assert_eq!(
            Printer::new(None, false).format_or(OutputFormat::Table),
            OutputFormat::Table
        );
        assert_eq!(
            Printer::new(Some(OutputFormat::Jsonl), true).format_or(OutputFormat::Table),
            OutputFormat::Jsonl
        );
    }
}
