mod copier_format;
mod errors;
mod new;
mod safety;
