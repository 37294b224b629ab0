//! Advancement paths: where each person can go next, how ready they are, what
//! blocks them and what to do about it. The judgement is in `scoring` (pure);
//! this module gathers the data for it in a fixed number of queries.

mod data;
pub mod explain;
pub mod graphql;
mod readiness;
pub mod refresh;
pub mod scoring;

pub use self::data::*;
pub use self::readiness::{ReadinessScope, promotion_readiness, readiness_scope, refresh_everyone};
