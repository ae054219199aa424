//! Shared fixtures for acceptance tests.
