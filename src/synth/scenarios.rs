//! The scenarios: five outages our users have lived through (the seeds), one behind
//! HAProxy and php-fpm written from those programs' own words, and a quiet day. Each one says, in its own shop's formats and zone, what the traffic did, which
//! endpoints failed when, and which lines the app, the database and the host printed.

use super::{Endpoint, Scenario, Scripted, StampStyle, WebFormat};
use chrono::{NaiveDate, NaiveDateTime};

pub const NAMES: &[&str] = &[
    "table-lock",
    "cms-corruption",
    "pool-after-deploy",
    "cron-migration",
    "traffic-surge",
    "fpm-saturation",
    "quiet-day",
];

fn at(date: (i32, u32, u32), hour: u32, minute: u32, second: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(date.0, date.1, date.2)
        .and_then(|d| d.and_hms_opt(hour, minute, second))
        .expect("a valid scenario time")
}

fn once(file: &'static str, at: NaiveDateTime, text: impl Into<String>) -> Scripted {
    Scripted {
        file,
        at,
        until: None,
        every: 0,
        text: text.into(),
    }
}

fn every(file: &'static str, from: NaiveDateTime, until: NaiveDateTime, seconds: i64, text: impl Into<String>) -> Scripted {
    Scripted {
        file,
        at: from,
        until: Some(until),
        every: seconds,
        text: text.into(),
    }
}

fn between(t: NaiveDateTime, from: NaiveDateTime, to: NaiveDateTime) -> bool {
    t >= from && t < to
}

/// Fades linearly from `high` at `from` to `low` at `to`.
fn fade(t: NaiveDateTime, from: NaiveDateTime, to: NaiveDateTime, high: f64, low: f64) -> f64 {
    let span = (to - from).num_seconds().max(1) as f64;
    let done = ((t - from).num_seconds() as f64 / span).clamp(0.0, 1.0);
    high + (low - high) * done
}

fn shop_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/",
            weight: 20,
        },
        Endpoint {
            method: "GET",
            path: "/products/4711",
            weight: 30,
        },
        Endpoint {
            method: "GET",
            path: "/search?q=lamp",
            weight: 10,
        },
        Endpoint {
            method: "GET",
            path: "/cart",
            weight: 15,
        },
        Endpoint {
            method: "POST",
            path: "/cart/items",
            weight: 10,
        },
        Endpoint {
            method: "POST",
            path: "/checkout",
            weight: 8,
        },
        Endpoint {
            method: "GET",
            path: "/account/orders",
            weight: 5,
        },
        Endpoint {
            method: "GET",
            path: "/static/app.js",
            weight: 2,
        },
    ]
}

pub(super) fn scenario(name: &str) -> Option<Scenario> {
    Some(match name {
        "table-lock" => table_lock(),
        "cms-corruption" => cms_corruption(),
        "pool-after-deploy" => pool_after_deploy(),
        "cron-migration" => cron_migration(),
        "traffic-surge" => traffic_surge(),
        "fpm-saturation" => fpm_saturation(),
        "quiet-day" => quiet_day(),
        _ => return None,
    })
}

/// Seed 000: a database optimisation script, run by cron at 15:28, locks the orders
/// table; from 15:30 nearly every request fails; the script is killed at 16:30 and the
/// errors die down by 16:45.
fn table_lock() -> Scenario {
    let d = (2024, 1, 21);
    let (lock, start, kill, end) = (at(d, 15, 28, 1), at(d, 15, 30, 0), at(d, 16, 30, 0), at(d, 16, 45, 0));
    Scenario {
        name: "table-lock",
        zone: chrono_tz::America::New_York,
        from: at(d, 14, 30, 0),
        to: at(d, 17, 30, 0),
        web: WebFormat::CombinedWithTime,
        endpoints: shop_endpoints(),
        requests_per_minute: 24.0,
        clients: 400,
        traffic: Box::new(|_| 1.0),
        failure: Box::new(move |t, path| {
            let static_file = path.starts_with("/static");
            match () {
                _ if static_file => 0.0,
                _ if between(t, start, kill) => 0.95,
                _ if between(t, kill, end) => fade(t, kill, end, 0.6, 0.02),
                _ => 0.002,
            }
        }),
        latency_ms: Box::new(move |t, _| if between(t, start, kill) { 48_000.0 } else { 40.0 }),
        files: vec![("app.log", StampStyle::Python), ("mysql-general.log", StampStyle::MysqlUtc), ("syslog", StampStyle::Syslog)],
        lines: vec![
            every("app.log", at(d, 14, 30, 3), at(d, 17, 30, 0), 20, "{t} INFO shop.orders: order {n} paid"),
            every("syslog", at(d, 14, 35, 1), at(d, 17, 30, 0), 600, "{t} db1 CRON[{n}]: (root) CMD (/usr/lib/sysstat/debian-sa1 1 1)"),
            once("syslog", lock, "{t} db1 CRON[24017]: (root) CMD (/usr/local/bin/optimize-tables --all)"),
            once("mysql-general.log", at(d, 15, 28, 2), "{t}\t   88 Connect\tmaint@localhost on shop using Socket"),
            once("mysql-general.log", at(d, 15, 28, 2), "{t}\t   88 Query\tOPTIMIZE TABLE orders"),
            every("mysql-general.log", at(d, 14, 30, 5), at(d, 17, 30, 0), 90, "{t}\t   12 Query\tSELECT id, state FROM orders WHERE customer_id = 4711"),
            every(
                "app.log",
                at(d, 15, 29, 10),
                kill,
                7,
                "{t} ERROR shop.orders: OperationalError: (1205, 'Lock wait timeout exceeded; try restarting transaction') while updating orders",
            ),
            once("syslog", at(d, 16, 29, 48), "{t} db1 sudo:    dba : TTY=pts/0 ; PWD=/home/dba ; USER=root ; COMMAND=/usr/bin/pkill -f optimize-tables"),
            once("mysql-general.log", at(d, 16, 29, 49), "{t}\t   91 Query\tKILL 88"),
        ],
        truth: Some(((start, end), ("maintenance", at(d, 15, 28, 2)), "table_lock")),
    }
}

/// Seed 001: a CMS update at 08:50 leaves a table crashed; from 09:00 the whole site
/// fails; the table is repaired and MySQL restarted, and the site is back at 13:00.
fn cms_corruption() -> Scenario {
    let d = (2023, 5, 15);
    let (update, start, repaired, end) = (at(d, 8, 50, 12), at(d, 9, 0, 0), at(d, 12, 57, 40), at(d, 13, 0, 0));
    Scenario {
        name: "cms-corruption",
        zone: chrono_tz::Etc::GMT,
        from: at(d, 7, 30, 0),
        to: at(d, 14, 0, 0),
        web: WebFormat::Combined,
        endpoints: shop_endpoints(),
        requests_per_minute: 10.0,
        clients: 300,
        traffic: Box::new(|_| 1.0),
        failure: Box::new(move |t, path| if between(t, start, end) && !path.starts_with("/static") { 0.97 } else { 0.002 }),
        latency_ms: Box::new(|_, _| 30.0),
        files: vec![("laravel.log", StampStyle::Laravel), ("mysql-error.log", StampStyle::MysqlShort), ("auth.log", StampStyle::Syslog)],
        lines: vec![
            once(
                "auth.log",
                update,
                "{t} web1 sudo:   deploy : TTY=pts/1 ; PWD=/var/www/shop ; USER=www-data ; COMMAND=/usr/bin/php bin/magento setup:upgrade",
            ),
            every("laravel.log", at(d, 7, 30, 9), at(d, 14, 0, 0), 45, "{t} production.INFO: catalog cache warmed {n}"),
            every(
                "mysql-error.log",
                at(d, 9, 0, 4),
                repaired,
                20,
                "{t} [ERROR] /usr/sbin/mysqld: Table './shop/catalog_product_entity' is marked as crashed and should be repaired",
            ),
            every(
                "laravel.log",
                at(d, 9, 0, 5),
                end,
                15,
                "{t} production.ERROR: SQLSTATE[HY000]: General error: 145 Table './shop/catalog_product_entity' is marked as crashed and should be repaired",
            ),
            once("mysql-error.log", at(d, 12, 57, 41), "{t} [Note] /usr/sbin/mysqld: Normal shutdown"),
            once("mysql-error.log", at(d, 12, 58, 30), "{t} [Note] /usr/sbin/mysqld: ready for connections."),
        ],
        truth: Some(((start, end), ("migration", update), "db_corruption")),
    }
}

/// Seed 002: a deploy the night before brings an inefficient query; at peak the next
/// morning the connection pool runs dry and a fifth of the users cannot check out; a
/// rollback at 11:13 ends it, confirmed at 11:30.
fn pool_after_deploy() -> Scenario {
    let d = (2024, 5, 12);
    let (start, rollback, end) = (at(d, 10, 0, 0), at(d, 11, 13, 0), at(d, 11, 30, 0));
    Scenario {
        name: "pool-after-deploy",
        zone: chrono_tz::America::Los_Angeles,
        from: at(d, 9, 0, 0),
        to: at(d, 12, 0, 0),
        web: WebFormat::Json,
        endpoints: shop_endpoints(),
        requests_per_minute: 45.0,
        clients: 4000,
        traffic: Box::new(|_| 1.0),
        failure: Box::new(move |t, path| {
            let checkout = path.starts_with("/checkout") || path.starts_with("/cart/items");
            match () {
                _ if checkout && between(t, start, rollback) => 0.9,
                // The restarted service refills its pool under the queued load.
                _ if checkout && between(t, rollback, end - chrono::Duration::minutes(1)) => 0.5,
                _ => 0.001,
            }
        }),
        latency_ms: Box::new(move |t, path| if path.starts_with("/checkout") && between(t, start, rollback) { 30_000.0 } else { 60.0 }),
        files: vec![("shop-api.log", StampStyle::Logback)],
        lines: vec![
            once("shop-api.log", at((2024, 5, 11), 22, 4, 10), "{t}  INFO 4242 --- [           main] com.shop.ShopApplication                 : Starting ShopApplication v4.12.0 using Java 21.0.2 with PID 4242 (/opt/shop/shop-api.jar started by shop in /opt/shop)"),
            once("shop-api.log", at((2024, 5, 11), 22, 4, 19), "{t}  INFO 4242 --- [           main] com.shop.ShopApplication                 : Started ShopApplication in 9.104 seconds (process running for 10.2)"),
            every("shop-api.log", at(d, 9, 0, 2), at(d, 12, 0, 0), 30, "{t}  INFO 4242 --- [nio-8080-exec-{n}] com.shop.orders.OrderService             : order {n} created"),
            every(
                "shop-api.log",
                at(d, 10, 0, 20),
                rollback,
                6,
                "{t} ERROR 4242 --- [nio-8080-exec-9] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=57)",
            ),
            once("shop-api.log", at(d, 11, 12, 30), "{t}  INFO 4242 --- [ionShutdownHook] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown initiated..."),
            once("shop-api.log", rollback, "{t}  INFO 5150 --- [           main] com.shop.ShopApplication                 : Starting ShopApplication v4.11.2 using Java 21.0.2 with PID 5150 (/opt/shop/shop-api.jar started by shop in /opt/shop)"),
            once("shop-api.log", at(d, 11, 13, 9), "{t}  INFO 5150 --- [           main] com.shop.ShopApplication                 : Started ShopApplication in 8.877 seconds (process running for 9.9)"),
        ],
        truth: Some(((start, end), ("deploy", at((2024, 5, 11), 22, 4, 10)), "pool_exhaustion")),
    }
}

/// Seed 003: a cron job starts a heavy data migration at 09:58, at peak; from 10:00 the
/// database is overloaded and the site fails; the script is killed at 11:30 and the
/// site is fully back at 12:15.
fn cron_migration() -> Scenario {
    let d = (2024, 6, 20);
    let (cron, start, kill, end) = (at(d, 9, 58, 1), at(d, 10, 0, 0), at(d, 11, 30, 0), at(d, 12, 15, 0));
    Scenario {
        name: "cron-migration",
        zone: chrono_tz::UTC,
        from: at(d, 8, 30, 0),
        to: at(d, 13, 0, 0),
        web: WebFormat::CombinedWithTime,
        endpoints: shop_endpoints(),
        requests_per_minute: 20.0,
        clients: 450,
        traffic: Box::new(|_| 1.0),
        failure: Box::new(move |t, path| match () {
            _ if path.starts_with("/static") => 0.0,
            _ if between(t, start, kill) => 0.9,
            _ if between(t, kill, end) => fade(t, kill, end, 0.7, 0.01),
            _ => 0.002,
        }),
        latency_ms: Box::new(move |t, _| if between(t, start, end) { 12_000.0 } else { 50.0 }),
        files: vec![("postgresql.log", StampStyle::Postgres), ("syslog", StampStyle::Syslog)],
        lines: vec![
            every("syslog", at(d, 8, 30, 1), at(d, 13, 0, 0), 600, "{t} db1 CRON[{n}]: (postgres) CMD (/usr/lib/postgresql/14/bin/vacuumdb --analyze-only shop > /dev/null)"),
            once("syslog", cron, "{t} db1 CRON[31337]: (shop) CMD (/opt/shop/bin/migrate-orders --batch 500000)"),
            once("postgresql.log", at(d, 9, 58, 3), "{t} [31340] LOG:  statement: ALTER TABLE orders ADD COLUMN fulfilment_state text;"),
            every("postgresql.log", at(d, 8, 30, 4), at(d, 13, 0, 0), 120, "{t} [2211] LOG:  checkpoint complete: wrote 812 buffers (5.0%)"),
            every(
                "postgresql.log",
                at(d, 9, 59, 30),
                kill,
                9,
                "{t} [4410] LOG:  duration: 18450.120 ms  statement: SELECT o.id, o.state FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = 4711",
            ),
            every(
                "postgresql.log",
                at(d, 10, 0, 10),
                kill,
                20,
                "{t} [4412] LOG:  process 4412 still waiting for RowExclusiveLock on relation 16402 of database 16384 after 1000.104 ms",
            ),
            once("syslog", at(d, 11, 29, 50), "{t} db1 sudo:    dba : TTY=pts/2 ; PWD=/home/dba ; USER=root ; COMMAND=/usr/bin/pkill -f migrate-orders"),
            once("postgresql.log", at(d, 11, 29, 51), "{t} [31340] FATAL:  terminating connection due to administrator command"),
        ],
        truth: Some(((start, end), ("cron_job", cron), "slow_query")),
    }
}

/// Seed 004: traffic triples from 13:50; from 14:00 slow queries pile up, pages slow
/// down and many requests fail; an index added at 15:15 ends it by 15:30.
fn traffic_surge() -> Scenario {
    let d = (2024, 3, 14);
    let (surge, start, index, end) = (at(d, 13, 50, 0), at(d, 14, 0, 0), at(d, 15, 15, 0), at(d, 15, 30, 0));
    Scenario {
        name: "traffic-surge",
        zone: chrono_tz::Africa::Maputo,
        from: at(d, 12, 30, 0),
        to: at(d, 16, 30, 0),
        web: WebFormat::CombinedWithTime,
        endpoints: shop_endpoints(),
        requests_per_minute: 12.0,
        clients: 1300,
        traffic: Box::new(move |t| if between(t, surge, end) { 3.2 } else { 1.0 }),
        failure: Box::new(move |t, path| match () {
            _ if path.starts_with("/static") => 0.0,
            _ if between(t, start, index) => 0.45,
            _ if between(t, index, end) => fade(t, index, end, 0.3, 0.01),
            _ => 0.002,
        }),
        latency_ms: Box::new(move |t, _| if between(t, start, end) { 9_000.0 } else { 80.0 }),
        files: vec![("mysql-slow.log", StampStyle::MysqlShort), ("mysql-general.log", StampStyle::MysqlUtc)],
        lines: vec![
            every(
                "mysql-slow.log",
                at(d, 13, 59, 40),
                index,
                12,
                "# Time: {t}\n# User@Host: shop[shop] @ web1 [10.0.0.20]  Id: {n}\n# Query_time: 14.120334  Lock_time: 0.000211 Rows_sent: 20  Rows_examined: 1840233\nSELECT p.* FROM products p WHERE p.title LIKE '%lamp%' ORDER BY p.popularity DESC LIMIT 20;",
            ),
            every("mysql-general.log", at(d, 12, 30, 5), at(d, 16, 30, 0), 60, "{t}\t   41 Query\tSELECT COUNT(*) FROM sessions"),
            once("mysql-general.log", at(d, 15, 14, 58), "{t}\t   77 Query\tALTER TABLE products ADD FULLTEXT INDEX products_title_ft (title)"),
        ],
        truth: Some(((start, end), ("traffic_surge", surge), "slow_query")),
    }
}

/// Behind HAProxy, a Black Friday campaign brings three and a half times the traffic
/// from 10:55; from 11:03
/// php-fpm's pool keeps hitting pm.max_children, requests queue and many fail with 503
/// and 504 from 11:05; HAProxy takes a server out at 11:21; at 11:52 an administrator
/// restarts php-fpm with more workers and the errors are gone by 12:05. No line of it
/// was written with this tool's rules in mind: HAProxy's syslog lines and php-fpm's
/// warnings as those programs print them.
fn fpm_saturation() -> Scenario {
    let d = (2024, 11, 29);
    let (surge, full, start, restart, end) = (
        at(d, 10, 55, 0),
        at(d, 11, 3, 12),
        at(d, 11, 5, 0),
        at(d, 11, 52, 0),
        at(d, 12, 5, 0),
    );
    Scenario {
        name: "fpm-saturation",
        zone: chrono_tz::Europe::Berlin,
        from: at(d, 9, 30, 0),
        to: at(d, 13, 0, 0),
        web: WebFormat::Haproxy,
        endpoints: shop_endpoints(),
        requests_per_minute: 14.0,
        clients: 900,
        traffic: Box::new(move |t| if between(t, surge, end) { 3.5 } else { 1.0 }),
        failure: Box::new(move |t, path| match () {
            _ if path.starts_with("/static") => 0.0,
            _ if between(t, start, restart) => 0.4,
            _ if between(t, restart, end) => fade(t, restart, end, 0.25, 0.01),
            _ => 0.002,
        }),
        latency_ms: Box::new(move |t, _| if between(t, start, restart) { 15_000.0 } else { 90.0 }),
        files: vec![("php-fpm.log", StampStyle::Fpm), ("syslog", StampStyle::Syslog)],
        lines: vec![
            every("php-fpm.log", at(d, 9, 31, 7), at(d, 13, 0, 0), 900, "{t} NOTICE: [pool www] child {n} started"),
            every(
                "php-fpm.log",
                full,
                restart,
                40,
                "{t} WARNING: [pool www] server reached pm.max_children setting (32), consider raising it",
            ),
            every("syslog", at(d, 9, 35, 1), at(d, 13, 0, 0), 600, "{t} web1 CRON[{n}]: (root) CMD (/usr/lib/php/sessionclean)"),
            once(
                "syslog",
                at(d, 11, 21, 40),
                "{t} lb1 haproxy[2211]: Server bk_php/web2 is DOWN, reason: Layer7 timeout, check duration: 2001ms. 1 active and 0 backup servers left. 61 sessions active, 0 requeued, 0 remaining in queue.",
            ),
            once(
                "syslog",
                at(d, 11, 51, 30),
                "{t} web1 sudo:    ops : TTY=pts/1 ; PWD=/etc/php/8.2/fpm/pool.d ; USER=root ; COMMAND=/usr/bin/systemctl restart php8.2-fpm",
            ),
            once("syslog", at(d, 11, 51, 31), "{t} web1 systemd[1]: Stopped The PHP 8.2 FastCGI Process Manager."),
            once("syslog", at(d, 11, 51, 32), "{t} web1 systemd[1]: Started The PHP 8.2 FastCGI Process Manager."),
            once(
                "syslog",
                at(d, 11, 52, 40),
                "{t} lb1 haproxy[2211]: Server bk_php/web2 is UP, reason: Layer7 check passed, code: 200, check duration: 12ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
            ),
        ],
        truth: Some(((start, end), ("traffic_surge", surge), "resource_exhaustion")),
    }
}

/// A normal day: steady traffic, the usual cron jobs and slow queries, nothing wrong.
fn quiet_day() -> Scenario {
    let d = (2024, 2, 6);
    Scenario {
        name: "quiet-day",
        zone: chrono_tz::Europe::Paris,
        from: at(d, 8, 0, 0),
        to: at(d, 14, 0, 0),
        web: WebFormat::CombinedWithTime,
        endpoints: shop_endpoints(),
        requests_per_minute: 12.0,
        clients: 600,
        traffic: Box::new(|_| 1.0),
        failure: Box::new(|_, _| 0.003),
        latency_ms: Box::new(|_, _| 45.0),
        files: vec![
            ("app.log", StampStyle::Python),
            ("syslog", StampStyle::Syslog),
            ("postgresql.log", StampStyle::Postgres),
        ],
        lines: vec![
            every(
                "app.log",
                at(d, 8, 0, 7),
                at(d, 14, 0, 0),
                40,
                "{t} INFO shop.orders: order {n} paid",
            ),
            every(
                "app.log",
                at(d, 9, 12, 0),
                at(d, 13, 0, 0),
                3600,
                "{t} ERROR shop.mail: could not send receipt {n}: SMTP 451 try again later",
            ),
            every(
                "syslog",
                at(d, 8, 17, 1),
                at(d, 14, 0, 0),
                3600,
                "{t} web1 CRON[{n}]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)",
            ),
            every(
                "postgresql.log",
                at(d, 8, 0, 30),
                at(d, 14, 0, 0),
                1800,
                "{t} [2211] LOG:  duration: 1520.440 ms  statement: SELECT * FROM report_daily_sales",
            ),
        ],
        truth: None,
    }
}
