//! The `infohus` binary: parses the command line (CONTRACT.md) and wires the store and the
//! web layer together. The only place that reads the system clock and environment.

mod demo;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use infohus_domain::municipality::PoliceDistrict;
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, Role, Username};
use infohus_store::{
    Checkpoint, ImportedInstrument, NewInfohus, Store, StoreError, StoreOptions, password, sqlite_url,
};
use infohus_web::{AppState, Config, SystemClock};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "infohus", version, about = "Case coordination for a Danish infohus")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Location {
    /// Folder holding the SQLite database and the keys.
    #[arg(long, default_value = "./infohus-data")]
    data_dir: PathBuf,
    /// Database URL: sqlite://FILE, or postgres://USER:PASSWORD@HOST:PORT/DB; overrides
    /// the database in --data-dir (the keys stay in DATA_DIR/keys unless --keys-dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Folder of the keys kept outside the database (default: DATA_DIR/keys, or beside
    /// the SQLite file of --database-url).
    #[arg(long, env = "INFOHUS_KEYS_DIR")]
    keys_dir: Option<PathBuf>,
    /// The master key that wraps every person's data key (default: KEYS_DIR/master.key).
    /// In production, keep it on separate storage and point here.
    #[arg(long, env = "INFOHUS_MASTER_KEY_FILE")]
    master_key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve {
        #[command(flatten)]
        location: Location,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Minutes of inactivity after which a session ends.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=720))]
        idle_timeout_minutes: u32,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Fill an empty database with demo data before serving.
        #[arg(long)]
        demo: bool,
        /// Send content-free meeting notices through this SMTP relay (`host:port`); off when absent.
        #[arg(long, requires_all = ["smtp_from", "public_url"])]
        smtp_relay: Option<String>,
        /// Sender address of the notices.
        #[arg(long)]
        smtp_from: Option<String>,
        /// The address users reach Infohus on, for the link in notices (e.g. https://infohus.kk.dk).
        #[arg(long)]
        public_url: Option<String>,
        /// Danish working days from receipt to the screening deadline.
        #[arg(long, default_value_t = infohus_domain::calendar::SCREENING_WORKING_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=60))]
        screening_working_days: u32,
    },
    /// Assessment instruments (versioned TOML or JSON files).
    Instrument {
        #[command(subcommand)]
        command: InstrumentCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage agencies.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// Manage the infohuse of a national installation.
    Infohus {
        #[command(subcommand)]
        command: InfohusCommand,
    },
    /// Fill an empty data dir with a synthetic infohus and print the demo logins.
    Demo {
        #[command(flatten)]
        location: Location,
        /// Seed for the generator: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        persons: u32,
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        referrals: u32,
    },
    /// Write the whole installation to a versioned, checksummed archive (sealed data stays
    /// sealed; the keys are not included and move separately).
    Export {
        #[command(flatten)]
        location: Location,
        /// The archive file to write (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Load an archive into an empty database of either kind (needs the archive's keys).
    Import {
        #[command(flatten)]
        location: Location,
        /// The archive file written by `infohus export`.
        file: PathBuf,
    },
    /// Create or migrate the database to this program's schema, then exit.
    Migrate {
        #[command(flatten)]
        location: Location,
    },
    /// The access log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        username: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        role: String,
        /// Name shown in the UI (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// The infohus's code (default: the first infohus, the only one of a fresh data dir).
        #[arg(long)]
        infohus: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Work e-mail address for content-free meeting notices (optional).
        #[arg(long)]
        email: Option<String>,
    },
    /// List users.
    List {
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Create an agency.
    Add {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// municipality, police, prison_probation, psychiatry or other.
        #[arg(long)]
        kind: String,
        /// The infohus's code (default: the first infohus, the only one of a fresh data dir).
        #[arg(long)]
        infohus: Option<String>,
    },
    /// List agencies.
    List {
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Subcommand)]
enum InfohusCommand {
    /// Create an infohus serving a police district, or the national unit (--national).
    Add {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// e.g. koebenhavn, nordjylland (see `infohus infohus districts`).
        #[arg(long, conflicts_with = "national")]
        police_district: Option<String>,
        /// The national unit (the hotline): its referrals are routed to the infohus of the
        /// subject's municipality.
        #[arg(long)]
        national: bool,
    },
    /// List the infohuse.
    List {
        #[command(flatten)]
        location: Location,
    },
    /// List the police districts and their codes.
    Districts,
}

#[derive(Subcommand)]
enum InstrumentCommand {
    /// Validate an instrument file (.toml or .json) and load it; every problem is listed
    /// with where it is. Nothing is loaded unless the whole file is valid.
    Import {
        #[command(flatten)]
        location: Location,
        /// The instrument file.
        file: PathBuf,
        /// Only validate; do not load.
        #[arg(long)]
        check: bool,
    },
    /// The loaded instruments and their versions.
    List {
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the access log's hash chain: exit 0 intact, 1 tampered, 2 cannot check.
    Verify {
        #[command(flatten)]
        location: Location,
        /// A file written from `infohus audit checkpoint`: also catches a truncated tail.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Print the head of the access log (sequence and hash) to keep outside the database.
    Checkpoint {
        #[command(flatten)]
        location: Location,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INFOHUS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

impl Location {
    fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| sqlite_url(&self.data_dir))
    }

    fn keys_dir(&self) -> PathBuf {
        if let Some(dir) = &self.keys_dir {
            return dir.clone();
        }
        match self.database_url.as_deref().and_then(sqlite_file) {
            Some(file) => file.parent().unwrap_or(Path::new(".")).join("keys"),
            None => self.data_dir.join("keys"),
        }
    }

    /// Opens (creating and migrating when needed) the database.
    async fn open(&self, clock: &dyn Clock) -> Result<Store> {
        if self.database_url.is_none() {
            std::fs::create_dir_all(&self.data_dir)
                .with_context(|| format!("cannot create the data dir {}", self.data_dir.display()))?;
        }
        let options = StoreOptions { master_key_file: self.master_key_file.clone(), ..StoreOptions::default() };
        Store::open_with(&self.database_url(), &self.keys_dir(), clock.now(), options)
            .await
            .map_err(|error| anyhow!("cannot open the database: {error}"))
    }

    /// Opens an existing database only (for checks that must not create one).
    async fn open_existing(&self, clock: &dyn Clock) -> Result<Store> {
        let exists = match self.database_url.as_deref() {
            None => self.data_dir.join("infohus.sqlite").exists(),
            Some(url) => sqlite_file(url).is_none_or(|file| file.exists()),
        };
        if !exists {
            bail!("no database found");
        }
        self.open(clock).await
    }
}

/// The file of a `sqlite:` URL.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve {
            location,
            bind,
            idle_timeout_minutes,
            secure_cookies,
            demo,
            screening_working_days,
            smtp_relay,
            smtp_from,
            public_url,
        } => {
            let smtp = match (smtp_relay, smtp_from, public_url) {
                (Some(relay), Some(from), Some(public_url)) => {
                    if infohus_domain::referral::valid_email(&from).is_none() {
                        bail!("--smtp-from is not an e-mail address");
                    }
                    if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
                        bail!("--public-url must start with https:// (or http:// for a test setup)");
                    }
                    Some(infohus_web::notify::SmtpConfig { relay, from, public_url })
                }
                _ => None,
            };
            let store = location.open(clock.as_ref()).await?;
            if demo && store.is_empty().await? {
                let summary = demo::fill(&store, &default_demo(), clock.now()).await?;
                print_demo(&summary);
            }
            let listener =
                tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
            let config = Config {
                idle_timeout: time::Duration::minutes(i64::from(idle_timeout_minutes)),
                secure_cookies,
                screening_working_days,
                smtp,
                ..Config::default()
            };
            let state = AppState::new(store, clock, config);
            tokio::spawn(build_agendas_at_cut_off(state.clone()));
            infohus_web::serve(listener, state, shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Agency { command: AgencyCommand::Add { location, code, name, kind, infohus } } => {
            let code = AgencyCode::parse(&code)
                .ok_or_else(|| anyhow!("invalid agency code: use 2-32 letters, digits, '-' or '_'"))?;
            let name =
                AgencyName::parse(&name).ok_or_else(|| anyhow!("invalid agency name: 2-200 characters on one line"))?;
            let kind = AgencyKind::parse(&kind).ok_or_else(|| {
                anyhow!("invalid agency kind: use municipality, police, prison_probation, psychiatry or other")
            })?;
            let store = location.open(clock.as_ref()).await?;
            let infohus = infohus_of(&store, infohus.as_deref()).await?;
            match store.add_agency(&infohus, &code, &name, kind, clock.now()).await {
                Ok(agency) => {
                    println!("agency {} created", agency.code);
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Conflict(_)) => bail!("agency {code} already exists"),
                Err(error) => Err(error.into()),
            }
        }
        Command::Agency { command: AgencyCommand::List { location } } => {
            let store = location.open_existing(clock.as_ref()).await?;
            for agency in store.agencies(&store.default_infohus().await?).await? {
                println!("{}\t{}\t{}", agency.code, agency.kind.as_str(), agency.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add { location, username, agency, role, display_name, infohus, password_stdin: _, email },
        } => {
            let username = Username::parse(&username)
                .ok_or_else(|| anyhow!("invalid username: use 3-64 lowercase letters, digits, '.', '-', '_' or '@'"))?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow!("invalid role: use admin, coordinator, member, mentor, analyst, auditor or national_admin")
            })?;
            let agency_code = AgencyCode::parse(&agency).ok_or_else(|| anyhow!("unknown agency {agency}"))?;
            let mut raw = String::new();
            std::io::stdin()
                .take(4096)
                .read_to_string(&mut raw)
                .context("cannot read the password from standard input")?;
            let line = raw.strip_suffix('\n').unwrap_or(&raw);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let password = Password::parse(line).map_err(|_| {
                anyhow!("password too weak: it must have at least 12 characters (and at most 1024 bytes)")
            })?;
            let display_name = display_name.unwrap_or_else(|| username.as_str().to_owned());
            if display_name.trim().is_empty()
                || display_name.chars().count() > 200
                || display_name.chars().any(char::is_control)
            {
                bail!("invalid display name: 1-200 characters on one line");
            }
            if let Some(email) = &email
                && infohus_domain::referral::valid_email(email).is_none()
            {
                bail!("invalid e-mail address");
            }
            let store = location.open(clock.as_ref()).await?;
            let infohus = infohus_of(&store, infohus.as_deref()).await?;
            let hash = tokio::task::spawn_blocking(move || password::hash(&password))
                .await?
                .ok_or_else(|| anyhow!("cannot hash the password"))?;
            match store.add_user(&infohus, &username, display_name.trim(), &agency_code, role, &hash, clock.now()).await
            {
                Ok(()) => {
                    if email.is_some() {
                        store.set_user_email(username.as_str(), email.as_deref()).await?;
                    }
                    println!("user {username} created");
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Conflict(_)) => bail!("user {username} already exists"),
                Err(StoreError::Invalid(_)) => {
                    bail!("unknown agency {agency_code}: create it first with `infohus agency add`")
                }
                Err(error) => Err(error.into()),
            }
        }
        Command::User { command: UserCommand::List { location } } => {
            let store = location.open_existing(clock.as_ref()).await?;
            for user in store.users(&store.default_infohus().await?).await? {
                println!("{}\t{}\t{}\t{}", user.username, user.role, user.agency_code, user.display_name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { location, seed, persons, referrals } => {
            let store = location.open(clock.as_ref()).await?;
            let options = demo::DemoOptions { seed, persons: persons as usize, referrals: referrals as usize };
            let summary = demo::fill(&store, &options, clock.now()).await?;
            print_demo(&summary);
            Ok(ExitCode::SUCCESS)
        }
        Command::Infohus { command: InfohusCommand::Add { location, code, name, police_district, national } } => {
            let code = AgencyCode::parse(&code)
                .ok_or_else(|| anyhow!("invalid infohus code: use 2-32 letters, digits, '-' or '_'"))?;
            let police_district = police_district
                .map(|d| {
                    PoliceDistrict::parse(&d)
                        .ok_or_else(|| anyhow!("unknown police district {d}: see `infohus infohus districts`"))
                })
                .transpose()?;
            let store = location.open(clock.as_ref()).await?;
            match store
                .add_infohus(NewInfohus { code: code.clone(), name, police_district, national }, clock.now())
                .await
            {
                Ok(_) => {
                    println!("infohus {code} created");
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Conflict(_)) => bail!("an infohus with code {code} or for that police district exists"),
                Err(StoreError::Invalid(_)) => {
                    bail!("invalid infohus: a name of 1-200 characters, and a district or --national")
                }
                Err(error) => Err(error.into()),
            }
        }
        Command::Infohus { command: InfohusCommand::List { location } } => {
            let store = location.open_existing(clock.as_ref()).await?;
            for infohus in store.infohuse().await? {
                let district = if infohus.national {
                    "national"
                } else {
                    infohus.police_district.map(PoliceDistrict::code).unwrap_or("-")
                };
                println!("{}\t{}\t{}", infohus.code.as_deref().unwrap_or("-"), district, infohus.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Infohus { command: InfohusCommand::Districts } => {
            for district in PoliceDistrict::ALL {
                println!("{}\t{}", district.code(), district.name());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { location, out } => {
            if out.exists() {
                bail!("cannot create {} (it must not exist yet)", out.display());
            }
            let store = location.open_existing(clock.as_ref()).await?;
            let summary = export_to(&store, &out).await?;
            println!("exported {} rows to {} (sha256 {})", summary.rows, out.display(), summary.sha256);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { location, file } => {
            let reader = std::io::BufReader::new(
                std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?,
            );
            let store = location.open(clock.as_ref()).await?;
            let summary = store.import_archive(reader).await.map_err(|e| anyhow!("import refused: {e}"))?;
            println!("imported {} rows (sha256 {})", summary.rows, summary.sha256);
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Instrument { command: InstrumentCommand::Import { location, file, check } } => {
            let instrument = match read_instrument(&file) {
                Ok(instrument) => instrument,
                Err(message) => {
                    eprintln!("{message}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let label = format!("{} version {} ({})", instrument.key, instrument.version, instrument.name);
            if check {
                println!("{} is valid: {label}", file.display());
                return Ok(ExitCode::SUCCESS);
            }
            let store = location.open(clock.as_ref()).await?;
            let outcome = store.import_instrument(&instrument, clock.now()).await;
            store.close().await;
            match outcome {
                Ok(ImportedInstrument::Added(_)) => println!("loaded {label}"),
                Ok(ImportedInstrument::Unchanged(_)) => println!("already loaded, unchanged: {label}"),
                Err(StoreError::Conflict(_)) => bail!(
                    "{} version {} is already loaded with other content: give the changed instrument a new version number",
                    instrument.key,
                    instrument.version
                ),
                Err(error) => return Err(error.into()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Instrument { command: InstrumentCommand::List { location } } => {
            let store = location.open(clock.as_ref()).await?;
            for i in store.instruments().await? {
                println!("{}\t{}\t{}", i.key, i.version, i.name);
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { location } => {
            let store = location.open(clock.as_ref()).await?;
            println!("database at schema version {}", store.schema_version().await?);
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Checkpoint { location } } => {
            let store = location.open_existing(clock.as_ref()).await?;
            println!("{}", store.access_log_checkpoint().await?.to_line());
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { location, checkpoint } } => {
            let checkpoint = match checkpoint.as_deref().map(read_checkpoint).transpose() {
                Ok(checkpoint) => checkpoint,
                Err(error) => {
                    eprintln!("cannot check the access log: {error:#}");
                    return Ok(ExitCode::from(2));
                }
            };
            let store = match location.open_existing(clock.as_ref()).await {
                Ok(store) => store,
                Err(error) => {
                    eprintln!("cannot check the access log: {error:#}");
                    return Ok(ExitCode::from(2));
                }
            };
            match store.verify_access_log(checkpoint.as_ref()).await {
                Ok(Ok(report)) => {
                    println!(
                        "access log intact: {} entries checked (head {} {})",
                        report.entries, report.head_seq, report.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(Err(failure)) => {
                    println!("access log TAMPERED: first bad entry is #{} ({})", failure.seq, failure.reason);
                    Ok(ExitCode::from(1))
                }
                Err(error) => {
                    eprintln!("cannot check the access log: {error}");
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

/// Writes the archive to `OUT.partial`, syncs it, and only then renames it to `out`: an
/// export that is killed or fails midway never leaves a file under the archive's name.
/// The partial file is locked while it is written, so two exports to one name cannot mix.
async fn export_to(store: &Store, out: &Path) -> Result<infohus_store::ArchiveSummary> {
    let mut name = out.file_name().ok_or_else(|| anyhow!("--out must name a file"))?.to_os_string();
    name.push(".partial");
    let partial = out.with_file_name(name);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!("{} is being written by another export", partial.display())
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(error).with_context(|| format!("cannot lock {}", partial.display()));
        }
    }
    // Left over from an export that was killed: start afresh.
    file.set_len(0).with_context(|| format!("cannot write {}", partial.display()))?;
    let written = async {
        let mut writer = std::io::BufWriter::new(&file);
        let summary = store.export_archive(&mut writer).await.map_err(|e| anyhow!("export failed: {e}"))?;
        writer.into_inner().map_err(|e| anyhow!("export failed: {}", e.error()))?;
        file.sync_all().with_context(|| format!("cannot write {}", partial.display()))?;
        if out.exists() {
            bail!("cannot create {} (it must not exist yet)", out.display());
        }
        std::fs::rename(&partial, out).with_context(|| format!("cannot create {}", out.display()))?;
        sync_dir(out)?;
        Ok(summary)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Makes a rename into `file`'s folder durable.
fn sync_dir(file: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("cannot sync the folder {}", dir.display()))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Every minute: the draft agenda of each meeting whose cut-off has passed is built.
async fn build_agendas_at_cut_off(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = state.now();
        let local = infohus_domain::calendar::copenhagen_wall(now);
        match state.store().build_due_agendas(local, state.config().screening_working_days, now).await {
            Ok(0) => {}
            Ok(built) => tracing::info!(built, "agendas built at their cut-off"),
            Err(error) => tracing::warn!(code = error.code(), "building agendas at their cut-off failed"),
        }
    }
}

/// The infohus a command acts in, with a clear message for an unknown code.
async fn infohus_of(store: &Store, code: Option<&str>) -> Result<infohus_domain::InfohusId> {
    match store.infohus_for(code).await {
        Ok(id) => Ok(id),
        Err(StoreError::Invalid(_)) => bail!("unknown infohus {}: see `infohus infohus list`", code.unwrap_or("")),
        Err(error) => Err(error.into()),
    }
}

/// Reads and validates an instrument file; the error is the whole report for the operator.
fn read_instrument(path: &Path) -> std::result::Result<infohus_domain::instrument::Instrument, String> {
    use infohus_domain::instrument::{Instrument, MAX_SOURCE_BYTES, SourceFormat};
    let format = SourceFormat::from_path(path)
        .ok_or_else(|| format!("{}: the file name must end in .toml or .json", path.display()))?;
    let size = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?.len();
    if size > MAX_SOURCE_BYTES as u64 {
        return Err(format!("{}: larger than {} bytes", path.display(), MAX_SOURCE_BYTES));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
    Instrument::parse(&text, format).map_err(|errors| {
        let mut report = format!("{} is not a valid instrument ({} problems):", path.display(), errors.0.len());
        for error in errors.iter() {
            report.push_str(&format!("\n  {error}"));
        }
        report
    })
}

fn read_checkpoint(path: &Path) -> Result<Checkpoint> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Checkpoint::parse(&text).ok_or_else(|| anyhow!("{} is not an access-log checkpoint", path.display()))
}

fn default_demo() -> demo::DemoOptions {
    demo::DemoOptions { seed: 2026, persons: 300, referrals: 500 }
}

fn print_demo(summary: &demo::DemoSummary) {
    println!(
        "demo data created: {} agencies, {} users, {} persons, {} referrals",
        summary.agencies, summary.users, summary.persons, summary.referrals
    );
    println!("demo logins (username / password / role):");
    for login in &summary.logins {
        println!("  {:<18} {:<32} {} ({})", login.username, login.password, login.role.as_str(), login.agency);
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
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
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
