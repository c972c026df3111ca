//! Log formats: which one a file is (sniffed from its first lines, never from its name),
//! where each line's timestamp is, and, for web access logs, the request fields.
//!
//! One submodule a log family. Each exposes a signature test (`looks_like`, used only on
//! the sample lines when sniffing) and the per-line work of the scan (`stamp_at`: where the
//! timestamp starts; `request`: the fields of an access line). The scan calls these on
//! every line, so they do no allocation and no regex.

mod access;
mod app;
mod json;
mod mysql;
mod postgres;
mod syslog;
mod webserver;

use crate::time::{self, RawStamp};
use serde::Serialize;
use std::fmt;

pub use access::Request;

/// The layer of the stack a log comes from; drives rule selection and causal order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Web,
    App,
    Db,
    System,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Web => "web",
            SourceKind::App => "app",
            SourceKind::Db => "db",
            SourceKind::System => "system",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! formats {
    ($($variant:ident => $name:literal, $kind:ident, $about:literal;)*) => {
        /// Every format the scan reads. The order is the sniffing tie-break: when two
        /// formats recognise as many sample lines, the earlier (more specific) one wins.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Format { $(#[doc = $about] $variant,)* }

        impl Format {
            pub const ALL: &'static [Format] = &[$(Format::$variant,)*];

            /// The stable name used in output and in rule `sources`.
            pub fn name(self) -> &'static str {
                match self { $(Format::$variant => $name,)* }
            }

            pub fn kind(self) -> SourceKind {
                match self { $(Format::$variant => SourceKind::$kind,)* }
            }
        }
    };
}

formats! {
    AccessLog => "access_log", Web, "nginx/Apache access log: common, combined, or combined with extra fields";
    JsonAccess => "json_access", Web, "JSON access log lines (status and request fields)";
    Uwsgi => "uwsgi", Web, "uWSGI request log";
    NginxError => "nginx_error", Web, "nginx error log";
    ApacheError => "apache_error", Web, "Apache error log (2.4, 2.2, 1.3)";
    MysqlSlow => "mysql_slow", Db, "MySQL slow query log (multi-line entries)";
    MysqlGeneral => "mysql_general", Db, "MySQL general query log";
    MysqlError => "mysql_error", Db, "MySQL/MariaDB error log (5.x short dates and 5.7/8.0 ISO)";
    Pgbouncer => "pgbouncer", Db, "pgbouncer log";
    Postgres => "postgres", Db, "PostgreSQL stderr log (common log_line_prefix shapes)";
    PostgresSyslog => "postgres_syslog", Db, "PostgreSQL logging through syslog";
    Syslog => "syslog", System, "syslog: RFC 3164 (with or without year), RFC 5424, ISO-stamped";
    TaggedSyslog => "tagged_syslog", System, "syslog lines behind an alert tag and epoch (loghub style)";
    Laravel => "laravel", App, "Laravel log ([YYYY-MM-DD HH:MM:SS] env.LEVEL:)";
    Rails => "rails", App, "Ruby/Rails Logger (L, [ISO #pid] LEVEL -- :)";
    Glog => "glog", App, "glog (Lmmdd HH:MM:SS.uuuuuu)";
    Log4jShort => "log4j_short", App, "log4j/Hadoop with short dates (YY/MM/DD or YYMMDD HHMMSS)";
    Logback => "logback", App, "Spring Boot/Logback/log4j with ISO dates";
    Python => "python", App, "Python logging (YYYY-MM-DD HH:MM:SS,mmm)";
    JsonLines => "json", App, "JSON lines with a time field";
    Timestamped => "timestamped", App, "unknown format whose lines begin with a timestamp";
    Unknown => "unknown", App, "no format recognised";
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The broader format this one is a special case of: PostgreSQL through syslog is
    /// syslog whose lines mostly come from postgres.
    fn refines(self) -> Option<Format> {
        match self {
            Format::PostgresSyslog => Some(Format::Syslog),
            _ => None,
        }
    }

    /// Does this line carry the signature of the format? Used only for sniffing.
    fn looks_like(self, line: &[u8]) -> bool {
        match self {
            Format::AccessLog | Format::JsonAccess | Format::Uwsgi => access::looks_like(self, line),
            Format::NginxError | Format::ApacheError => webserver::looks_like(self, line),
            Format::MysqlSlow | Format::MysqlGeneral | Format::MysqlError => mysql::looks_like(self, line),
            Format::Pgbouncer | Format::Postgres | Format::PostgresSyslog => postgres::looks_like(self, line),
            Format::Syslog | Format::TaggedSyslog => syslog::looks_like(self, line),
            Format::Laravel | Format::Rails | Format::Glog | Format::Log4jShort | Format::Logback | Format::Python => {
                app::looks_like(self, line)
            }
            Format::JsonLines => json::looks_like(line),
            Format::Timestamped => time::parse_any(line).is_some(),
            Format::Unknown => false,
        }
    }

    /// Where this line's timestamp starts, if it has one. The slice runs to the end of
    /// the line; the scan compares its head with the previous line's to skip parsing.
    #[inline]
    pub fn stamp_at(self, line: &[u8]) -> Option<&[u8]> {
        match self {
            Format::AccessLog | Format::JsonAccess | Format::Uwsgi => access::stamp_at(self, line),
            Format::NginxError | Format::ApacheError => webserver::stamp_at(self, line),
            Format::MysqlSlow | Format::MysqlGeneral | Format::MysqlError => mysql::stamp_at(self, line),
            Format::Pgbouncer | Format::Postgres => Some(line),
            Format::PostgresSyslog | Format::Syslog | Format::TaggedSyslog => syslog::stamp_at(self, line),
            Format::Laravel | Format::Rails | Format::Glog | Format::Log4jShort | Format::Logback | Format::Python => {
                app::stamp_at(self, line)
            }
            Format::JsonLines => json::stamp_at(line),
            Format::Timestamped => Some(line),
            Format::Unknown => None,
        }
    }

    /// Parses the timestamp at the slice [`Format::stamp_at`] returned.
    #[inline]
    pub fn parse_stamp(self, at: &[u8]) -> Option<RawStamp> {
        match self {
            Format::AccessLog | Format::JsonAccess | Format::Uwsgi => access::parse_stamp(self, at),
            Format::NginxError | Format::Postgres | Format::Pgbouncer | Format::Logback | Format::Python => time::parse_iso(at),
            Format::ApacheError => time::parse_ctime(at).or_else(|| time::parse_iso(at)),
            Format::MysqlSlow | Format::MysqlGeneral | Format::MysqlError => mysql::parse_stamp(at),
            Format::PostgresSyslog | Format::Syslog | Format::TaggedSyslog => syslog::parse_stamp(self, at),
            Format::Laravel | Format::Rails | Format::Glog | Format::Log4jShort => app::parse_stamp(self, at),
            Format::JsonLines => json::parse_stamp(at),
            Format::Timestamped => time::parse_any(at),
            Format::Unknown => None,
        }
    }

    /// The request fields of a web access line.
    #[inline]
    pub fn request(self, line: &[u8]) -> Option<Request<'_>> {
        match self {
            Format::AccessLog | Format::JsonAccess | Format::Uwsgi => access::request(self, line),
            _ => None,
        }
    }
}

/// How many sample lines sniffing looks at, at most.
pub const SNIFF_LINES: usize = 64;

/// The result of sniffing a file's first lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub format: Format,
    /// Sample lines that carried the format's signature.
    pub matched: usize,
    /// Non-empty sample lines looked at.
    pub sampled: usize,
}

/// Picks the format that recognises the most of the first non-empty lines of `head`.
/// A file whose lines match no signature but begin with a timestamp is `Timestamped`;
/// one with neither is `Unknown`.
pub fn sniff(head: &[u8]) -> Sniffed {
    let lines: Vec<&[u8]> = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(SNIFF_LINES)
        .collect();
    let counts: Vec<(Format, usize)> = Format::ALL
        .iter()
        .map(|&f| (f, lines.iter().filter(|l| f.looks_like(l)).count()))
        .collect();
    let mut best = Sniffed {
        format: Format::Unknown,
        matched: 0,
        sampled: lines.len(),
    };
    for &(format, matched) in &counts {
        if matched > best.matched {
            best = Sniffed {
                format,
                matched,
                sampled: lines.len(),
            };
        }
    }
    // A special case wins over its broader format when it covers at least half of it
    // (a syslog file where postgres wrote most lines is a database log).
    let refinement = counts
        .iter()
        .find(|(f, n)| f.refines() == Some(best.format) && *n > 0 && *n * 2 >= best.matched);
    if let Some(&(format, matched)) = refinement {
        best = Sniffed {
            format,
            matched,
            sampled: lines.len(),
        };
    }
    best
}

/// The text after `n` space-separated fields (runs of spaces count as one separator).
pub(crate) fn skip_fields(line: &[u8], n: usize) -> Option<&[u8]> {
    let mut rest = line;
    for _ in 0..n {
        let space = memchr::memchr(b' ', rest)?;
        rest = &rest[space..];
        let skip = rest.iter().take_while(|&&b| b == b' ').count();
        rest = &rest[skip..];
    }
    Some(rest)
}

/// True if `haystack` contains `needle`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(text: &str) -> Format {
        sniff(text.as_bytes()).format
    }

    #[test]
    fn every_format_has_a_unique_name() {
        let mut names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Format::ALL.len());
        assert_eq!(Format::from_name("mysql_slow"), Some(Format::MysqlSlow));
    }

    #[test]
    fn sniffs_each_family_from_lines_we_wrote() {
        let cases = [
            ("10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"GET /cart HTTP/1.1\" 500 12 \"-\" \"curl/8\"\n", Format::AccessLog),
            ("10.0.0.1 - - [21/Jan/2024:15:30:00 -0500] \"POST /pay HTTP/1.1\" 200 12\n", Format::AccessLog),
            ("{\"time\":\"2024-01-21T15:30:00Z\",\"remote_addr\":\"10.0.0.1\",\"request\":\"GET / HTTP/1.1\",\"status\":502}\n", Format::JsonAccess),
            ("2024/01/21 15:30:00 [error] 12#12: *9 upstream timed out (110: Connection timed out) while reading response header from upstream\n", Format::NginxError),
            ("[Sun Jan 21 15:30:00.123456 2024] [proxy:error] [pid 12:tid 34] AH00957: HTTP: attempt to connect to 10.0.0.2:8080 failed\n", Format::ApacheError),
            ("Jan 21 15:30:01 web1 CRON[4242]: (root) CMD (/usr/local/bin/optimize-tables)\n", Format::Syslog),
            ("<34>1 2024-01-21T15:30:00.003Z web1 su - ID47 - 'su root' failed\n", Format::Syslog),
            ("2024-01-21T15:28:03.123456Z 12 [Note] [MY-010000] [Server] ready\n", Format::MysqlError),
            ("240121 15:28:03 [ERROR] /usr/sbin/mysqld: Table './shop/orders' is marked as crashed\n", Format::MysqlError),
            ("# Time: 2024-01-21T15:28:03.000000Z\n# User@Host: shop[shop] @ localhost []  Id: 7\n# Query_time: 12.5  Lock_time: 11.0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1705851483;\nSELECT 1;\n", Format::MysqlSlow),
            ("2024-01-21 15:28:03.120 EST [4242] LOG:  process 4242 still waiting for ShareLock on transaction 7 after 1000.123 ms\n", Format::Postgres),
            ("2024-01-21 15:28:03 EST [4242]: [3-1] user=shop,db=shop LOG:  duration: 1.0 ms\n", Format::Postgres),
            ("2024-01-21 15:28:03.586 EST [10384] LOG C-0x55: shop/shop@10.0.0.5:3829 closing because: client close request (age=5s)\n", Format::Pgbouncer),
            ("2024-01-21 15:28:03,120 ERROR sqlalchemy.pool: QueuePool limit of size 5 overflow 10 reached\n", Format::Python),
            ("2024-01-21 15:28:03.120  INFO 4242 --- [main] com.shop.App : Started App in 3.2 seconds (JVM running for 4.0)\n", Format::Logback),
            ("[2024-01-21 15:28:03] production.ERROR: SQLSTATE[HY000] [1040] Too many connections\n", Format::Laravel),
            ("E, [2024-01-21T15:28:03.123456 #4242] ERROR -- : could not obtain a connection from the pool within 5.000 seconds\n", Format::Rails),
            ("{\"ts\":1705851483.5,\"level\":\"error\",\"msg\":\"boom\"}\n", Format::JsonLines),
            ("2024-01-21 15:28:03 something we do not know\n", Format::Timestamped),
            ("no timestamps here\nnor here\n", Format::Unknown),
            (
                "Feb 11 13:15:39 db1 postgres[10808]: [1-1] LOG:  listening\nFeb 11 13:15:41 db1 systemd[1]: Started PostgreSQL.\nFeb 11 13:15:42 db1 postgres[10808]: [2-1] LOG:  ready\n",
                Format::PostgresSyslog,
            ),
            ("Feb 11 13:15:39 db1 postgres[10808]: [1-1] LOG:  x\nFeb 11 13:15:41 db1 systemd[1]: a\nFeb 11 13:15:42 db1 cron[2]: b\n", Format::Syslog),
        ];
        for (text, expected) in cases {
            assert_eq!(sniffed(text), expected, "{text}");
        }
    }
}
