//! The server's log: one line per event, text or JSON, that a client cannot forge and
//! that never shows a secret key, on every path (request lines, store errors, panics).
//!
//! - Every value that goes into a line (the message and each field) passes through
//!   [`sanitize`]: percent-escapes are decoded until the text no longer changes, secret
//!   keys are masked with the contract's one rule
//!   ([`campaign_analytics::contract::redact_keys`]), and control characters (line
//!   breaks, escape sequences, bidirectional overrides) are written as visible escapes.
//!   This happens in the formatter ([`LineFormat`]), so no call site can forget it.
//! - Lines are written by a background thread ([`init`]); a request never waits for the
//!   log. When the reader of stderr stalls and the queue is full, lines are dropped and
//!   counted ([`Logging::dropped_lines`]): the count is in the metrics and in a warning
//!   line once the log flows again.
//! - Panics are logged through the same formatter ([`install_panic_hook`]), never
//!   printed raw.

use campaign_analytics::contract::redact_keys;
use std::borrow::Cow;
use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// What a masked key body is replaced with.
pub const KEY_MASK: &str = "[redacted]";

/// At most this many bytes of a value are logged (decoding a long, deeply nested
/// percent-encoding costs a pass per level).
const MAX_VALUE_BYTES: usize = 2048;

/// The text of a log value, fit for one line: percent-decoded until stable, secret keys
/// masked, control characters escaped, at most [`MAX_VALUE_BYTES`] of the input.
///
/// ```
/// use campaign_analytics_server::log::sanitize;
/// assert_eq!(sanitize("/a%0AFORGED"), "/a\\nFORGED");
/// assert_eq!(
///     sanitize("/%2573k_test_0123456789abcdefABCDEF0123456789"),
///     "/sk_test_[redacted]"
/// );
/// ```
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let plain = |b: u8| !(b.is_ascii_control() || b == b'%' || b == b'\\' || b >= 0x80);
    if text.len() <= MAX_VALUE_BYTES && text.bytes().all(plain) && !text.contains("sk_") {
        return Cow::Borrowed(text);
    }
    let decoded = decode_until_stable(clip(text, MAX_VALUE_BYTES));
    let masked = redact_keys(&decoded, 0, KEY_MASK);
    Cow::Owned(escape_controls(&masked))
}

/// The first `max` bytes of `text` at most, cut at a character boundary.
pub fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Percent-decodes until nothing changes (`%2573` → `%73` → `s`). Each pass that changes
/// anything makes the text shorter, so this ends.
fn decode_until_stable(text: &str) -> String {
    let mut bytes: Vec<u8> = text.as_bytes().to_vec();
    loop {
        let next: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        if next == bytes {
            break;
        }
        bytes = next;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Characters that could break a line, fake one, or reorder what a reader sees.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\\'
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            other => {
                let _ = write!(out, "\\u{{{:x}}}", other as u32);
            }
        }
    }
    out
}

/// The line format (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-01-01T00:00:00.000000Z  INFO http: GET /healthz 200 12us request_id=…`
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message`, then fields.
    Json,
}

/// The event formatter of both formats; every value goes through [`sanitize`].
#[derive(Clone, Copy, Debug)]
pub struct LineFormat(pub LogFormat);

/// An event's fields, sanitized, in the order they were recorded.
#[derive(Default)]
struct Fields {
    message: String,
    others: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, sanitize(value).into_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        self.push(field, sanitize(&text).into_owned());
    }
}

impl Fields {
    fn push(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.message = value;
        } else {
            self.others.push((field.name(), value));
        }
    }
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        match self.0 {
            LogFormat::Text => {
                write!(
                    writer,
                    "{timestamp} {:>5} {}: {}",
                    meta.level(),
                    meta.target(),
                    fields.message
                )?;
                for (name, value) in &fields.others {
                    write!(writer, " {name}={value}")?;
                }
                writeln!(writer)
            }
            LogFormat::Json => {
                let mut object = serde_json::Map::new();
                object.insert("timestamp".into(), timestamp.into());
                object.insert("level".into(), meta.level().as_str().into());
                object.insert("target".into(), meta.target().into());
                object.insert("message".into(), fields.message.into());
                for (name, value) in fields.others {
                    object.entry(name).or_insert(value.into());
                }
                let line = serde_json::Value::Object(object).to_string();
                writeln!(writer, "{line}")
            }
        }
    }
}

/// A subscriber writing `format` lines to `writer`, filtered by `RUST_LOG` (default
/// `info`). [`init`] installs one on stderr; tests install one on a buffer.
pub fn subscriber<W>(format: LogFormat, writer: W) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .event_format(LineFormat(format))
        .finish()
}

/// Logs a panic through `tracing` (so through [`sanitize`]) instead of printing it raw:
/// a panic message may hold request data.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(log_panic));
}

/// Logs one panic as an error line: where, and its message.
pub fn log_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    tracing::error!(target: "panic", "panicked at {location}: {payload}");
}

/// The running log writer of `serve`.
pub struct Logging {
    _guard: tracing_appender::non_blocking::WorkerGuard,
    dropped: tracing_appender::non_blocking::ErrorCounter,
}

impl Logging {
    /// Lines dropped so far because the log's reader did not keep up.
    pub fn dropped_lines(&self) -> u64 {
        self.dropped.dropped_lines() as u64
    }

    /// A counter of dropped lines that can be handed around (metrics).
    pub fn dropped_counter(&self) -> impl Fn() -> u64 + Send + Sync + 'static {
        let counter = self.dropped.clone();
        move || counter.dropped_lines() as u64
    }
}

/// Starts logging to stderr through a writer thread with a queue of `queue_lines`
/// lines: a request never waits for a write. When the queue is full (stderr's reader
/// stalls), new lines are dropped and counted. Also installs the panic hook.
pub fn init(format: LogFormat, queue_lines: usize) -> Logging {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(queue_lines.max(1))
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let dropped = writer.error_counter();
    let _ = tracing::subscriber::set_global_default(subscriber(format, writer));
    install_panic_hook();
    Logging {
        _guard: guard,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_0123456789abcdefABCDEF0123456789";

    #[test]
    fn plain_text_is_unchanged_and_borrowed() {
        assert!(matches!(sanitize("GET /healthz 200"), Cow::Borrowed(_)));
        assert_eq!(sanitize("/api/x?y=1 200 12us"), "/api/x?y=1 200 12us");
        assert_eq!(sanitize("sk_ alone"), "sk_ alone");
        // Logs mask more than keys: any run after a key prefix, however short.
        assert_eq!(sanitize("sk_live_ab-"), "sk_live_[redacted]-");
    }

    #[test]
    fn line_breaks_and_escape_sequences_cannot_forge_lines() {
        for (raw, shown) in [
            (
                "/x%0A2026-01-01T00:00:00Z INFO FORGEDLINE",
                "/x\\n2026-01-01T00:00:00Z INFO FORGEDLINE",
            ),
            ("/x%0d%0aY", "/x\\r\\nY"),
            ("/x\n\rY\t", "/x\\n\\rY\\t"),
            ("/x%1B[31mred", "/x\\u{1b}[31mred"),
            ("/x%E2%80%A8y%E2%80%AEz", "/x\\u{2028}y\\u{202e}z"),
            ("/x%C2%85y", "/x\\u{85}y"),
            ("a\\nb", "a\\\\nb"),
            ("/x%00y%7F", "/x\\u{0}y\\u{7f}"),
        ] {
            let out = sanitize(raw);
            assert_eq!(out, shown, "{raw}");
            assert!(!out.chars().any(|c| c.is_control()), "{raw}");
        }
    }

    #[test]
    fn keys_are_masked_however_they_are_encoded() {
        let hidden = "sk_test_[redacted]";
        for raw in [
            format!("/x/{KEY}/y"),
            format!("/x/%73k_test_{}", &KEY[8..]),
            format!("/x/sk%5Ftest%5F{}", &KEY[8..]),
            format!("/x/%2573k_test_{}", &KEY[8..]),
            format!("/x/%25252573k%25255Ftest_{}", &KEY[8..]),
            format!("/x/%73%6B%5F%74est_%30{}", &KEY[9..]),
            format!("error: disk on fire ({KEY})"),
            format!("/x/sk_test_sk_test_{}", &KEY[8..]),
        ] {
            let out = sanitize(&raw);
            assert!(out.contains(hidden), "{raw} -> {out}");
            assert!(!out.contains("0123456789abcdef"), "{raw} -> {out}");
            assert!(!out.contains("123456789abcdef"), "{raw} -> {out}");
        }
        // A live key, and one split by an encoded line break, both masked and escaped.
        let live = format!("/%0Ask_live_{}", &KEY[8..]);
        assert_eq!(sanitize(&live), "/\\nsk_live_[redacted]");
    }

    #[test]
    fn long_and_deeply_encoded_values_are_bounded() {
        let deep = format!("/{}73k_test_{}", "%25".repeat(5000), &KEY[8..]);
        let out = sanitize(&deep);
        assert!(out.len() <= MAX_VALUE_BYTES * 2);
        assert!(!out.contains("0123456789abcdef"));
        let long = format!("/{}{KEY}", "a".repeat(10_000));
        assert!(!sanitize(&long).contains(KEY));
        // A cut never splits a character.
        let wide = "é".repeat(5000);
        assert!(sanitize(&wide).len() <= MAX_VALUE_BYTES);
    }

    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn captured(format: LogFormat, emit: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = subscriber(format, move || buffer.clone());
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn both_formats_sanitize_messages_and_fields() {
        let emit = || {
            let path = format!("/a%0AFORGED/{KEY}");
            tracing::info!(target: "http", request_id = %"r-1", "GET {path} 404");
            tracing::error!(detail = %format!("x\ny {KEY}"), "store failure");
        };
        let text = captured(LogFormat::Text, emit);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("0123456789abcdef"), "{text}");
        let first = text.lines().next().unwrap();
        assert!(
            first.ends_with(" INFO http: GET /a\\nFORGED/sk_test_[redacted] 404 request_id=r-1"),
            "{first}"
        );

        let json = captured(LogFormat::Json, emit);
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{json}");
        assert_eq!(lines[0]["level"], "INFO");
        assert_eq!(lines[0]["target"], "http");
        assert_eq!(
            lines[0]["message"],
            "GET /a\\nFORGED/sk_test_[redacted] 404"
        );
        assert_eq!(lines[0]["request_id"], "r-1");
        assert_eq!(lines[1]["detail"], "x\\ny sk_test_[redacted]");
        assert!(lines[0]["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(!json.contains("0123456789abcdef"));
    }
}
