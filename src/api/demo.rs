//! `GET /api/demo` (contract §6): in demo mode only, the demo partners with their keys and
//! campaigns, so a first-time visitor can try the dashboard without an account. Without
//! `--demo` the server answers the 404 envelope.

use serde::{Deserialize, Serialize};

/// The 200 body of `GET /api/demo`.
///
/// ```
/// use campaign_analytics::api::demo::DemoResponse;
/// let body = r#"{"success":true,"message":"ok","data":{"partners":[{"name":"Acme",
///   "key":"sk_test_0123456789abcdefABCDEF0123456789",
///   "campaigns":[{"id":"c0000000-0000-4000-8000-000000000001","name":"Spring","status":"active"}]}]},
///   "meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"x"}}"#;
/// let demo: DemoResponse = serde_json::from_str(body).unwrap();
/// assert_eq!(demo.data.partners[0].campaigns[0].name, "Spring");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoResponse {
    pub success: bool,
    pub message: String,
    pub data: DemoData,
    pub meta: crate::api::types::Meta,
}

/// `data` of the demo answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoData {
    pub partners: Vec<DemoPartner>,
}

/// One demo partner: its name, its (test) key and its campaigns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoPartner {
    pub name: String,
    pub key: String,
    pub campaigns: Vec<DemoCampaign>,
}

/// One campaign of a demo partner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoCampaign {
    pub id: String,
    pub name: String,
    pub status: String,
}
