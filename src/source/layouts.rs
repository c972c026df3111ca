//! Many files, one stream: the names under which log writers split one stream into pieces
//! by time or by node, so that the pieces are read as one source (one group), in time
//! order, and never clock-checked against each other. Each layout is as its writer
//! documents it:
//!
//! - AWS Elastic Load Balancing (application, network and classic), as S3 delivers them:
//!   `AWSLogs/ACCOUNT/elasticloadbalancing/REGION/YYYY/MM/DD/ACCOUNT_elasticloadbalancing_REGION_app.NAME.ID_YYYYMMDDTHHMMZ_IP_RANDOM.log.gz`,
//!   one file every 5 minutes from each node of the load balancer;
//! - CloudFront standard logs: `DISTRIBUTION.YYYY-MM-DD-HH.UNIQUE.gz`;
//! - S3 server access logs: `PREFIXYYYY-MM-DD-HH-MM-SS-UNIQUE` (also under a date-based
//!   partition `…/YYYY/MM/DD/`);
//! - Google Cloud Storage usage and storage logs: `BUCKET_usage_YYYY_MM_DD_HH_MM_SS_ID_v0`;
//! - Azure Monitor's diagnostic logs in Blob storage: `…/y=YYYY/m=MM/d=DD/h=HH/m=MM/PT1H.json`;
//! - logrotate's `dateext` (`access.log-20250301.gz`, `-YYYYMMDDHH` with an hourly
//!   `dateformat`) and daily appenders (`app.log.2025-03-01`);
//! - journald's archived files beside the live one: `system@SEQNUM-HEAD-REALTIME.journal`
//!   beside `system.journal`, `user-1000@….journal~`.
//!
//! A name of no known layout keeps the rotated-set grouping (`access.log.2.gz`).

use regex::Regex;
use std::sync::LazyLock;

/// The stream a piece belongs to, and where the piece stands in it.
#[derive(Debug, PartialEq, Eq)]
pub struct Piece {
    /// The stream's name: the pieces' folder without its date folders, and the name's
    /// fixed part, `…` where the pieces' names differ.
    pub stream: String,
    /// Orders the pieces of one stream in time: the time the name carries. (The live
    /// file a writer appends to, `access.log` beside `access.log-20250301.gz`, follows no
    /// layout: it is its stream's newest piece.)
    pub order: String,
}

/// `(pattern on the file name, what of it names the stream, what orders it)`: the
/// stream's fixed part is capture `stream`, the time capture `time`.
static NAMED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        (
            "elb",
            r"^(?P<stream>\d{12}_elasticloadbalancing_[a-z0-9-]+_.+_)(?P<time>\d{8}T\d{4}Z)_[^/]+\.log(\.gz)?$",
        ),
        (
            "cloudfront",
            r"^(?P<stream>[A-Z0-9]{8,16}\.)(?P<time>\d{4}-\d{2}-\d{2}-\d{2})\.[0-9a-f]{8}(\.gz)?$",
        ),
        ("s3", r"^(?P<stream>.*?)(?P<time>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-[0-9A-F]{16}$"),
        (
            "gcs",
            r"^(?P<stream>.+_(usage|storage)_)(?P<time>\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2})_[0-9a-f]+_v\d+(\.gz)?$",
        ),
        // Archived: `SEQNUM_ID-HEAD_SEQNUM-HEAD_REALTIME`, ordered by the realtime (hex of
        // fixed width); a dirty file put aside: `REALTIME-RANDOM.journal~`.
        (
            "journal",
            r"^(?P<stream>[a-z0-9-]+)@[0-9a-f]{32}-[0-9a-f]{16}-(?P<time>[0-9a-f]{16})\.journal~?$",
        ),
        ("journal", r"^(?P<stream>[a-z0-9-]+)@(?P<time>[0-9a-f]{16})-[0-9a-f]{16}\.journal~$"),
        // A date, not any eight digits (a pid, a job number): `YYYYMMDD`, `YYYYMMDDHH`.
        (
            "dateext",
            r"^(?P<stream>.+\.log)-(?P<time>(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])?)(\.(gz|bz2|xz|zst))?$",
        ),
        (
            "dateext",
            r"^(?P<stream>[a-z][a-z0-9_.-]*[a-z])-(?P<time>(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))(\.(gz|bz2|xz|zst))?$",
        ),
        (
            "daily",
            r"^(?P<stream>.+\.log)\.(?P<time>(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))(\.(gz|bz2|xz|zst))?$",
        ),
    ]
    .into_iter()
    .map(|(layout, pattern)| (layout, Regex::new(pattern).expect("a layout's pattern compiles")))
    .collect()
});

/// A date folder a writer puts pieces under (`2019/07/02`), or Azure's `y=2025/m=03/…`.
static DATE_FOLDERS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|/)(\d{4}/\d{2}/\d{2}|y=\d{4}/m=\d{2}/d=\d{2}(/h=\d{2})?(/m=\d{2})?)$").expect("compiles"));

/// Whether `display` could follow a layout at all: each layout's name, and each date
/// folder, holds four digits in a row (a year, a date, an account) or, for journald's
/// archived files, an `@`. Most names hold neither (`access.log`, `app.log.1`), and the
/// layouts' patterns, which take longer to build than a small scan takes to run, are then
/// never built.
fn could_be_a_piece(display: &str) -> bool {
    display.contains('@') || display.as_bytes().windows(4).any(|w| w.iter().all(u8::is_ascii_digit))
}

/// The stream `display` is a piece of, if its name follows a known layout.
pub fn piece_of(display: &str) -> Option<Piece> {
    if !could_be_a_piece(display) {
        return None;
    }
    let (folder, name) = display.rsplit_once('/').map_or(("", display), |(f, n)| (f, n));
    // Azure: the name is always `PT1H.json`; the time is in the folders.
    if name == "PT1H.json" {
        let dated = DATE_FOLDERS.find(folder)?;
        let (undated, time) = (&folder[..dated.start()], &folder[dated.start()..]);
        return Some(Piece {
            stream: format!("{}…/{name}", with_slash(undated)),
            order: time.trim_start_matches('/').to_string(),
        });
    }
    let undated = DATE_FOLDERS.find(folder).map_or(folder, |m| &folder[..m.start()]);
    let prefix = with_slash(undated);
    let (layout, captures) = NAMED.iter().find_map(|(layout, re)| re.captures(name).map(|c| (*layout, c)))?;
    let fixed = captures.name("stream").map_or("", |m| m.as_str());
    let time = captures.name("time").map_or("", |m| m.as_str());
    let stream = match layout {
        // The live file's own name: `access.log`, `system.journal`.
        "dateext" | "daily" => format!("{prefix}{fixed}"),
        "journal" => format!("{prefix}{fixed}.journal"),
        _ => format!("{prefix}{fixed}…"),
    };
    Some(Piece {
        stream,
        order: time.to_string(),
    })
}

/// A folder as the start of a name: `logs/`, or nothing for none.
fn with_slash(folder: &str) -> String {
    if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(display: &str) -> Option<(String, String)> {
        piece_of(display).map(|p| (p.stream, p.order))
    }

    #[test]
    fn names_with_no_four_digits_and_no_at_follow_no_layout() {
        for name in [
            "logs/access.log",
            "app.log.1",
            "var/log/syslog.2.gz",
            "pt1h/PT1H.json",
            "db/mysql-slow.log",
        ] {
            assert!(!could_be_a_piece(name), "{name}");
            assert_eq!(stream(name), None);
        }
        // A year, an account, a journal's `@`: looked at.
        for name in ["access.log-20250301.gz", "x/2019/07/02/y.log", "system@a.journal~"] {
            assert!(could_be_a_piece(name), "{name}");
        }
    }

    #[test]
    fn pieces_of_each_layout_name_their_stream_and_time() {
        let alb = "alb/AWSLogs/417362054412/elasticloadbalancing/eu-west-2/2019/07/02/417362054412_elasticloadbalancing_eu-west-2_app.tb-prod-web.5e1f0b9a2c7d4e63_20190702T1345Z_35.176.12.9_c2695db3.log.gz";
        assert_eq!(
            stream(alb),
            Some((
                "alb/AWSLogs/417362054412/elasticloadbalancing/eu-west-2/417362054412_elasticloadbalancing_eu-west-2_app.tb-prod-web.5e1f0b9a2c7d4e63_…".into(),
                "20190702T1345Z".into()
            ))
        );
        // Another node of the same balancer, another day: the same stream.
        let other = alb
            .replace("2019/07/02", "2019/07/03")
            .replace("T1345Z_35.176.12.9_c2695db3", "T0005Z_10.0.3.7_0a1b2c3d");
        assert_eq!(stream(&other).unwrap().0, stream(alb).unwrap().0);
        assert_eq!(
            stream("cf/E2QWRUHAPOMQZL.2025-03-31-09.a1b2c3d4.gz"),
            Some(("cf/E2QWRUHAPOMQZL.…".into(), "2025-03-31-09".into()))
        );
        assert_eq!(
            stream("s3logs/access/2025-03-31-09-37-18-6B8C0F1A2D3E4F50"),
            Some(("s3logs/access/…".into(), "2025-03-31-09-37-18".into()))
        );
        assert_eq!(
            stream("gcs/shop-assets_usage_2025_03_31_09_00_00_0123456789abcdef_v0"),
            Some(("gcs/shop-assets_usage_…".into(), "2025_03_31_09_00_00".into()))
        );
        assert_eq!(
            stream("azure/resourceId=/SUBSCRIPTIONS/S/PROVIDERS/MICROSOFT.WEB/SITES/SHOP/y=2025/m=03/d=31/h=09/m=00/PT1H.json"),
            Some((
                "azure/resourceId=/SUBSCRIPTIONS/S/PROVIDERS/MICROSOFT.WEB/SITES/SHOP/…/PT1H.json".into(),
                "y=2025/m=03/d=31/h=09/m=00".into()
            ))
        );
        assert_eq!(
            stream("nginx/access.log-20250301.gz"),
            Some(("nginx/access.log".into(), "20250301".into()))
        );
        assert_eq!(
            stream("var/log/syslog-20250301"),
            Some(("var/log/syslog".into(), "20250301".into()))
        );
        assert_eq!(
            stream("app/shop.log.2025-03-01"),
            Some(("app/shop.log".into(), "2025-03-01".into()))
        );
        let journal = "journal/b1/system@0a1b2c3d4e5f60718293a4b5c6d7e8f9-0000000000000001-0005bd6c979f361b.journal";
        assert_eq!(
            stream(journal),
            Some(("journal/b1/system.journal".into(), "0005bd6c979f361b".into()))
        );
        // A dirty file put aside is ordered by its realtime too.
        assert_eq!(
            stream("journal/b1/system@0005bd6c979f3620-7a1b2c3d4e5f6071.journal~").map(|p| p.1),
            Some("0005bd6c979f3620".into())
        );
        // Pieces under date folders from the start of the name given.
        assert_eq!(
            stream("2019/07/02/E2QWRUHAPOMQZL.2019-07-02-09.a1b2c3d4.gz").map(|p| p.0),
            Some("E2QWRUHAPOMQZL.…".into())
        );
    }

    #[test]
    fn names_of_no_layout_are_left_alone() {
        for name in [
            "logs/access.log",
            "logs/access.log.2.gz",
            "logs/app-2025.log",
            "logs/20250301",
            "logs/backup-2025-03-01.sql",
            "logs/error.log-old",
            "logs/PT1H.json",
            "journal/b1/system.journal",
            // Eight digits that are no date: a pid, a job number.
            "logs/worker.log-00012345",
            "logs/job-12345678",
            "logs/app.log.2025-13-01",
        ] {
            assert_eq!(piece_of(name), None, "{name}");
        }
    }
}
