//! Validators: exact checks of a candidate's structure, independent of context.
pub mod card;
pub mod id_card;
pub mod luhn;
pub mod phone;
