//! Indexes for what an assignment's submissions amount to (issue 7): whether any was handed in and whether any was
//! graded are asked on every student's assignment list, and with these indexes each is one seek instead of a read
//! of every submission of the assignment.

use sea_orm_migration::prelude::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
}

const INDEXES: [(&str, [&str; 2]); 2] = [
    ("ix_submissions_assignment_handed_in", ["assignment_id", "submitted_at"]),
    ("ix_submissions_assignment_state", ["assignment_id", "workflow_state"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            manager.create_index(index(name, Submissions::Table, &cols, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager.drop_index(Index::drop().name(name).table(Submissions::Table).to_owned()).await?;
        }
        Ok(())
    }
}
