//! Many files, one stream: an AWS Application Load Balancer's logs as S3 delivers them,
//! a gzip file every 5 minutes from each of its two nodes, under date folders, named as
//! AWS documents them
//! (`AWSLogs/ACCOUNT/elasticloadbalancing/REGION/YYYY/MM/DD/ACCOUNT_elasticloadbalancing_REGION_app.NAME.ID_END_NODEIP_RANDOM.log.gz`).
//! The thousand files are one source: one row in `sources`, no clock checked between
//! them, citations a person can read, and the same story as the same lines in one file.

mod common;

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

const ACCOUNT: &str = "417362054412";
const BALANCER: &str = "app.tb-prod-web.5e1f0b9a2c7d4e63";

/// The balancer's logs under `dir/alb`, and the same lines in time order in
/// `dir/concatenated/alb.log`: two nodes, `files_per_node` 5-minute files each from
/// 2019-07-02 00:00 UTC, 40 requests a file; for 25 minutes from hour 20, most requests
/// answered 504 by the balancer (its target timed out).
fn write_balancer(dir: &Path, files_per_node: u32) {
    let mut random = common::Draw(0x5eed);
    let mut all: Vec<(String, String)> = Vec::new();
    let day_start = chrono::DateTime::parse_from_rfc3339("2019-07-02T00:00:00Z").unwrap().to_utc();
    for piece in 0..files_per_node {
        let start = day_start + chrono::Duration::minutes(5 * i64::from(piece));
        let end = start + chrono::Duration::minutes(5);
        for node in ["35.176.12.9", "10.0.3.7"] {
            let folder = dir.join(format!(
                "alb/AWSLogs/{ACCOUNT}/elasticloadbalancing/eu-west-2/{}",
                end.format("%Y/%m/%d")
            ));
            std::fs::create_dir_all(&folder).unwrap();
            let name = format!(
                "{ACCOUNT}_elasticloadbalancing_eu-west-2_{BALANCER}_{}_{node}_{:08x}.log.gz",
                end.format("%Y%m%dT%H%MZ"),
                random.next(u64::from(u32::MAX))
            );
            let mut lines: Vec<(String, String)> = (0..40)
                .map(|_| {
                    let at = start + chrono::Duration::milliseconds(random.next(300_000) as i64);
                    let minute = (at - day_start).num_minutes();
                    let failing = (20 * 60..20 * 60 + 25).contains(&minute) && random.next(10) < 6;
                    let (status, target, taken) = if failing { ("504", "-", "-1") } else { ("200", "200", "0.084") };
                    let stamp = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
                    let line = format!(
                        "https {stamp} app/tb-prod-web/5e1f0b9a2c7d4e63 198.51.100.{}:51122 10.1.4.17:8080 0.001 {taken} 0.000 {status} {target} 512 8210 \"GET https://shop.example.org:443/checkout/{} HTTP/1.1\" \"Mozilla/5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-2:{ACCOUNT}:targetgroup/shop-web/1a2b3c4d5e6f7a8b \"Root=1-65ad7f08-0123456789abcdef01234567\" \"shop.example.org\" \"-\" 0 {stamp} \"forward\" \"-\" \"-\" \"10.1.4.17:8080\" \"{target}\" \"-\" \"-\" TID_5c3e1a",
                        1 + random.next(250),
                        1 + random.next(9)
                    );
                    (stamp, line)
                })
                .collect();
            lines.sort();
            let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(folder.join(name)).unwrap(), flate2::Compression::fast());
            for (_, line) in &lines {
                writeln!(gz, "{line}").unwrap();
            }
            gz.finish().unwrap();
            all.extend(lines);
        }
    }
    all.sort();
    std::fs::create_dir_all(dir.join("concatenated")).unwrap();
    let text: String = all.iter().map(|(_, line)| format!("{line}\n")).collect();
    std::fs::write(dir.join("concatenated/alb.log"), text).unwrap();
}

fn postmortem() -> Command {
    let mut cmd = Command::cargo_bin("postmortem").unwrap();
    cmd.env("NO_COLOR", "1").env("TZ", "UTC");
    cmd
}

/// The draft without what names files: citations, the preface's folder, the Sources.
fn story(draft: &str) -> String {
    let citation = regex::Regex::new(r" ?\\\[[^\]]*\\\]").unwrap();
    let before_sources = draft.split("## Sources").next().unwrap_or_default();
    before_sources
        .lines()
        .filter(|l| !l.starts_with("> First draft"))
        .map(|l| citation.replace_all(l, "").into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_thousand_five_minute_files_of_two_nodes_are_one_source() {
    let dir = tempfile::tempdir().unwrap();
    write_balancer(dir.path(), 500);
    let balancer = dir.path().join("alb");

    // One source: every piece in one group, and no clock compared between pieces.
    let result = common::scan(std::slice::from_ref(&balancer));
    assert_eq!(result.files.len(), 1000);
    let groups: std::collections::BTreeSet<&str> = result.files.iter().map(|f| f.group.as_str()).collect();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert!(result.problems.is_empty(), "{:?}", result.problems);

    // `sources`: one row, with its count of files; `--files`, one a file.
    let out = postmortem().args(["sources", "-q"]).arg(&balancer).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(
        table.lines().nth(1).unwrap().contains(&format!("{BALANCER}_… (1,000 files)")),
        "{table}"
    );
    let out = postmortem().args(["sources", "-q", "--files"]).arg(&balancer).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1001);

    // Citations of at most 60 characters, each short name's whole path given once.
    let out = postmortem().args(["draft", "-q"]).arg(&balancer).output().unwrap();
    let draft = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("clock"), "{stderr}");
    let citations: Vec<&str> = regex::Regex::new(r"\\\[[^\]]*\\\]")
        .unwrap()
        .find_iter(&draft)
        .map(|m| m.as_str())
        .filter(|c| c != &"\\[file:line\\]")
        .collect();
    assert!(!citations.is_empty(), "{draft}");
    for citation in &citations {
        let shown = citation.replace('\\', "");
        assert!(shown.chars().count() <= 60, "{shown}");
    }
    let named = draft
        .split("Cited by a short name:")
        .nth(1)
        .expect("the short names are given in full");
    for line in named.lines().filter(|l| l.starts_with("- ")) {
        let path = line.rsplit('`').nth(1).unwrap();
        assert!(Path::new(path).is_file(), "{line}");
    }

    // The same story as the same lines put in one file by hand, in time order.
    let out = postmortem()
        .args(["draft", "-q"])
        .arg(dir.path().join("concatenated/alb.log"))
        .output()
        .unwrap();
    let concatenated = String::from_utf8(out.stdout).unwrap();
    assert!(draft.starts_with("# Failed requests"), "{draft}");
    assert_eq!(story(&draft), story(&concatenated));
}

/// The same note of many files is said once, with their count and the first names; `-v`
/// says it of each.
#[test]
fn the_same_note_of_many_files_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        let record = "{\"log\":\"2024-01-21 20:30:01 INFO worker ready\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-21T20:30:01.25Z\"}\n";
        std::fs::write(
            dir.path().join(format!("worker-{i}.log")),
            format!("{record}{record}not a record\n"),
        )
        .unwrap();
    }
    let said = |verbose: bool| {
        let mut cmd = postmortem();
        cmd.args(["sources", "-q"]);
        if verbose {
            cmd.arg("-v");
        }
        let out = cmd.arg(dir.path()).output().unwrap();
        String::from_utf8(out.stderr).unwrap()
    };
    let once = said(false);
    let lines: Vec<&str> = once.lines().filter(|l| l.contains("not a docker json-file record")).collect();
    assert_eq!(lines.len(), 1, "{once}");
    assert!(lines[0].contains("6 files (") && lines[0].contains("worker-2.log, …)"), "{once}");
    assert!(!lines[0].contains("worker-3.log"), "{once}");
    let each = said(true);
    assert_eq!(
        each.lines().filter(|l| l.contains("not a docker json-file record")).count(),
        6,
        "{each}"
    );
}

/// Each writer's names, as its documentation gives them: the pieces of a stream are one
/// source, the live file with its dated pieces; files of no known layout stay apart.
#[test]
fn each_layouts_pieces_are_one_source() {
    let dir = tempfile::tempdir().unwrap();
    let layouts: [(&str, &[&str]); 7] = [
        (
            "cloudfront",
            &[
                "cf/E2QWRUHAPOMQZL.2025-03-31-09.a1b2c3d4.gz",
                "cf/E2QWRUHAPOMQZL.2025-03-31-10.0f9e8d7c.gz",
                "cf/E2QWRUHAPOMQZL.2025-03-31-10.77aa11bb.gz",
            ],
        ),
        (
            "s3 server access",
            &[
                "s3/access-logs/2025-03-31-09-37-18-6B8C0F1A2D3E4F50",
                "s3/access-logs/2025-03-31-09-42-03-0A1B2C3D4E5F6071",
            ],
        ),
        (
            "gcs usage",
            &[
                "gcs/shop-assets_usage_2025_03_31_09_00_00_0123456789abcdef_v0",
                "gcs/shop-assets_usage_2025_03_31_10_00_00_fedcba9876543210_v0",
            ],
        ),
        (
            "azure blob",
            &[
                "azure/resourceId=/SUBSCRIPTIONS/0F1E/RESOURCEGROUPS/SHOP/PROVIDERS/MICROSOFT.WEB/SITES/SHOP/y=2025/m=03/d=31/h=09/m=00/PT1H.json",
                "azure/resourceId=/SUBSCRIPTIONS/0F1E/RESOURCEGROUPS/SHOP/PROVIDERS/MICROSOFT.WEB/SITES/SHOP/y=2025/m=03/d=31/h=10/m=00/PT1H.json",
            ],
        ),
        (
            "logrotate dateext",
            &[
                "nginx/access.log-20250330.gz",
                "nginx/access.log-20250331",
                "nginx/access.log",
            ],
        ),
        (
            "journald",
            &[
                "journal/0a1b/system@0a1b2c3d4e5f60718293a4b5c6d7e8f9-0000000000000001-0005bd6c979f361b.journal",
                "journal/0a1b/system.journal",
            ],
        ),
        ("no layout", &["other/app.log", "other/worker.log"]),
    ];
    for (_, names) in &layouts {
        for name in names.iter() {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let line = "10.0.0.7 - - [31/Mar/2025:09:37:18 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n";
            if name.ends_with(".gz") {
                let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
                gz.write_all(line.as_bytes()).unwrap();
                gz.finish().unwrap();
            } else {
                std::fs::write(&path, line).unwrap();
            }
        }
    }
    let (files, problems) = postmortem::source::discover(&[dir.path().to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    for (layout, names) in &layouts {
        let groups: std::collections::BTreeSet<&str> = files
            .iter()
            .filter(|f| names.iter().any(|n| f.display.ends_with(n)))
            .map(|f| f.group.as_str())
            .collect();
        let expected = if *layout == "no layout" { names.len() } else { 1 };
        assert_eq!(groups.len(), expected, "{layout}: {groups:?}");
    }
    // The live file is its stream's newest piece, after the dated ones in their order.
    let nginx: Vec<&str> = files
        .iter()
        .filter(|f| f.display.contains("/nginx/"))
        .map(|f| f.display.as_str())
        .collect();
    assert!(
        nginx[0].ends_with("-20250330.gz") && nginx[1].ends_with("-20250331") && nginx[2].ends_with("/access.log"),
        "{nginx:?}"
    );
}

/// A node's `/var/log`, as the kubelet lays it out: `containers/*.log` links to the files
/// under `pods/`. Each file is read once, under the pod's name, so its requests are
/// counted once; the link is named in a note.
#[test]
fn the_kubelets_links_beside_the_pods_files_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pods/shop_web-7d9c_0a1b2c3d-1111-2222-3333-444455556666/nginx");
    std::fs::create_dir_all(&pod).unwrap();
    std::fs::create_dir_all(dir.path().join("containers")).unwrap();
    let lines: String = (0..4)
        .map(|i| {
            format!(
                "2025-03-31T09:37:1{i}.780Z stdout F 10.0.0.7 - - [31/Mar/2025:09:37:1{i} +0000] \"GET / HTTP/1.1\" 502 5 \"-\" \"curl\"\n"
            )
        })
        .collect();
    std::fs::write(pod.join("0.log"), lines).unwrap();
    std::os::unix::fs::symlink(
        "../pods/shop_web-7d9c_0a1b2c3d-1111-2222-3333-444455556666/nginx/0.log",
        dir.path()
            .join("containers/web-7d9c_shop_nginx-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log"),
    )
    .unwrap();
    let result = common::scan(&[dir.path().to_path_buf()]);
    let read: Vec<&str> = result.files.iter().map(|f| f.display.rsplit("/pods/").next().unwrap()).collect();
    assert_eq!(read, ["shop/web-7d9c.nginx.log"]);
    let requests: u64 = result.series.values().flat_map(|s| s.buckets.values()).map(|b| b.requests).sum();
    assert_eq!(requests, 4);
    let notes: Vec<&str> = result.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(notes, ["a link to a file read under another name; read once"]);
}
