//! Behaviour through real HTTP against a live server. One binary for all
//! capabilities: it links once.

mod advancement;
mod assessment;
mod auth;
mod certification;
mod charts;
mod exports;
mod framework;
mod helpers;
mod imports;
mod integrity;
mod logs;
mod mail;
mod people;
mod performance;
mod schema;
mod smtp;
