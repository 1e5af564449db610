mod copier_format;
mod copier_refusals;
mod errors;
mod new;
mod safety;
