//! Building blocks the migrations share.

use sea_orm_migration::prelude::*;

/// An index on `table` over `cols`, named `name` (names matter: conflicts are reported by index name).
pub fn index(name: &str, table: impl IntoIden, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    if unique {
        index.unique();
    }
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}
