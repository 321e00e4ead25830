//! The merchant's sync settings per integration (issue 6): a typed model of every option in the
//! product docs, and its validation.
