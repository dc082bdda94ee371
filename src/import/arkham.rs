//! WIP (being written)

/// WIP
///
/// # Errors
/// WIP
pub fn read(_input: &mut dyn std::io::BufRead, _ctx: &super::ReadContext<'_>, _sink: &mut dyn super::Sink) -> Result<(), super::ReadError> {
    Err(super::ReadError::format(1, "WIP"))
}
