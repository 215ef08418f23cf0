//! The comparison's rules natively: bests with ties, nicknames, and the cost of asking
//! through a real engine over a scripted server (cached campaigns cost nothing).

use super::nickname::{normalize, NicknameError, Nicknames, PickError, MAX_ENTRIES, MAX_LEN};
use super::*;
use crate::api::reply::{ApiRequest, NoAnswer, RawResponse};
use crate::contract::SecretKey;
use crate::engine::requests::Refused;
use crate::engine::{Connection, Engine, Env, LocalFuture, Transport};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

fn id(n: u32) -> Uuid {
    campaign_id(&format!("c0000000-0000-4000-8000-{n:012x}")).unwrap()
}

fn f(instances: u64, purchases: u64, revenue_cents: i64) -> Option<Figures> {
    Some(Figures {
        instances,
        purchases,
        revenue_cents,
    })
}

/// The naive reading of "best": the rows whose value, as a float, is the largest, unless
/// every valued row has it.
fn naive(rows: &[Option<Figures>], column: Column) -> Vec<bool> {
    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.and_then(|f| f.number(column)))
        .collect();
    let top = values
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let at_top = values.iter().filter(|v| **v == Some(top)).count();
    let valued = values.iter().flatten().count();
    values
        .iter()
        .map(|v| *v == Some(top) && at_top < valued)
        .collect()
}

#[test]
fn bests_mark_every_row_tied_for_the_top() {
    let rows = [f(10, 3, 3000), f(12, 3, 2999), f(12, 1, 3000), None];
    assert_eq!(bests(&rows, Column::Instances), [false, true, true, false]);
    assert_eq!(bests(&rows, Column::Purchases), [true, true, false, false]);
    assert_eq!(bests(&rows, Column::Revenue), [true, false, true, false]);
    // 3/10 against 3/12 and 1/12.
    assert_eq!(
        bests(&rows, Column::Conversion),
        [true, false, false, false]
    );
    // $30.00 for one purchase.
    assert_eq!(
        bests(&rows, Column::RevenuePerPurchase),
        [false, false, true, false]
    );
}

#[test]
fn no_best_when_all_share_the_value_or_nothing_compares() {
    let rows = [f(5, 1, 100), f(5, 1, 100)];
    for column in Column::ALL {
        assert_eq!(bests(&rows, column), [false, false], "{column:?}");
    }
    // One row with a value (the other failed): nothing to be better than.
    assert_eq!(
        bests(&[f(5, 1, 100), None], Column::Revenue),
        [false, false]
    );
    assert_eq!(bests(&[], Column::Revenue), Vec::<bool>::new());
    // Revenue per purchase is undefined without purchases: never best, never compared.
    let rows = [f(5, 0, 0), f(5, 2, 100), f(5, 1, 50)];
    assert_eq!(
        bests(&rows, Column::RevenuePerPurchase),
        [false, false, false],
        "$0.50 each: a tie among the two that have purchases"
    );
    assert_eq!(bests(&rows, Column::Purchases), [false, true, false]);
}

#[test]
fn rates_are_compared_exactly() {
    // 1/3 and 2/6 are one rate, however floats would round them.
    let rows = [f(3, 1, 10), f(6, 2, 20), f(7, 2, 70)];
    assert_eq!(bests(&rows, Column::Conversion), [true, true, false]);
    // 33333/100000 against 1/3: close, not equal.
    let rows = [f(100_000, 33_333, 0), f(3, 1, 0)];
    assert_eq!(bests(&rows, Column::Conversion), [false, true]);
}

#[test]
fn bests_equal_a_naive_reading_on_generated_rows() {
    // A small deterministic generator: many ties, some missing rows.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    for _ in 0..5_000 {
        let n = 2 + next(3) as usize;
        let rows: Vec<Option<Figures>> = (0..n)
            .map(|_| {
                (next(6) != 0).then(|| {
                    let instances = 1 + next(4);
                    let purchases = next(instances + 1);
                    Figures {
                        instances,
                        purchases,
                        revenue_cents: (purchases * next(3) * 250) as i64,
                    }
                })
            })
            .collect();
        for column in [Column::Instances, Column::Purchases, Column::Revenue] {
            assert_eq!(bests(&rows, column), naive(&rows, column), "{rows:?}");
        }
    }
}

#[test]
fn figures_come_from_the_summary_in_cents() {
    let s = Summary {
        total_instances: 4,
        purchase_instances: 3,
        non_purchase_instances: 1,
        total_revenue: 0.3,
        conversion_rate: 0.75,
    };
    let fig = Figures::of(&s);
    assert_eq!(fig.revenue_cents, 30);
    assert_eq!(fig.number(Column::RevenuePerPurchase), Some(0.1));
    assert_eq!(fig.number(Column::Conversion), Some(0.75));
    assert_eq!(fig.number(Column::Revenue), Some(0.3));
}

#[test]
fn nicknames_follow_the_rules() {
    let (a, b) = (id(1), id(5));
    let mut n = Nicknames::default();
    assert_eq!(n.set(a, "  Spring   sale "), Ok(()));
    assert_eq!(n.get(a), Some("Spring sale"));
    assert_eq!(n.set(b, "SPRING SALE"), Err(NicknameError::Taken(a)));
    assert_eq!(
        n.set(a, "spring SALE"),
        Ok(()),
        "its own name in another case"
    );
    assert_eq!(n.get(a), Some("spring SALE"));
    assert_eq!(n.set(b, &"x".repeat(MAX_LEN)), Ok(()));
    assert_eq!(
        n.set(b, &"é".repeat(MAX_LEN + 1)),
        Err(NicknameError::TooLong)
    );
    assert_eq!(n.set(b, "two\nlines"), Err(NicknameError::ControlCharacter));
    assert_eq!(n.set(b, "tab\tinside"), Ok(()), "a tab is a space");
    assert_eq!(n.get(b), Some("tab inside"));
    assert_eq!(
        n.set(b, &id(9).to_string().to_uppercase()),
        Err(NicknameError::LooksLikeId)
    );
    assert_eq!(normalize(""), Ok(None));
    n.set(b, " ").unwrap();
    assert_eq!(n.get(b), None);
    assert_eq!(n.len(), 1);
    assert!(!NicknameError::Taken(a).message().is_empty());
}

#[test]
fn the_store_is_bounded() {
    let mut n = Nicknames::default();
    for i in 0..MAX_ENTRIES as u32 {
        n.set(id(i), &format!("c{i}")).unwrap();
    }
    assert_eq!(
        n.set(id(MAX_ENTRIES as u32), "one more"),
        Err(NicknameError::Full)
    );
    // Renaming is still allowed when full.
    assert_eq!(n.set(id(0), "renamed"), Ok(()));
}

#[test]
fn picks_are_ids_or_nicknames() {
    let (a, b) = (id(1), id(5));
    let mut n = Nicknames::default();
    n.set(a, "Spring").unwrap();
    n.set(b, "Black Friday").unwrap();
    assert_eq!(n.resolve("spring"), Ok(a));
    assert_eq!(n.resolve("  black   FRIDAY "), Ok(b));
    assert_eq!(n.resolve(&b.to_string().to_uppercase()), Ok(b));
    // An id with no nickname is still an id.
    assert_eq!(n.resolve(&id(7).to_string()), Ok(id(7)));
    assert_eq!(n.resolve("Spr"), Err(PickError::Unknown));
    assert_eq!(n.resolve(" "), Err(PickError::Empty));
    assert_eq!(n.name_of(a), "Spring");
    assert_eq!(n.name_of(id(7)), id(7).to_string());
}

#[test]
fn stored_nicknames_are_checked_when_read() {
    let (a, b) = (id(1), id(5));
    let text = format!(
        "{a} Spring\n{b} spring\n{b}\nnot-an-id Autumn\n{} {}\n{} ok\n{b} Summer\n",
        id(6),
        "y".repeat(MAX_LEN + 1),
        id(7).to_string().to_uppercase(),
    );
    let n = Nicknames::parse(&text);
    assert_eq!(
        n.entries(),
        [
            (a, "Spring".to_owned()),
            (id(7), "ok".to_owned()),
            (b, "Summer".to_owned())
        ]
    );
    assert_eq!(Nicknames::parse(&n.to_stored()), n);
}

// ---- cost, through a real engine over a scripted server ----

struct Pinned(Cell<u64>);

impl Env for Pinned {
    fn now_ms(&self) -> i64 {
        1_795_000_000_000
    }
    fn random_u64(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
    fn sleep(&self, _ms: u32) -> LocalFuture<()> {
        // Timeouts and backoffs never end: the scripted server answers at once.
        Box::pin(std::future::pending())
    }
}

/// A server answering 200 for every campaign but `missing` (404), recording the paths.
fn server(missing: Uuid) -> (Transport, Rc<RefCell<Vec<ApiRequest>>>) {
    let sent: Rc<RefCell<Vec<ApiRequest>>> = Rc::default();
    let seen = sent.clone();
    let transport: Transport = Rc::new(move |request: ApiRequest, _cancel| {
        seen.borrow_mut().push(request.clone());
        let campaign = request
            .path
            .split('/')
            .nth(5)
            .unwrap_or_default()
            .to_owned();
        let raw = if campaign == missing.to_string() {
            RawResponse::json(
                404,
                r#"{"success":false,"error":"Not Found","message":"no such campaign","meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"r"}}"#,
            )
        } else {
            RawResponse {
                rate_limit: Some("150".into()),
                rate_remaining: Some((150 - seen.borrow().len()).to_string()),
                rate_reset: Some("1795003600".into()),
                ..RawResponse::json(
                    200,
                    &format!(
                        r#"{{"success":true,"message":"ok","data":{{"campaign_id":"{campaign}","time_frame":"per_day","instances":[],"summary":{{"total_instances":4,"purchase_instances":1,"non_purchase_instances":3,"total_revenue":2.5,"conversion_rate":0.25}}}},"pagination":{{"page":1,"limit":50,"total":4,"totalPages":1,"hasNext":false,"hasPrevious":false}},"meta":{{"timestamp":"2026-11-20T12:00:00Z","requestId":"r"}}}}"#
                    ),
                )
            }
        };
        Box::pin(async move { Ok::<_, NoAnswer>(raw) }) as LocalFuture<_>
    });
    (transport, sent)
}

fn run(engine: &Engine, c: &Connection, q: &[AnalyticsQuery]) -> Vec<Result<Answer, Refused>> {
    let mut out = Vec::new();
    futures::executor::block_on(fetch(&engine.on(c), q, &Cancel::new(), |i, r| {
        assert_eq!(i, out.len());
        out.push(r);
    }));
    out
}

#[test]
fn each_campaign_costs_one_request_unless_cached() {
    let (transport, sent) = server(id(9));
    let engine = Engine::new(transport, Rc::new(Pinned(Cell::new(1))));
    let c = Connection {
        base_url: "https://api.example.com".into(),
        key: SecretKey::parse("sk_test_AcmeE2eKey0000000000000000000000").unwrap(),
    };
    let shown = *crate::contract::validate_request(&id(1).to_string(), "time_frame=per_day&page=2")
        .query()
        .unwrap();
    let two = queries(&shown, &[id(5), id(6)]);
    let p = plan(&engine.on(&c), &two);
    assert_eq!((p.cost, p.remaining, p.affordable()), (2, None, true));

    let answers = run(&engine, &c, &two);
    assert_eq!(sent.borrow().len(), 2);
    assert!(answers
        .iter()
        .all(|a| a.as_ref().is_ok_and(|a| a.requests == 1)));
    assert!(sent.borrow()[0].path.contains(&id(5).to_string()));
    assert!(
        !sent.borrow()[0].path.contains("page="),
        "page 1 for another campaign"
    );

    // The same comparison again: from the cache, free.
    assert_eq!(plan(&engine.on(&c), &two).cost, 0);
    let again = run(&engine, &c, &two);
    assert_eq!(sent.borrow().len(), 2);
    assert!(again
        .iter()
        .all(|a| a.as_ref().is_ok_and(|a| a.requests == 0)));

    // Two cached and one new: one request; the quota left is known now.
    let three = queries(&shown, &[id(6), id(5), id(1)]);
    let p = plan(&engine.on(&c), &three);
    assert_eq!((p.cost, p.remaining), (1, Some(148)));
    run(&engine, &c, &three);
    assert_eq!(sent.borrow().len(), 3);
    assert!(
        sent.borrow()[2].path.contains("page=2"),
        "the shown query as it is"
    );

    // A campaign the server does not know: its request is spent, its row fails.
    let with_missing = queries(&shown, &[id(5), id(9)]);
    assert_eq!(plan(&engine.on(&c), &with_missing).cost, 1);
    let out = run(&engine, &c, &with_missing);
    assert!(out[0].is_ok() && out[1].is_err());
    assert_eq!(out[1].as_ref().unwrap_err().requests, 1);
}

#[test]
fn a_plan_beyond_the_quota_is_not_affordable() {
    let p = Plan {
        cost: 3,
        remaining: Some(2),
    };
    assert!(!p.affordable());
    assert!(Plan {
        cost: 0,
        remaining: Some(0)
    }
    .affordable());
    assert!(Plan {
        cost: 2,
        remaining: Some(2)
    }
    .affordable());
}

#[test]
fn a_cancelled_comparison_asks_nothing_more() {
    let (transport, sent) = server(id(9));
    let engine = Engine::new(transport, Rc::new(Pinned(Cell::new(1))));
    let c = Connection {
        base_url: "https://api.example.com".into(),
        key: SecretKey::parse("sk_test_AcmeE2eKey0000000000000000000000").unwrap(),
    };
    let shown = *crate::contract::validate_request(&id(1).to_string(), "time_frame=per_day")
        .query()
        .unwrap();
    let cancel = Cancel::new();
    let mut seen = 0;
    futures::executor::block_on(fetch(
        &engine.on(&c),
        &queries(&shown, &[id(5), id(6), id(7)]),
        &cancel,
        |_, _| {
            seen += 1;
            cancel.abort();
        },
    ));
    assert_eq!((seen, sent.borrow().len()), (1, 1));
}
