//! Who the caller is and what they may do: passwords, tokens, sessions, the
//! `Actor` and the one policy module every capability asks.

pub mod actor;
pub mod graphql;
mod hash_threads;
pub mod links;
pub mod password;
pub mod policy;
pub mod recovery;
pub mod session;
pub mod sign_out;
pub mod throttle;
pub mod tokens;

pub use actor::{Actor, Locale, Reports, Role};
pub use policy::{AgreeAs, PlanReach};
