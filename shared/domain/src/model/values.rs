//! Value newtypes: identifiers, SKUs, barcodes, money and quantities.
//!
//! Every value is built through `parse`/`TryFrom`, so a value that exists is valid. Money and
//! quantities are fixed-point integers, never floats: money in ten-thousandths of the currency
//! unit (BigCommerce answers with 4 decimals), quantities in thousandths (the POS sells fractions,
//! e.g. 0.5 kg; the web stores only whole units, see [`Quantity::whole_units`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("{what} is too long ({len} characters; at most {max})")]
    TooLong { what: &'static str, len: usize, max: usize },
    #[error("{what} {value:?} is not a decimal number with at most {places} decimal places")]
    NotDecimal { what: &'static str, value: String, places: u32 },
    #[error("{what} {value:?} is out of range")]
    OutOfRange { what: &'static str, value: String },
    #[error("{what} {value:?} contains characters that are not allowed")]
    BadCharacters { what: &'static str, value: String },
}

macro_rules! string_id {
    ($(#[$m:meta])* $name:ident, $what:literal, $max:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: impl Into<String>) -> Result<Self, ValueError> {
                let s: String = s.into();
                let t = s.trim();
                if t.is_empty() {
                    return Err(ValueError::Empty { what: $what });
                }
                if t.chars().count() > $max {
                    return Err(ValueError::TooLong { what: $what, len: t.chars().count(), max: $max });
                }
                if t.chars().any(|c| c.is_control()) {
                    return Err(ValueError::BadCharacters { what: $what, value: t.to_string() });
                }
                Ok(Self(t.to_string()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValueError;
            fn try_from(s: &str) -> Result<Self, ValueError> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// One connection between a merchant's POS and one web store.
    IntegrationId, "integration id", 128
);
string_id!(
    /// The posbridge account (tenant) that owns integrations.
    MerchantId, "merchant id", 128
);
string_id!(
    /// An identifier of a record on the POS.
    PosId, "POS id", 128
);
string_id!(
    /// An identifier of a record on the web store (product id, `product:variant`, order id...).
    PlatformId, "platform id", 256
);
string_id!(
    /// A stock-keeping unit. Platforms compare SKUs case-insensitively (BigCommerce), so
    /// posbridge matches on [`Sku::key`] while keeping the merchant's spelling.
    Sku, "SKU", 255
);
string_id!(
    /// A barcode (UPC/EAN/GTIN). Ecwid allows duplicates; the POS does not.
    Barcode, "barcode", 64
);

impl Sku {
    /// The case-insensitive matching key.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Parses a non-negative or negative decimal string into a scaled integer with `places` digits.
fn parse_fixed(what: &'static str, s: &str, places: u32) -> Result<i64, ValueError> {
    let bad = || ValueError::NotDecimal { what, value: s.to_string(), places };
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    // Trailing zeros beyond the scale are harmless ("12.500000"); other digits are not.
    let frac_trim = frac.trim_end_matches('0');
    if frac_trim.len() > places as usize {
        return Err(bad());
    }
    let scale = 10i64.pow(places);
    let oor = || ValueError::OutOfRange { what, value: s.to_string() };
    let int_v: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| oor())? };
    let mut frac_v: i64 = 0;
    for (i, b) in frac_trim.bytes().enumerate() {
        frac_v += i64::from(b - b'0') * 10i64.pow(places - 1 - i as u32);
    }
    let v = int_v.checked_mul(scale).and_then(|x| x.checked_add(frac_v)).ok_or_else(oor)?;
    Ok(if neg { -v } else { v })
}

fn format_fixed(v: i64, places: u32, shown: u32) -> String {
    let scale = 10i64.pow(places);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let int = a / scale as u64;
    let frac = a % scale as u64;
    if shown == 0 {
        return format!("{sign}{int}");
    }
    let frac_str = format!("{:0width$}", frac, width = places as usize);
    format!("{sign}{int}.{}", &frac_str[..shown as usize])
}

/// An amount of money in ten-thousandths of the store currency (4 decimal places, like
/// BigCommerce's v2 money strings). Currency is a property of the store, not of each amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    pub const PLACES: u32 = 4;
    pub const ZERO: Money = Money(0);

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        parse_fixed("amount", s, Self::PLACES).map(Money)
    }
    /// From whole cents (2 decimal places).
    pub fn from_cents(c: i64) -> Self {
        Money(c * 100)
    }
    pub fn from_units(u: i64) -> Self {
        Money(u * 10_000)
    }
    pub fn ten_thousandths(self) -> i64 {
        self.0
    }
    /// Rounded half away from zero to cents.
    pub fn cents(self) -> i64 {
        let q = self.0 / 100;
        let r = self.0 % 100;
        if r.abs() >= 50 { q + self.0.signum() } else { q }
    }
    /// `"12.50"`: what WooCommerce and Ecwid expect.
    pub fn to_2dp(self) -> String {
        format_fixed(Money(self.cents() * 100).0, Self::PLACES, 2)
    }
    /// `"12.5000"`: BigCommerce v2.
    pub fn to_4dp(self) -> String {
        format_fixed(self.0, Self::PLACES, 4)
    }
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }
    pub fn checked_sub(self, o: Money) -> Option<Money> {
        self.0.checked_sub(o.0).map(Money)
    }
    /// Multiplies by a quantity, rounding half away from zero to the money scale.
    pub fn times(self, q: Quantity) -> Money {
        let p = i128::from(self.0) * i128::from(q.0);
        let d = i128::from(Quantity::SCALE);
        let r = (p.abs() + d / 2) / d * p.signum();
        Money(r as i64)
    }
    /// Adds `rate_bp` basis points of tax (e.g. 1000 = 10 %) to an ex-tax amount.
    pub fn add_tax(self, rate_bp: u32) -> Money {
        let p = i128::from(self.0) * i128::from(10_000 + rate_bp);
        Money(((p.abs() + 5_000) / 10_000 * p.signum()) as i64)
    }
    /// Removes `rate_bp` basis points of tax from a tax-inclusive amount.
    pub fn remove_tax(self, rate_bp: u32) -> Money {
        let p = i128::from(self.0) * 10_000;
        let d = i128::from(10_000 + rate_bp);
        Money(((p.abs() + d / 2) / d * p.signum()) as i64)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_2dp())
    }
}

impl FromStr for Money {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_4dp())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Money::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A stock or line quantity in thousandths of a unit. The POS allows fractions (weighed goods);
/// the web stores count whole units only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(i64);

impl Quantity {
    pub const PLACES: u32 = 3;
    pub const SCALE: i64 = 1_000;
    pub const ZERO: Quantity = Quantity(0);

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        parse_fixed("quantity", s, Self::PLACES).map(Quantity)
    }
    pub fn units(n: i64) -> Self {
        Quantity(n * Self::SCALE)
    }
    pub fn thousandths(self) -> i64 {
        self.0
    }
    pub fn is_whole(self) -> bool {
        self.0 % Self::SCALE == 0
    }
    /// The whole-unit count a web store can hold, or `None` when the quantity is fractional:
    /// posbridge flags fractions instead of rounding them silently.
    pub fn whole_units(self) -> Option<i64> {
        self.is_whole().then_some(self.0 / Self::SCALE)
    }
    /// Whole units rounded toward zero (for stock: never promise more than there is).
    pub fn floor_units(self) -> i64 {
        self.0.div_euclid(Self::SCALE)
    }
    pub fn checked_add(self, o: Quantity) -> Option<Quantity> {
        self.0.checked_add(o.0).map(Quantity)
    }
    pub fn checked_sub(self, o: Quantity) -> Option<Quantity> {
        self.0.checked_sub(o.0).map(Quantity)
    }
}

impl std::ops::Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.is_whole() { 0 } else { Self::PLACES };
        let s = format_fixed(self.0, Self::PLACES, shown);
        let s = if shown > 0 { s.trim_end_matches('0').to_string() } else { s };
        f.write_str(&s)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Quantity::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A tax rate in basis points (1000 = 10 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct TaxRate(pub u32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_and_formats_without_floats() {
        for (input, four, two) in [
            ("12.5", "12.5000", "12.50"),
            ("0.015", "0.0150", "0.02"),
            ("-3.3333", "-3.3333", "-3.33"),
            ("336.3200", "336.3200", "336.32"),
            ("7", "7.0000", "7.00"),
            (".5", "0.5000", "0.50"),
        ] {
            let m = Money::parse(input).unwrap();
            assert_eq!(m.to_4dp(), four, "{input}");
            assert_eq!(m.to_2dp(), two, "{input}");
        }
    }

    #[test]
    fn money_rejects_junk_and_excess_precision() {
        for bad in ["", "abc", "1.23456", "1,50", "1.2.3", "--1", "1e3", "99999999999999999999"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Money::parse("1.230000").unwrap().to_4dp(), "1.2300");
    }

    #[test]
    fn tax_inclusive_and_exclusive_round_trip_on_common_prices() {
        // 10 % GST: 11.00 inc = 10.00 ex.
        assert_eq!(Money::parse("11").unwrap().remove_tax(1000).to_2dp(), "10.00");
        assert_eq!(Money::parse("10").unwrap().add_tax(1000).to_2dp(), "11.00");
        // 15 % on 19.99 ex.
        assert_eq!(Money::parse("19.99").unwrap().add_tax(1500).to_4dp(), "22.9885");
    }

    #[test]
    fn quantities_keep_fractions_and_say_when_they_are_not_whole() {
        let q = Quantity::parse("0.5").unwrap();
        assert_eq!(q.thousandths(), 500);
        assert_eq!(q.whole_units(), None);
        assert_eq!(q.to_string(), "0.5");
        assert_eq!(Quantity::parse("3").unwrap().whole_units(), Some(3));
        assert_eq!(Quantity::parse("-2.250").unwrap().floor_units(), -3);
        assert_eq!(Money::parse("4.00").unwrap().times(q).to_2dp(), "2.00");
        assert!(Quantity::parse("0.0001").is_err());
    }

    #[test]
    fn identifiers_are_trimmed_and_validated() {
        assert_eq!(Sku::parse("  AB-1 ").unwrap().as_str(), "AB-1");
        assert_eq!(Sku::parse("Ab-1").unwrap().key(), Sku::parse("aB-1").unwrap().key());
        assert!(Sku::parse("   ").is_err());
        assert!(Sku::parse("a\nb").is_err());
        assert!(PosId::parse("x".repeat(129)).is_err());
        let j: Result<Sku, _> = serde_json::from_str("\"\"");
        assert!(j.is_err());
    }
}
