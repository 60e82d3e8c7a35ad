//! Creating and removing the two namespaces with `ip` and `nft` (see [`crate::net_plan`]).
//!
//! Names are `tb<pid>x<n>s` (server) and `tb<pid>x<n>c` (client): unique per process and
//! per testbed, and a later run can tell from the pid whether the owner is gone
//! ([`remove_stale`]). A watchdog shell removes them when the owner dies or the lifetime ends.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::net_plan::{
    CLIENT_LINK_LOCAL, CLIENT_V4, CLIENT_V6, SERVER_LINK_LOCAL, SERVER_PREFIX_V4, SERVER_PREFIX_V6,
};
use crate::scenario::Scenario;
use crate::{firewall, sys};

/// Where `ip netns` keeps its names.
pub const NETNS_DIR: &str = "/run/netns";
/// Per-namespace files that `ip netns exec` mounts over `/etc`.
pub const ETC_NETNS_DIR: &str = "/etc/netns";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The names of one testbed's namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// Server namespace.
    pub server: String,
    /// Client namespace.
    pub client: String,
}

impl Names {
    /// Fresh names for this process.
    pub fn fresh() -> Names {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        Names {
            server: format!("tb{pid}x{n}s"),
            client: format!("tb{pid}x{n}c"),
        }
    }

    /// `/run/netns/<name>` of the server namespace.
    pub fn server_path(&self) -> PathBuf {
        Path::new(NETNS_DIR).join(&self.server)
    }

    /// `/run/netns/<name>` of the client namespace.
    pub fn client_path(&self) -> PathBuf {
        Path::new(NETNS_DIR).join(&self.client)
    }
}

/// Checks the tools and privileges the testbed needs.
pub fn preflight() -> Result<(), String> {
    if !sys::is_root() {
        return Err("the testbed needs root: run as root, or under \
                    `unshare --user --map-root-user --net --mount` (the `testbed` CLI does that itself)"
            .to_string());
    }
    for tool in ["ip", "nft"] {
        if run(Command::new(tool).arg("-V"), "").is_err() {
            return Err(format!(
                "`{tool}` is missing: run tests/testbed/scripts/install-deps.sh"
            ));
        }
    }
    Ok(())
}

/// Creates and configures both namespaces; on error, removes whatever was made.
pub fn create(names: &Names, scenario: &Scenario) -> Result<(), String> {
    let result = create_inner(names, scenario);
    if result.is_err() {
        remove(names);
    }
    result
}

fn create_inner(names: &Names, scenario: &Scenario) -> Result<(), String> {
    run(Command::new("ip").args(["netns", "add", &names.server]), "")?;
    run(Command::new("ip").args(["netns", "add", &names.client]), "")?;
    for path in [names.server_path(), names.client_path()] {
        no_dad(&path)?;
    }
    run(
        Command::new("ip")
            .args([
                "link",
                "add",
                "eth0",
                "netns",
                &names.server,
                "type",
                "veth",
            ])
            .args(["peer", "name", "eth0", "netns", &names.client]),
        "",
    )?;
    run(
        Command::new("ip").args(["-n", &names.server, "-batch", "-"]),
        &server_batch(scenario),
    )?;
    run(
        Command::new("ip").args(["-n", &names.client, "-batch", "-"]),
        &client_batch(),
    )?;
    run(
        Command::new("ip").args(["netns", "exec", &names.server, "nft", "-f", "-"]),
        &firewall::ruleset(scenario),
    )?;
    write_resolv_conf(names, scenario);
    Ok(())
}

/// Turns off duplicate address detection in a namespace (addresses usable at once).
fn no_dad(path: &Path) -> Result<(), String> {
    let path = path.to_path_buf();
    let job = std::thread::spawn(move || -> std::io::Result<()> {
        sys::enter_netns(&path)?;
        for conf in ["all", "default"] {
            std::fs::write(format!("/proc/sys/net/ipv6/conf/{conf}/accept_dad"), "0")?;
        }
        Ok(())
    });
    match job.join() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("accept_dad: {e}")),
        Err(_) => Err("accept_dad: thread panicked".to_string()),
    }
}

fn server_batch(scenario: &Scenario) -> String {
    let mut lines = vec![
        "link set lo up".to_string(),
        "link set eth0 up".to_string(),
        format!("addr add {SERVER_LINK_LOCAL}/64 dev eth0 nodad"),
        format!("route add local {SERVER_PREFIX_V4} dev lo"),
        format!("route add local {SERVER_PREFIX_V6} dev lo"),
        format!("route add {CLIENT_V4}/32 dev eth0"),
        format!("route add {CLIENT_V6}/128 dev eth0"),
    ];
    let mut v6: Vec<IpAddr> = scenario.sockets().map(|(a, _, _)| a).collect();
    v6.extend(scenario.dns.addresses.iter().copied());
    v6.retain(IpAddr::is_ipv6);
    v6.sort();
    v6.dedup();
    lines.extend(v6.iter().map(|a| format!("addr add {a}/128 dev lo nodad")));
    lines.join("\n") + "\n"
}

fn client_batch() -> String {
    [
        "link set lo up".to_string(),
        "link set eth0 up".to_string(),
        format!("addr add {CLIENT_V4}/32 dev eth0"),
        format!("addr add {CLIENT_V6}/128 dev eth0 nodad"),
        format!("addr add {CLIENT_LINK_LOCAL}/64 dev eth0 nodad"),
        format!("route add {SERVER_PREFIX_V4} dev eth0 src {CLIENT_V4}"),
        format!("route add {SERVER_PREFIX_V6} via {SERVER_LINK_LOCAL} dev eth0 src {CLIENT_V6}"),
    ]
    .join("\n")
        + "\n"
}

/// `/etc/netns/<client>/resolv.conf` pointing at the test DNS server, so that commands run
/// with `ip netns exec` (curl, getent) resolve through it. Best effort: unwritable `/etc`
/// (rootless mode) only loses this convenience.
fn write_resolv_conf(names: &Names, scenario: &Scenario) {
    let dir = Path::new(ETC_NETNS_DIR).join(&names.client);
    let mut text: String = scenario
        .dns
        .addresses
        .iter()
        .map(|a| format!("nameserver {a}\n"))
        .collect();
    text.push_str("options timeout:1 attempts:1\n");
    let _ =
        std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join("resolv.conf"), text));
}

/// Removes both namespaces and the client's `/etc/netns` folder (errors ignored: best effort).
pub fn remove(names: &Names) {
    for name in [&names.server, &names.client] {
        if Path::new(NETNS_DIR).join(name).exists() {
            let _ = run(Command::new("ip").args(["netns", "del", name]), "");
        }
    }
    let _ = std::fs::remove_dir_all(Path::new(ETC_NETNS_DIR).join(&names.client));
}

/// Removes testbed namespaces whose owning process is gone; returns their names.
pub fn remove_stale() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(NETNS_DIR) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten().take(10_000) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        if sys::process_alive(pid) {
            continue;
        }
        let _ = run(Command::new("ip").args(["netns", "del", &name]), "");
        let _ = std::fs::remove_dir_all(Path::new(ETC_NETNS_DIR).join(&name));
        removed.push(name);
    }
    removed
}

/// The pid in a testbed namespace name `tb<pid>x<n>[sc]`.
pub fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("tb")?;
    let rest = rest.strip_suffix('s').or_else(|| rest.strip_suffix('c'))?;
    let (pid, n) = rest.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// Starts a detached shell that removes the namespaces when this process dies (or is a
/// zombie) or after `lifetime` (plus a grace of 5 s), whichever comes first. Kill it after
/// a normal teardown.
pub fn spawn_watchdog(names: &Names, lifetime: Duration) -> Result<Child, String> {
    let ticks = lifetime.as_millis().saturating_add(5_000) / 200;
    let script = format!(
        "alive() {{ st=$(cut -d' ' -f3 /proc/{pid}/stat 2>/dev/null) && [ \"$st\" != Z ]; }}; \
         i=0; while [ $i -lt {ticks} ] && alive; do sleep 0.2; i=$((i+1)); done; \
         ip netns del {s} 2>/dev/null; ip netns del {c} 2>/dev/null; rm -rf {etc}/{c}",
        pid = std::process::id(),
        s = names.server,
        c = names.client,
        etc = ETC_NETNS_DIR,
    );
    use std::os::unix::process::CommandExt;
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("watchdog: {e}"))
}

/// Runs a command with `input` on stdin; an error carries its stderr.
pub fn run(command: &mut Command, input: &str) -> Result<(), String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{shown}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{shown} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_pid_rows() {
        let rows: &[(&str, Option<u32>)] = &[
            ("tb123x0s", Some(123)),  // server
            ("tb123x45c", Some(123)), // client
            ("tb123x0", None),        // no role letter
            ("tbx0s", None),          // no pid
            ("tb12ax0s", None),       // not digits
            ("tb123x s", None),       // junk counter
            ("other", None),          // someone else's namespace
        ];
        for (name, want) in rows {
            assert_eq!(owner_pid(name), *want, "{name}");
        }
        let names = Names::fresh();
        assert_eq!(owner_pid(&names.server), Some(std::process::id()));
        assert_eq!(owner_pid(&names.client), Some(std::process::id()));
        assert!(names.server.len() <= 15 + 10);
        assert_ne!(Names::fresh(), names);
    }

    #[test]
    fn batches() {
        let s =
            Scenario::parse(r#"{"endpoints":[{"addresses":["2001:db8::10","198.51.100.10"]}]}"#)
                .unwrap();
        let server = server_batch(&s);
        assert!(server.contains("addr add 2001:db8::10/128 dev lo nodad\n"));
        assert!(server.contains("addr add 2001:db8::53/128 dev lo nodad\n"));
        assert!(!server.contains("198.51.100.10/"));
        assert!(client_batch()
            .contains("route add 2001:db8::/33 via fe80::1 dev eth0 src 2001:db8:ffff::254\n"));
    }
}
