//! A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` from
//! `/usr/lib/postgresql/<version>/bin`, run as the `postgres` system user (PostgreSQL
//! refuses to run as root), on a free port of 127.0.0.1, its data and socket in a
//! temporary directory that is removed when the cluster stops.
//!
//! Tests of one binary share a cluster (each gets a database of its own) while any of
//! them holds a [`Database`]; the last one to let go stops it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A running cluster; stopped and deleted when dropped.
pub struct Cluster {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
}

fn pg_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|_| {
            panic!(
                "PostgreSQL is not installed ({} is missing): run scripts/setup.sh",
                root.display()
            )
        })
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .expect("no /usr/lib/postgresql/<version>/bin/initdb: run scripts/setup.sh")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Cluster {
    /// Initializes and starts a new cluster.
    pub fn start() -> Cluster {
        let user = whoami();
        let as_postgres = match user.as_str() {
            "root" => true,
            "postgres" => false,
            other => panic!(
                "the PostgreSQL tests start a cluster as the postgres system user, which needs root (running as {other})"
            ),
        };
        let dir = tempfile::Builder::new()
            .prefix("ca-pg-")
            .tempdir()
            .expect("a temporary directory");
        let cluster = Cluster {
            port: free_port(),
            dir,
            bin: pg_bin(),
            as_postgres,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(cluster.dir.path())
                .status()
                .expect("chown runs");
            assert!(
                status.success(),
                "cannot hand the cluster's directory to postgres"
            );
        }
        let data = cluster.data();
        let out = cluster.pg(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.start_server();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"))
    }

    /// Starts (or restarts) the server on the cluster's port.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        let out = self.pg(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server at once (connections are cut), keeping the data.
    pub fn stop_server(&self) {
        let _ = self.pg(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// A URL for database `name` of this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name`.
    pub fn create_database(&self, name: &str) {
        let out = Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url("postgres"))
            .arg("-c")
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "CREATE DATABASE failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop_server();
        // The temporary directory goes with `dir`.
    }
}

/// The shared cluster and how many databases on it are in use.
static SHARED: Mutex<(usize, Option<Arc<Cluster>>)> = Mutex::new((0, None));
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A fresh database on the shared cluster, for one test.
pub struct Database {
    pub url: String,
    cluster: Arc<Cluster>,
}

impl Database {
    pub fn create() -> Database {
        let cluster = {
            let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
            shared.0 += 1;
            match &shared.1 {
                Some(c) => Arc::clone(c),
                None => {
                    let c = Arc::new(Cluster::start());
                    shared.1 = Some(Arc::clone(&c));
                    c
                }
            }
        };
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        cluster.create_database(&name);
        Database {
            url: cluster.url(&name),
            cluster,
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        shared.0 -= 1;
        if shared.0 == 0 {
            // The last user stops the cluster (when its last `Arc` goes).
            shared.1 = None;
        }
    }
}
