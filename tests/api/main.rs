//! Behaviour through real HTTP against a live server. One binary for all
//! capabilities: it links once.

mod advancement;
mod advice;
mod assessment;
mod auth;
mod certification;
mod framework;
mod helpers;
mod logs;
mod mail;
mod people;
mod performance;
mod plans;
mod schema;
mod smtp;
