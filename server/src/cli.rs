//! The command line (contract §3): `serve`, `import`, `demo`, plus `generate`, which
//! writes the benchmark's big fixture. Errors are one line on stderr and a non-zero
//! exit status; `serve` prints `listening on http://<addr>` as its first stdout line.

use crate::clock::Clock;
use crate::demo::{self, Generated, DEFAULT_INSTANCES, DEFAULT_SEED};
use crate::http::edge::EdgeConfig;
use crate::http::proxy::{Cidr, TrustedProxies};
use crate::http::{self, ServerConfig};
use crate::import::parse_fixture;
use crate::log::LogFormat;
use crate::store::postgres::{is_postgres_url, PgStore};
use crate::store::sqlite::SqliteStore;
use crate::store::{Ingest, Store};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The reference server of the Campaign Analytics API.
#[derive(Parser, Debug)]
#[command(name = "campaign-analytics-server", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of `serve`'s flags costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (and, with --static-dir, the dashboard).
    Serve(ServeArgs),
    /// Import a fixture file into a database, all or nothing.
    Import(ImportArgs),
    /// Fill an empty database with generated demo data and print its keys and campaigns.
    Demo(DemoArgs),
    /// Write a fixture of one partner and one campaign of N instances (load tests).
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on the first line).
    #[arg(
        long,
        default_value = "127.0.0.1:8080",
        env = "CAMPAIGN_ANALYTICS_ADDR"
    )]
    pub addr: SocketAddr,
    /// SQLite database file, :memory: for a private in-memory database, or a
    /// postgres:// URL (several servers on one PostgreSQL database are replicas).
    #[arg(
        long,
        default_value = "campaign-analytics.db",
        env = "CAMPAIGN_ANALYTICS_DB",
        hide_env_values = true
    )]
    pub db: String,
    /// With a postgres:// --db: the most database connections this process opens.
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1000), env = "CAMPAIGN_ANALYTICS_DB_POOL_SIZE")]
    pub db_pool_size: u64,
    /// Fixture to import before serving (repeatable). Records already stored
    /// identically are skipped, so the same fixture can be given on every start.
    #[arg(
        long = "fixture",
        value_name = "FILE",
        env = "CAMPAIGN_ANALYTICS_FIXTURE"
    )]
    pub fixtures: Vec<PathBuf>,
    /// Fill an empty database with demo data; print the demo keys and campaign ids.
    #[arg(long, env = "CAMPAIGN_ANALYTICS_DEMO")]
    pub demo: bool,
    /// Seed of the demo data.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S", env = "CAMPAIGN_ANALYTICS_DEMO_SEED")]
    pub demo_seed: u64,
    /// Number of demo instances.
    #[arg(long, default_value_t = DEFAULT_INSTANCES, value_name = "N", env = "CAMPAIGN_ANALYTICS_DEMO_INSTANCES")]
    pub demo_instances: usize,
    /// Pin the clock (windows and meta.timestamp) to an RFC 3339 instant.
    #[arg(long, value_parser = parse_now, value_name = "RFC3339", env = "CAMPAIGN_ANALYTICS_NOW")]
    pub now: Option<Clock>,
    /// Requests per rolling hour per partner; 0 disables limiting.
    #[arg(
        long,
        default_value_t = 150,
        value_name = "N",
        env = "CAMPAIGN_ANALYTICS_RATE_LIMIT"
    )]
    pub rate_limit: u32,
    /// Requests per rolling hour per partner for custom_range; 0 disables limiting.
    #[arg(
        long,
        default_value_t = 300,
        value_name = "N",
        env = "CAMPAIGN_ANALYTICS_CUSTOM_RANGE_RATE_LIMIT"
    )]
    pub custom_range_rate_limit: u32,
    /// Failed authentications per client address (IPv6: per /64) per 10 minutes before
    /// unknown keys get 429 (a valid key is always served); 0 disables.
    #[arg(
        long,
        default_value_t = 30,
        value_name = "N",
        env = "CAMPAIGN_ANALYTICS_AUTH_FAILURE_LIMIT"
    )]
    pub auth_failure_limit: u32,
    /// Deadline of one query in milliseconds; a slower query is a 504.
    #[arg(long, default_value_t = 5000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..), env = "CAMPAIGN_ANALYTICS_QUERY_TIMEOUT_MS")]
    pub query_timeout_ms: u64,
    /// Directory of the built dashboard, served at / with index.html as SPA fallback.
    #[arg(long, value_name = "DIR", env = "CAMPAIGN_ANALYTICS_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT", env = "CAMPAIGN_ANALYTICS_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Log lines queued for the writer; past it (stderr's reader stalls) lines are
    /// dropped and counted, never waited for.
    #[arg(long, default_value_t = 8192, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000), env = "CAMPAIGN_ANALYTICS_LOG_QUEUE_LINES")]
    pub log_queue_lines: u64,
    /// Serve Prometheus metrics at /metrics on this address (and only there).
    #[arg(long, value_name = "ADDR", env = "CAMPAIGN_ANALYTICS_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// A proxy network whose X-Forwarded-For is believed (repeatable; comma-separated
    /// in the environment).
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        value_delimiter = ',',
        env = "CAMPAIGN_ANALYTICS_TRUSTED_PROXY"
    )]
    pub trusted_proxies: Vec<Cidr>,
    /// Connections served at once; more are answered 503 and closed.
    #[arg(long, default_value_t = 1024, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000), env = "CAMPAIGN_ANALYTICS_MAX_CONNECTIONS")]
    pub max_connections: u64,
    /// Milliseconds a connection has to send a whole request head.
    #[arg(long, default_value_t = 10_000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..), env = "CAMPAIGN_ANALYTICS_HEADER_TIMEOUT_MS")]
    pub header_timeout_ms: u64,
    /// Milliseconds a kept-alive connection may sit idle.
    #[arg(long, default_value_t = 60_000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..), env = "CAMPAIGN_ANALYTICS_IDLE_TIMEOUT_MS")]
    pub idle_timeout_ms: u64,
    /// Milliseconds requests in flight get to finish after SIGTERM; then everything
    /// still open is closed.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "MS",
        env = "CAMPAIGN_ANALYTICS_SHUTDOWN_GRACE_MS"
    )]
    pub shutdown_grace_ms: u64,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// SQLite database file (created if missing), or a postgres:// URL.
    #[arg(long, env = "CAMPAIGN_ANALYTICS_DB", hide_env_values = true)]
    pub db: String,
    /// The fixture file.
    #[arg(value_name = "FIXTURE.json")]
    pub fixture: PathBuf,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// SQLite database file or postgres:// URL; it must be empty (or new).
    #[arg(long, env = "CAMPAIGN_ANALYTICS_DB", hide_env_values = true)]
    pub db: String,
    /// Number of instances to generate.
    #[arg(long, default_value_t = DEFAULT_INSTANCES, value_name = "N", env = "CAMPAIGN_ANALYTICS_INSTANCES")]
    pub instances: usize,
    /// Seed: the same seed gives the same partners, keys and campaigns.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S", env = "CAMPAIGN_ANALYTICS_SEED")]
    pub seed: u64,
    /// The instant the 13 months of history end at (default: now).
    #[arg(long, value_parser = parse_now, value_name = "RFC3339", env = "CAMPAIGN_ANALYTICS_NOW")]
    pub now: Option<Clock>,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Number of instances of the one campaign.
    #[arg(long, value_name = "N", env = "CAMPAIGN_ANALYTICS_INSTANCES")]
    pub instances: usize,
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S", env = "CAMPAIGN_ANALYTICS_SEED")]
    pub seed: u64,
    /// The instant the 13 months of history end at (default: now).
    #[arg(long, value_parser = parse_now, value_name = "RFC3339", env = "CAMPAIGN_ANALYTICS_NOW")]
    pub now: Option<Clock>,
    /// Where to write the fixture.
    #[arg(long, value_name = "FILE", env = "CAMPAIGN_ANALYTICS_OUT")]
    pub out: PathBuf,
}

fn parse_now(text: &str) -> Result<Clock, String> {
    Clock::pinned_from_rfc3339(text)
}

/// The most instances `demo` and `generate` make in one go.
const MAX_GENERATED: usize = 20_000_000;

/// Runs the command line; the process exit status.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
                return ExitCode::from(2);
            }
            // One line: clap's message (with the names of missing arguments, which it puts
            // on the lines below), without its usage block.
            let text = e.render().to_string();
            let message: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:"))
                .filter(|line| !line.is_empty())
                .collect();
            let message = if message.is_empty() {
                "error: invalid arguments".to_owned()
            } else {
                message.join(" ")
            };
            eprintln!("{message} (see --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Import(args) => import(args),
        Command::Demo(args) => demo_command(args),
        Command::Generate(args) => generate(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_fixture(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads and checks a fixture file on its own, before any database is touched.
fn load_fixture(path: &PathBuf) -> Result<crate::records::ImportBatch, String> {
    let text = read_fixture(path)?;
    parse_fixture(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The database a `--db` names: an SQLite file (or `:memory:`), or PostgreSQL.
enum Db {
    Sqlite(SqliteStore),
    Postgres(Box<PgStore>),
}

impl Db {
    fn open(db: &str, pool_size: usize) -> Result<Db, String> {
        if is_postgres_url(db) {
            PgStore::open(db, pool_size)
                .map(|pg| Db::Postgres(Box::new(pg)))
                .map_err(|e| e.to_string())
        } else {
            SqliteStore::open(db)
                .map(Db::Sqlite)
                .map_err(|e| e.to_string())
        }
    }

    fn ingest(&self) -> &dyn Ingest {
        match self {
            Db::Sqlite(s) => s,
            Db::Postgres(p) => p.as_ref(),
        }
    }

    /// Instances per campaign, for the demo's messages.
    fn instance_counts(&self) -> Result<std::collections::HashMap<uuid::Uuid, usize>, String> {
        match self {
            Db::Sqlite(s) => {
                s.refresh().map_err(|e| e.to_string())?;
                Ok(s.instance_counts())
            }
            Db::Postgres(p) => p.instance_counts().map_err(|e| e.to_string()),
        }
    }
}

fn import_file(store: &dyn Ingest, path: &PathBuf) -> Result<crate::records::ImportStats, String> {
    let batch = load_fixture(path)?;
    store
        .import(&batch)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn import(args: ImportArgs) -> Result<(), String> {
    let started = Instant::now();
    // A missing or malformed file must not leave a new, empty database behind.
    let batch = load_fixture(&args.fixture)?;
    let checked = started.elapsed().as_secs_f64();
    let store = Db::open(&args.db, 1)?;
    let stats = store
        .ingest()
        .import(&batch)
        .map_err(|e| format!("{}: {e}", args.fixture.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "imported {} partners, {} campaigns, {} instances ({} records already present) in {:.2} s (the file read and checked in {:.2} s, the database written in {:.2} s): {:.0} instances/s",
        stats.partners,
        stats.campaigns,
        stats.instances,
        stats.unchanged,
        seconds,
        checked,
        seconds - checked,
        stats.instances as f64 / seconds.max(1e-9)
    );
    Ok(())
}

fn demo_command(args: DemoArgs) -> Result<(), String> {
    if args.instances > MAX_GENERATED {
        return Err(format!("--instances must be at most {MAX_GENERATED}"));
    }
    let db = Db::open(&args.db, 1)?;
    let store = db.ingest();
    if !store.is_empty().map_err(|e| e.to_string())? {
        return Err(format!(
            "{} is not empty: demo only fills an empty database",
            args.db
        ));
    }
    let now = args.now.unwrap_or(Clock::System).now();
    let data = demo::demo(args.seed, args.instances, now);
    store.import(&data.batch()).map_err(|e| e.to_string())?;
    print!("{}", data.describe(counter(&data)));
    Ok(())
}

fn counter(data: &Generated) -> impl Fn(uuid::Uuid) -> usize + '_ {
    move |id| {
        data.instances
            .iter()
            .filter(|r| r.campaign_id == id)
            .count()
    }
}

fn generate(args: GenerateArgs) -> Result<(), String> {
    if args.instances > MAX_GENERATED {
        return Err(format!("--instances must be at most {MAX_GENERATED}"));
    }
    let now = args.now.unwrap_or(Clock::System).now();
    let data = demo::single_campaign(args.seed, args.instances, now);
    let file = std::fs::File::create(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    data.write_fixture(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let (partner, campaign) = (&data.partners[0], &data.campaigns[0]);
    println!("key {}", partner.key);
    println!("campaign {}", campaign.id);
    Ok(())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let logging = crate::log::init(args.log_format, args.log_queue_lines as usize);
    let clock = args.now.unwrap_or(Clock::System);
    let db = Db::open(&args.db, usize::try_from(args.db_pool_size).unwrap_or(16))?;
    let store = db.ingest();
    for path in &args.fixtures {
        let stats = import_file(store, path)?;
        tracing::info!(
            "imported {}: {} partners, {} campaigns, {} instances, {} already present",
            path.display(),
            stats.partners,
            stats.campaigns,
            stats.instances,
            stats.unchanged
        );
    }
    let mut demo_text = None;
    let mut demo_directory = None;
    if args.demo {
        if args.demo_instances > MAX_GENERATED {
            return Err(format!("--demo-instances must be at most {MAX_GENERATED}"));
        }
        let now = clock.now();
        if store.is_empty().map_err(|e| e.to_string())? {
            let data = demo::demo(args.demo_seed, args.demo_instances, now);
            store.import(&data.batch()).map_err(|e| e.to_string())?;
            demo_text = Some(data.describe(counter(&data)));
            demo_directory = Some(data.directory());
        } else {
            // The identities depend on the seed only: print them if they are there.
            let data = demo::demo(args.demo_seed, 0, now);
            let counts = db.instance_counts()?;
            demo_text = Some(
                if data.campaigns.iter().all(|c| counts.contains_key(&c.id)) {
                    demo_directory = Some(data.directory());
                    data.describe(|id| counts.get(&id).copied().unwrap_or(0))
                } else {
                    "the database is not empty and holds no demo data of this seed: no demo data added\n".to_owned()
                },
            );
        }
    }
    let db = match db {
        Db::Sqlite(sqlite) => {
            sqlite.refresh().map_err(|e| e.to_string())?;
            Db::Sqlite(sqlite)
        }
        postgres => postgres,
    };

    let mut config = ServerConfig {
        clock,
        rate_limit: args.rate_limit,
        custom_range_rate_limit: args.custom_range_rate_limit,
        auth_failure_limit: args.auth_failure_limit,
        query_deadline: Duration::from_millis(args.query_timeout_ms),
        static_dir: args.static_dir.clone(),
        edges: EdgeConfig {
            header_timeout: Duration::from_millis(args.header_timeout_ms),
            idle_timeout: Duration::from_millis(args.idle_timeout_ms),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_millis(args.shutdown_grace_ms),
        },
        trusted_proxies: TrustedProxies(args.trusted_proxies.clone()),
        demo: demo_directory.map(Arc::new),
        ..ServerConfig::default()
    };
    if let Some(dir) = &args.static_dir {
        if !dir.join("index.html").is_file() {
            return Err(format!(
                "--static-dir {}: no index.html there",
                dir.display()
            ));
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let edges = config.edges;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        let metrics_listener = match args.metrics_addr {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| format!("cannot listen on {addr} (--metrics-addr): {e}"))?,
            ),
            None => None,
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on http://{bound}");
        if let Some(metrics) = &metrics_listener {
            let at = metrics.local_addr().map_err(|e| e.to_string())?;
            let _ = writeln!(stdout, "metrics on http://{at}/metrics");
        }
        if let Some(text) = demo_text {
            let _ = write!(stdout, "{text}");
        }
        let _ = stdout.flush();
        drop(stdout);

        let mut pool_gauges = None;
        let store: Arc<dyn Store> = match db {
            Db::Sqlite(sqlite) => {
                let sqlite = Arc::new(sqlite);
                spawn_refresher(Arc::clone(&sqlite));
                sqlite
            }
            Db::Postgres(pg) => {
                let pg: Arc<PgStore> = Arc::from(pg);
                config.limiter = Some(Arc::new(pg.limiter()));
                pool_gauges = Some(Arc::new(pg.pool_gauges()));
                tokio::spawn(poll_postgres(Arc::clone(&pg)));
                pg
            }
        };
        let app = http::app(store, config);
        let metrics = app.metrics();
        if let Some(gauges) = pool_gauges {
            metrics.register(gauges);
        }
        metrics.set_dropped_log_lines(logging.dropped_counter());
        tokio::spawn(report_dropped_lines(logging.dropped_counter()));

        // One signal, seen by both listeners.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        });
        let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let metrics_server = metrics_listener.map(|listener| {
            tokio::spawn(http::serve_metrics(
                listener,
                metrics,
                edges,
                until_stopped(stopped.clone()),
            ))
        });
        app.serve(listener, until_stopped(stopped))
            .await
            .map_err(|e| format!("server error: {e}"))?;
        if let Some(server) = metrics_server {
            let _ = server.await;
        }
        tracing::info!("shut down");
        Ok(())
    })
}

/// Says now and then how many log lines were dropped (the same count as the metrics):
/// a stalled log's reader loses lines, and whoever reads the log later learns so.
async fn report_dropped_lines(dropped: impl Fn() -> u64) {
    let mut reported = 0;
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        let now = dropped();
        if now > reported {
            tracing::warn!(
                "{} log lines dropped in the last minute ({now} in all): the log's reader is not keeping up",
                now - reported
            );
            reported = now;
        }
    }
}

/// Picks up imports made by other processes into the served database.
fn spawn_refresher(store: Arc<SqliteStore>) {
    let spawned = std::thread::Builder::new()
        .name("refresh".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            match store.refresh() {
                Ok(true) => tracing::info!("the database changed: read model reloaded"),
                Ok(false) => {}
                Err(e) => tracing::error!("cannot reload the read model: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the refresher: {e}");
    }
}

/// Keeps a PostgreSQL replica current: every second, drops cached rollups when any
/// process imported (so an import is served by every replica within about a second);
/// every minute, deletes rate-limit events older than any window.
async fn poll_postgres(store: Arc<PgStore>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let mut ticks: u64 = 0;
    let mut failing = false;
    loop {
        every.tick().await;
        ticks += 1;
        match store.refresh().await {
            Ok(changed) => {
                if changed {
                    tracing::debug!("the database changed: cached rollups dropped");
                }
                if failing {
                    tracing::info!("the database answers again");
                }
                failing = false;
            }
            Err(e) => {
                // Once per outage, not every second.
                if !failing {
                    tracing::error!("cannot poll the database: {e}");
                }
                failing = true;
            }
        }
        if ticks.is_multiple_of(60) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if let Err(e) = store.prune_rate_events(now, 3600).await {
                tracing::warn!("cannot prune rate-limit events: {e}");
            }
        }
    }
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
