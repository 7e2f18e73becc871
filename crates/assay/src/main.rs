//! `assay`: the Assay server and its administration commands.

use std::path::PathBuf;

use assay::{Config, Server, admin, config::ConfigArgs, demo, server::open_store};
use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: the server allocates per request and per row on many threads, where
/// glibc's arenas spent a fifth of the CPU of the exam-start storm (`bench/`, issue 7).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "assay", version, about = "Assay: a self-hosted digital assessment platform.", long_about = None)]
struct Cli {
    /// Configuration file (TOML) [default: ./assay.toml when it exists]. Precedence: flags > ASSAY_* environment > file > defaults.
    #[arg(long, global = true, env = "ASSAY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API (SQLite at ./assay.db unless configured).
    Serve {
        #[command(flatten)]
        settings: ConfigArgs,
        /// On an empty database, create a demo school with an admin, teachers and students, and print an admin token.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and print what ran.
    Migrate {
        #[command(flatten)]
        settings: ConfigArgs,
    },
    /// Print the effective configuration (database password hidden).
    Config {
        #[command(flatten)]
        settings: ConfigArgs,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Provision schools and tokens.
    Admin {
        #[command(flatten)]
        settings: ConfigArgs,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a school (root account) with an administrator; prints their ids.
    CreateSchool {
        /// The school's name.
        name: String,
        /// The administrator's name.
        #[arg(long, default_value = "School Administrator")]
        admin_name: String,
        /// The administrator's login name.
        #[arg(long, default_value = "admin")]
        admin_login: String,
    },
    /// Set a school's own request limit per minute (shared by all its credentials), or `default`.
    SetRateLimit {
        /// The school (root account id).
        #[arg(long)]
        school: i64,
        /// Requests per minute, or `default` for the deployment's `rate_limit_school_per_minute`.
        per_minute: String,
    },
    /// Issue an API token for a user; the token is printed once and not stored.
    CreateToken {
        /// User id, login name, or sis_user_id:X (with --school).
        #[arg(long)]
        user: String,
        /// The school (root account id), when the user reference is ambiguous.
        #[arg(long)]
        school: Option<i64>,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        purpose: String,
        /// Expire the token after this many days [default: never].
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Issue a token to every active student of a course; prints CSV `user_id,sis_user_id,token` (secrets once).
    CreateStudentTokens {
        /// The school (root account id).
        #[arg(long)]
        school: i64,
        /// Course id or sis_course_id:X.
        #[arg(long)]
        course: String,
        /// What the tokens are for.
        #[arg(long, default_value = "exam session")]
        purpose: String,
        /// Expire the tokens after this many days [default: 1].
        #[arg(long, default_value_t = 1)]
        expires_in_days: u32,
    },
}

/// Prints a line of the startup banner. Unlike `println!`, a closed stdout (the launcher stopped reading) does
/// not bring the server down.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn init_logging(config: &Config) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        assay::config::LogFormat::Json => builder.json().init(),
        assay::config::LogFormat::Pretty => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { settings, demo } => {
            let config = Config::load(cli.config.as_ref(), &settings)?;
            init_logging(&config);
            let signal = assay::server::ShutdownSignal::install();
            let (store, applied) = open_store(&config).await?;
            for name in &applied {
                tracing::info!(migration = %name, "applied migration");
            }
            let server = Server::start(&config, store.clone()).await?;
            let base = config.public_url.clone().unwrap_or_else(|| server.base_url());
            say!("Assay {} serving {} on {base}", env!("CARGO_PKG_VERSION"), store.backend().name());
            say!("  API docs: {base}/api/docs");
            if demo {
                match demo::ensure(&store).await? {
                    Some(access) => {
                        say!(
                            "  demo school {} (id {}): {}",
                            demo::DEMO_SCHOOL,
                            access.school_id,
                            if access.seeded {
                                "created with an admin, 2 teachers, 30 students, a term, and 2 courses with sections and enrollments"
                            } else {
                                "already there"
                            }
                        );
                        say!(
                            "  admin user id: {} (login {}, password {})",
                            access.admin_user_id,
                            demo::DEMO_ADMIN_LOGIN,
                            demo::DEMO_ADMIN_PASSWORD
                        );
                        say!(
                            "  credentials of every kind (secrets are shown once; a restart with --demo issues new ones):"
                        );
                        say!(
                            "    personal token:   curl -H 'Authorization: Bearer {}' {base}/api/v1/users/self",
                            access.token
                        );
                        say!(
                            "    password grant:   curl -d grant_type=password -d username={} -d password={} {base}/api/token",
                            demo::DEMO_ADMIN_LOGIN,
                            demo::DEMO_ADMIN_PASSWORD
                        );
                        say!(
                            "    user API key:     curl -d '' -H 'code: {}' '{base}/api/authenticate/token?grant_type=authorization_code&client_id={}'",
                            access.user_api_key,
                            access.school_id
                        );
                        say!(
                            "    developer key:    curl -d grant_type=client_credentials -d client_id={} -d client_secret={} {base}/login/oauth2/token",
                            access.client_id,
                            access.client_secret
                        );
                        say!(
                            "    Api-Key:          curl -H 'Authorization: Api-Key {}' {base}/api/v1/accounts/self",
                            access.api_key
                        );
                        say!(
                            "    AB partner:       partner.id={} key={} (sign `<expires>` with HMAC-SHA256; see the README)",
                            access.partner_id,
                            access.partner_key
                        );
                        say!("  admin API token (shown once): {}", access.token);
                    }
                    None => say!("  --demo: the database already holds other schools, so no demo data was added"),
                }
            }
            server.run_until(signal).await
        }
        Command::Migrate { settings } => {
            let config = Config::load(cli.config.as_ref(), &settings)?;
            let (store, applied) = open_store(&config).await?;
            if applied.is_empty() {
                println!("database is up to date");
            }
            for name in applied {
                println!("applied {name}");
            }
            store.close().await?;
            Ok(())
        }
        Command::Config { settings } => {
            let config = Config::load(cli.config.as_ref(), &settings)?;
            print!("{}", config.to_redacted_toml());
            Ok(())
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&assay_api::openapi_document())?);
            Ok(())
        }
        Command::Admin { settings, command } => {
            let config = Config::load(cli.config.as_ref(), &settings)?;
            let (store, _) = open_store(&config).await?;
            let result = run_admin(&store, command).await;
            store.close().await?;
            result
        }
    }
}

async fn run_admin(store: &assay_store::Store, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateSchool { name, admin_name, admin_login } => {
            let created = admin::create_school(store, &name, &admin_name, &admin_login).await?;
            println!("school_id={} admin_user_id={}", created.school.id, created.admin.id);
        }
        AdminCommand::SetRateLimit { school, per_minute } => {
            let limit = match per_minute.as_str() {
                "default" => None,
                n => Some(
                    n.parse::<i32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| anyhow::anyhow!("`{n}` is not a positive number or `default`"))?,
                ),
            };
            assay_store::accounts::set_rate_limit_unscoped(store, school, limit).await?;
            println!(
                "school {school}: {} requests per minute",
                limit.map_or("the deployment's".to_owned(), |n| n.to_string())
            );
        }
        AdminCommand::CreateToken { user, school, purpose, expires_in_days } => {
            let user = admin::find_user(store, &user, school).await?;
            let expires_at = expires_in_days.map(|days| chrono::Utc::now() + chrono::TimeDelta::days(i64::from(days)));
            let token = admin::create_token(store, user, purpose, expires_at).await?;
            println!("{token}");
        }
        AdminCommand::CreateStudentTokens { school, course, purpose, expires_in_days } => {
            let expires_at = chrono::Utc::now() + chrono::TimeDelta::days(i64::from(expires_in_days));
            let issued = admin::create_student_tokens(store, school, &course, purpose, Some(expires_at)).await?;
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["user_id", "sis_user_id", "token"])?;
            for t in issued {
                out.write_record([t.user_id.to_string(), t.sis_user_id.unwrap_or_default(), t.token])?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
