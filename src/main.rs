//! The `skillpath` command: serve the API, migrate, print the schema, manage
//! accounts from the shell.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use skillpath::auth::Role;
use skillpath::config::TraceExport;
use skillpath::{Application, Settings, app, audit, db, framework, graphql, people, telemetry};

#[derive(Parser)]
#[command(
    name = "skillpath",
    version,
    about = "Competency assessment and career paths for operations teams, over GraphQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve GraphQL at /graphql and GraphiQL at /graphiql.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL); `schema.graphql` holds the same text.
    Schema,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load files from other systems.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Load shipped content.
    Seed {
        #[command(subcommand)]
        command: SeedCommand,
    },
    /// Check or prune the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the whole trail and check every link and personal value; exits
    /// with 1 and names each entry found edited, inserted or missing.
    Verify,
    /// Remove entries older than the retention period now (the server's
    /// housekeeping job does this on its own).
    Prune {
        /// Entries older than this many days go; defaults to the configured
        /// retention.
        #[arg(long)]
        older_than_days: Option<u32>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load people from an HR system's file (CSV or .xlsx; columns in the README).
    People {
        file: std::path::PathBuf,
        /// Say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Deactivate active people the file does not list (admins excepted).
        #[arg(long)]
        deactivate_missing: bool,
        /// Queue an invitation for each person created.
        #[arg(long)]
        invite: bool,
    },
}

#[derive(Subcommand)]
enum SeedCommand {
    /// Load the default operations framework: as version 1 on an empty
    /// database, otherwise as the draft (publish it with publishFrameworkDraft).
    Framework,
    /// Create a demo organisation (teams, managers, two closed cycles, KPI
    /// results, certificates) to see the views full. Only into a database
    /// that holds no one but administrators.
    Demo {
        /// How many people (10 to 200,000).
        #[arg(long, default_value_t = 200)]
        people: usize,
        /// The same seed makes the same organisation.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// EMPLOYEE, MANAGER, HR or ADMIN.
        #[arg(long, default_value = "EMPLOYEE")]
        role: Role,
    },
}

fn main() -> ExitCode {
    // Before the runtime starts its threads (see `memory`).
    skillpath::memory::tune_allocator();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run_cli()),
        Err(err) => {
            eprintln!("skillpath: cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run_cli() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("skillpath: {err}");
            return ExitCode::from(2);
        }
    };
    // Only the server exports traces: the other commands are short and
    // have no request spans to show.
    let trace_export = match &cli.command {
        Command::Serve => match TraceExport::from_env() {
            Ok(export) => export,
            Err(err) => {
                eprintln!("skillpath: {err}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let telemetry = match telemetry::init(settings.log_format, trace_export.as_ref()) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("skillpath: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match run(cli.command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "stopped");
            eprintln!("skillpath: {err:#}");
            ExitCode::FAILURE
        }
    };
    // After the server finished its requests: their spans are sent too.
    telemetry.shutdown().await;
    outcome
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.run_until(app::shutdown_signal()).await?;
        }
        Command::Migrate => {
            let database = db::connect(&settings).await?;
            db::migrate(&database).await?;
            println!("migrations applied");
        }
        Command::Schema => unreachable!("handled before configuration is read"),
        Command::User {
            command: UserCommand::Create { email, name, role },
        } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let state = app::build_state(settings).await?;
            let scope = cli_scope(&state, "cli:user-create");
            let person = audit::within(
                scope,
                people::insert_person(
                    &state.db,
                    &state.auth.hasher,
                    people::NewPerson {
                        email,
                        name,
                        role: Some(role),
                        password: Some(password),
                        ..Default::default()
                    },
                ),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {} ({}) as {}",
                person.email,
                person.id,
                person.role.as_str()
            );
        }
        Command::Import {
            command:
                ImportCommand::People {
                    file,
                    dry_run,
                    deactivate_missing,
                    invite,
                },
        } => {
            use skillpath::people::import::{ImportOptions, import_people};
            use skillpath::people::import_file::{FileLimits, read_people_file};
            let bytes = std::fs::read(&file)?;
            let limits = FileLimits {
                max_bytes: settings.import_max_bytes,
                max_rows: settings.import_max_rows,
            };
            let state = app::build_state(settings).await?;
            let parsed = read_people_file(&bytes, limits).map_err(|e| anyhow::anyhow!("{e}"))?;
            let framework = state
                .frameworks
                .current(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let options = ImportOptions {
                dry_run,
                deactivate_missing,
                invite,
            };
            let scope = cli_scope(&state, "cli:import-people");
            let report = audit::within(
                scope,
                import_people(
                    &state.db,
                    &framework,
                    &skillpath::auth::policy::manage_accounts(&skillpath::auth::Actor::system())
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                    &parsed,
                    options,
                ),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            for p in &report.problems {
                println!("row {} {}: {}", p.row, p.column, p.message);
            }
            println!(
                "{}{} rows: {} created, {} moved, {} updated, {} unchanged, {} deactivated, {} teams created",
                if report.applied { "" } else { "dry run: " },
                report.rows,
                report.created.len(),
                report.moved.len(),
                report.updated.len(),
                report.unchanged,
                report.deactivated.len(),
                report.teams_created.len()
            );
            if !report.problems.is_empty() {
                anyhow::bail!("{} problems: nothing imported", report.problems.len());
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = app::build_state(settings).await?;
            let report = audit::chain::verify(&state.db, &state.audit_key).await?;
            for problem in &report.problems {
                println!("{problem}");
            }
            println!(
                "{} entries checked, newest {} (hash {}): {}",
                report.entries,
                report.last_id.map_or("-".into(), |id| id.to_string()),
                report.tip.as_deref().unwrap_or("-"),
                if report.is_intact() {
                    "intact".to_owned()
                } else {
                    format!("{} problems", report.problems.len())
                }
            );
            if !report.is_intact() {
                anyhow::bail!("the audit trail does not verify");
            }
        }
        Command::Audit {
            command: AuditCommand::Prune { older_than_days },
        } => {
            let days = older_than_days
                .or(settings.audit_retention_days)
                .ok_or_else(|| {
                    anyhow::anyhow!("no retention configured: pass --older-than-days")
                })?;
            let state = app::build_state(settings).await?;
            let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
            let scope = cli_scope(&state, "cli:audit-prune");
            let removed = audit::within(scope, audit::retention::prune(&state.db, cutoff)).await?;
            println!("{removed} entries older than {days} days removed");
        }
        Command::Seed {
            command: SeedCommand::Framework,
        } => {
            let state = app::build_state(Settings {
                load_default_framework: false,
                ..settings
            })
            .await?;
            let scope = cli_scope(&state, "cli:seed-framework");
            let outcome = audit::within(scope, framework::seed_default(&state.db))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{outcome}");
        }
        Command::Seed {
            command: SeedCommand::Demo { people, seed },
        } => {
            let state = app::build_state(settings).await?;
            let framework = state
                .frameworks
                .current(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let scope = cli_scope(&state, "cli:seed-demo");
            let report = audit::within(
                scope,
                skillpath::demo::seed(&state.db, &framework, people, seed),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "demo organisation: {} people in {} teams, {} closed cycles ({} ratings), {} KPI targets, {} certificates",
                report.people,
                report.teams,
                report.cycles,
                report.ratings,
                report.targets,
                report.certificates
            );
        }
    }
    Ok(())
}

/// The audit scope of a command run by an operator at the server.
fn cli_scope(state: &skillpath::state::AppState, command: &str) -> audit::AuditScope {
    audit::AuditScope::system(state.audit_key.clone(), command)
}
