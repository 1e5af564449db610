mod errors;
mod new;
mod safety;
