//! The library's error: one variant per layer of the pipeline, each with its
//! own structured error. How an error is shown and which exit code it gets is
//! decided by the command line (`cli::output`), not here.

use crate::answers::AnswerError;
use crate::disk::WriteError;
use crate::render::RenderError;
use crate::source::SourceError;
use crate::spec::LoadError;
use crate::update::UpdateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Spec(#[from] LoadError),
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Update(#[from] UpdateError),
    #[error(transparent)]
    Task(#[from] crate::tasks::TaskError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Whether the user's input was at fault (answers, flags, destination), as
    /// opposed to the template, the disk or the network.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::Answer(
                AnswerError::Unknown { .. }
                    | AnswerError::Invalid { .. }
                    | AnswerError::Missing { .. }
                    | AnswerError::Required { .. }
                    | AnswerError::AnswersFile { .. }
            ) | Self::Usage(_)
                | Self::Write(
                    WriteError::NotEmpty { .. }
                        | WriteError::NotAFolder { .. }
                        | WriteError::UnderAFile { .. }
                        | WriteError::Clash { .. }
                )
        ) || matches!(self, Self::Source(err) if err.is_usage())
            || matches!(self, Self::Update(err) if err.is_usage())
    }
}
