//! Stock: the per-outlet counts and the documents that change them (purchase orders received,
//! stocktakes, transfers; sales are in [`crate::sales`]). Every change emits `inventory.updated`.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::{Product, Variant, parse_qty};
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use crate::values::{Money, Qty, now_unix, rfc3339};

/// A tracked stock position moved by some quantity: `(product, variant, quantity)`.
pub type Leaf = (i64, Option<i64>, Qty);

#[derive(Debug, Clone)]
pub struct DocLine {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: Qty,
    /// Unit cost (purchase orders only).
    pub cost: Money,
}

#[derive(Debug, Clone)]
pub struct PurchaseOrder {
    pub id: i64,
    pub outlet_id: i64,
    pub supplier_name: String,
    pub reference: Option<String>,
    pub received: bool,
    pub lines: Vec<DocLine>,
    pub created_at: i64,
    pub received_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CountLine {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub previous: Qty,
    pub counted: Qty,
}

#[derive(Debug, Clone)]
pub struct Stocktake {
    pub id: i64,
    pub outlet_id: i64,
    pub note: String,
    pub lines: Vec<CountLine>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: i64,
    pub source_outlet_id: i64,
    pub destination_outlet_id: i64,
    pub note: String,
    pub lines: Vec<DocLine>,
    pub created_at: i64,
}

#[derive(Debug, Deserialize)]
pub struct DocLineInput {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub quantity: String,
    pub cost: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PurchaseOrderInput {
    pub outlet_id: i64,
    pub supplier_name: Option<String>,
    pub reference: Option<String>,
    pub lines: Vec<DocLineInput>,
}

#[derive(Debug, Deserialize)]
pub struct CountInput {
    pub product_id: i64,
    pub variant_id: Option<i64>,
    pub count: String,
}

#[derive(Debug, Deserialize)]
pub struct StocktakeInput {
    pub outlet_id: i64,
    pub note: Option<String>,
    pub counts: Vec<CountInput>,
}

#[derive(Debug, Deserialize)]
pub struct TransferInput {
    pub source_outlet_id: i64,
    pub destination_outlet_id: i64,
    pub note: Option<String>,
    pub lines: Vec<DocLineInput>,
}

impl Store {
    /// The product (and variant) a line names; a variant product needs its `variant_id`.
    pub fn resolve_item(&self, product_id: i64, variant_id: Option<i64>) -> ApiResult<(&Product, Option<&Variant>)> {
        let p = self
            .products
            .get(&product_id)
            .ok_or_else(|| ApiError::invalid(format!("product {product_id} does not exist")))?;
        match (p.has_variants, variant_id) {
            (false, None) => Ok((p, None)),
            (false, Some(_)) => Err(ApiError::invalid(format!("product {product_id} has no variants"))),
            (true, None) => {
                Err(ApiError::invalid(format!("product {product_id} has variants: variant_id is required")))
            }
            (true, Some(v)) => match p.variant(v) {
                Some(var) => Ok((p, Some(var))),
                None => Err(ApiError::invalid(format!("variant {v} does not belong to product {product_id}"))),
            },
        }
    }

    /// A line of a stock document must name a product whose own stock is counted.
    fn stocked_item(&self, product_id: i64, variant_id: Option<i64>) -> ApiResult<()> {
        let (p, _) = self.resolve_item(product_id, variant_id)?;
        if p.is_composite {
            return Err(ApiError::invalid(format!("product {product_id} is composite: its stock is its components'")));
        }
        if !p.track_inventory {
            return Err(ApiError::invalid(format!("product {product_id} does not track inventory")));
        }
        Ok(())
    }

    /// The tracked positions that selling `qty` of an item moves: itself, or its components
    /// (times the component quantity) when composite; nothing when untracked.
    pub fn stock_leaves(&self, product_id: i64, variant_id: Option<i64>, qty: Qty) -> Vec<Leaf> {
        let Some(p) = self.products.get(&product_id) else { return Vec::new() };
        if p.is_composite {
            p.components
                .iter()
                .filter(|c| self.products.get(&c.product_id).is_some_and(Product::tracks_stock))
                .map(|c| (c.product_id, c.variant_id, c.quantity.times(qty)))
                .collect()
        } else if p.tracks_stock() {
            vec![(product_id, variant_id, qty)]
        } else {
            Vec::new()
        }
    }

    pub fn stock_of(&self, product_id: i64, variant_id: Option<i64>, outlet_id: i64) -> Qty {
        let Some(p) = self.products.get(&product_id) else { return Qty(0) };
        let entries = match variant_id {
            Some(v) => p.variant(v).map(|v| &v.outlets),
            None => Some(&p.outlets),
        };
        entries.and_then(|e| e.get(&outlet_id)).map(|e| e.stock).unwrap_or_default()
    }

    fn set_stock_raw(&mut self, product_id: i64, variant_id: Option<i64>, outlet_id: i64, q: Qty) {
        let Some(p) = self.products.get_mut(&product_id) else { return };
        let entries = match variant_id {
            Some(v) => match p.variants.iter_mut().find(|x| x.id == v) {
                Some(var) => &mut var.outlets,
                None => return,
            },
            None => &mut p.outlets,
        };
        entries.entry(outlet_id).or_default().stock = q;
    }

    /// Adds `sign * quantity` of every leaf at the outlet (stock may go negative, as a POS that
    /// keeps selling without inventory does), emitting one `inventory.updated` per leaf.
    pub fn move_stock(
        &mut self,
        outlet_id: i64,
        leaves: &[Leaf],
        sign: i64,
        reason: &str,
        ref_type: &str,
        ref_id: i64,
    ) {
        for &(pid, vid, q) in leaves {
            let old = self.stock_of(pid, vid, outlet_id);
            let new = Qty(old.0 + sign * q.0);
            self.set_stock_absolute(pid, vid, outlet_id, old, new, reason, ref_type, ref_id);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn set_stock_absolute(
        &mut self,
        pid: i64,
        vid: Option<i64>,
        outlet_id: i64,
        old: Qty,
        new: Qty,
        reason: &str,
        ref_type: &str,
        ref_id: i64,
    ) {
        self.set_stock_raw(pid, vid, outlet_id, new);
        if old != new {
            self.emit_inventory(pid, vid, outlet_id, old, new, reason, ref_type, ref_id);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn emit_inventory(
        &mut self,
        pid: i64,
        vid: Option<i64>,
        outlet_id: i64,
        old: Qty,
        new: Qty,
        reason: &str,
        ref_type: &str,
        ref_id: i64,
    ) {
        let data = json!({
            "product_id": pid,
            "variant_id": vid,
            "outlet_id": outlet_id,
            "previous_stock": old.to_string(),
            "stock": new.to_string(),
            "delta": Qty(new.0 - old.0).to_string(),
            "reason": reason,
            "reference_type": ref_type,
            "reference_id": ref_id,
        });
        self.emit("inventory.updated", pid, data);
    }

    fn doc_lines(&self, input: Vec<DocLineInput>, with_cost: bool) -> ApiResult<Vec<DocLine>> {
        if input.is_empty() {
            return Err(ApiError::invalid("lines must not be empty"));
        }
        input
            .into_iter()
            .map(|l| {
                self.stocked_item(l.product_id, l.variant_id)?;
                let quantity = parse_qty("lines.quantity", &l.quantity)?;
                if quantity.0 <= 0 {
                    return Err(ApiError::invalid("lines.quantity must be positive"));
                }
                let cost = match (with_cost, l.cost) {
                    (true, Some(c)) => Money::parse(&c).map_err(|e| ApiError::invalid(format!("lines.cost: {e}")))?,
                    _ => Money(0),
                };
                Ok(DocLine { product_id: l.product_id, variant_id: l.variant_id, quantity, cost })
            })
            .collect()
    }

    pub fn create_purchase_order(&mut self, input: PurchaseOrderInput) -> ApiResult<Value> {
        self.outlet(input.outlet_id)?;
        let lines = self.doc_lines(input.lines, true)?;
        let id = self.next_id("purchase_order");
        let po = PurchaseOrder {
            id,
            outlet_id: input.outlet_id,
            supplier_name: input.supplier_name.unwrap_or_default(),
            reference: input.reference,
            received: false,
            lines,
            created_at: now_unix(),
            received_at: None,
        };
        let out = purchase_order_json(&po);
        self.purchase_orders.insert(id, po);
        self.emit("purchase_order.created", id, out.clone());
        Ok(out)
    }

    /// Receiving a purchase order puts its quantities into the outlet's stock (once).
    pub fn receive_purchase_order(&mut self, id: i64) -> ApiResult<Value> {
        let po = self.purchase_orders.get(&id).ok_or_else(|| ApiError::not_found("purchase order", id))?.clone();
        if po.received {
            return Err(ApiError::conflict("already_received", format!("purchase order {id} was already received")));
        }
        // products may have changed since the order was raised
        for l in &po.lines {
            self.stocked_item(l.product_id, l.variant_id)?;
        }
        let leaves: Vec<Leaf> = po.lines.iter().map(|l| (l.product_id, l.variant_id, l.quantity)).collect();
        let po = {
            let stored = self.purchase_orders.get_mut(&id).expect("checked above");
            stored.received = true;
            stored.received_at = Some(now_unix());
            stored.clone()
        };
        let out = purchase_order_json(&po);
        self.emit("purchase_order.received", id, out.clone());
        self.move_stock(po.outlet_id, &leaves, 1, "purchase_order", "purchase_order", id);
        Ok(out)
    }

    /// A stocktake sets absolute counts at one outlet.
    pub fn create_stocktake(&mut self, input: StocktakeInput) -> ApiResult<Value> {
        self.outlet(input.outlet_id)?;
        if input.counts.is_empty() {
            return Err(ApiError::invalid("counts must not be empty"));
        }
        let mut lines = Vec::new();
        for c in input.counts {
            self.stocked_item(c.product_id, c.variant_id)?;
            let counted = parse_qty("counts.count", &c.count)?;
            if counted.0 < 0 {
                return Err(ApiError::invalid("counts.count must not be negative"));
            }
            let previous = self.stock_of(c.product_id, c.variant_id, input.outlet_id);
            lines.push(CountLine { product_id: c.product_id, variant_id: c.variant_id, previous, counted });
        }
        let id = self.next_id("stocktake");
        let st = Stocktake {
            id,
            outlet_id: input.outlet_id,
            note: input.note.unwrap_or_default(),
            lines,
            created_at: now_unix(),
        };
        let out = stocktake_json(&st);
        self.stocktakes.insert(id, st.clone());
        self.emit("stocktake.completed", id, out.clone());
        for l in &st.lines {
            let old = self.stock_of(l.product_id, l.variant_id, st.outlet_id);
            self.set_stock_absolute(
                l.product_id,
                l.variant_id,
                st.outlet_id,
                old,
                l.counted,
                "stocktake",
                "stocktake",
                id,
            );
        }
        Ok(out)
    }

    /// A transfer moves stock from one outlet to another, at once.
    pub fn create_transfer(&mut self, input: TransferInput) -> ApiResult<Value> {
        self.outlet(input.source_outlet_id)?;
        self.outlet(input.destination_outlet_id)?;
        if input.source_outlet_id == input.destination_outlet_id {
            return Err(ApiError::invalid("source and destination outlets must differ"));
        }
        let lines = self.doc_lines(input.lines, false)?;
        let id = self.next_id("transfer");
        let t = Transfer {
            id,
            source_outlet_id: input.source_outlet_id,
            destination_outlet_id: input.destination_outlet_id,
            note: input.note.unwrap_or_default(),
            lines,
            created_at: now_unix(),
        };
        let out = transfer_json(&t);
        self.transfers.insert(id, t.clone());
        self.emit("transfer.completed", id, out.clone());
        let leaves: Vec<Leaf> = t.lines.iter().map(|l| (l.product_id, l.variant_id, l.quantity)).collect();
        self.move_stock(t.source_outlet_id, &leaves, -1, "transfer", "transfer", id);
        self.move_stock(t.destination_outlet_id, &leaves, 1, "transfer", "transfer", id);
        Ok(out)
    }
}

fn doc_line_json(l: &DocLine, with_cost: bool) -> Value {
    let mut v = json!({ "product_id": l.product_id, "variant_id": l.variant_id, "quantity": l.quantity.to_string() });
    if with_cost {
        v["cost"] = Value::String(l.cost.to_string());
    }
    v
}

pub fn purchase_order_json(po: &PurchaseOrder) -> Value {
    let total = Money(po.lines.iter().map(|l| l.cost.times(l.quantity).0).sum());
    json!({
        "id": po.id,
        "outlet_id": po.outlet_id,
        "supplier_name": po.supplier_name,
        "reference": po.reference,
        "status": if po.received { "received" } else { "ordered" },
        "lines": po.lines.iter().map(|l| doc_line_json(l, true)).collect::<Vec<_>>(),
        "total_cost": total.to_string(),
        "created_at": rfc3339(po.created_at),
        "received_at": po.received_at.map(rfc3339),
    })
}

pub fn stocktake_json(st: &Stocktake) -> Value {
    let lines: Vec<Value> = st
        .lines
        .iter()
        .map(|l| {
            json!({
                "product_id": l.product_id,
                "variant_id": l.variant_id,
                "previous": l.previous.to_string(),
                "counted": l.counted.to_string(),
                "difference": Qty(l.counted.0 - l.previous.0).to_string(),
            })
        })
        .collect();
    json!({
        "id": st.id,
        "outlet_id": st.outlet_id,
        "note": st.note,
        "status": "completed",
        "lines": lines,
        "created_at": rfc3339(st.created_at),
    })
}

pub fn transfer_json(t: &Transfer) -> Value {
    json!({
        "id": t.id,
        "source_outlet_id": t.source_outlet_id,
        "destination_outlet_id": t.destination_outlet_id,
        "note": t.note,
        "status": "completed",
        "lines": t.lines.iter().map(|l| doc_line_json(l, false)).collect::<Vec<_>>(),
        "created_at": rfc3339(t.created_at),
    })
}
