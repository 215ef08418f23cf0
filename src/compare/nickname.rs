//! Local nicknames for campaigns: a partner calls `c0000000-…-0001` "Spring" and picks it by
//! that name. They are kept in the browser's storage and never sent anywhere: a request
//! only ever carries the campaign id a nickname stands for.
//!
//! The rules, so that a nickname always picks exactly one campaign:
//! * 1 to [`MAX_LEN`] characters once trimmed (inner runs of spaces become one), no
//!   control characters (they would also break the stored one-per-line form);
//! * unique among the nicknames, ignoring case ("spring" picks "Spring");
//! * never a campaign id itself (an id typed in a pick is always taken as the id);
//! * at most [`MAX_ENTRIES`] nicknames; an empty nickname removes the campaign's.
//!
//! Storage is user-editable, so what is read back is checked by the same rules and
//! whatever breaks them is dropped.

use super::campaign_id;
use uuid::Uuid;

/// The longest nickname, in characters.
pub const MAX_LEN: usize = 40;
/// At most this many nicknames are kept.
pub const MAX_ENTRIES: usize = 200;

/// Why a nickname was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NicknameError {
    TooLong,
    ControlCharacter,
    LooksLikeId,
    /// Another campaign has it (ignoring case).
    Taken(Uuid),
    Full,
}

impl NicknameError {
    /// The error in words.
    pub fn message(self) -> String {
        match self {
            NicknameError::TooLong => format!("A nickname is at most {MAX_LEN} characters."),
            NicknameError::ControlCharacter => {
                "A nickname cannot hold line breaks or other control characters.".to_owned()
            }
            NicknameError::LooksLikeId => "A nickname cannot be a campaign id.".to_owned(),
            NicknameError::Taken(id) => format!("Campaign {id} already has this nickname."),
            NicknameError::Full => {
                format!("At most {MAX_ENTRIES} nicknames are kept: remove one first.")
            }
        }
    }
}

/// Why a pick names no campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickError {
    Empty,
    /// Neither a campaign id nor a nickname.
    Unknown,
}

impl PickError {
    pub fn message(self) -> &'static str {
        match self {
            PickError::Empty => "Enter a campaign id or a nickname.",
            PickError::Unknown => {
                "Not a campaign id (8-4-4-4-12 hex digits) nor one of your nicknames."
            }
        }
    }
}

/// A nickname as kept: trimmed, inner whitespace runs collapsed to one space; `Ok(None)`
/// for an empty one (which removes a nickname).
///
/// ```
/// use campaign_analytics::compare::nickname::{normalize, NicknameError};
/// assert_eq!(normalize("  Black   Friday "), Ok(Some("Black Friday".to_owned())));
/// assert_eq!(normalize("   "), Ok(None));
/// assert_eq!(normalize("a\u{7}b"), Err(NicknameError::ControlCharacter));
/// ```
pub fn normalize(text: &str) -> Result<Option<String>, NicknameError> {
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) || text.contains(['\n', '\r']) {
        return Err(NicknameError::ControlCharacter);
    }
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_LEN {
        return Err(NicknameError::TooLong);
    }
    if campaign_id(&name).is_some() {
        return Err(NicknameError::LooksLikeId);
    }
    Ok(Some(name))
}

fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The nicknames, in the order they were given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nicknames {
    entries: Vec<(Uuid, String)>,
}

impl Nicknames {
    /// Reads the stored form (one `<campaign id> <nickname>` a line), keeping only what
    /// the rules allow (the first of two clashing entries wins).
    ///
    /// ```
    /// use campaign_analytics::compare::nickname::Nicknames;
    /// let n = Nicknames::parse("c0000000-0000-4000-8000-000000000001 Spring\nnonsense\n");
    /// assert_eq!(n.len(), 1);
    /// assert_eq!(Nicknames::parse(&n.to_stored()), n);
    /// ```
    pub fn parse(stored: &str) -> Nicknames {
        let mut out = Nicknames::default();
        for line in stored.lines() {
            if let Some((id, name)) = line.split_once(' ') {
                if let Some(id) = campaign_id(id) {
                    let _ = out.set(id, name);
                }
            }
        }
        out
    }

    /// The stored form.
    pub fn to_stored(&self) -> String {
        self.entries
            .iter()
            .map(|(id, name)| format!("{id} {name}\n"))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every (campaign, nickname).
    pub fn entries(&self) -> &[(Uuid, String)] {
        &self.entries
    }

    /// The nickname of `id`.
    pub fn get(&self, id: Uuid) -> Option<&str> {
        self.entries
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.as_str())
    }

    /// Gives `id` the nickname `text` (see the module's rules); an empty one removes it.
    ///
    /// ```
    /// use campaign_analytics::compare::{campaign_id, nickname::{Nicknames, NicknameError}};
    /// let a = campaign_id("c0000000-0000-4000-8000-000000000001").unwrap();
    /// let b = campaign_id("c0000000-0000-4000-8000-000000000005").unwrap();
    /// let mut n = Nicknames::default();
    /// n.set(a, "Spring").unwrap();
    /// assert_eq!(n.set(b, "SPRING"), Err(NicknameError::Taken(a)));
    /// n.set(a, "").unwrap();
    /// assert!(n.is_empty());
    /// ```
    pub fn set(&mut self, id: Uuid, text: &str) -> Result<(), NicknameError> {
        let Some(name) = normalize(text)? else {
            self.entries.retain(|(i, _)| *i != id);
            return Ok(());
        };
        if let Some((other, _)) = self
            .entries
            .iter()
            .find(|(i, n)| *i != id && same(n, &name))
        {
            return Err(NicknameError::Taken(*other));
        }
        let full = self.entries.len() >= MAX_ENTRIES;
        match self.entries.iter_mut().find(|(i, _)| *i == id) {
            Some(entry) => entry.1 = name,
            None if full => return Err(NicknameError::Full),
            None => self.entries.push((id, name)),
        }
        Ok(())
    }

    /// The campaign a pick names: an id as the contract writes it (any case), else a
    /// nickname (ignoring case and extra spaces).
    ///
    /// ```
    /// use campaign_analytics::compare::{campaign_id, nickname::{Nicknames, PickError}};
    /// let a = campaign_id("c0000000-0000-4000-8000-000000000001").unwrap();
    /// let mut n = Nicknames::default();
    /// n.set(a, "Spring sale").unwrap();
    /// assert_eq!(n.resolve(" spring  SALE "), Ok(a));
    /// assert_eq!(n.resolve("C0000000-0000-4000-8000-000000000001"), Ok(a));
    /// assert_eq!(n.resolve("Autumn"), Err(PickError::Unknown));
    /// ```
    pub fn resolve(&self, text: &str) -> Result<Uuid, PickError> {
        if let Some(id) = campaign_id(text) {
            return Ok(id);
        }
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(PickError::Empty);
        }
        self.entries
            .iter()
            .find(|(_, n)| same(n, &name))
            .map(|(id, _)| *id)
            .ok_or(PickError::Unknown)
    }

    /// How a campaign is named on the page: its nickname, else its id.
    pub fn name_of(&self, id: Uuid) -> String {
        self.get(id).map_or_else(|| id.to_string(), str::to_owned)
    }
}
