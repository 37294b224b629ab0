//! Skillpath: competency frameworks, assessments, KPIs, certifications and
//! advancement paths for operations teams, served over GraphQL.

pub mod advancement;
pub mod app;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod certification;
pub mod charts;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod development;
pub mod domain;
pub mod error;
pub mod exports;
pub mod framework;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod kpi;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod pages;
pub mod people;
pub mod privacy;
pub mod state;
pub mod talent;
pub mod telemetry;

pub use app::Application;
pub use config::Settings;
