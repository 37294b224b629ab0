//! sea-orm entities: the tables as Rust sees them. They never appear in the
//! GraphQL schema; each capability maps them to its own API types.

pub mod framework_version;
pub mod refresh_token;
pub mod team;
pub mod user;
