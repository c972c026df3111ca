//! Names a person knows for the files container runtimes write. Docker keeps a
//! container's log as `containers/<64-hex id>/<id>-json.log`, Kubernetes as
//! `pods/<namespace>_<pod>_<uid>/<container>/<restart>.log` and links it as
//! `containers/<pod>_<namespace>_<container>-<id>.log`: in a citation, a title or the
//! Sources table, a 64-hex id or a 100-character path says nothing. The runtime's own
//! metadata names them: Docker's `config.v2.json` beside the log gives the container's
//! name (`shop-web-1`, as `docker ps` shows it; without it, the short id `docker ps`
//! shows), and the pod paths hold the namespace, pod and container.
//!
//! The name replaces the file's shown path, in the same directory as the runtime's
//! directory (`…/containers/shop-web-1.log`, `…/pods/shop/web-7d9f.nginx.log`), keeping
//! what followed the runtime's name of the file (`.1`, `.2.gz`): rotated files stay one
//! source, and compression is still told by the name. Where the file really is stays in
//! the Sources table.

use std::path::Path;

/// A container's `config.v2.json` larger than this is not read: it is a few KiB.
const CONFIG_MAX_BYTES: u64 = 1 << 20;

/// Docker's short id: the first 12 hex digits, as `docker ps` shows it.
const SHORT_ID: usize = 12;

fn is_hex_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `display` without its last `n` components, with the separator kept: the directory the
/// runtime's directories are in (`/var/lib/docker/containers/`); empty when `display`
/// has just `n`.
fn up(display: &str, n: usize) -> Option<&str> {
    let mut end = display.len();
    for taken in 1..=n {
        match display[..end].rfind('/') {
            Some(at) => end = at,
            None if taken == n => return Some(""),
            None => return None,
        }
    }
    Some(&display[..end + 1])
}

/// The name a person knows for the file shown as `display` (found at `path`), when a
/// container runtime wrote it; `None` for any other file.
pub fn readable(display: &str, path: &Path) -> Option<String> {
    docker(display, path).or_else(|| pod(display)).or_else(|| linked_pod(display))
}

/// Whether `path` is a file Docker keeps beside a container's log (`config.v2.json`,
/// `hostconfig.json`, `hosts`, `resolv.conf`…, in the directory named by the container's
/// id): the runtime's metadata, not a log.
pub fn is_runtime_metadata(path: &Path) -> bool {
    let (Some(file), Some(dir)) = (
        path.file_name().and_then(|f| f.to_str()),
        path.parent().and_then(|d| d.file_name()).and_then(|d| d.to_str()),
    ) else {
        return false;
    };
    is_hex_id(dir) && !file.starts_with(&format!("{dir}-json.log"))
}

/// `…/containers/<id>/<id>-json.log<rest>` → `…/containers/<name>.log<rest>`.
fn docker(display: &str, path: &Path) -> Option<String> {
    let file = display.rsplit('/').next()?;
    let (id, rest) = file.split_once("-json.log")?;
    let dir = display.rsplit('/').nth(1)?;
    if !is_hex_id(id) || dir != id {
        return None;
    }
    let name = path
        .parent()
        .and_then(|dir| container_name(&dir.join("config.v2.json")))
        .unwrap_or_else(|| id[..SHORT_ID].to_string());
    Some(format!("{}{name}.log{rest}", up(display, 2)?))
}

/// The container's name from its `config.v2.json` (`"Name": "/shop-web-1"`), when it is
/// there, readable and sane as a file name.
fn container_name(config: &Path) -> Option<String> {
    let meta = std::fs::metadata(config).ok()?;
    if !meta.is_file() || meta.len() > CONFIG_MAX_BYTES {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(config).ok()?).ok()?;
    let name = value.get("Name")?.as_str()?.trim_start_matches('/');
    sane(name).then(|| name.to_string())
}

/// Whether a name from metadata can stand as a file name in a citation: Docker's own
/// rule for names (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), and not too long.
fn sane(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A Kubernetes pod's uid: 36 characters of hex and dashes.
fn is_uid(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// `…/pods/<ns>_<pod>_<uid>/<container>/<n>.log<rest>` → `…/pods/<ns>/<pod>.<container>.log<rest>`,
/// with `-<n>` after the container for a restart other than the first.
fn pod(display: &str) -> Option<String> {
    let mut parts = display.rsplit('/');
    let (file, container, pod_dir) = (parts.next()?, parts.next()?, parts.next()?);
    let (restart, rest) = file.split_once(".log")?;
    if restart.is_empty() || !restart.bytes().all(|b| b.is_ascii_digit()) || !sane(container) {
        return None;
    }
    let mut fields = pod_dir.splitn(3, '_');
    let (namespace, pod, uid) = (fields.next()?, fields.next()?, fields.next()?);
    if !is_uid(uid) || !sane(namespace) || !sane(pod) {
        return None;
    }
    let restart = if restart == "0" { String::new() } else { format!("-{restart}") };
    Some(format!("{}{namespace}/{pod}.{container}{restart}.log{rest}", up(display, 3)?))
}

/// `…/containers/<pod>_<ns>_<container>-<id>.log<rest>` (the kubelet's links) →
/// `…/containers/<ns>/<pod>.<container>.log<rest>`.
fn linked_pod(display: &str) -> Option<String> {
    let file = display.rsplit('/').next()?;
    let (stem, rest) = file.split_once(".log")?;
    let (names, id) = stem.rsplit_once('-')?;
    if !is_hex_id(id) {
        return None;
    }
    let mut fields = names.splitn(3, '_');
    let (pod, namespace, container) = (fields.next()?, fields.next()?, fields.next()?);
    if !sane(pod) || !sane(namespace) || !sane(container) {
        return None;
    }
    Some(format!("{}{namespace}/{pod}.{container}.log{rest}", up(display, 1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f9c2a1be0d44c6b9a7e5f10c2d3b4a59687a1b2c3d4e5f60718293a4b5c6d7e";

    #[test]
    fn a_docker_log_is_named_by_its_config_or_its_short_id() {
        let dir = tempfile::tempdir().unwrap();
        let container = dir.path().join("containers").join(ID);
        std::fs::create_dir_all(&container).unwrap();
        let log = container.join(format!("{ID}-json.log"));
        let display = format!("logs/containers/{ID}/{ID}-json.log");
        // No config beside it: the short id.
        assert_eq!(readable(&display, &log).as_deref(), Some("logs/containers/3f9c2a1be0d4.log"));
        std::fs::write(
            container.join("config.v2.json"),
            r#"{"ID":"3f9c","Name":"/shop-web-1","Config":{"Labels":{"com.docker.compose.service":"web"}}}"#,
        )
        .unwrap();
        assert_eq!(readable(&display, &log).as_deref(), Some("logs/containers/shop-web-1.log"));
        // A rotated, compressed file keeps what followed.
        assert_eq!(
            readable(&format!("{display}.2.gz"), &log).as_deref(),
            Some("logs/containers/shop-web-1.log.2.gz")
        );
    }

    #[test]
    fn a_hostile_config_gives_the_short_id() {
        let dir = tempfile::tempdir().unwrap();
        let container = dir.path().join(ID);
        std::fs::create_dir_all(&container).unwrap();
        let log = container.join(format!("{ID}-json.log"));
        let display = format!("{ID}/{ID}-json.log");
        for config in [
            r#"{"Name":"/../../etc/passwd"}"#.to_string(),
            r#"{"Name":"/a name with spaces"}"#.to_string(),
            r#"{"Name":42}"#.to_string(),
            "{\"Name\":\"/shop".to_string(),
            format!(r#"{{"Name":"/{}"}}"#, "x".repeat(500)),
            "[".repeat(100_000),
        ] {
            std::fs::write(container.join("config.v2.json"), &config).unwrap();
            assert_eq!(
                readable(&display, &log).as_deref(),
                Some("3f9c2a1be0d4.log"),
                "{}",
                &config[..config.len().min(40)]
            );
        }
        // A pipe in its place is not waited on; a directory is not read.
        std::fs::remove_file(container.join("config.v2.json")).unwrap();
        let made = std::process::Command::new("mkfifo").arg(container.join("config.v2.json")).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(readable(&display, &log).as_deref(), Some("3f9c2a1be0d4.log"));
            std::fs::remove_file(container.join("config.v2.json")).unwrap();
        }
        std::fs::create_dir(container.join("config.v2.json")).unwrap();
        assert_eq!(readable(&display, &log).as_deref(), Some("3f9c2a1be0d4.log"));
    }

    #[test]
    fn a_pod_log_is_named_by_its_namespace_pod_and_container() {
        let path = Path::new("unused");
        assert_eq!(
            readable(
                "/var/log/pods/shop_web-7d9f8b-x2x1z_8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/nginx/0.log",
                path
            )
            .as_deref(),
            Some("/var/log/pods/shop/web-7d9f8b-x2x1z.nginx.log")
        );
        assert_eq!(
            readable(
                "pods/shop_web-7d9f8b-x2x1z_8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/nginx/3.log.gz",
                path
            )
            .as_deref(),
            Some("pods/shop/web-7d9f8b-x2x1z.nginx-3.log.gz")
        );
        assert_eq!(
            readable(&format!("/var/log/containers/web-7d9f8b-x2x1z_shop_nginx-{ID}.log"), path).as_deref(),
            Some("/var/log/containers/shop/web-7d9f8b-x2x1z.nginx.log")
        );
    }

    #[test]
    fn a_containers_metadata_is_no_log() {
        for file in ["config.v2.json", "hostconfig.json", "hosts", "resolv.conf", "hostname"] {
            assert!(is_runtime_metadata(&Path::new("containers").join(ID).join(file)), "{file}");
        }
        assert!(!is_runtime_metadata(
            &Path::new("containers").join(ID).join(format!("{ID}-json.log.1"))
        ));
        assert!(!is_runtime_metadata(Path::new("logs/config.v2.json")));
    }

    #[test]
    fn other_files_keep_their_names() {
        let path = Path::new("unused");
        for display in [
            "logs/access.log",
            "logs/containers/abc/abc-json.log",
            "pods/shop_web_notauid/nginx/0.log",
            "pods/shop_web-1_8e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7/nginx/current.log",
            "containers/web_shop_nginx-abc.log",
            &format!("{ID}-json.log"),
        ] {
            assert_eq!(readable(display, path), None, "{display}");
        }
    }
}
