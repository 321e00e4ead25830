//! Order statuses: Ecwid's two enums (payment, fulfillment) <-> the POS's one sale status.
//!
//! The Ecwid product doc only says that a new web order appears as a *parked* order and that
//! marking it complete in the POS updates Ecwid (000:72). The rest follows the other
//! integrations' tables (WooCommerce 002:9-40, BigCommerce 003:21-35) and is written down in the
//! README ("Order status mapping"). In short, Ecwid -> POS reads the payment status first:
//!
//! | payment \ fulfillment | open (awaiting, processing, ready for pickup, custom) | dispatched (out for delivery, shipped, delivered) | will not deliver | returned |
//! |---|---|---|---|---|
//! | PAID, PARTIALLY_REFUNDED | Parked | Completed | Voided | Refunded |
//! | AWAITING_PAYMENT, CUSTOM_PAYMENT_STATUS_n | Parked | OnAccount | Voided | Refunded |
//! | CANCELLED | Voided | Voided | Voided | Voided |
//! | REFUNDED | Refunded | Refunded | Refunded | Refunded |
//! | INCOMPLETE | not synced | not synced | not synced | not synced |

use posbridge_domain::model::SaleStatus;

use crate::MappingError;

/// Ecwid's payment statuses (PLATFORM-FACTS §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    AwaitingPayment,
    Paid,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    Incomplete,
    Custom(u8),
}

/// Ecwid's fulfillment statuses (PLATFORM-FACTS §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FulfillmentStatus {
    AwaitingProcessing,
    Processing,
    Shipped,
    Delivered,
    WillNotDeliver,
    Returned,
    ReadyForPickup,
    OutForDelivery,
    Custom(u8),
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 9] = [
        PaymentStatus::AwaitingPayment,
        PaymentStatus::Paid,
        PaymentStatus::Cancelled,
        PaymentStatus::Refunded,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Incomplete,
        PaymentStatus::Custom(1),
        PaymentStatus::Custom(2),
        PaymentStatus::Custom(3),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::AwaitingPayment => "AWAITING_PAYMENT",
            PaymentStatus::Paid => "PAID",
            PaymentStatus::Cancelled => "CANCELLED",
            PaymentStatus::Refunded => "REFUNDED",
            PaymentStatus::PartiallyRefunded => "PARTIALLY_REFUNDED",
            PaymentStatus::Incomplete => "INCOMPLETE",
            PaymentStatus::Custom(1) => "CUSTOM_PAYMENT_STATUS_1",
            PaymentStatus::Custom(2) => "CUSTOM_PAYMENT_STATUS_2",
            PaymentStatus::Custom(_) => "CUSTOM_PAYMENT_STATUS_3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// Money was received (and may since have been partly or fully returned).
    pub fn money_received(self) -> bool {
        matches!(self, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded)
    }
}

impl FulfillmentStatus {
    pub const ALL: [FulfillmentStatus; 11] = [
        FulfillmentStatus::AwaitingProcessing,
        FulfillmentStatus::Processing,
        FulfillmentStatus::Shipped,
        FulfillmentStatus::Delivered,
        FulfillmentStatus::WillNotDeliver,
        FulfillmentStatus::Returned,
        FulfillmentStatus::ReadyForPickup,
        FulfillmentStatus::OutForDelivery,
        FulfillmentStatus::Custom(1),
        FulfillmentStatus::Custom(2),
        FulfillmentStatus::Custom(3),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FulfillmentStatus::AwaitingProcessing => "AWAITING_PROCESSING",
            FulfillmentStatus::Processing => "PROCESSING",
            FulfillmentStatus::Shipped => "SHIPPED",
            FulfillmentStatus::Delivered => "DELIVERED",
            FulfillmentStatus::WillNotDeliver => "WILL_NOT_DELIVER",
            FulfillmentStatus::Returned => "RETURNED",
            FulfillmentStatus::ReadyForPickup => "READY_FOR_PICKUP",
            FulfillmentStatus::OutForDelivery => "OUT_FOR_DELIVERY",
            FulfillmentStatus::Custom(1) => "CUSTOM_FULFILLMENT_STATUS_1",
            FulfillmentStatus::Custom(2) => "CUSTOM_FULFILLMENT_STATUS_2",
            FulfillmentStatus::Custom(_) => "CUSTOM_FULFILLMENT_STATUS_3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// The goods have left the store ("Once it's dispatched, mark it as complete", 000:72).
    pub fn dispatched(self) -> bool {
        matches!(self, FulfillmentStatus::Shipped | FulfillmentStatus::Delivered | FulfillmentStatus::OutForDelivery)
    }
}

/// Reads both statuses of an order; missing ones take Ecwid's defaults for new orders.
pub fn parse_statuses(
    order: &str,
    payment: Option<&str>,
    fulfillment: Option<&str>,
) -> Result<(PaymentStatus, FulfillmentStatus), MappingError> {
    let unknown =
        |kind, value: &str| MappingError::UnknownStatus { order: order.to_string(), kind, value: value.to_string() };
    let p = match payment {
        None => PaymentStatus::AwaitingPayment,
        Some(s) => PaymentStatus::parse(s).ok_or_else(|| unknown("payment", s))?,
    };
    let f = match fulfillment {
        None => FulfillmentStatus::AwaitingProcessing,
        Some(s) => FulfillmentStatus::parse(s).ok_or_else(|| unknown("fulfillment", s))?,
    };
    Ok((p, f))
}

/// Ecwid -> POS (table in the module doc). `Err(UnfinishedOrder)` for abandoned checkouts.
pub fn sale_status_from_ecwid(
    order: &str,
    payment: PaymentStatus,
    fulfillment: FulfillmentStatus,
) -> Result<SaleStatus, MappingError> {
    use FulfillmentStatus as F;
    use PaymentStatus as P;
    Ok(match (payment, fulfillment) {
        (P::Incomplete, _) => return Err(MappingError::UnfinishedOrder { order: order.to_string() }),
        (P::Refunded, _) => SaleStatus::Refunded,
        (P::Cancelled, _) => SaleStatus::Voided,
        (_, F::WillNotDeliver) => SaleStatus::Voided,
        (_, F::Returned) => SaleStatus::Refunded,
        (P::Paid | P::PartiallyRefunded, f) if f.dispatched() => SaleStatus::Completed,
        (P::AwaitingPayment | P::Custom(_), f) if f.dispatched() => SaleStatus::OnAccount,
        _ => SaleStatus::Parked,
    })
}

/// POS -> Ecwid. `fully_paid` is whether the sale's payments cover its total; it decides the
/// payment status of parked and completed sales. Layby and on-account sales are "pending"
/// (003:29, 003:33), which in Ecwid is `AWAITING_PAYMENT`; a void is "cancelled" (003:35).
pub fn ecwid_status_for(status: SaleStatus, fully_paid: bool) -> (PaymentStatus, FulfillmentStatus) {
    use FulfillmentStatus as F;
    use PaymentStatus as P;
    let paid = if fully_paid { P::Paid } else { P::AwaitingPayment };
    match status {
        SaleStatus::Parked => (paid, F::AwaitingProcessing),
        SaleStatus::Completed => (paid, F::Shipped),
        SaleStatus::Layby | SaleStatus::Pending => (P::AwaitingPayment, F::AwaitingProcessing),
        SaleStatus::OnAccount => (P::AwaitingPayment, F::Shipped),
        SaleStatus::Voided | SaleStatus::Cancelled => (P::Cancelled, F::WillNotDeliver),
        SaleStatus::Refunded => (P::Refunded, F::Returned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus as P;
    use SaleStatus as S;

    // Ecwid -> POS. Each row: (payment, fulfillment, expected, source).
    #[test]
    fn ecwid_to_pos_status_table() {
        use FulfillmentStatus as F;
        let rows: &[(P, F, S, &str)] = &[
            (P::Paid, F::AwaitingProcessing, S::Parked, "000:72 new online order appears as parked"),
            (
                P::AwaitingPayment,
                F::AwaitingProcessing,
                S::Parked,
                "000:72; 002:28-32 processing/on hold -> parked, pending payment",
            ),
            (P::Paid, F::Processing, S::Parked, "002:28-30 processing -> parked"),
            (P::Paid, F::ReadyForPickup, S::Parked, "decision: packed, not yet handed over"),
            (P::Paid, F::Custom(2), S::Parked, "decision: custom fulfillment statuses are open"),
            (P::Paid, F::Shipped, S::Completed, "000:72 dispatched -> complete; 003:25-26 shipped -> completed"),
            (P::Paid, F::Delivered, S::Completed, "003:25-26; 002:16-20 completed -> completed/paid"),
            (P::Paid, F::OutForDelivery, S::Completed, "000:72 dispatched"),
            (
                P::PartiallyRefunded,
                F::Delivered,
                S::Completed,
                "002:40 partial refunds leave the order completed; refunds sync separately",
            ),
            (P::PartiallyRefunded, F::Processing, S::Parked, "002:40"),
            (
                P::AwaitingPayment,
                F::Shipped,
                S::OnAccount,
                "decision: goods handed over, money owed = on account (003:33)",
            ),
            (P::Custom(1), F::Delivered, S::OnAccount, "decision: custom payment statuses are unpaid"),
            (P::Cancelled, F::AwaitingProcessing, S::Voided, "002:22-26 cancelled -> voided"),
            (P::Cancelled, F::Shipped, S::Voided, "002:22-26"),
            (P::Paid, F::WillNotDeliver, S::Voided, "decision: will not deliver = cancelled (002:22-26)"),
            (P::Refunded, F::Delivered, S::Refunded, "002:34-38 refunded -> refunded"),
            (P::Refunded, F::AwaitingProcessing, S::Refunded, "002:34-38"),
            (P::Paid, F::Returned, S::Refunded, "decision: goods came back; stock returns as on a refund"),
        ];
        for (p, f, want, src) in rows {
            assert_eq!(sale_status_from_ecwid("1", *p, *f).unwrap(), *want, "{p:?}/{f:?} ({src})");
        }
    }

    #[test]
    fn every_status_pair_maps_or_is_an_unfinished_checkout() {
        for p in PaymentStatus::ALL {
            for f in FulfillmentStatus::ALL {
                let r = sale_status_from_ecwid("7", p, f);
                if p == P::Incomplete {
                    assert_eq!(r.unwrap_err(), MappingError::UnfinishedOrder { order: "7".into() });
                } else {
                    assert!(r.is_ok(), "{p:?}/{f:?}");
                }
            }
        }
    }

    // POS -> Ecwid. Each row: (status, fully paid, payment, fulfillment, source).
    #[test]
    fn pos_to_ecwid_status_table() {
        use FulfillmentStatus as F;
        let rows: &[(S, bool, P, F, &str)] = &[
            (S::Completed, true, P::Paid, F::Shipped, "000:72 mark complete in Hike -> Ecwid updated; 003:25"),
            (S::Parked, true, P::Paid, F::AwaitingProcessing, "003:21-23 awaiting fulfilment <-> parked"),
            (S::Parked, false, P::AwaitingPayment, F::AwaitingProcessing, "003:21-23"),
            (S::Layby, true, P::AwaitingPayment, F::AwaitingProcessing, "003:29 layby -> pending"),
            (S::OnAccount, false, P::AwaitingPayment, F::Shipped, "003:33 on account -> pending"),
            (S::Pending, false, P::AwaitingPayment, F::AwaitingProcessing, "003:29-33"),
            (S::Voided, true, P::Cancelled, F::WillNotDeliver, "003:35 void -> cancelled"),
            (S::Cancelled, false, P::Cancelled, F::WillNotDeliver, "003:35"),
            (S::Refunded, true, P::Refunded, F::Returned, "002:34-38 refunded"),
            (
                S::Completed,
                false,
                P::AwaitingPayment,
                F::Shipped,
                "decision: completed but unpaid reads back as on account",
            ),
        ];
        for (s, paid, p, f, src) in rows {
            assert_eq!(ecwid_status_for(*s, *paid), (*p, *f), "{s:?} paid={paid} ({src})");
        }
    }

    #[test]
    fn statuses_posbridge_writes_read_back_the_same_where_ecwid_can_express_them() {
        // Layby and Pending have no Ecwid counterpart: they read back as parked, unpaid.
        for s in [S::Parked, S::Completed, S::OnAccount, S::Voided, S::Refunded] {
            let (p, f) = ecwid_status_for(s, true);
            let back = sale_status_from_ecwid("1", p, f).unwrap();
            assert_eq!(back, s, "{s:?}");
        }
        for s in [S::Layby, S::Pending] {
            let (p, f) = ecwid_status_for(s, false);
            assert_eq!(sale_status_from_ecwid("1", p, f).unwrap(), S::Parked);
        }
        let (p, f) = ecwid_status_for(S::Cancelled, false);
        assert_eq!(sale_status_from_ecwid("1", p, f).unwrap(), S::Voided);
    }

    #[test]
    fn status_strings_parse_and_unknown_ones_are_errors() {
        for p in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(p.as_str()), Some(p));
        }
        for f in FulfillmentStatus::ALL {
            assert_eq!(FulfillmentStatus::parse(f.as_str()), Some(f));
        }
        assert_eq!(
            parse_statuses("1", None, None).unwrap(),
            (P::AwaitingPayment, FulfillmentStatus::AwaitingProcessing)
        );
        let e = parse_statuses("9", Some("QUEUED"), None).unwrap_err();
        assert_eq!(e.code(), "unknown_status");
        let e = parse_statuses("9", Some("PAID"), Some("LOST")).unwrap_err();
        assert!(matches!(e, MappingError::UnknownStatus { kind: "fulfillment", .. }));
    }
}
