use super::*;
use crate::time::StampZone;

fn fields(lines: &[&str]) -> Option<AccessFields> {
    let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
    AccessFields::of_lines(&lines)
}

fn read(fields: &AccessFields, line: &str) -> (String, String, String, u16, Option<f64>) {
    let r = fields.request(line.as_bytes()).expect("a request");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        text(&r.client),
        text(&r.method),
        text(&r.path),
        r.status,
        r.duration_ms.map(|d| (d * 1000.0).round() / 1000.0),
    )
}

#[test]
fn nginx_escape_json_with_its_request_line() {
    let line =
        r#"{"time":"2024-01-21T15:30:00Z","remote_addr":"10.0.0.1","request":"POST /pay HTTP/2.0","status":"502","request_time":0.75}"#;
    let f = fields(&[line]).unwrap();
    assert!(f.request_line);
    assert_eq!(read(&f, line), ("10.0.0.1".into(), "POST".into(), "/pay".into(), 502, Some(750.0)));
    assert_eq!(f.stamp_at(line.as_bytes()).map(|at| &at[..4]), Some(&b"2024"[..]));
}

#[test]
fn traefik_and_caddy() {
    // Traefik: flat PascalCase keys, the duration in nanoseconds, the time last.
    let line = r#"{"ClientAddr":"198.51.100.23:51122","ClientHost":"198.51.100.23","DownstreamStatus":502,"Duration":30001234567,"OriginDuration":30001000000,"RequestMethod":"POST","RequestPath":"/checkout","RouterName":"shop@docker","level":"info","msg":"","time":"2024-03-08T14:02:11Z"}"#;
    let f = fields(&[line]).unwrap();
    assert_eq!(
        read(&f, line),
        ("198.51.100.23".into(), "POST".into(), "/checkout".into(), 502, Some(30_001.235))
    );
    // Caddy: the request's fields nested, the duration in seconds, the time in epoch seconds.
    let line = r#"{"level":"error","ts":1709906531.0934,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.23","proto":"HTTP/2.0","method":"GET","host":"shop.example.org","uri":"/cart","headers":{"User-Agent":["Mozilla/5.0"]}},"bytes_read":0,"duration":2.5,"size":0,"status":503}"#;
    let f = fields(&[line]).unwrap();
    assert_eq!(f.time.1, TimeUnit::Seconds);
    assert_eq!(
        read(&f, line),
        ("198.51.100.23".into(), "GET".into(), "/cart".into(), 503, Some(2500.0))
    );
    let at = f.stamp_at(line.as_bytes()).unwrap();
    assert_eq!(f.parse_stamp(at).map(|s| s.zone), Some(StampZone::Epoch(1_709_906_531_093_400)));
}

#[test]
fn a_time_number_is_read_in_the_unit_its_magnitude_gives_the_file() {
    assert_eq!(TimeUnit::of_epoch(1_709_906_531.0), Some(TimeUnit::Seconds));
    assert_eq!(TimeUnit::of_epoch(1_709_906_531_093.0), Some(TimeUnit::Millis));
    assert_eq!(TimeUnit::of_epoch(1_709_906_531_093_400.0), Some(TimeUnit::Micros));
    assert_eq!(TimeUnit::of_epoch(1_709_906_531_093_400_123.0), Some(TimeUnit::Nanos));
    // Not a time: a count, a port, a duration.
    for value in [0.25, 443.0, 86_400.0, 12_345_678.0] {
        assert_eq!(TimeUnit::of_epoch(value), None, "{value}");
    }
    // Nanoseconds are read exactly, as an integer.
    let stamp = epoch_in(b"1709906531093400123,", TimeUnit::Nanos).unwrap();
    assert_eq!((stamp.zone, stamp.len), (StampZone::Epoch(1_709_906_531_093_400), 19));
    let stamp = epoch_in(b"1709906531093", TimeUnit::Millis).unwrap();
    assert_eq!(stamp.zone, StampZone::Epoch(1_709_906_531_093_000));
}

#[test]
fn a_durations_unit_is_its_name_or_its_vendors_or_whole_milliseconds() {
    let f = fields(&[r#"{"ts":"2024-03-08T14:02:11Z","status":200,"path":"/a","upstreamResponseTimeMs":12}"#]).unwrap();
    assert_eq!(f.duration.map(|(_, u)| u), Some(TimeUnit::Millis));
    let f = fields(&[r#"{"ts":"2024-03-08T14:02:11Z","status":200,"path":"/a","elapsed_usec":1200}"#]).unwrap();
    assert_eq!(f.duration.map(|(_, u)| u), Some(TimeUnit::Micros));
    // No unit in the name: whole numbers in every line are milliseconds (Envoy) …
    let envoy = [
        r#"{"start_time":"2024-03-08T14:02:11.123Z","method":"GET","path":"/pay","response_code":503,"duration":30001}"#,
        r#"{"start_time":"2024-03-08T14:02:12.123Z","method":"GET","path":"/pay","response_code":200,"duration":12}"#,
    ];
    let f = fields(&envoy).unwrap();
    assert_eq!(f.duration.as_ref().map(|(_, u)| *u), Some(TimeUnit::Millis));
    assert_eq!(read(&f, envoy[0]).4, Some(30_001.0));
    // … and a fraction among them makes them seconds (Azure Front Door's strings).
    let front_door = [
        r#"{"time":"2024-03-08T14:02:11Z","properties":{"httpMethod":"GET","requestUri":"https://shop.example.org:443/cart","httpStatusCode":"503","timeTaken":"30.004"}}"#,
        r#"{"time":"2024-03-08T14:02:12Z","properties":{"httpMethod":"GET","requestUri":"https://shop.example.org:443/","httpStatusCode":"200","timeTaken":"1"}}"#,
    ];
    let f = fields(&front_door).unwrap();
    assert_eq!(
        read(&f, front_door[0]),
        (String::new(), "GET".into(), "/cart".into(), 503, Some(30_004.0))
    );
    // Google's latency carries its unit.
    let google = r#"{"timestamp":"2024-03-08T14:02:11.5Z","httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example.org/pay?x=1","status":502,"latency":"0.250s","remoteIp":"198.51.100.23"},"jsonPayload":{"status":"ok"}}"#;
    let f = fields(&[google]).unwrap();
    assert_eq!(f.describe(), "status ← httpRequest.status, path ← httpRequest.requestUrl, time ← timestamp, method ← httpRequest.requestMethod, client ← httpRequest.remoteIp, duration ← httpRequest.latency (s)");
    assert_eq!(
        read(&f, google),
        ("198.51.100.23".into(), "GET".into(), "/pay?x=1".into(), 502, Some(250.0))
    );
}

#[test]
fn names_no_table_holds_are_found_by_what_they_say_and_hold() {
    // A team's own names: a status in `resp_status_code`, the path in `req_uri`.
    let line = r#"{"when":"2024-03-08T14:02:11Z","timestamp":"2024-03-08T14:02:11Z","resp_status_code":504,"req_uri":"/checkout/17","verb":"POST","took_ms":30000}"#;
    let f = fields(&[line]).unwrap();
    assert_eq!(f.status.to_string(), "resp_status_code");
    assert_eq!(f.target.to_string(), "req_uri");
    assert_eq!(
        read(&f, line),
        (String::new(), "POST".into(), "/checkout/17".into(), 504, Some(30_000.0))
    );
}

#[test]
fn records_that_are_not_requests_are_not_taken_for_them() {
    for decoy in [
        // A heartbeat whose status is a word.
        r#"{"time":"2024-03-08T14:02:11Z","level":"info","msg":"heartbeat","status":"ok","path":"/healthz"}"#,
        // A number in range that is no status, beside a path.
        r#"{"time":"2024-03-08T14:02:11Z","msg":"listening","port":443,"path":"/srv"}"#,
        // A shipper's record: a file's path, an offset, a status of the pipeline.
        r#"{"@timestamp":"2024-03-08T14:02:11Z","log":{"file":{"path":"/var/log/app.log"},"offset":200},"http_code":200,"message":"started"}"#,
        // No time.
        r#"{"status":503,"path":"/pay"}"#,
        // A status out of range.
        r#"{"time":"2024-03-08T14:02:11Z","status":999,"path":"/pay"}"#,
    ] {
        assert!(fields(&[decoy]).is_none(), "{decoy}");
        assert!(!JsonAccess::looks_like(decoy.as_bytes()), "{decoy}");
    }
}

#[test]
fn a_field_must_hold_in_most_lines_and_a_record_without_one_is_no_request() {
    let lines = [
        r#"{"time":"2024-03-08T14:02:11Z","status":200,"path":"/a"}"#,
        r#"{"time":"2024-03-08T14:02:12Z","status":503,"path":"/b"}"#,
        r#"{"time":"2024-03-08T14:02:13Z","level":"warn","msg":"upstream slow"}"#,
    ];
    let f = fields(&lines).unwrap();
    assert!(f.request(lines[2].as_bytes()).is_none());
    assert_eq!(read(&f, lines[1]).3, 503);
    // The server's own message is read as a JSON line's.
    let head = JsonAccess::head(lines[2].as_bytes(), 0).unwrap();
    assert_eq!(head.message, b"upstream slow");
    // A field in one line of four is no field of the file.
    let rare = [
        lines[0],
        lines[1],
        lines[2],
        r#"{"time":"2024-03-08T14:02:14Z","level":"info","msg":"ok"}"#,
    ];
    assert!(fields(&[rare[2], rare[3], rare[3], rare[0]]).is_none());
}

#[test]
fn a_proxys_own_lines_among_its_records_keep_their_times_and_words() {
    let lines = [
        r#"{"start_time":"2024-03-08T14:02:11.123Z","method":"GET","path":"/pay","response_code":503,"duration":12}"#,
        "[2024-03-08 14:02:12.001][1][warning][upstream] [source/common/upstream/health_checker_impl.cc:330] health check failed for host 10.0.0.7:8080",
    ];
    let f = fields(&lines[..1]).unwrap();
    let at = f.stamp_at(lines[1].as_bytes()).unwrap();
    assert!(f.parse_stamp(at).is_some());
    assert!(f.request(lines[1].as_bytes()).is_none());
    let head = JsonAccess::head(lines[1].as_bytes(), "[2024-03-08 14:02:12.001]".len()).unwrap();
    assert!(String::from_utf8_lossy(head.message).contains("health check failed"));
    // A file whose times are epoch numbers reads another line's date as a date.
    let epoch = fields(&[r#"{"ts":1709906531.09,"status":200,"path":"/"}"#]).unwrap();
    let stamp = epoch.parse_stamp(b"2024-03-08T14:02:12Z worker restarted").unwrap();
    assert_eq!(stamp.len, "2024-03-08T14:02:12Z".len());
}

#[test]
fn a_unit_in_a_name_is_read_from_its_longest_ending() {
    for (name, unit) in [
        ("ElapsedMilliseconds", TimeUnit::Millis),
        ("durationMicroseconds", TimeUnit::Micros),
        ("latency_nanoseconds", TimeUnit::Nanos),
        ("took_nsec", TimeUnit::Nanos),
        ("turnAroundTimeMSec", TimeUnit::Millis),
        ("request_duration_seconds", TimeUnit::Seconds),
        ("elapsed_sec", TimeUnit::Seconds),
    ] {
        assert_eq!(unit_of_name(&folded(name.as_bytes())), Some(unit), "{name}");
    }
    assert_eq!(unit_of_name("duration"), None);
}

#[test]
fn a_duration_without_a_unit_is_told_by_how_its_values_are_written() {
    // Whole numbers: milliseconds. Written with a point, even `0.000`: seconds.
    assert_eq!(unitless(false, &[12.0, 30_001.0]), TimeUnit::Millis);
    assert_eq!(unitless(true, &[0.0, 0.0, 0.012]), TimeUnit::Seconds);
    // A typical request of over a minute is milliseconds written with a fraction.
    assert_eq!(unitless(true, &[120.5, 98.25, 301.0]), TimeUnit::Millis);
    let lines = [
        r#"{"time":"2024-03-08T14:02:11Z","status":200,"path":"/a","request_time":"0.000"}"#,
        r#"{"time":"2024-03-08T14:02:12Z","status":200,"path":"/b","request_time":"0.000"}"#,
    ];
    // A named unit holds whatever the values: nginx's `request_time` is seconds.
    assert_eq!(fields(&lines).unwrap().duration.map(|(_, u)| u), Some(TimeUnit::Seconds));
    // No duration beyond a day, nor an infinite one.
    let f = fields(&[r#"{"ts":"2024-03-08T14:02:11Z","status":200,"path":"/a","took_ms":1e999}"#]).unwrap();
    assert_eq!(
        read(&f, r#"{"ts":"2024-03-08T14:02:11Z","status":200,"path":"/a","took_ms":1e999}"#).4,
        None
    );
}

#[test]
fn an_epoch_unit_reads_only_times_of_its_magnitude() {
    assert!(epoch_in(b"12 workers started", TimeUnit::Seconds).is_none());
    assert!(epoch_in(b"0", TimeUnit::Millis).is_none());
    assert!(epoch_in(b"1.709906531093e+18", TimeUnit::Nanos).is_none());
    assert!(epoch_in(b"1709906531", TimeUnit::Millis).is_none());
    assert!(epoch_in(b"1709906531", TimeUnit::Seconds).is_some());
}

#[test]
fn an_applications_calls_and_scripts_are_no_requests() {
    for decoy in [
        // An outbound call the app made: a URL and a code, nothing of a request served.
        r#"{"time":"2024-03-08T14:02:11Z","level":"error","msg":"payment call failed","url":"https://payments.internal/charge","code":502}"#,
        // A job's exit code beside its script.
        r#"{"time":"2024-03-08T14:02:11Z","msg":"job done","exit_code":137,"script_path":"/opt/jobs/sync.sh"}"#,
        // Words that hold `uri` without naming one.
        r#"{"time":"2024-03-08T14:02:11Z","msg":"audit","security":"/etc/policy","http_status":200}"#,
    ] {
        assert!(fields(&[decoy]).is_none(), "{decoy}");
    }
    // A table's request line is preferred to a path only a name suggests.
    let line = r#"{"time":"2024-03-08T14:02:11Z","log_path":"/var/log/nginx/access.log","request":"GET /cart HTTP/1.1","status":200}"#;
    let f = fields(&[line]).unwrap();
    assert!(f.request_line);
    assert_eq!(read(&f, line).2, "/cart");
    // A record whose path is `-` or null is no request.
    let f = fields(&[r#"{"time":"2024-03-08T14:02:11Z","status":200,"path":"/a"}"#]).unwrap();
    assert!(f.request(br#"{"time":"2024-03-08T14:02:12Z","status":400,"path":"-"}"#).is_none());
    assert!(f.request(br#"{"time":"2024-03-08T14:02:12Z","status":400,"path":null}"#).is_none());
}

#[test]
fn a_line_of_many_keys_of_one_shape_is_weighed_by_its_first_candidates() {
    // 50,000 keys a status might be: each is weighed against the few kept, not against
    // all the others.
    let keys: String = (0..50_000).map(|i| format!("\"status{i:05}\":200,")).collect();
    let line = format!("{{\"time\":\"2024-03-08T14:02:11Z\",{keys}\"method\":\"GET\",\"path\":\"/a\"}}");
    let f = fields(&[&line]).unwrap();
    assert_eq!(f.status.to_string(), "status00000");
}

#[test]
fn a_services_own_request_records_in_opentelemetrys_words() {
    // An instrumented service's log of the requests it served, keyed by OpenTelemetry's
    // attribute names as flat dotted keys: the older ones (`http.target`,
    // `http.status_code`) and the newer (`url.path`, `http.response.status_code`).
    let older = r#"{"timestamp":"2024-03-08T14:02:11.412Z","level":"INFO","message":"request served","http.method":"POST","http.target":"/api/pay?retry=1","http.status_code":503,"net.peer.ip":"10.2.0.14","http.server.duration_ms":31.2}"#;
    let f = fields(&[older]).unwrap();
    assert_eq!(
        read(&f, older),
        (String::new(), "POST".into(), "/api/pay?retry=1".into(), 503, Some(31.2))
    );
    let newer = r#"{"timestamp":"2024-03-08T14:02:11.412Z","severity":"INFO","body":"request served","http.request.method":"GET","url.path":"/cart","http.response.status_code":502,"client.address":"10.2.0.15"}"#;
    let f = fields(&[newer]).unwrap();
    assert_eq!(read(&f, newer), ("10.2.0.15".into(), "GET".into(), "/cart".into(), 502, None));
}

#[test]
fn details_by_the_names_vendors_give_them() {
    let details = |line: &str| {
        let d = details_by_name(line.as_bytes());
        [d.user_agent, d.upstream, d.host].map(|v| v.map(|v| String::from_utf8_lossy(&v).into_owned()))
    };
    let some = |s: &str| Some(s.to_string());
    // Google Cloud's LogEntry (`httpRequest.userAgent`).
    assert_eq!(
        details(
            r#"{"httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example/cart","status":503,"userAgent":"Mozilla/5.0 (iPhone)","remoteIp":"203.0.113.7"},"timestamp":"2025-03-04T10:00:01Z"}"#
        ),
        [some("Mozilla/5.0 (iPhone)"), None, None]
    );
    // Cloudflare Logpush's http_requests.
    assert_eq!(
        details(
            r#"{"ClientRequestHost":"shop.example","ClientRequestURI":"/cart","ClientRequestUserAgent":"curl/8.5.0","EdgeResponseStatus":502,"OriginIP":"198.51.100.20"}"#
        ),
        [some("curl/8.5.0"), some("198.51.100.20"), some("shop.example")]
    );
    // ECS (Filebeat's nginx module) and nginx `escape=json` with `$upstream_addr`.
    assert_eq!(
        details(
            r#"{"url":{"original":"/cart","domain":"shop.example"},"user_agent":{"original":"okhttp\/4.9.2"},"http":{"response":{"status_code":500}}}"#
        ),
        [some("okhttp/4.9.2"), None, some("shop.example")]
    );
    assert_eq!(
        details(r#"{"request":"GET /cart HTTP/1.1","status":"502","upstream_addr":"10.244.3.9:8080","http_user_agent":"-","host":""}"#),
        [None, some("10.244.3.9:8080"), None]
    );
    // A machine's own name is no request's host, nor a node's where a shipper wrapped
    // the record; of two names, the one first in the table.
    assert_eq!(details(r#"{"hostname":"web-1","status":200,"path":"/"}"#), [None, None, None]);
    assert_eq!(
        details(
            r#"{"kubernetes":{"host":"node-7"},"host":{"name":"ip-10-0-3-7"},"http_host":"shop.example","request":{"vhost":"x"},"status":200}"#
        ),
        [None, None, some("shop.example")]
    );
}

#[test]
fn every_name_of_the_detail_tables_fits_a_folded_name() {
    for table in [
        SHIPPER_OBJECTS,
        USER_AGENT_NAMES,
        UPSTREAM_NAMES,
        HOST_NAMES,
        REFERRER_NAMES,
        UPSTREAM_STATUS_NAMES,
    ] {
        for name in table {
            assert!(name.len() < FoldedName::ROOM, "{name}");
            assert_eq!(
                FoldedName::of(&[name.as_bytes()]).is_in(table),
                table.iter().position(|n| n == name)
            );
        }
    }
    // Folded as the tables are written, and nothing longer or not ASCII matches.
    assert_eq!(
        FoldedName::of_path(&[b"request", b"headers"], b"Referer").is_in(REFERRER_NAMES),
        REFERRER_NAMES.iter().position(|n| *n == "requestheadersreferer")
    );
    assert_eq!(
        FoldedName::of(&[b"User-Agent"]).is_in(USER_AGENT_NAMES),
        USER_AGENT_NAMES.iter().position(|n| *n == "useragent")
    );
    assert_eq!(FoldedName::of(&["hôst".as_bytes()]).is_in(HOST_NAMES), None);
    assert_eq!(FoldedName::of(&[&[b'a'; 40][..]]).is_in(HOST_NAMES), None);
}

mod layout {
    use super::*;
    use proptest::prelude::*;

    /// Records as writers lay them out: each a list of keys and their values as written.
    const SHAPES: &[&[(&str, &str)]] = &[
        &[
            ("time", r#""2024-01-21T15:30:00.123Z""#),
            ("remote_addr", r#""10.0.0.1""#),
            ("request", r#""GET /cart HTTP/1.1""#),
            ("status", "200"),
            ("body_bytes_sent", "512"),
            ("request_time", "0.049"),
            ("http_user_agent", r#""curl/8.0""#),
        ],
        &[
            ("timestamp", r#""2024-03-08T14:02:11.5Z""#),
            (
                "httpRequest",
                r#"{"requestMethod":"GET","requestUrl":"https://shop.example/pay","status":503,"latency":"0.250s","remoteIp":"203.0.113.7:51234"}"#,
            ),
            ("jsonPayload", r#"{"status":"ok","tags":["a","b"]}"#),
            ("severity", r#""ERROR""#),
        ],
        &[
            ("EdgeStartTimestamp", "1709906531093400000"),
            ("ClientIP", r#""198.51.100.23""#),
            ("ClientRequestMethod", r#""POST""#),
            ("ClientRequestURI", r#""/checkout""#),
            ("EdgeResponseStatus", "502"),
            ("OriginResponseDurationMs", "30001"),
        ],
    ];

    /// Values a field may hold instead of its own: other kinds, escapes, structure,
    /// nothing.
    const VALUES: &[&str] = &[
        r#""x""#,
        r#""a\"b""#,
        r#""\u00e9\/""#,
        "123",
        "-1.5e3",
        "true",
        "null",
        "{}",
        r#"{"status":500,"path":"/in"}"#,
        r#"[1,"]",{"a":"}"}]"#,
        r#""""#,
        r#""0.123s""#,
        r#""/p?q=1""#,
        r#""GET /x HTTP/1.1""#,
        "404",
        "0.5",
    ];

    #[derive(Clone, Debug)]
    enum Change {
        Value(usize, usize),
        Drop(usize),
        Swap(usize, usize),
        Spaced,
        Cut(usize),
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            4 => (0usize..8, 0..VALUES.len()).prop_map(|(field, value)| Change::Value(field, value)),
            1 => (0usize..8).prop_map(Change::Drop),
            1 => (0usize..8, 0usize..8).prop_map(|(a, b)| Change::Swap(a, b)),
            1 => Just(Change::Spaced),
            1 => (0usize..400).prop_map(Change::Cut),
        ]
    }

    fn written(shape: &[(&str, &str)], changes: &[Change]) -> String {
        let mut pairs: Vec<(String, String)> = shape.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut separator = ",";
        let mut cut = None;
        for change in changes {
            let n = pairs.len();
            match *change {
                Change::Value(field, value) if n > 0 => pairs[field % n].1 = VALUES[value].to_string(),
                Change::Drop(field) if n > 0 => {
                    pairs.remove(field % n);
                }
                Change::Swap(a, b) if n > 0 => pairs.swap(a % n, b % n),
                Change::Spaced => separator = ", ",
                Change::Cut(at) => cut = Some(at),
                _ => {}
            }
        }
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let mut line = format!("{{{}}}", body.join(separator));
        if let Some(at) = cut {
            line.truncate(at.min(line.len()));
        }
        line
    }

    proptest! {
        /// A file's lines read by the layout of the ones before them give the requests a
        /// walk of each line gives, however the lines stray from their layout.
        #[test]
        fn a_record_read_by_the_layout_before_it_reads_as_walked(
            shape in 0..SHAPES.len(),
            lines in proptest::collection::vec(proptest::collection::vec(change(), 0..3), 1..150),
        ) {
            let shape = SHAPES[shape];
            let fields = fields(&[&written(shape, &[])]).expect("the shape's fields");
            let mut layout = RecordLayout::default();
            for changes in &lines {
                let line = written(shape, changes);
                prop_assert_eq!(
                    fields.request_following(line.as_bytes(), &mut layout),
                    fields.request(line.as_bytes()),
                    "{}", line
                );
            }
        }
    }

    #[test]
    fn the_same_layout_is_read_without_a_walk() {
        let shape = SHAPES[0];
        let fields = fields(&[&written(shape, &[])]).unwrap();
        let mut layout = RecordLayout::default();
        let first = written(shape, &[]);
        assert!(fields.request_following(first.as_bytes(), &mut layout).is_some());
        let next = written(shape, &[Change::Value(3, 14), Change::Value(5, 15)]);
        let mut read = [None; ROLES];
        assert!(layout.read(next.as_bytes(), &mut read));
        assert_eq!(read[STATUS].map(|s| s.raw), Some(&b"404"[..]));
        assert_eq!(read[DURATION].map(|s| s.raw), Some(&b"0.5"[..]));
        // A value of another kind is not read by it.
        let other = written(shape, &[Change::Value(3, 0)]);
        assert!(!layout.read(other.as_bytes(), &mut read));
    }

    #[test]
    fn records_without_a_layout_are_walked_without_learning_one() {
        let shape = SHAPES[0];
        let fields = fields(&[&written(shape, &[])]).unwrap();
        let mut layout = RecordLayout::default();
        // A list of varying length before the status: no line lays out as the one before.
        let line = |i: usize| {
            let list = format!("[{}]", vec!["\"h\""; i % 5].join(","));
            written(shape, &[]).replace(r#","status""#, &format!(r#","hops":{list},"status""#))
        };
        for i in 0..RecordLayout::MISSES_BEFORE_REST as usize {
            assert!(!layout.resting());
            assert!(fields.request_following(line(i).as_bytes(), &mut layout).is_some());
        }
        assert!(layout.resting());
        let mut tried = 0;
        for i in 0..2 * RecordLayout::RETRY_EVERY as usize {
            tried += usize::from(!layout.resting());
            let line = line(i);
            assert_eq!(
                fields.request_following(line.as_bytes(), &mut layout),
                fields.request(line.as_bytes())
            );
        }
        // Each retry, and the line after it, by the layout the retry taught.
        assert!((2..=4).contains(&tried), "{tried}");
        // Records that take a layout again are read by it from the next try.
        let same = written(shape, &[]);
        for _ in 0..=RecordLayout::RETRY_EVERY {
            fields.request_following(same.as_bytes(), &mut layout);
        }
        assert!(!layout.resting());
        assert!(layout.read(same.as_bytes(), &mut [None; ROLES]));
    }
}

#[test]
fn what_the_server_behind_answered_is_read_by_its_writers_names() {
    let status = |line: &str| {
        details_by_name(line.as_bytes())
            .upstream_status
            .map(|s| String::from_utf8_lossy(&s).into_owned())
    };
    // Cloudflare: a number, 0 where the origin gave no answer.
    assert_eq!(
        status(r#"{"EdgeStartTimestamp":1709906531,"ClientRequestURI":"/","EdgeResponseStatus":522,"OriginResponseStatus":0}"#).as_deref(),
        Some("0")
    );
    // nginx's $upstream_status: `-` where no upstream was asked, kept as said.
    assert_eq!(
        status(r#"{"time":"2024-01-21T15:30:00Z","request":"GET / HTTP/1.1","status":502,"upstream_status":"-"}"#).as_deref(),
        Some("-")
    );
    // Azure Application Gateway, nested and a string.
    assert_eq!(
        status(r#"{"timeStamp":"2024-03-01T10:15:02Z","properties":{"requestUri":"/","httpStatus":502,"serverStatus":"503"}}"#).as_deref(),
        Some("503")
    );
    // A user agent that is a number is no user agent; a status that is, is a status.
    let details = details_by_name(br#"{"user_agent":7,"OriginResponseStatus":200}"#);
    assert_eq!(details.user_agent, None);
    assert_eq!(details.upstream_status.as_deref(), Some(&b"200"[..]));
}
