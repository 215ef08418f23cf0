//! The shared case table of contract §1 (`tests/js/cases.json`), read by the native
//! tests and by the headless-browser tests; the Node tests read the same file.

use serde::Deserialize;

/// One request and what the rules must say about it.
#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    pub campaign_id: String,
    pub query: String,
    /// `(field, code)` of each error, in order.
    pub errors: Vec<(String, String)>,
    /// `(field, code)` of each warning, in order.
    pub warnings: Vec<(String, String)>,
    /// The canonical path, where the case pins it.
    pub path: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

/// Every case of the table.
pub fn cases() -> Vec<Case> {
    let table: Table =
        serde_json::from_str(include_str!("../js/cases.json")).expect("tests/js/cases.json");
    assert!(table.cases.len() > 40, "the table lost its cases");
    table.cases
}
