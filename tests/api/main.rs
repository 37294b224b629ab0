//! Behaviour through real HTTP against a live server. One binary for all
//! capabilities: it links once.

mod advancement;
mod advice;
mod architecture;
mod assessment;
mod audit;
mod auth;
mod browser;
mod certification;
mod charts;
mod cli;
mod coverage;
mod demo;
mod downloads;
mod exports;
mod flows;
mod framework;
mod fuzz;
mod helpers;
mod http;
mod imports;
mod integrity;
mod limits;
mod logs;
mod mail;
mod mentors;
mod migrations;
mod otel;
mod pages;
mod people;
mod performance;
mod plans;
mod privacy;
mod reach;
mod schema;
mod smtp;
