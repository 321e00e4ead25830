//! Where the settings screen's choices come from: both sides read live (outlets, registers,
//! tax rules, payment types), never cached. The production source calls the POS and platform
//! clients; [`StaticChoices`] serves fixed data to tests and the local stack.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::Integration;
use crate::model::IntegrationId;
use crate::settings::Choices;

#[derive(Debug, thiserror::Error)]
pub enum ChoicesError {
    #[error("{side} could not be reached to read the choices; try again shortly")]
    Unavailable { side: &'static str },
    #[error("{side} refused posbridge's credentials; reconnect the integration")]
    Unauthorized { side: &'static str },
}

#[async_trait]
pub trait ChoicesSource: Send + Sync {
    async fn choices(&self, integration: &Integration) -> Result<Choices, ChoicesError>;
}

/// Fixed choices per integration.
#[derive(Default)]
pub struct StaticChoices {
    by_integration: Mutex<HashMap<IntegrationId, Choices>>,
}

impl StaticChoices {
    pub fn set(&self, id: IntegrationId, c: Choices) {
        self.by_integration.lock().unwrap_or_else(|p| p.into_inner()).insert(id, c);
    }
}

#[async_trait]
impl ChoicesSource for StaticChoices {
    async fn choices(&self, integration: &Integration) -> Result<Choices, ChoicesError> {
        self.by_integration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&integration.id)
            .cloned()
            .ok_or(ChoicesError::Unavailable { side: "the POS" })
    }
}
