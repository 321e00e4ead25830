//! Activation: OAuth and app-install callbacks (`/activate/{platform}/...`, `/bigcommerce/load`,
//! `/bigcommerce/uninstall`, `/bigcommerce/remove_user`). The flows arrive with issue 6; until
//! then every route answers 501 with a code, and nothing is stored.

use http::StatusCode;
use posbridge_edge::{Request, Response, error};

#[derive(Default)]
pub struct Activation;

impl Activation {
    pub async fn handle(&self, req: Request) -> Response {
        let path = req.uri().path();
        if path.starts_with("/activate/") || path.starts_with("/bigcommerce/") {
            return error(
                StatusCode::NOT_IMPLEMENTED,
                "activation_not_available",
                "Connecting a store is not available in this build yet",
            );
        }
        error(StatusCode::NOT_FOUND, "no_route", "No such activation route")
    }
}
