mod errors;
mod new;
mod safety;
mod copier_format;
