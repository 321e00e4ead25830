//! Pure functions between Ecwid REST v3 JSON (`serde_json::Value`, in the shapes of the API
//! reference and the in-repo emulator) and posbridge's canonical model. No I/O, no clock: times
//! come in as arguments, lookups of already-linked records come in through [`EcwidContext`].
//!
//! Reading is lenient (missing optional fields are `None`; money may be a JSON number or a
//! string), writing is strict (a record the other side would refuse is a [`MappingError`]).
//!
//! [`MappingError`]: crate::MappingError

pub mod customer;
mod json;
pub mod order;
pub mod product;
pub mod status;
pub mod tax;

use posbridge_domain::model::PosId;

/// The connector name the sync screens show (product doc 004, "Connector").
pub const CONNECTOR: &str = "Ecwid";

/// The payment type Ecwid payments get in the POS when the payment mapping has no entry for
/// Ecwid's payment method: "labelled as the platform", as the BigCommerce and WooCommerce
/// integrations do (001:344, 002:42).
pub const PAYMENT_LABEL: &str = "Ecwid";

/// Which POS outlets Ecwid's stock is drawn from (product doc 000, "Inventory settings").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventorySource {
    /// One outlet (or central warehouse), 000:68.
    Outlet(PosId),
    /// The sum of several outlets, 000:76-80. Ecwid's stock then never flows back to the POS.
    Combined(Vec<PosId>),
}

impl InventorySource {
    pub fn outlets(&self) -> &[PosId] {
        match self {
            InventorySource::Outlet(o) => std::slice::from_ref(o),
            InventorySource::Combined(v) => v,
        }
    }
}

/// Unit of Ecwid's `weight` fields (a store setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightUnit {
    #[default]
    Kilogram,
    Gram,
    Pound,
    Ounce,
}

/// An Ecwid category and, once linked, the POS product type it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryLink {
    pub ecwid_id: u64,
    pub name: String,
    pub pos_id: Option<PosId>,
}

/// The integration's Ecwid-specific settings and link lookups a mapping needs. This extends the
/// domain's `MappingOptions` (which every connector shares) with what only Ecwid needs: Ecwid
/// refers to categories and customer groups by numeric id where the canonical model uses names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcwidContext {
    /// Ecwid categories known to the integration (from `GET /categories`).
    pub categories: Vec<CategoryLink>,
    /// Ecwid customer groups: id -> name (from `GET /customer_groups`, without group 0).
    pub customer_groups: Vec<(u64, String)>,
    pub inventory: InventorySource,
    /// "Hike outlet for invoice sync" (000:44-46).
    pub invoice_outlet: Option<PosId>,
    /// "Select Hike register for payments" (000:49-53).
    pub payments_register: Option<PosId>,
    pub weight_unit: WeightUnit,
    /// "Send full Ecwid order to Hike" (000:97-102). While on, Ecwid's manual stock changes do
    /// not flow to the POS (000:102, 000:112).
    pub send_ecwid_orders_to_pos: bool,
}

impl EcwidContext {
    /// A context with one inventory outlet and no links yet.
    pub fn new(outlet: PosId) -> Self {
        EcwidContext {
            categories: Vec::new(),
            customer_groups: Vec::new(),
            inventory: InventorySource::Outlet(outlet.clone()),
            invoice_outlet: Some(outlet),
            payments_register: None,
            weight_unit: WeightUnit::Kilogram,
            send_ecwid_orders_to_pos: false,
        }
    }

    /// Whether Ecwid's stock levels may overwrite the POS's: not with combined outlets (000:80)
    /// and not while full Ecwid orders sync (000:102, 000:112: stock is managed in the POS).
    pub fn ecwid_stock_flows_to_pos(&self) -> bool {
        matches!(self.inventory, InventorySource::Outlet(_)) && !self.send_ecwid_orders_to_pos
    }

    pub(crate) fn category_by_id(&self, id: u64) -> Option<&CategoryLink> {
        self.categories.iter().find(|c| c.ecwid_id == id)
    }

    pub(crate) fn category_by_name(&self, name: &str) -> Option<&CategoryLink> {
        let key = name.trim().to_lowercase();
        self.categories.iter().find(|c| c.name.trim().to_lowercase() == key)
    }

    pub(crate) fn category_by_pos_id(&self, id: &PosId) -> Option<&CategoryLink> {
        self.categories.iter().find(|c| c.pos_id.as_ref() == Some(id))
    }

    pub(crate) fn group_name(&self, id: u64) -> Option<&str> {
        self.customer_groups.iter().find(|(g, _)| *g == id).map(|(_, n)| n.as_str())
    }

    pub(crate) fn group_id(&self, name: &str) -> Option<u64> {
        let key = name.trim().to_lowercase();
        self.customer_groups.iter().find(|(_, n)| n.trim().to_lowercase() == key).map(|(g, _)| *g)
    }
}

/// Whether a write creates the record or updates a linked one. The sync screen reports
/// "created" or "updated" (004:52), and some fields are only written on creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create,
    Update,
}
