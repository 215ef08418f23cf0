//! The CSV export of the instances on screen (RFC 4180: comma-separated, CRLF line ends,
//! a field quoted when it holds a comma, a quote or a line break, quotes doubled).

// RFC 4180 quoting, the header and the instance rows are defined once, beside the
// whole-window export: a page's file and the whole window's differ only in their rows.
pub use crate::analysis::export::{field, instances_csv, record, INSTANCE_HEADER as HEADER};

/// A file name that says what the export holds: `campaign-<id>-page-2.csv`.
pub fn file_name(campaign_id: &str, page: u32) -> String {
    let safe: String = campaign_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(36)
        .collect();
    format!("campaign-{safe}-page-{page}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::Instance;

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(field(""), "");
        assert_eq!(field("\""), "\"\"\"\"");
        assert_eq!(field("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(record(&["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"");
    }

    #[test]
    fn instances_become_rows() {
        let json = r#"[
          {"instance_id":"aaaaaaaa-0000-4000-8000-000000000001","insider_id":"bbbbbbbb-0000-4000-8000-000000000001",
           "is_purchase":true,"purchased_insider_id":"cccccccc-0000-4000-8000-000000000001",
           "timestamp":"2026-11-20T11:03:11Z","revenue":19.9},
          {"instance_id":"aaaaaaaa-0000-4000-8000-000000000002","insider_id":"bbbbbbbb-0000-4000-8000-000000000002",
           "is_purchase":false,"purchased_insider_id":null,"timestamp":"2026-11-19T08:00:00Z","revenue":0}
        ]"#;
        let instances: Vec<Instance> = serde_json::from_str(json).unwrap();
        let csv = instances_csv(&instances);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "instance_id,insider_id,is_purchase,purchased_insider_id,timestamp,revenue"
        );
        assert_eq!(
            lines[1],
            "aaaaaaaa-0000-4000-8000-000000000001,bbbbbbbb-0000-4000-8000-000000000001,true,cccccccc-0000-4000-8000-000000000001,2026-11-20T11:03:11Z,19.90"
        );
        assert_eq!(
            lines[2],
            "aaaaaaaa-0000-4000-8000-000000000002,bbbbbbbb-0000-4000-8000-000000000002,false,,2026-11-19T08:00:00Z,0.00"
        );
        assert_eq!(lines[3], "");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("123e4567-e89b-12d3-a456-426614174000", 2),
            "campaign-123e4567-e89b-12d3-a456-426614174000-page-2.csv"
        );
        assert_eq!(
            file_name("../etc/passwd", 1),
            "campaign-etcpasswd-page-1.csv"
        );
    }
}
