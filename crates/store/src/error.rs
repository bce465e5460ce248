//! Storage errors with a stable machine code. Their text never holds personal data: the
//! HTTP layer may show `code` and the field list, and logs only the internal cause.

use infohus_domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing by that id that the caller may see (never says which).
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The keys outside the database are missing or do not belong to it.
    #[error("keys: {0}")]
    Keys(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(&'static str),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The database URL names no backend this build supports.
    #[error("unsupported database URL: use sqlite://FILE or postgres://…")]
    UnsupportedUrl,
    /// The person's data key was destroyed (crypto-shredding): their data is gone.
    #[error("personal data erased")]
    Erased,
    /// The write was not committed (its batch failed, or the store is closing).
    #[error("the write was not committed")]
    NotCommitted,
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Forbidden => "forbidden",
            StoreError::Conflict(code) => code,
            StoreError::Invalid(_) => "invalid",
            StoreError::Keys(_) => "keys",
            StoreError::Database(_) => "database",
            StoreError::Corrupt(_) => "corrupt",
            StoreError::Io(_) => "io",
            StoreError::NotCommitted => "not_committed",
            StoreError::Erased => "erased",
            StoreError::UnsupportedUrl => "unsupported_url",
        }
    }
}
