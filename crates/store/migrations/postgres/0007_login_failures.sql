-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Failed logins, counted per account and per client address in a time window, in the
-- database so that every server of an installation enforces the same limits.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    failures     BIGINT NOT NULL
);
