//! One file a log family, each a unit type implementing [`super::Family`]. The registry
//! that names them all is in [`super`] (`families!`): adding a family is its file here
//! and one line there.

pub mod access_log;
pub mod apache_error;
pub mod aws_elb;
pub mod envoy;
pub mod glog;
pub mod haproxy_http;
pub mod json_access;
pub mod json_lines;
pub mod laravel;
pub mod librdkafka;
pub mod log4j_short;
pub mod logback;
pub mod month_first;
pub mod mysql_error;
pub mod mysql_general;
pub mod mysql_slow;
pub mod nginx_error;
pub mod pgbouncer;
pub mod postgres;
pub mod postgres_syslog;
pub mod prefixed;
pub mod python;
pub mod rails;
pub mod s3_access;
pub mod syslog;
pub mod tagged_syslog;
pub mod timestamped;
pub mod unknown;
pub mod uwsgi;
pub mod w3c;
