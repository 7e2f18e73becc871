/// The tenant a request acts in. Every store function over tenant-owned rows takes one and filters by it, so a
/// handler cannot read or change another school's data by passing the wrong id: it gets `NotFound`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    root_account_id: i64,
}

impl Scope {
    /// The scope of a principal that belongs to the school `root_account_id`.
    pub fn school(root_account_id: i64) -> Self {
        Scope { root_account_id }
    }

    pub fn root_account_id(&self) -> i64 {
        self.root_account_id
    }
}
