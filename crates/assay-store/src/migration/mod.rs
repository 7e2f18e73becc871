//! Schema migrations, written once in Rust and rendered to each backend's DDL by sea-query. Applied on start and
//! by `assay migrate`. A merged migration is never edited: change the schema with a new one.

use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_identity;
mod m20261123_000003_courses;
mod m20261123_000004_terms;
mod m20261123_000005_sections;
mod m20261123_000006_enrollments;
mod m20261123_000007_groups;
mod m20261123_000008_sis_imports;
mod m20261123_000009_authoring;
mod m20261123_000010_assignments;
mod m20261123_000015_content_migrations;
mod m20261123_000016_jobs;
mod m20261123_000017_delivery;
mod m20261123_000018_regrades;
mod m20261123_000019_grading;
mod m20261123_000020_results;
mod m20261123_000021_submission_counts;
mod util;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_identity::Migration),
            Box::new(m20261123_000003_courses::Migration),
            Box::new(m20261123_000004_terms::Migration),
            Box::new(m20261123_000005_sections::Migration),
            Box::new(m20261123_000006_enrollments::Migration),
            Box::new(m20261123_000007_groups::Migration),
            Box::new(m20261123_000008_sis_imports::Migration),
            Box::new(m20261123_000009_authoring::Migration),
            Box::new(m20261123_000010_assignments::Migration),
            Box::new(m20261123_000015_content_migrations::Migration),
            Box::new(m20261123_000016_jobs::Migration),
            Box::new(m20261123_000017_delivery::Migration),
            Box::new(m20261123_000018_regrades::Migration),
            Box::new(m20261123_000019_grading::Migration),
            Box::new(m20261123_000020_results::Migration),
            Box::new(m20261123_000021_submission_counts::Migration),
        ]
    }
}
